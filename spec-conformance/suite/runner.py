"""The runner: requirements.tsv checked against the tests, one test at a
time under a time limit, TAP output, reports, and the command line."""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import ocitest
import report
from .framework import HERE, TEST_SECONDS, TESTS, Case, Fail, Skip, TestTimeout
from .mounts import IGNORED_OPTIONS


COLUMNS = ["id", "file", "section", "level", "sentence", "tests", "untested"]


def load_requirements():
    """The rows of requirements.tsv, checked against the tests: every row
    names its tests or says why it has none, every test covers a row, ids
    are unique. A test may cover several rows (it records a verdict per
    requirement id, see Case.verdict)."""
    with open(HERE / "requirements.tsv") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != COLUMNS:
            sys.exit(f"requirements.tsv: columns are {header}, expected {COLUMNS}")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    problems = []
    ids = [row["id"] for row in rows]
    problems += [f"id {i} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for row in rows:
        if len([v for v in row.values() if v is not None]) != len(COLUMNS):
            problems.append(f"{row['id']}: not {len(COLUMNS)} columns")
        elif not row["tests"] and not row["untested"]:
            problems.append(f"{row['id']}: neither a test nor the reason it has none")
        elif row["tests"] and row["untested"]:
            problems.append(f"{row['id']}: both tests and a reason for having none")
    listed = {name for row in rows for name in row["tests"].split(",") if name}
    problems += [f"unknown test {name}" for name in sorted(listed - set(TESTS))]
    problems += [f"test {name} covers no requirement" for name in sorted(set(TESTS) - listed)]
    if problems:
        sys.exit("requirements.tsv and the tests in suite/ disagree:\n  " + "\n  ".join(problems))
    return rows


def yaml_block(details):
    """TAP 13's YAML diagnostic; JSON strings are valid YAML scalars."""
    lines = ["  ---"]
    for key, value in details.items():
        lines.append(f"  {key}: {json.dumps(value)}")
    lines.append("  ...")
    return "\n".join(lines)


def on_alarm(signum, frame):
    raise TestTimeout()


@dataclass
class Outcome:
    status: str                 # "ok", "not ok" or "skip"
    detail: object = None       # the skip reason, or a dict for a failure
    verdicts: dict = None       # Case.verdicts


def run_one(runtime_path, name, workdir, bundles):
    case = Case(runtime_path, name, workdir, bundles)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_SECONDS)
    try:
        TESTS[name](case)
        return Outcome("ok", None, case.verdicts)
    except Skip as skip:
        return Outcome("skip", str(skip), case.verdicts)
    except Fail as failure:
        return Outcome("not ok", dict(message=str(failure), **failure.details), case.verdicts)
    except TestTimeout:
        return Outcome("not ok", {"message": f"test did not finish within {TEST_SECONDS} s"}, case.verdicts)
    except Exception as error:
        return Outcome("not ok", {"message": f"test error: {error!r}", "traceback": traceback.format_exc()},
                       case.verdicts)
    finally:
        signal.alarm(0)
        case.cleanup()


def row_outcome(requirement, outcome):
    """What one test says about one requirement: its verdicts for that id
    when it recorded any, else the test's own result."""
    verdicts = outcome.verdicts or {}
    # A requirement the test has no verdict of its own for (an umbrella
    # such as "the environment is created according to config.json") is
    # met when every check the test made passed.
    mine = verdicts.get(requirement) or [v for vs in verdicts.values() for v in vs]
    if not mine:
        return Outcome(outcome.status, outcome.detail), ""
    failed = [message for status, message in mine if status == "not ok"]
    skipped = [message for status, message in mine if status == "skip"]
    note = f" [{len(mine)} check{'s' if len(mine) > 1 else ''}]"
    if failed:
        return Outcome("not ok", {"message": f"{len(failed)} of {len(mine)} checks failed", "failed": failed}), note
    if len(skipped) == len(mine):
        return Outcome("skip", skipped[0]), note
    return Outcome("ok"), note


