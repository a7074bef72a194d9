"""Incremental ingest: appended lines and records, rotation by rename, copytruncate,
compression and multilog's current -> @...s; never an event twice; Parquet datasets."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import duckdb
import polars as pl
import pytest

from logwarden.store import duck
from logwarden.store.load import load_root
from logwarden.store.parquet import remove_uncommitted

from support.hostroot import HostRoot
from support.utmpbuild import DEAD_PROCESS, USER_PROCESS, Rec, at, pack

MTIME = "2026-03-05T00:00:00+00:00"


def _line(n: int) -> bytes:
    return b"Mar  %d 10:%02d:00 mail sshd[%d]: line %d\n" % (1 + n // 60, n % 60, 100 + n, n)


def _session(n: int) -> bytes:
    t = at("2026-03-01 00:00") + 3600 * n
    return pack([Rec(USER_PROCESS, t, b"alice", b"pts/%d" % n, b"192.0.2.1", pid=1000 + n),
                 Rec(DEAD_PROCESS, t + 60, b"", b"pts/%d" % n, pid=1000 + n)])  # fmt: skip


def _ingest(root: HostRoot, db: Path) -> int:
    con = duck.connect(str(db))
    try:
        return load_root(con, str(root.path)).outcome.events
    finally:
        con.close()


def _messages(db: Path) -> list[str]:
    con = duck.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT message FROM events WHERE source_kind = 'syslog' ORDER BY time"
        ).fetchall()
        return [r[0] for r in rows]
    finally:
        con.close()


def _count(db: Path, where: str = "TRUE") -> int:
    con = duck.connect(str(db), read_only=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM events WHERE {where}").fetchall()[0][0])
    finally:
        con.close()


@pytest.fixture
def host(tmp_path: Path) -> HostRoot:
    return HostRoot(tmp_path / "root")


def test_appended_lines_and_records_are_read_once(host: HostRoot, tmp_path: Path) -> None:
    """A second ingest reads only what was appended; a third, with nothing new, loads none."""
    db = tmp_path / "store.duckdb"
    host.write("var/log/auth.log", b"".join(_line(n) for n in range(10)), MTIME)
    host.write("var/log/wtmp", _session(0), MTIME)
    assert _ingest(host, db) == 12
    host.append("var/log/auth.log", b"".join(_line(n) for n in range(10, 15)), MTIME)
    host.append("var/log/wtmp", _session(1), MTIME)
    assert _ingest(host, db) == 7
    assert _ingest(host, db) == 0
    assert _messages(db) == [f"line {n}" for n in range(15)]


def test_a_line_being_written_waits_for_its_newline(host: HostRoot, tmp_path: Path) -> None:
    """The live file's last line without a newline is read once it is complete."""
    db = tmp_path / "store.duckdb"
    whole = _line(1)
    host.write("var/log/auth.log", _line(0) + whole[:20], MTIME)
    assert _ingest(host, db) == 1
    host.append("var/log/auth.log", whole[20:], MTIME)
    assert _ingest(host, db) == 1
    assert _messages(db) == ["line 0", "line 1"]


def test_rotation_by_rename_then_compression(host: HostRoot, tmp_path: Path) -> None:
    """logrotate's create: the old file, renamed and appended to before the rename, is read
    on; the new one is read whole; compressed later, nothing is read again."""
    db = tmp_path / "store.duckdb"
    live = host.write("var/log/auth.log", b"".join(_line(n) for n in range(5)), MTIME)
    assert _ingest(host, db) == 5
    host.append("var/log/auth.log", _line(5), MTIME)
    live.rename(host.file("var/log/auth.log.1"))
    host.write("var/log/auth.log", b"".join(_line(n) for n in range(6, 9)), MTIME)
    assert _ingest(host, db) == 4
    rotated = host.file("var/log/auth.log.1")
    host.write("var/log/auth.log.2.gz", gzip.compress(rotated.read_bytes()))
    rotated.rename(host.file("var/log/auth.log.1"))
    os.unlink(host.file("var/log/auth.log.1"))
    host.file("var/log/auth.log").rename(host.file("var/log/auth.log.1"))
    host.write("var/log/auth.log", _line(9), MTIME)
    assert _ingest(host, db) == 1
    assert _messages(db) == [f"line {n}" for n in range(10)]


