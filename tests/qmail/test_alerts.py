"""qmail alerts: grouped, explained, exit status for cron."""

from __future__ import annotations

import json

from logwarden.qmail.alerts import collect
from logwarden.qmail.grammar import Category, parse

from .helpers import sample
from support.reference import ours

TROUBLE = (
    b"1054194602.000000 warning: trouble marking local/1/161216; message will be delivered twice!\n"
    b"1054194602.100000 warning: trouble marking local/1/161217; message will be delivered twice!\n"
    b"1054194602.300000 alert: oh no! lost spawn connection! dying...\n"
    b"1054194603.000000 status: local 10/10 remote 0/20\n"
    b"1054194613.000000 status: local 0/10 remote 0/20\n"
    b"1054194614.000000 warning: <script>alert(1)</script> 1/2\n"
)


def test_groups_by_table_row() -> None:
    """Two 'trouble marking' lines with different files are one group, counted twice."""
    events = [(n, n * 10, parse(t)) for n, t in enumerate(
        [b"warning: trouble marking local/1/2; x", b"warning: trouble marking local/9/9; x",
         b"alert: out of memory, sleeping...", b"new msg 1"], start=1)]  # fmt: skip
    got = collect(events)
    assert [(a.category, a.key, a.count) for a in got] == [
        (Category.SERIOUS, "alert.out-of-memory", 1),
        (Category.WARNING, "warning.marking", 2),
    ]
    assert (got[1].first_ns, got[1].last_ns, got[1].example_line) == (10, 20, 1)


def test_cli_exit_status_says_fatal() -> None:
    """A fatal alert makes the exit status 2, and the text explains it."""
    got = ours("qmail", ["alerts"], stdin=TROUBLE)
    assert got.status == 2, got.stderr
    assert got.stdout.startswith(b"1 fatal, 0 serious, 3 warnings\n")
    assert b"FATAL    x1  alert: oh no! lost spawn connection! dying..." in got.stdout
    assert b"concurrencylocal" in got.stdout


def test_cli_clean_log_exits_zero() -> None:
    """A log with no alerts exits 0 and says so."""
    got = ours("qmail", ["alerts", str(sample("03-bayour"))])
    assert got.status == 0
    assert b"No fatal or serious problems and no warnings." in got.stdout


def test_cli_json_rows() -> None:
    """--json gives one object per group with the seed's row."""
    got = ours("qmail", ["alerts", "--json"], stdin=TROUBLE)
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    assert [r["key"] for r in rows] == ["alert.lost-helper", "warning.marking", "warning.other"]
    assert rows[0]["seed_table"] == 16
    assert "qmail-send" in rows[0]["seed"]
    assert rows[0]["first"] == "2003-05-29T07:50:02.300000+00:00"


def test_cli_since_until() -> None:
    """--since drops earlier lines (here the fatal alert)."""
    got = ours("qmail", ["alerts", "--since", "@1054194602.5"], stdin=TROUBLE)
    assert got.status == 0
    assert got.stdout.startswith(b"0 fatal, 0 serious, 1 warning\n")
