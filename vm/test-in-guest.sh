#!/bin/sh
# test-in-guest.sh — what `make test-vm` runs in the guest (vm/run-in-guest.sh):
# vm/smoke.sh, then the CgroupV2Tests suite of the already-built test bundle
# against the runtime binary under test, then berth's conformance suite
# (spec-conformance/run.py, from the checkout shared at the same path) on
# the guest's pure cgroup v2 hierarchy. Builds nothing.
#
#   BERTH_BINARY        the runtime under test (make: .build/release/berth)
#   BERTH_TEST_BUNDLE   the Swift test bundle (make: .build/debug/berthPackageTests.xctest)
#   BERTH_TEST_FILTER   which tests (default: CgroupV2Tests)
#   BERTH_SMOKE_BUNDLE  passed on to smoke.sh
#
# Prints each part's output, then one closing line "N passed, N failed"
# (smoke checks, tests and conformance checks; skipped ones are not counted);
# exits 1 when anything failed or a part could not run, 0 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bundle=${BERTH_TEST_BUNDLE:-}

# Run copies, taken now, of the binary under test (with the exec helper
# berth finds beside itself) and of the test bundle: the checkout is shared
# with the host, where a rebuild during the run would otherwise swap the
# files under the guest's running processes (they die of SIGSEGV or SIGILL).
snapshot=/tmp/berth-under-test
mkdir -p $snapshot
if [ -n "${BERTH_BINARY:-}" ] && [ -x "$BERTH_BINARY" ]; then
    helper=$(dirname "$BERTH_BINARY")/berth-exec-helper
    cp "$BERTH_BINARY" $snapshot/berth && { [ ! -x "$helper" ] || cp "$helper" $snapshot/; } &&
        BERTH_BINARY=$snapshot/berth && export BERTH_BINARY
fi
if [ -n "$bundle" ] && [ -x "$bundle" ] && cp "$bundle" $snapshot/; then
    bundle=$snapshot/$(basename "$bundle")
fi
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

# The conformance suite closes with its own "N passed, N failed, N skipped".
repo=$(dirname "$here")
echo "# conformance (spec-conformance/run.py --runtime ${BERTH_BINARY:-unset})"
if [ -z "${BERTH_BINARY:-}" ]; then
    echo "test-vm: BERTH_BINARY is not set: no conformance run" >&2
    failed=$((failed + 1))
else
    /usr/bin/python3 "$repo/spec-conformance/run.py" --runtime "$BERTH_BINARY" >$log 2>&1
    conformance_status=$?
    cat $log
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' $log | tail -n 1)
    if [ -n "$summary" ]; then
        conformance_ok=$(echo "$summary" | sed -E 's/^([0-9]+) passed.*/\1/')
        conformance_fail=$(echo "$summary" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    else
        echo "test-vm: the conformance suite printed no summary" >&2
        conformance_ok=0
        conformance_fail=1
    fi
    if [ $conformance_status -ne 0 ] && [ "$conformance_fail" -eq 0 ]; then conformance_fail=1; fi
    echo "# conformance: $conformance_ok passed, $conformance_fail failed (exit status $conformance_status)"
    passed=$((passed + conformance_ok))
    failed=$((failed + conformance_fail))
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
