"""logwarden sessions --commands: each login with the commands run on its terminal."""

from __future__ import annotations

import json
from pathlib import Path

from support.pacctbuild import AFORK, T0, Proc, pack_all
from support.reference import ours
from support.utmpbuild import BOOT_TIME, DEAD_PROCESS, USER_PROCESS, Rec, pack


def _files(tmp_path: Path) -> tuple[Path, Path]:
    wtmp = tmp_path / "wtmp"
    wtmp.write_bytes(
        pack(
            [
                Rec(BOOT_TIME, T0 - 600, b"reboot", b"~", b"6.1"),
                Rec(USER_PROCESS, T0, b"alice", b"pts/0", b"10.0.0.1", pid=900, id=b"ts/0"),
                Rec(USER_PROCESS, T0 + 100, b"carol", b"tty1", pid=902, id=b"tty1"),
                Rec(DEAD_PROCESS, T0 + 200, b"", b"tty1", pid=902, id=b"tty1"),
                Rec(DEAD_PROCESS, T0 + 3600, b"", b"pts/0", pid=900, id=b"ts/0"),
                Rec(USER_PROCESS, T0 + 4000, b"bob", b"pts/0", b"10.0.0.2", pid=901, id=b"ts/0"),
                Rec(DEAD_PROCESS, T0 + 5000, b"", b"pts/0", pid=901, id=b"ts/0"),
            ]
        )
    )
    pacct = tmp_path / "pacct"
    pts0, tty1 = 136 << 8, (4 << 8) | 1
    pacct.write_bytes(
        pack_all(
            [
                Proc(b"vi", uid=1000, tty=pts0, btime=T0 + 10),
                Proc(b"rm", uid=1000, tty=pts0, btime=T0 + 3000),
                Proc(b"cron", tty=0, btime=T0 + 3001),
                Proc(b"ls", uid=1001, tty=pts0, btime=T0 + 4500),
                Proc(b"bash", flag=AFORK, uid=1002, tty=tty1, btime=T0 + 150),
                Proc(b"late", uid=1001, tty=pts0, btime=T0 + 6000),
            ]
        )
    )
    return wtmp, pacct


def test_commands_follow_their_session(tmp_path: Path) -> None:
    """A reused line is told apart by time; commands without a terminal go nowhere."""
    wtmp, pacct = _files(tmp_path)
    got = ours("sessions", ["--commands", "--devices", "static", "-w", str(wtmp), "-a", str(pacct)])
    assert got.status == 0, got.stderr
    lines = got.stdout.decode().splitlines()
    heads = [i for i, line in enumerate(lines) if not line.startswith("    ")]
    blocks = {
        lines[i].split()[0]: [row.split()[0] for row in lines[i + 1 : j]]
        for i, j in zip(heads, [*heads[1:], len(lines)], strict=True)
    }
    assert blocks == {"bob": ["ls"], "carol": ["bash"], "alice": ["vi", "rm"]}
    assert lines[0].startswith("bob      pts/0        10.0.0.2         Mon Jan  1 11:06 - 11:23")


def test_json_sessions(tmp_path: Path) -> None:
    """--json: one object per session, newest first, its commands in a list."""
    wtmp, pacct = _files(tmp_path)
    got = ours("sessions", ["--json", "--devices", "static", "-w", str(wtmp), "-a", str(pacct)])
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    assert [r["user"] for r in rows] == ["bob", "carol", "alice"]
    assert [c["command"] for c in rows[2]["commands"]] == ["vi", "rm"]
    assert rows[2]["logout"] == "2024-01-01T11:00:00+00:00"


def test_user_filter_and_csv(tmp_path: Path) -> None:
    """-u keeps one user's sessions; --csv has one row per command."""
    wtmp, pacct = _files(tmp_path)
    got = ours(
        "sessions",
        ["--csv", "-u", "alice", "--devices", "static", "-w", str(wtmp), "-a", str(pacct)],
    )
    lines = got.stdout.splitlines()
    assert lines[0].startswith(b"session_user,session_tty,session_host,login,logout,status,command")
    assert [line.split(b",")[6] for line in lines[1:]] == [b"vi", b"rm"]


def test_bad_arguments(tmp_path: Path) -> None:
    """Unknown options and a missing wtmp: one line, non-zero status."""
    assert ours("sessions", ["--bogus"]).status != 0
    missing = ours("sessions", ["-w", str(tmp_path / "nope")])
    assert missing.status != 0
    assert missing.stderr.count(b"\n") == 1
