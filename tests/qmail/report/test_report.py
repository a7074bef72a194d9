"""qmail report: one pass from raw logs gives matchup | zoverall's numbers, and the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logwarden.qmail.matchup.line_engine import matchup
from logwarden.qmail.report.build import Filters, Reader
from logwarden.qmail.report.tables import tables
from logwarden.qmail.simulate import Settings, simulated_bytes
from logwarden.qmail.tai64nfrac import tai64nfrac
from logwarden.qmail.zreports import z
from logwarden.qmail.zreports.overall import overall
from qmail.helpers import sample

from support.reference import ours

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def report_of(data: bytes, filters: Filters | None = None, pieces: int = 1):  # type: ignore[no-untyped-def]
    from logwarden.cli.qmail_report import whole_lines

    size = max(1, len(data) // pieces)
    reader = Reader(filters)
    for chunk in whole_lines(iter([data[i : i + size] for i in range(0, len(data), size)])):
        reader.add(chunk)
    return reader.report


def classic(converted: bytes) -> list[bytes]:
    """matchup | zoverall, the exact way (the line engines of both)."""
    out, _ = matchup(converted)
    return overall(out.split(b"\n")[:-1]).lines()


@pytest.mark.parametrize(
    ("name", "convert"),
    [("01-lwq", "tai64nfrac"), ("02-lkml-2004-multilog-remote.unwrapped", "tai64nfrac"),
     ("03-bayour", None), ("07-glidenote", "tai64nfrac"), ("08-mailtoaster", "tai64nfrac"),
     ("09-asial", "tai64nfrac"), ("04-awstats", "syslog")],
)  # fmt: skip
def test_real_samples_give_zoverall(name: str, convert: str | None) -> None:
    """On the real samples the report's overall block is zoverall's, line for line (the
    classic pipeline being tai64nfrac or the syslog prefix cut, then matchup | zoverall)."""
    raw = sample(name).read_bytes()
    if convert == "tai64nfrac":
        converted = tai64nfrac(raw)
    elif convert == "syslog":
        converted = b"".join(b" ".join(line.split()[5:]) + b"\n" for line in raw.splitlines())
    else:
        converted = raw
    assert report_of(raw).overall.lines() == classic(converted)


@pytest.mark.parametrize("style", ["unix", "multilog", "syslog"])
@pytest.mark.parametrize("pieces", [1, 4])
def test_simulated_logs_give_zoverall(style: str, pieces: int) -> None:
    """Busy simulated logs, in every style and cut in pieces: the same numbers (checked also
    against qmailanalog's C matchup and awk zoverall compiled in /tmp)."""
    raw = simulated_bytes(Settings(seed=4, max_messages=3000, style=style, rate=5.0,
                                   restart_hours=0.2, trouble_minutes=1.0))  # fmt: skip
    unix = simulated_bytes(Settings(seed=4, max_messages=3000, style="unix", rate=5.0,
                                    restart_hours=0.2, trouble_minutes=1.0))  # fmt: skip
    report = report_of(raw, pieces=pieces)
    if style == "unix":
        assert report.overall.lines() == classic(raw)
    else:
        # Other styles carry the same times, written differently (multilog adds 500 ns).
        assert report.overall.messages == overall(matchup(unix)[0].split(b"\n")).messages
    assert report.overall.deliveries > 3000


def test_reason_tables_are_zdeferrals_and_zfailures_rows() -> None:
    """The top reasons are rows of zdeferrals and zfailures: the same count, xdelay and
    reason, its underscores shown as spaces as the scripts' tr _ ' ' does."""
    raw = simulated_bytes(Settings(seed=6, max_messages=2000, style="unix", rate=5.0,
                                   trouble_minutes=1.0))  # fmt: skip
    every = tables(report_of(raw), 10)
    lines = matchup(raw)[0].split(b"\n")[:-1]
    for name in ("deferrals", "failures"):
        classic_rows = set()
        for row in z.PLAIN[name](lines):
            count, xdelay, reason = row.decode().split(" ", 2)
            classic_rows.add((int(count), xdelay, reason.replace("_", " ")))
        ours_rows = {(n, f"{x:.2f}", reason) for n, x, reason in every[name].rows}
        assert ours_rows
        assert ours_rows <= classic_rows
        assert all("_" not in reason for _, _, reason in ours_rows)


def test_sender_and_recipient_filters() -> None:
    """--sender keeps that sender's lines; --recipient that recipient's deliveries and
    their messages."""
    raw = (GOLDEN / "03-bayour.in").read_bytes()
    by_sender = report_of(raw, Filters(sender="baby3@3333.3utilities.com"))
    assert by_sender.overall.messages == 1
    assert by_sender.overall.deliveries == 1
    by_rcpt = report_of(raw, Filters(recipient="remote.turbo@tripnet.se"))
    assert (by_rcpt.overall.messages, by_rcpt.overall.deliveries) == (1, 1)
    assert report_of(raw, Filters(recipient="turbo@tripnet.se")).overall.deliveries == 1


def test_since_until_slice_the_log() -> None:
    """--since/--until keep the lines in the window."""
    raw = (GOLDEN / "03-bayour.in").read_bytes()
    window = report_of(raw, Filters(since_ns=1054189700 * 10**9, until_ns=1054194000 * 10**9))
    assert window.overall.messages == 2


def test_cli_text_json_csv(tmp_path: Path) -> None:
    """Text on stdout, --json rows with a table field, --csv of one table."""
    log = sample("03-bayour")
    text = ours("qmail", ["report", str(log)]).stdout
    assert b"Overall (the numbers of matchup | zoverall)\n  Completed messages: 4\n" in text
    rows = [
        json.loads(x)
        for x in ours("qmail", ["report", "--json", str(log)]).stdout.split(b"\n")
        if x
    ]
    assert {"table": "overall", "statistic": "Completed messages", "value": "4"} in rows
    assert any(r["table"] == "failures" and r["deliveries"] == 1 for r in rows)
    csv = ours("qmail", ["report", "--csv", "--table", "senders", str(log)]).stdout
    assert csv.splitlines()[0] == b"messages,bytes,sbytes,recipients,tries,xdelay,sender"
    bad = ours("qmail", ["report", "--csv", "--table", "nope", str(log)])
    assert bad.status == 1
