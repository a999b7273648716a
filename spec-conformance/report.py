"""Reports of run.py: a Markdown table requirement × result for one
runtime, and the comparison of several runtimes (`run.py --compare`,
`make conformance-compare`) written to results/comparison.md and, between
the markers below, into README.md."""

import datetime
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

def markers(place):
    """The README block of one place's comparison ("host", "guest")."""
    suffix = "" if place == "host" else f" {place}"
    return (f"<!-- conformance-compare{suffix}: begin (written by run.py --compare) -->",
            f"<!-- conformance-compare{suffix}: end -->")


BEGIN, END = markers("host")
SYMBOL = {"ok": "pass", "not ok": "**FAIL**", "skip": "skip", None: "—"}


@dataclass
class Run:
    runtime: str
    version: str
    view: str
    counts: dict
    results: list        # (row, test, status, detail)
    requirements: list


def _row_status(statuses):
    """One requirement's result from its tests' results."""
    if not statuses:
        return None
    if "not ok" in statuses:
        return "not ok"
    if all(status == "skip" for status in statuses):
        return "skip"
    return "ok"


def _by_requirement(results):
    table = {}
    for row, _, status, detail in results:
        table.setdefault(row["id"], []).append((status, detail))
    return table


def _detail_text(detail):
    if isinstance(detail, dict):
        text = detail.get("message", "")
        if detail.get("failed"):
            text += ": " + "; ".join(detail["failed"][:3])
        return text
    return str(detail or "")


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def markdown(run):
    by_id = _by_requirement(run.results)
    lines = [f"# {os.path.basename(run.runtime)}: OCI runtime-spec conformance", "",
             f"{run.version} — {run.view}", "",
             f"{run.counts['ok']} passed, {run.counts['not ok']} failed, {run.counts['skip']} skipped", "",
             "| requirement | level | result | detail |", "|---|---|---|---|"]
    for row in run.requirements:
        entries = by_id.get(row["id"], [])
        status = _row_status([status for status, _ in entries])
        detail = "; ".join(_detail_text(d) for s, d in entries if s != "ok" and d) if entries else \
            f"untested: {row['untested']}"
        lines.append(f"| `{row['id']}` | {row['level']} | {SYMBOL[status]} | {_cell(detail)} |")
    return "\n".join(lines) + "\n"


def to_json(run):
    by_id = _by_requirement(run.results)
    return json.dumps({
        "runtime": run.runtime, "version": run.version, "view": run.view, "counts": run.counts,
        "requirements": {i: {"status": _row_status([s for s, _ in e]),
                             "detail": "; ".join(_detail_text(d) for s, d in e if s != "ok" and d)}
                         for i, e in by_id.items()},
    }, indent=1) + "\n"


def _host():
    try:
        distro = dict(line.rstrip().split("=", 1) for line in open("/etc/os-release") if "=" in line)
        distro = distro.get("PRETTY_NAME", "").strip('"')
    except OSError:
        distro = "Linux"
    return f"{distro}, kernel {platform.release()}, {os.cpu_count()} CPUs"


def compare(specs, here, update_readme=False, place="host"):
    """Run the suite once per runtime ("name=path"), each in its own
    process, then write the comparison (results/, or results/<place>/ for
    another place than the host, e.g. the cgroup v2 guest)."""
    results_dir = Path(here) / "results" if place == "host" else Path(here) / "results" / place
    results_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for spec in specs:
        name, _, path = spec.partition("=")
        if not path:
            name, path = os.path.basename(spec), spec
        tap = results_dir / f"{name}.tap"
        print(f"# {name}: {path}", flush=True)
        with open(tap, "w") as out:
            subprocess.run([sys.executable, str(Path(here) / "run.py"), "--runtime", path,
                            "--json", str(results_dir / f"{name}.json"),
                            "--report", str(results_dir / f"{name}.md")], stdout=out)
        summary = tap.read_text().strip().splitlines()[-1:]
        print(f"# {name}: {summary[0] if summary else 'no output'} (TAP in {tap})", flush=True)
        runs.append((name, json.loads((results_dir / f"{name}.json").read_text())))

    requirements = [line.rstrip("\n").split("\t") for line in open(Path(here) / "requirements.tsv")][1:]
    date = datetime.date.today().isoformat()
    view = runs[0][1]["view"] if runs else ""
    lines = [f"{date}, {_host()}; {view}.", "",
             "| runtime | version | TAP lines passed | failed | skipped | requirements met | not met | skipped |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, run in runs:
        c = run["counts"]
        statuses = [r["status"] for r in run["requirements"].values()]
        lines.append(f"| {name} | {run['version']} | {c['ok']} | {c['not ok']} | {c['skip']} | "
                     f"{statuses.count('ok')} | {statuses.count('not ok')} | {statuses.count('skip')} |")
    lines += ["", f"{sum(1 for r in requirements if r[5])} of {len(requirements)} requirements are tested; "
              "the others say why not in `requirements.tsv`. Results per requirement (tested ones only; "
              "details in `results/<runtime>.md`):", "",
              "| requirement | level | " + " | ".join(name for name, _ in runs) + " |",
              "|---|---|" + "---|" * len(runs)]
    for row in requirements:
        if not row[5]:
            continue
        cells = [SYMBOL[run["requirements"].get(row[0], {}).get("status")] for _, run in runs]
        lines.append(f"| `{row[0]}` | {row[3]} | " + " | ".join(cells) + " |")
    table = "\n".join(lines) + "\n"
    (results_dir / "comparison.md").write_text("# OCI runtime-spec conformance: comparison\n\n" + table)
    print(f"# wrote {results_dir / 'comparison.md'}")
    if update_readme:
        readme = Path(here) / "README.md"
        text = readme.read_text()
        begin, end = markers(place)
        block = f"{begin}\n{table}{end}"
        if begin in text and end in text:
            text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        readme.write_text(text)
        print(f"# updated {readme}")
    return 0