def main(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runtime", help="path of the runtime binary under test")
    parser.add_argument("--only", help="comma-separated test names to run")
    parser.add_argument("--host-cgroups", action="store_true",
                        help="do not hide a hybrid host's cgroup2 tree (crun 1.8 refuses such hosts)")
    parser.add_argument("--report", help="also write a Markdown table requirement × result to this file")
    parser.add_argument("--json", help="also write the results as JSON to this file (for --compare)")
    parser.add_argument("--compare", nargs="+", metavar="NAME=PATH",
                        help="run the suite against each runtime and write results/comparison.md")
    parser.add_argument("--place", default="host",
                        help="with --compare: where it runs (host, or guest for the cgroup v2 guest)")
    parser.add_argument("--readme", action="store_true",
                        help="with --compare: also put the comparison table into README.md")
    options = parser.parse_args()
    if options.compare:
        return report.compare(options.compare, HERE, update_readme=options.readme, place=options.place)
    if not options.runtime:
        parser.error("--runtime (or --compare) is required")
    runtime_path = os.path.abspath(options.runtime)
    if not os.access(runtime_path, os.X_OK):
        sys.exit(f"{options.runtime}: not an executable")

    requirements = load_requirements()
    view = ocitest.ensure_v1_only_view(enabled=not options.host_cgroups, private=True)
    ocitest.raise_on_sigterm()
    ocitest.become_subreaper()

    only = set(options.only.split(",")) if options.only else None
    plan = [(row, name) for row in requirements for name in row["tests"].split(",")
            if name and (only is None or name in only)]

    print("TAP version 13")
    print(f"1..{len(plan)}")
    version = ocitest.spawn([runtime_path, "--version"]).stdout.splitlines()
    version = version[0] if version else "?"
    print(f"# runtime: {runtime_path} ({version})")
    print(f"# {view}")
    if os.geteuid() != 0:
        print("# not root: tests that create containers will fail")

    counts = {"ok": 0, "not ok": 0, "skip": 0}
    results = []   # (row, test, status, detail) for the reports
    outcomes = {}  # test name -> Outcome: a test covering several rows runs once
    first_report = {}  # test name -> the TAP number where its failure is shown in full
    workdir = tempfile.mkdtemp(prefix="berth-conformance-")
    os.chmod(workdir, 0o755)
    bundles = ocitest.BundleFactory(workdir)
    started = time.monotonic()
    try:
        for number, (row, name) in enumerate(plan, 1):
            if name not in outcomes:
                outcomes[name] = run_one(runtime_path, name, workdir, bundles)
            outcome, note = row_outcome(row["id"], outcomes[name])
            if outcome.status == "not ok" and not outcomes[name].verdicts:
                # one failure of a test covering several rows is shown once
                if name in first_report:
                    outcome.detail = {"message": f"{outcome.detail.get('message')} (see test {first_report[name]})"}
                first_report.setdefault(name, number)
            counts[outcome.status] += 1
            results.append((row, name, outcome.status, outcome.detail))
            text = f"{row['id']} - {TESTS[name].__doc__.strip()}{note}"
            if row["level"] not in ("MUST", "MUST NOT", "REQUIRED"):
                text += f" ({row['level']})"
            if outcome.status == "skip":
                print(f"ok {number} - {text} # SKIP {outcome.detail}")
            else:
                print(f"{outcome.status} {number} - {text}")
                if outcome.detail:
                    print(yaml_block(outcome.detail))
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("Bail out! interrupted")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    known = {row["id"] for row in requirements}
    strays = sorted({i for o in outcomes.values() for i in (o.verdicts or {}) if i not in known}
                    - {f"config.mounts.option.{o}" for o in IGNORED_OPTIONS})
    if strays:
        print(f"# checks of requirements not in requirements.tsv: {', '.join(strays)}")
    untested = [row for row in requirements if not row["tests"]]
    if untested and only is None:
        print(f"# {len(untested)} of {len(requirements)} requirements have no test; requirements.tsv says why "
              f"(column `untested`)")
    print(f"# {time.monotonic() - started:.1f} s")
    print(f"{counts['ok']} passed, {counts['not ok']} failed, {counts['skip']} skipped")
    run = report.Run(runtime=runtime_path, version=version, view=view, counts=counts, results=results,
                     requirements=requirements)
    if options.report:
        Path(options.report).write_text(report.markdown(run))
    if options.json:
        Path(options.json).write_text(report.to_json(run))
    return 1 if counts["not ok"] else 0
