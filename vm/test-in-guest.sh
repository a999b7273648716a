#!/bin/sh
# test-in-guest.sh — what `make test-vm` runs in the guest (vm/run-in-guest.sh):
# vm/smoke.sh, then the CgroupV2Tests suite of the already-built test bundle
# against the runtime binary under test. Builds nothing.
#
#   BERTH_BINARY        the runtime under test (make: .build/release/berth)
#   BERTH_TEST_BUNDLE   the Swift test bundle (make: .build/debug/berthPackageTests.xctest)
#   BERTH_TEST_FILTER   which tests (default: CgroupV2Tests)
#   BERTH_SMOKE_BUNDLE  passed on to smoke.sh
#
# Prints each part's output, then one closing line "N passed, N failed"
# (smoke checks plus tests); exits 1 when anything failed or the tests could
# not run, 0 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bundle=${BERTH_TEST_BUNDLE:-}
filter=${BERTH_TEST_FILTER:-CgroupV2Tests}
log=/tmp/berth-test-vm.log
passed=0
failed=0
status=0

echo "# smoke (vm/smoke.sh)"
"$here/smoke.sh" >$log 2>&1 || status=1
cat $log
smoke_ok=$(grep -c '^ok ' $log)
smoke_fail=$(grep -c '^FAIL ' $log)
if [ $status -ne 0 ] && [ "$smoke_fail" -eq 0 ]; then smoke_fail=1; fi   # died before a check
passed=$((passed + smoke_ok))
failed=$((failed + smoke_fail))

echo "# $filter ($bundle, BERTH_BINARY=${BERTH_BINARY:-unset})"
if [ -z "$bundle" ] || [ ! -x "$bundle" ]; then
    echo "test-vm: no test bundle at '$bundle' (run make test first)" >&2
    failed=$((failed + 1))
else
    # NO_COLOR: plain ✔/✘ lines to count. Tests of other suites are not run.
    NO_COLOR=1 "$bundle" --testing-library swift-testing --filter "$filter" >$log 2>&1
    tests_status=$?
    cat $log
    # One line per test function: "✔ Test name() passed after …",
    # "✘ Test name() failed after …", "➜ Test name() skipped.".
    tests_ok=$(grep -v '^✔ Test run with' $log | grep -c '^✔ Test .* passed after')
    tests_fail=$(grep -v '^✘ Test run with' $log | grep -c '^✘ Test .* failed after')
    tests_skip=$(grep -c '^➜ Test .* skipped' $log)
    if [ $tests_status -ne 0 ] && [ "$tests_fail" -eq 0 ]; then tests_fail=1; fi   # crashed, or a suite-level issue
    if [ "$tests_ok" -eq 0 ] && [ "$tests_fail" -eq 0 ]; then
        echo "test-vm: no $filter test ran ($tests_skip skipped)" >&2
        tests_fail=1
    fi
    echo "# $filter: $tests_ok passed, $tests_fail failed, $tests_skip skipped (exit status $tests_status)"
    passed=$((passed + tests_ok))
    failed=$((failed + tests_fail))
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
