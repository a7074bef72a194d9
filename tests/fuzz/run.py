"""Run one fuzz target under atheris (coverage-guided), by hand:

    .venv/bin/python tests/fuzz/run.py TARGET [libFuzzer options] [CORPUS_DIR]

e.g. ``tests/fuzz/run.py qmail-matchup -max_total_time=600 /tmp/corpus``. A crash is
written to ``crash-*``; replay it with ``tests/fuzz/run.py TARGET crash-FILE``. Targets are
in tests/fuzz/targets.py.

Under atheris's instrumentation the targets that use numpy (utmp, acct, lastlog) grow by a
few KB per input, about 1 GB per 100,000 inputs, and libFuzzer stops at 2 GB with an
``oom-*`` file that is not a finding: the same inputs in a plain loop, or uninstrumented,
keep the process at 60-85 MB. For long runs raise ``-rss_limit_mb`` or run several shorter
ones on one corpus directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Coverage of logwarden's own code only: instrumenting numpy's and polars' Python layers
# adds nothing to find and makes a long run's memory grow without bound.
with atheris.instrument_imports(include=["logwarden"]):
    from fuzz.targets import TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: run.py TARGET [libFuzzer options]; targets: {' '.join(TARGETS)}")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
