"""Events from wtmp, btmp, utmp, lastlog and pacct, built independently of logwarden's codecs."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from .helpers import events_of
from support.hostroot import HostRoot
from support.pacctbuild import Proc, pack_all
from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    LOGIN_PROCESS,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    at,
    pack,
)

MTIME = "2026-03-02T00:00:00+00:00"


def _wtmp() -> list[Rec]:
    return [
        Rec(BOOT_TIME, at("2026-03-01 08:00"), b"reboot", b"~", b"6.1.0-18-amd64", id=b"~~"),
        Rec(
            RUN_LVL,
            at("2026-03-01 08:00:04"),
            b"runlevel",
            b"~",
            b"6.1.0-18-amd64",
            pid=ord("5") + 256 * ord("N"),
        ),
        Rec(
            USER_PROCESS,
            at("2026-03-01 09:00"),
            b"alice",
            b"pts/0",
            b"192.0.2.10",
            pid=4242,
            addr="192.0.2.10",
            usec=250_000,
        ),
        Rec(DEAD_PROCESS, at("2026-03-01 10:00"), b"", b"pts/0", pid=4242),
        Rec(RUN_LVL, at("2026-03-01 22:00"), b"shutdown", b"~", b"6.1.0-18-amd64"),
    ]


@pytest.fixture
def root(tmp_path: Path) -> HostRoot:
    host = HostRoot(tmp_path / "root")
    host.write("var/log/wtmp", pack(_wtmp()), MTIME)
    burst = [Rec(LOGIN_PROCESS, at("2026-03-01 03:00") + i, b"root", b"ssh:notty",
                 b"203.0.113.66", pid=900 + i) for i in range(3)]  # fmt: skip
    host.write("var/log/btmp", pack(burst), MTIME)
    return host


def test_wtmp_records_become_typed_events(root: HostRoot) -> None:
    """Each wtmp record is an event of its kind, at its time, pointing back to its bytes."""
    events, problems = events_of(root.path)
    wtmp = events.filter(pl.col("source") == "/var/log/wtmp")
    assert wtmp["kind"].to_list() == ["boot", "runlevel", "login", "logout", "shutdown"]
    login = wtmp.row(2, named=True)
    assert login["time"] == datetime(2026, 3, 1, 9, 0, 0, 250_000, tzinfo=UTC)
    assert (login["user"], login["uid"], login["tty"], login["remote"], login["pid"]) == (
        "alice", 1000, "pts/0", "192.0.2.10", 4242,
    )  # fmt: skip
    assert (login["offset"], login["record"], login["host"], login["source_kind"]) == (
        768, 2, "mail", "wtmp",
    )  # fmt: skip
    assert login["message"] == "alice logged in on pts/0 from 192.0.2.10"
    assert wtmp.row(0, named=True)["message"] == "system boot (kernel 6.1.0-18-amd64)"
    assert wtmp.row(1, named=True)["message"] == "run level 5 (was N)"
    assert wtmp.row(0, named=True)["remote"] is None
    assert problems == []


def test_btmp_records_are_failed_logins(root: HostRoot) -> None:
    """Every btmp record is a failed login, whatever its type."""
    events, _ = events_of(root.path)
    failed = events.filter(pl.col("source") == "/var/log/btmp")
    assert failed["kind"].unique().to_list() == ["failed_login"]
    assert failed["remote"].to_list() == ["203.0.113.66"] * 3
    assert failed["user"].to_list() == ["root"] * 3


def test_damage_is_counted_with_its_offset(tmp_path: Path) -> None:
    """Zeroed records, a torn record and a far-future record are left out and reported."""
    host = HostRoot(tmp_path / "root")
    records = _wtmp()
    future = Rec(USER_PROCESS, at("2099-01-01 00:00"), b"mallory", b"pts/9", b"x")
    data = pack(records[:2]) + bytes(384 * 2) + pack(records[2:]) + pack([future]) + b"\1" * 100
    host.write("var/log/wtmp", data, MTIME)
    events, problems = events_of(host.path)
    assert len(events) == 5
    text = [str(p) for p in problems]
    wtmp = str(host.file("var/log/wtmp"))
    assert f"{wtmp}: offset 768: 2 all-zero records" in "\n".join(text)
    assert any(
        t.startswith(f"{wtmp}: offset {384 * 7}: left out 1 record stamped after") for t in text
    )
    assert any(t.startswith(f"{wtmp}: offset {384 * 8}: left 100 trailing bytes") for t in text)


def test_a_file_that_is_not_utmp_is_refused_not_misread(tmp_path: Path) -> None:
    """A wtmp full of text is one problem, no events."""
    host = HostRoot(tmp_path / "root")
    host.write("var/log/wtmp", b"this is not a wtmp file at all\n" * 100)
    events, problems = events_of(host.path)
    assert events.height == 0
    assert len(problems) == 1
    assert "not a utmp/wtmp/btmp file" in problems[0].message


def test_pacct_records_become_commands(tmp_path: Path) -> None:
    """pacct records are commands at their start time, named from the root's passwd."""
    host = HostRoot(tmp_path / "root")
    procs = [
        Proc(
            comm=b"vi",
            uid=1000,
            gid=1000,
            tty=(136 << 8) | 3,
            btime=at("2026-03-01 09:05"),
            etime=1200,
            utime=30,
            stime=10,
            pid=5000,
            ppid=4242,
        ),
        Proc(comm=b"cron", uid=0, btime=at("2026-03-01 09:00"), flag=0x01, pid=5001),
    ]
    host.write("var/log/account/pacct", pack_all(procs), MTIME)
    events, problems = events_of(host.path)
    assert problems == []
    cron, vi = events.rows(named=True)
    assert (vi["kind"], vi["user"], vi["uid"], vi["tty"], vi["pid"], vi["program"]) == (
        "command", "alice", 1000, "pts/3", 5000, "vi",
    )  # fmt: skip
    assert vi["time"] == datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    assert vi["message"] == "vi run by alice on pts/3 (0.4 s CPU, 12.0 s elapsed)"
    assert (cron["tty"], cron["message"]) == (
        None,
        "cron run by root (0.0 s CPU, 0.0 s elapsed, flags F)",
    )
    assert vi["offset"] == 0
    assert cron["offset"] == 64


def test_lastlog_gives_each_users_last_login(tmp_path: Path) -> None:
    """One lastlog event per uid that logged in, named from the root's passwd."""
    host = HostRoot(tmp_path / "root")
    record = struct.Struct("<i32s256s")
    data = bytearray(record.size * 1001)
    record.pack_into(data, record.size * 1000, at("2026-03-01 09:00"), b"pts/0", b"192.0.2.10")
    host.write("var/log/lastlog", bytes(data), MTIME)
    events, _ = events_of(host.path)
    (row,) = events.rows(named=True)
    assert (row["kind"], row["user"], row["uid"], row["tty"], row["remote"]) == (
        "lastlog", "alice", 1000, "pts/0", "192.0.2.10",
    )  # fmt: skip
