"""The code stays linted, formatted and typed: CI runs the same checks as `make check`.

A style slip that reaches main once (a long comment line) is why these are tests and not
only a make target someone may forget to run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CHECKS = {
    "ruff check": [str(BIN / "ruff"), "check", "--no-cache", "."],
    "ruff format": [str(BIN / "ruff"), "format", "--check", "--no-cache", "."],
    "mypy": [str(BIN / "mypy"), "--no-incremental"],
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_code_passes(name: str) -> None:
    command = CHECKS[name]
    if not Path(command[0]).exists():
        pytest.skip(f"{command[0]} is not installed (pip install -e '.[dev]')")
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}{proc.stderr}"
