"""The report as text for a terminal or a mail: each table lined up with columnt."""

from __future__ import annotations

from collections.abc import Callable

from logwarden.qmail.report.build import Report
from logwarden.qmail.report.tables import Rows, tables
from logwarden.qmail.when import show_time
from logwarden.qmail.zreports.columnt import columnt

Clean = Callable[[bytes], bytes]


def _cell(value: object) -> bytes:
    if isinstance(value, float):
        return b"%.2f" % value if abs(value) >= 0.01 or value == 0 else b"%.6f" % value
    return str(value).encode("utf-8", "backslashreplace")


def _table(rows: Rows, clean: Clean) -> bytes:
    if not rows.rows:
        return b"  (none)\n"
    # Words inside a cell (alert texts) must not become columns: their spaces are
    # shown as underscores only in the layout, then put back.
    body = [b" ".join(f.encode() for f in rows.fields)]
    for row in rows.rows:
        body.append(b" ".join(clean(_cell(v)).replace(b" ", b"\x00") or b"-" for v in row))
    text = columnt(b"\n".join(body) + b"\n").replace(b"\x00", b" ")
    return b"".join(b"  " + line + b"\n" for line in text.split(b"\n")[:-1])


def render(r: Report, clean: Clean, top: int = 10) -> bytes:
    """The whole report."""
    out = [
        b"qmail report: %s to %s, %d lines"
        % (show_time(r.first_ns).encode(), show_time(r.last_ns).encode(), r.lines)
    ]
    odd = []
    if r.foreign:
        odd.append(b"%d foreign" % r.foreign)
    if r.counts.joined:
        odd.append(b"%d splogger pieces re-joined" % r.counts.joined)
    if r.counts.wrapped:
        odd.append(b"%d wrapped pieces re-joined" % r.counts.wrapped)
    if r.counts.orphans:
        odd.append(b"%d pieces without their line" % r.counts.orphans)
    if r.truncated:
        odd.append(b"%d delivery reports cut short" % r.truncated)
    styles = b", ".join(b"%s %d" % (k.encode(), v) for k, v in sorted(r.counts.styles.items()))
    out.append(b"Input: " + styles + (b"; " + b", ".join(odd) if odd else b""))
    out.append(
        b"Still in the queue at the end: %d messages, %d deliveries in progress"
        % (r.open_messages, r.open_deliveries)
    )
    out.append(b"")
    text = b"\n".join(out) + b"\n"
    for name, rows in tables(r, top).items():
        text += b"\n" + rows.title.encode() + b"\n"
        if name == "overall":
            text += b"".join((b"  " + line if line else b"") + b"\n" for line in r.overall.lines())
            continue
        if name == "alerts":
            text += _alerts(rows, clean)
            continue
        if name == "ddist" and len(rows.rows) > 8:
            # The landmarks; --json or --csv --table ddist give every percentage.
            marks = {"50", "75", "90", "95", "99", "100"}
            rows = Rows(rows.title, rows.fields, [r for r in rows.rows if r[2] in marks])
        text += _table(rows, clean)
        if name == "queue":
            text += b"".join(b"  " + a.encode() + b"\n" for a in r.queue().advice)
    return text


def _alerts(rows: Rows, clean: Clean) -> bytes:
    if not rows.rows:
        return b"  No fatal or serious problems and no warnings.\n"
    out = []
    for category, _key, count, first, last, example, meaning, action in rows.rows:
        out.append(b"  %-8s x%s  %s" % (str(category).upper().encode(), str(count).encode(),
                                         clean(str(example).encode())))  # fmt: skip
        out.append(b"           %s .. %s" % (str(first).encode(), str(last).encode()))
        out.append(b"           means: " + str(meaning).encode())
        out.append(b"           do:    " + str(action).encode())
    return b"\n".join(out) + b"\n"
