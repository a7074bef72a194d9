"""wtmp check --pacct: commands on terminals that no wtmp session was logged in on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.pacctbuild import Proc, pack_all
from support.reference import ours
from support.utmpbuild import BOOT_TIME, DEAD_PROCESS, USER_PROCESS, Rec, at, pack

T0 = at("2024-03-01 09:00")
PTS = 136 << 8  # the kernel's old 16-bit device number of pts/0


def _history() -> list[Rec]:
    """A boot, alice on pts/0 from 09:00 to 10:00, bob on pts/1 from 09:30, still on."""
    return [
        Rec(BOOT_TIME, T0 - 600, b"reboot", b"~", b"6.1.0"),
        Rec(USER_PROCESS, T0, b"alice", b"pts/0", b"10.0.0.1", pid=100, id=b"ts/0"),
        Rec(USER_PROCESS, T0 + 1800, b"bob", b"pts/1", b"10.0.0.2", pid=101, id=b"ts/1"),
        Rec(DEAD_PROCESS, T0 + 3600, b"", b"pts/0", pid=100, id=b"ts/0"),
        Rec(USER_PROCESS, T0 + 9000, b"carol", b"pts/2", b"10.0.0.3", pid=102, id=b"ts/2"),
    ]


def _check(tmp_path: Path, procs: list[Proc], *extra: str) -> tuple[int, list[dict[str, object]]]:
    wtmp, pacct = tmp_path / "wtmp", tmp_path / "pacct"
    wtmp.write_bytes(pack(_history()))
    pacct.write_bytes(pack_all(procs))
    got = ours("wtmp", ["check", "--json", "--pacct", str(pacct), *extra, str(wtmp)])
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    return got.status, [r for r in rows if r["kind"] == "unlogged-commands"]


def test_commands_inside_sessions_are_fine(tmp_path: Path) -> None:
    """Commands on a line while its session lasts, or with no terminal at all: nothing."""
    procs = [
        Proc(comm=b"vi", uid=1000, tty=PTS, btime=T0 + 60),
        Proc(comm=b"ls", uid=1000, tty=PTS, btime=T0 + 3600 + 30),  # within the grace
        Proc(comm=b"make", uid=1001, tty=PTS + 1, btime=T0 + 7000),  # bob: still on
        Proc(comm=b"cron", uid=0, tty=0, btime=T0 + 5000),
    ]
    status, found = _check(tmp_path, procs)
    assert found == []
    assert status == 0


def test_commands_on_a_line_nobody_was_on(tmp_path: Path) -> None:
    """pts/0 after alice's logout: one finding at the first such record, naming them all."""
    procs = [
        Proc(comm=b"vi", uid=1000, tty=PTS, btime=T0 + 60),
        Proc(comm=b"id", uid=34, tty=PTS, btime=T0 + 5000),
        Proc(comm=b"wget", uid=34, tty=PTS, btime=T0 + 5100),
        Proc(comm=b"zap2", uid=0, tty=PTS, btime=T0 + 5400),
    ]
    status, found = _check(tmp_path, procs)
    assert status == 1
    assert len(found) == 1
    assert found[0]["offset"] == 64
    assert found[0]["record"] == 1
    assert found[0]["severity"] == "warning"
    detail = str(found[0]["detail"])
    assert detail.startswith("3 commands on pts/0 from 2024-03-01T10:23:20Z for 6m 40s by ")
    assert "(id, wget, zap2)" in detail


def test_stretches_far_apart_are_separate_findings(tmp_path: Path) -> None:
    """Two bursts on pts/3 hours apart, and one on pts/4: three findings."""
    procs = [
        Proc(comm=b"a", tty=PTS + 3, btime=T0 + 100),
        Proc(comm=b"b", tty=PTS + 3, btime=T0 + 200),
        Proc(comm=b"c", tty=PTS + 3, btime=T0 + 100 + 2 * 3600),
        Proc(comm=b"d", tty=PTS + 4, btime=T0 + 300),
    ]
    _, found = _check(tmp_path, procs)
    assert [str(f["detail"]).split(" from ")[0] for f in found] == [
        "2 commands on pts/3",
        "1 command on pts/3",
        "1 command on pts/4",
    ]


@pytest.mark.parametrize("when", [T0 - 3600, T0 + 9000 + 3600])
def test_only_the_time_the_wtmp_covers_is_judged(tmp_path: Path, when: int) -> None:
    """Before the wtmp's first record or after its last, it cannot say who was on."""
    _, found = _check(tmp_path, [Proc(comm=b"x", tty=PTS + 5, btime=when)])
    assert found == []


def test_without_a_wtmp_nothing_is_compared(tmp_path: Path) -> None:
    """A pacct with only a btmp: an information line, no finding."""
    btmp, pacct = tmp_path / "btmp", tmp_path / "pacct"
    btmp.write_bytes(pack(_history()[1:2]))
    pacct.write_bytes(pack_all([Proc(comm=b"x", tty=PTS + 5, btime=T0)]))
    got = ours("wtmp", ["check", "--pacct", str(pacct), str(btmp)])
    assert got.status == 0
    assert b"info: unlogged-commands: no wtmp with logins among the files" in got.stdout