def test_copytruncate(host: HostRoot, tmp_path: Path) -> None:
    """logrotate's copytruncate: the copy continues where the log was read up to, the
    truncated log starts again."""
    db = tmp_path / "store.duckdb"
    host.write("var/log/auth.log", b"".join(_line(n) for n in range(4)), MTIME)
    assert _ingest(host, db) == 4
    host.append("var/log/auth.log", _line(4), MTIME)
    host.write("var/log/auth.log.1", host.file("var/log/auth.log").read_bytes(), MTIME)
    with open(host.file("var/log/auth.log"), "r+b") as f:
        f.truncate(0)
    host.append("var/log/auth.log", b"".join(_line(n) for n in range(5, 12)), MTIME)
    assert _ingest(host, db) == 8
    assert _messages(db) == [f"line {n}" for n in range(12)]


def test_wtmp_rotation(host: HostRoot, tmp_path: Path) -> None:
    """wtmp renamed to wtmp.1 (with records appended first) and a new wtmp."""
    db = tmp_path / "store.duckdb"
    host.write("var/log/wtmp", _session(0), MTIME)
    assert _ingest(host, db) == 2
    host.append("var/log/wtmp", _session(1), MTIME)
    host.file("var/log/wtmp").rename(host.file("var/log/wtmp.1"))
    host.write("var/log/wtmp", _session(2), MTIME)
    assert _ingest(host, db) == 4
    assert _count(db, "kind = 'login'") == 3


def test_multilog_rotation(host: HostRoot, tmp_path: Path) -> None:
    """multilog renames current to @<tai64n>.s and starts a new current."""
    db = tmp_path / "store.duckdb"
    lines = [b"@40000000%08x00000000 new msg %d\n" % (1_772_000_000 + n, n) for n in range(6)]
    host.write("var/log/qmail/current", b"".join(lines[:2]))
    assert _ingest(host, db) == 2
    host.append("var/log/qmail/current", lines[2])
    host.file("var/log/qmail/current").rename(host.file("var/log/qmail/@400000006a0000000000000.s"))
    host.write("var/log/qmail/current", b"".join(lines[3:]))
    assert _ingest(host, db) == 4
    assert _count(db, "kind = 'mail_new'") == 6


def test_a_killed_ingest_resumes_without_duplicates(host: HostRoot, tmp_path: Path) -> None:
    """Parts a killed ingest wrote but did not commit are removed by the next one."""
    dataset = tmp_path / "dataset"
    host.write("var/log/auth.log", b"".join(_line(n) for n in range(3)), MTIME)
    state = str(dataset / "_logwarden_state.duckdb")
    dataset.mkdir()
    con = duck.connect(state)
    load_root(con, str(host.path), parquet=str(dataset), to_table=False)
    parts = sorted(dataset.rglob("part-*.parquet"))
    assert len(parts) == 1
    stray = parts[0].with_name("part-000002-000001.parquet")
    stray.write_bytes(parts[0].read_bytes())
    assert remove_uncommitted(str(dataset), duck.Store(con).committed_parts()) == 1
    con.close()
    assert not stray.exists()


def test_parquet_dataset_holds_what_the_table_holds(host: HostRoot, tmp_path: Path) -> None:
    """The Parquet dataset, partitioned by host and day, reads back as the events table."""
    host.write("var/log/auth.log", b"".join(_line(n) for n in range(90)), MTIME)
    host.write("var/log/wtmp", _session(0) + _session(30), MTIME)
    db, dataset = tmp_path / "store.duckdb", tmp_path / "dataset"
    con = duck.connect(str(db))
    load_root(con, str(host.path), parquet=str(dataset))
    table = con.sql('SELECT * EXCLUDE (host) FROM events ORDER BY file_id, "offset"').pl()
    con.close()
    days = sorted(p.name for p in (dataset / "host=mail").iterdir())
    assert days == ["day=2026-03-01", "day=2026-03-02"]
    reader = duckdb.connect()
    back = reader.sql(
        "SELECT * EXCLUDE (host, day) FROM read_parquet($files, hive_partitioning = true) "
        'ORDER BY file_id, "offset"',
        params={"files": str(dataset / "**" / "*.parquet")},
    ).pl()
    reader.close()
    assert back.equals(table.select(back.columns))
    assert isinstance(back, pl.DataFrame)
    assert back.height == 94
