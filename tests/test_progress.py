"""Progress bars: drawn for long work on a terminal, never into a pipe or for short work."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from logwarden.progress import THRESHOLD

from support.reference import BASE_ENV
from support.terminal import drain


def _stderr_on_a_terminal(argv: list[str], stdout: int | None) -> bytes:
    """What ``argv`` writes to stderr when stderr is a terminal and stdout goes to ``stdout``
    (a pipe when None)."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=follower,
            env={**BASE_ENV, "TERM": "xterm", "COLUMNS": "80"},
        )
        os.close(follower)
        follower = -1
        seen = drain(leader)
        if proc.stdout is not None:
            proc.stdout.read()
        assert proc.wait(timeout=60) == 0
        return seen
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)


@pytest.fixture(scope="module")
def big_utmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A utmp of empty slots just over the threshold (sparse: costs no disk)."""
    path = tmp_path_factory.mktemp("big") / "utmp"
    with open(path, "wb") as f:
        f.truncate((THRESHOLD // 384 + 1) * 384)
    return path


def test_bar_for_a_big_file_when_a_person_watches(big_utmp: Path) -> None:
    """stderr a terminal, stdout a file: the bar is drawn (and then removed)."""
    with open(os.devnull, "wb") as sink:
        seen = _stderr_on_a_terminal(
            [sys.executable, "-m", "logwarden", "users", str(big_utmp)], sink.fileno()
        )
    assert b"reading utmp" in seen


def test_no_bar_into_a_pipe(big_utmp: Path) -> None:
    """The report going into a pipe: another program waits for it, nothing is drawn."""
    seen = _stderr_on_a_terminal([sys.executable, "-m", "logwarden", "users", str(big_utmp)], None)
    assert seen == b""


def test_no_bar_for_a_small_file(tmp_path: Path) -> None:
    """Short work gets no bar."""
    small = tmp_path / "utmp"
    small.write_bytes(bytes(384 * 10))
    with open(os.devnull, "wb") as sink:
        seen = _stderr_on_a_terminal(
            [sys.executable, "-m", "logwarden", "users", str(small)], sink.fileno()
        )
    assert seen == b""
