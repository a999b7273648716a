#!/usr/bin/python3
"""run.py — check an OCI runtime against the runtime spec's requirements.

    spec-conformance/run.py --runtime PATH [--only TEST,...] [--host-cgroups]

requirements.tsv lists the requirements (the spec's sentences) and, for
each, the tests that check it (functions in suite/, one module per area
of the spec). The output is TAP version 13, one line per test naming its
requirement, then a plain summary line. The exit status is 1 when any
test is `not ok`.

A test whose operation the runtime answers with "not implemented" is
reported `# SKIP`: the requirement is not met yet, but it is not a wrong
answer either. A skip is never a pass.

Every test is independent: its own temporary directory, --root, container
ids and cgroupsPath, a time limit, and cleanup in `finally`.
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree (set before the imports below)
from suite import runner  # noqa: E402

if __name__ == "__main__":
    sys.exit(runner.main(description=__doc__.split("\n\n")[0]))
