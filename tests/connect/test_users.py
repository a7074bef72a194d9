"""users: differential against coreutils 9.1 on files built here."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.reference import compare, ours
from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    LOGIN_PROCESS,
    USER_PROCESS,
    Rec,
    at,
    pack,
)

T0 = at("2024-03-01 09:00")


def _sessions() -> list[Rec]:
    return [
        Rec(BOOT_TIME, T0 - 600, b"reboot", b"~", b"6.1.0"),
        Rec(LOGIN_PROCESS, T0 - 500, b"LOGIN", b"tty1", pid=600, id=b"tty1"),
        Rec(USER_PROCESS, T0, b"zoe", b"pts/0", b"10.0.0.1", pid=1000, id=b"ts/0"),
        Rec(USER_PROCESS, T0 + 60, b"alice", b"pts/1", b"h", pid=1001, id=b"ts/1"),
        Rec(USER_PROCESS, T0 + 90, b"alice", b"pts/2", pid=1002, id=b"ts/2"),
        Rec(USER_PROCESS, T0 + 95, b"bob  ", b"pts/3", pid=1003, id=b"ts/3"),
        Rec(USER_PROCESS, T0 + 99, b"", b"pts/4", pid=1004, id=b"ts/4"),
        Rec(DEAD_PROCESS, T0 + 120, b"", b"pts/1", pid=1001, id=b"ts/1"),
        Rec(USER_PROCESS, T0 + 130, b"a" * 32, b"pts/5", pid=1005, id=b"ts/5"),
        Rec(USER_PROCESS, T0 + 140, b"Zed", b"pts/6", pid=1006, id=b"ts/6"),
    ]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "utmp"
    path.write_bytes(pack(_sessions()))
    return path


def test_names_sorted_and_repeated(sample: Path) -> None:
    """Names come sorted byte-wise, once per session, trailing spaces trimmed."""
    ref, _ = compare("users", [str(sample)])
    assert ref.stdout.startswith(b"Zed ")


def test_empty_file_prints_nothing(tmp_path: Path) -> None:
    """No user process: not even a newline."""
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    ref, _ = compare("users", [str(empty)])
    assert ref.stdout == b""


@pytest.mark.parametrize("args", [["a", "b"], ["--bogus"], ["-x"], ["--vers=3"]])
def test_usage_errors(args: list[str]) -> None:
    """Bad operands and options: the same message and status as coreutils."""
    compare("users", args)


def test_json(sample: Path) -> None:
    """--json gives one object per session, in the classic order."""
    got = ours("users", ["--json", str(sample)])
    assert got.status == 0
    assert got.stdout.splitlines()[:2] == [b'{"user":"Zed"}', b'{"user":"a' + b"a" * 31 + b'"}']


def test_not_a_utmp_file(tmp_path: Path) -> None:
    """Random bytes: one clear line naming the file, status 1, no traceback."""
    junk = tmp_path / "junk"
    junk.write_bytes(bytes(range(256)) * 8)
    got = ours("users", [str(junk)])
    assert got.status == 1
    assert got.stdout == b""
    assert got.stderr.startswith(f"users: {junk}: not a utmp/wtmp/btmp file".encode())
    assert got.stderr.count(b"\n") == 1
