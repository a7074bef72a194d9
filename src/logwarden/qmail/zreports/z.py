"""The ``z`` reports: a title, a few words on what the columns mean, then the table.

Titles, column names and every number are qmailanalog's (they are the format other tools
parse); the explanations in between are logwarden's own wording. A table is the helper's
lines sorted as the qmailanalog script sorts them, under a header row, lined up by
``columnt``; the reason tables then show ``_`` as a space, as the scripts' ``tr _ ' '`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from logwarden.qmail.zreports import plain
from logwarden.qmail.zreports.columnt import columnt
from logwarden.qmail.zreports.overall import overall, sendmail
from logwarden.qmail.zreports.sortlike import sort_numeric, sort_text


@dataclass(frozen=True)
class Report:
    """One z report: title, explanation, header row, and how its rows are made."""

    title: str
    about: str
    header: bytes
    rows: Callable[[list[bytes]], list[bytes]]
    #: ``tr _ ' '`` on the table (the reason tables).
    spaces: bool = False


def _reasons(prefix: bytes, field: int = 2) -> Callable[[list[bytes]], list[bytes]]:
    return lambda lines: sort_text(plain.reasons(lines, prefix), field)


_REASON_ABOUT = (
    "Each line is one reason, as the delivery report gave it: del deliveries\n"
    "ended {how} with it, and xdelay is the seconds those attempts took in all.\n"
)
_RECIPIENT_ABOUT = (
    "Each line is one {what}: sbytes is how many bytes reached it, mess how many\n"
    "messages to it came to an end (delivered or failed), tries how many delivery\n"
    "attempts there were (deferrals too), xdelay the seconds those attempts took.\n"
)
_SENDER_ABOUT = (
    "Each line is one {what}: mess messages it sent, bytes their size, sbytes the\n"
    "bytes delivered, rbytes the bytes times the recipients reached, recips the\n"
    "recipients reached (delivered or failed), tries the delivery attempts (deferrals\n"
    "too), xdelay the seconds those attempts took.\n"
)

REPORTS: dict[str, Report] = {
    "zddist": Report(
        "Distribution of ddelays for successful deliveries",
        "Each line: pct% of the successful deliveries were done within doneby seconds\n"
        "of their message's arrival; avg is the mean ddelay of those deliveries.\n",
        b"doneby avg pct",
        plain.ddist,
    ),
    "zdeferrals": Report(
        "Reasons for deferral",
        _REASON_ABOUT.format(how="in a deferral"),
        b"del xdelay reason",
        _reasons(b"d z"),
        spaces=True,
    ),
    "zfailures": Report(
        "Reasons for failure",
        _REASON_ABOUT.format(how="in a permanent failure"),
        b"del xdelay reason",
        _reasons(b"d d"),
        spaces=True,
    ),
    "zsuccesses": Report(
        "Reasons for success",
        _REASON_ABOUT.format(how="successfully"),
        b"del xdelay reason",
        _reasons(b"d k"),
        spaces=True,
    ),
    "zrecipients": Report(
        "Recipients",
        _RECIPIENT_ABOUT.format(what="recipient (channel.address)"),
        b"sbytes mess tries xdelay recipient",
        lambda lines: sort_text(plain.recipients(lines), 4),
    ),
    "zrhosts": Report(
        "Recipient hosts",
        _RECIPIENT_ABOUT.format(what="host (the part after the last @)"),
        b"sbytes mess tries xdelay host",
        lambda lines: sort_text(plain.rhosts(lines), 4),
    ),
    "zrxdelay": Report(
        "Recipients in the best order for mailing lists",
        "Recipients sorted by avg, the mean seconds a delivery attempt to them took over\n"
        "tries attempts: the quickest first, the order a mailing list should use.\n",
        b"avg tries recipient",
        lambda lines: plain.rxdelay(plain.recipients(lines)),
    ),
    "zsenders": Report(
        "Senders",
        _SENDER_ABOUT.format(what="sender (uid/<address>)"),
        b"mess bytes sbytes rbytes recips tries xdelay sender",
        lambda lines: sort_numeric(plain.senders(lines), 7),
    ),
    "zsuids": Report(
        "Sender uids",
        _SENDER_ABOUT.format(what="uid that queued mail"),
        b"mess bytes sbytes rbytes recips tries xdelay uid",
        lambda lines: sort_numeric(plain.suids(lines), 7),
    ),
}

OVERALL_ABOUT = (
    "qtime: how long a completed message stayed in the queue.\n"
    "ddelay: from a message's arrival to the end of one successful delivery of it.\n"
    "xdelay: how long one delivery attempt ran, from its start to its result.\n"
    "Average concurrency: all the xdelay added up, divided by the time the log\n"
    "covers: how many deliveries ran at once on average, a measure of load.\n"
)


def _head(title: str, about: str) -> bytes:
    return f"{title}\n\n{about}\n".encode()


def table(report: Report, lines: list[bytes]) -> bytes:
    """The report's table: header row and sorted rows, in columns."""
    body = columnt(b"\n".join([report.header, *report.rows(lines)]) + b"\n")
    return body.replace(b"_", b" ") if report.spaces else body


def render(name: str, lines: list[bytes]) -> bytes:
    """The whole report ``name`` (``zoverall``, ``zsendmail`` or one of REPORTS)."""
    if name == "zoverall":
        return _head("Basic statistics", OVERALL_ABOUT) + b"".join(
            line + b"\n" for line in overall(lines).lines()
        )
    if name == "zsendmail":
        return b"".join(line + b"\n" for line in sendmail(lines))
    report = REPORTS[name]
    return _head(report.title, report.about) + table(report, lines)


#: The helpers that print bare rows (no title, no sorting), by their qmailanalog names.
PLAIN: dict[str, Callable[[list[bytes]], list[bytes]]] = {
    "ddist": plain.ddist,
    "deferrals": lambda lines: plain.reasons(lines, b"d z"),
    "failures": lambda lines: plain.reasons(lines, b"d d"),
    "successes": lambda lines: plain.reasons(lines, b"d k"),
    "recipients": plain.recipients,
    "rhosts": plain.rhosts,
    "rxdelay": plain.rxdelay,
    "senders": plain.senders,
    "suids": plain.suids,
}
