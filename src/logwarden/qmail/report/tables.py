"""The report's tables as rows: one definition serves the text, JSON, CSV and HTML outputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from logwarden.qmail.report.build import Report, Table
from logwarden.qmail.when import iso_time


@dataclass(frozen=True)
class Rows:
    """A table: its title, column names and rows (values are str, int or float)."""

    title: str
    fields: tuple[str, ...]
    rows: Sequence[Sequence[object]]


def _top(table: Table, top: int, order: int) -> list[tuple[str, list[float]]]:
    return table.top(top, order)


def overall_rows(r: Report) -> Rows:
    rows = []
    for line in r.overall.lines():
        if not line:
            continue
        label, _, value = line.decode().rpartition(": ")
        rows.append((label.strip(), value))
    return Rows("Overall (the numbers of matchup | zoverall)", ("statistic", "value"), rows)


def tables(r: Report, top: int = 10) -> dict[str, Rows]:
    """Every table of the report, by name."""
    senders = []
    for key, (mess, size, sbytes, recips, tries) in _top(r.senders, top, 0):
        x = (r.sender_xdelay.get(key) or [0.0])[0]
        senders.append((int(mess), int(size), int(sbytes), int(recips), int(tries),
                        round(x, 6), key))  # fmt: skip
    dests = {}
    for name, table in (("recipients", r.recipients), ("hosts", r.hosts)):
        dests[name] = [
            (int(sb), int(mess), int(tries), round(x, 2), key)
            for key, (sb, mess, tries, x) in _top(table, top, 2)
        ]
    reasons = {}
    for name, table in (("deferrals", r.deferrals), ("failures", r.failures)):
        # qmail-send writes a reason's spaces as "_"; zdeferrals and zfailures show them
        # as spaces again (tr _ ' '), and so do these tables.
        reasons[name] = [
            (int(n), round(x, 2), key.replace("_", " ")) for key, (n, x) in _top(table, top, 0)
        ]
    dist = [tuple(line.decode().split()) for line in r.delays.ddist()]
    q = r.queue()
    queue_rows = [
        (ch.name, ch.limit, ch.peak, ch.full_lines, round(ch.full_seconds, 3),
         round(ch.full_share(q.span_seconds, q.lines) * 100, 2), round(ch.mean, 3))
        for ch in (q.local, q.remote)
    ] if q.lines else []  # fmt: skip
    alerts = [
        (str(a.category), a.key, a.count, iso_time(a.first_ns), iso_time(a.last_ns),
         a.example.decode("utf-8", "backslashreplace"), a.explanation.meaning,
         a.explanation.action)
        for a in r.alerts()
    ]  # fmt: skip
    types = [(name, r.categories.get(name, 0)) for name in
             ("status", "fatal", "serious", "message", "delivery", "warning", "other")]  # fmt: skip
    return {
        "overall": overall_rows(r),
        "types": Rows("Lines by type (the seed's six types)", ("type", "lines"), types),
        "senders": Rows(
            "Top senders (by messages)",
            ("messages", "bytes", "sbytes", "recipients", "tries", "xdelay", "sender"),
            senders,
        ),
        "recipients": Rows(
            "Top recipients (by attempts)",
            ("sbytes", "messages", "tries", "xdelay", "recipient"),
            dests["recipients"],
        ),
        "hosts": Rows(
            "Top recipient hosts (by attempts)",
            ("sbytes", "messages", "tries", "xdelay", "host"),
            dests["hosts"],
        ),
        "deferrals": Rows(
            "Top reasons for deferral", ("deliveries", "xdelay", "reason"), reasons["deferrals"]
        ),
        "failures": Rows(
            "Top reasons for failure", ("deliveries", "xdelay", "reason"), reasons["failures"]
        ),
        "ddist": Rows("Delivery delay distribution (zddist)", ("doneby", "avg", "pct"), dist),
        "queue": Rows(
            "Queue concurrency (status lines)",
            ("side", "limit", "peak", "full_lines", "full_seconds", "full_percent", "mean"),
            queue_rows,
        ),
        "alerts": Rows(
            "Alerts and warnings",
            ("category", "key", "count", "first", "last", "example", "meaning", "action"),
            alerts,
        ),
    }
