"""``logwarden ingest``, ``timeline`` and ``query`` as real processes: the timeline read
straight from a root equals the one read back from its store; filters, formats, escaping."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from logwarden.demo.host import INTRUDER, SampleHost, build

from support.hostroot import HostRoot, logwarden
from support.terminal import on_terminal
from support.utmpbuild import USER_PROCESS, Rec, at, pack

NOW = 1_795_600_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleHost, Path]:
    root = tmp_path_factory.mktemp("demo") / "host"
    host = build(root, NOW)
    db = root.parent / "store.duckdb"
    done = logwarden("ingest", "--root", str(root), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return host, db


@pytest.mark.parametrize("fmt", ["text", "jsonl", "csv"])
def test_root_and_store_give_the_same_timeline(demo: tuple[SampleHost, Path], fmt: str) -> None:
    """Byte for byte, in every format, the whole timeline and a filtered one."""
    host, db = demo
    for filters in ([], ["--kind", "login,failed_login", "--since", "2026-11-20"]):
        direct = logwarden("timeline", "--root", str(host.root), "--format", fmt, *filters)
        stored = logwarden("timeline", "--db", str(db), "--format", fmt, *filters)
        assert direct.returncode == stored.returncode == 0
        assert direct.stdout == stored.stdout
        assert len(direct.stdout.splitlines()) > 10


def test_jsonl_has_timesketchs_fields(demo: tuple[SampleHost, Path]) -> None:
    """message, datetime and timestamp_desc on every line; fields as an object."""
    _, db = demo
    got = logwarden("timeline", "--db", str(db), "--json", "--kind", "failed_login")
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    assert len(rows) == 270
    first = rows[0]
    assert first["timestamp_desc"] == "Failed Login Time"
    assert first["datetime"].endswith("+00:00")
    assert first["message"].startswith("failed login as ")
    assert first["remote"] == INTRUDER
    assert isinstance(first["fields"], dict)


def test_filters(demo: tuple[SampleHost, Path]) -> None:
    """--user, --kind with a prefix, --grep, --since/--until; exit 1 when none match."""
    _host, db = demo
    since = "2026-11-20 00:00"
    got = logwarden(
        "timeline", "--db", str(db), "--csv", "--user", "backup",
        "--kind", "mail_*,failed_login", "--since", since, "--grep", "backup",
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(got.stdout.decode())))
    assert rows
    assert {r["kind"] for r in rows} == {"failed_login"}
    assert all(r["user"] == "backup" and r["time"] >= "2026-11-20" for r in rows)
    none = logwarden("timeline", "--db", str(db), "--until", "2000-01-01")
    assert (none.returncode, none.stdout) == (1, b"")


def test_query(demo: tuple[SampleHost, Path]) -> None:
    """SQL over the store, as text, JSON and CSV; a write is refused."""
    _, db = demo
    sql = "SELECT kind, count(*) AS n FROM events WHERE kind LIKE '%login%' GROUP BY 1 ORDER BY 1"
    text = logwarden("query", "--db", str(db), sql)
    assert text.stdout.splitlines()[0].split() == [b"kind", b"n"]
    rows = [
        json.loads(x)
        for x in logwarden("query", "--db", str(db), "--json", sql).stdout.splitlines()
    ]
    assert {"kind": "failed_login", "n": 270} in rows
    refused = logwarden("query", "--db", str(db), "DELETE FROM events")
    assert refused.returncode == 1
    assert b"read-only" in refused.stderr


def test_log_text_is_escaped_on_a_terminal(tmp_path: Path) -> None:
    """An escape sequence in a wtmp user name reaches a terminal as visible text."""
    host = HostRoot(tmp_path / "root")
    evil = Rec(USER_PROCESS, at("2026-03-01 09:00"), b"x\x1b[2Jy", b"pts/0", b"\x1b]0;owned\x07")
    host.write("var/log/wtmp", pack([evil]), "2026-03-02T00:00:00+00:00")
    status, shown = on_terminal(["timeline", "--root", str(host.path)])
    assert status == 0
    assert b"\x1b[2J" not in shown
    assert b"\x1b]0" not in shown
    assert b"x\\e[2Jy" in shown
    piped = logwarden("timeline", "--root", str(host.path))
    assert b"x\x1b[2Jy" in piped.stdout


def test_unreadable_store_and_usage(tmp_path: Path) -> None:
    """A file that is not a store, and a missing one, are one line each, status 1 or 2."""
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 100)
    got = logwarden("timeline", "--db", str(junk))
    assert got.returncode == 1
    assert len(got.stderr.splitlines()) == 1
    missing = logwarden("timeline", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2
    assert b"no such store" in missing.stderr
