"""Events from qmail-send's log lines: multilog files, and splogger's lines inside syslog.

Lines are split and typed by the readers every qmail tool uses (:mod:`logwarden.qmail.lines`
for the stamp, :mod:`logwarden.qmail.grammar` for the sentence), so an event's fields are the
ones ``qmail alerts`` and ``matchup`` see. A line's time is its own stamp (multilog's TAI64N
label, splogger's ``sec.usec``): exact, with its year, never guessed.

====================================  ==============
qmail-send's sentence                  kind
====================================  ==============
``new msg M``                          mail_new
``info msg M: bytes B from <S> qp Q    mail_info (uid U: who injected it)
uid U``
``starting delivery D: msg M to ...``  mail_start
``delivery D: success|deferral|...``   mail_delivery
``bounce msg M qp Q``, triple bounce   mail_bounce
``end msg M``                          mail_end
``status: local l/L remote r/R``       mail_status
``alert: ...``                         mail_alert
``warning: ...``                       mail_warning
anything else                          log
====================================  ==============
"""

from __future__ import annotations

import json

import polars as pl

from logwarden.events.context import HostContext
from logwarden.events.lines import LineChunk
from logwarden.events.proglog import BASE
from logwarden.qmail import grammar
from logwarden.qmail.grammar import Event, Kind
from logwarden.qmail.lines import Joiner, Prefixed, Style, split_line

KINDS = {
    Kind.NEW: "mail_new",
    Kind.INFO: "mail_info",
    Kind.STARTING: "mail_start",
    Kind.DELIVERY: "mail_delivery",
    Kind.BOUNCE: "mail_bounce",
    Kind.TRIPLE: "mail_bounce",
    Kind.END: "mail_end",
    Kind.STATUS: "mail_status",
    Kind.ALERT: "mail_alert",
    Kind.WARNING: "mail_warning",
    Kind.OTHER: "log",
}


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", "backslashreplace")


def fields_of(event: Event) -> dict[str, object]:
    """The sentence's own fields (those it has)."""
    out: dict[str, object] = {"category": str(event.category)}
    for name in ("msg", "delivery", "size", "qp", "uid", "local", "local_max", "remote",
                 "remote_max"):  # fmt: skip
        value = getattr(event, name)
        if value is not None:
            out[name] = value
    for name in ("channel", "recipient", "report", "sender"):
        value = getattr(event, name)
        if value is not None:
            out[name] = _text(value)
    if event.result is not None:
        out["result"] = str(event.result)
    return out


def row_of(
    ctx: HostContext, prefixed: Prefixed, offset: int, number: int, program: str | None
) -> dict[str, object] | None:
    """Base columns of one qmail line (None when it has no time)."""
    if prefixed.unix_ns is None:
        return None
    event = grammar.parse(prefixed.text)
    uid = event.uid
    user = None
    if uid is not None:
        found = ctx.accounts.by_uid(uid)
        user = found.name.decode("utf-8", "backslashreplace") if found else None
    return {
        "time": prefixed.unix_ns // 1000,
        "offset": offset,
        "record": number,
        "year_guessed": False,
        "hostname": _text(prefixed.host) or None,
        "program": program,
        "pid": None,
        "user": user,
        "tty": None,
        "remote": None,
        "message": _text(prefixed.text),
        "kind": KINDS[event.kind],
        "fields": json.dumps(fields_of(event), ensure_ascii=False, separators=(",", ":")),
        "uid": uid,
    }


def multilog_rows(
    ctx: HostContext, chunk: LineChunk, program: str | None
) -> tuple[pl.DataFrame, int, int]:
    """Base columns (and ``uid``) of the lines of a multilog file's chunk; also how many
    lines had no time stamp and the offset of the first of them (-1: none)."""
    starts = chunk.line_starts()
    ends = [*starts[1:].tolist(), len(chunk.data)]
    offsets = {}
    pairs = []
    for i, (a, b) in enumerate(zip(starts.tolist(), ends, strict=True)):
        number = chunk.first_line + i
        offsets[number] = chunk.offset + a
        pairs.append((number, split_line(chunk.data[a:b].rstrip(b"\n"))))
    rows = []
    unstamped, first = 0, -1
    for logical in Joiner().lines(pairs):
        if logical.prefixed.style is Style.FOREIGN and not logical.prefixed.text:
            continue
        at = offsets[logical.number]
        row = row_of(ctx, logical.prefixed, at, logical.number, program)
        if row is None:
            unstamped += 1
            first = at if first < 0 else first
            continue
        rows.append(row)
    schema = pl.Schema({**BASE, "uid": pl.Int64()})
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame, unstamped, first
