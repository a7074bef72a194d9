"""The lastlog2 report (util-linux 2.40 ``lastlog2``): rows of the SQLite database in its
format, which differs from shadow's in small ways that scripts notice.

- The header pads "From" with 38 spaces and then prints " Latest" and one more space (its
  ``%*s`` of " " at width 0), so it ends in a space; with ``-s`` a "Service" column follows.
- A row has a space between the host column and the date, unlike shadow's.
- Rows come in name order (the database's), every user in the database, whether or not an
  account of that name exists; ``-u NAME`` needs the account and prints one row.
- A time that is not a whole number prints the row and then ``\\nError: ...\\n``.

References: util-linux 2.40 ``misc-utils/lastlog2.c`` (``print_entry``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from logwarden.connect.lastlog import iso_time, latest_text
from logwarden.formats.lastlog2 import Entry
from logwarden.sources.accounts import Accounts
from logwarden.timefmt import LocalTime

_HEADER_START = b"Username         Port     From" + b" " * 38 + b" Latest"
_SERVICE_WIDTH = 31


def c_pad(text: bytes, width: int) -> bytes:
    """printf's ``%*s``: right-justified in ``width``, left-justified if it is negative."""
    if width < 0:
        return text.ljust(-width)
    return text.rjust(width)


def header(latest: bytes, *, service: bool) -> bytes:
    """The header; with the Service column its position follows the first row's date."""
    pad = c_pad(b" ", len(latest) - 5 if service else 0)
    return _HEADER_START + pad + (b"Service" if service else b"") + b"\n"


def row(entry: Entry, latest: bytes, *, service: bool, clean: Callable[[bytes], bytes]) -> bytes:
    """``%-16s %-8.8s %-42s %s%*s%s`` and, for a row whose time did not parse, the error."""
    name = clean(entry.name) if entry.name is not None else b"(null)"
    tty = clean((entry.tty or b"")[:8])
    host = clean(entry.host or b"")
    text = b"%-16s %-8s %-42s %s" % (name, tty, host, latest)
    if service:
        gap = b" " if entry.service is not None else b""
        text += c_pad(gap, _SERVICE_WIDTH - len(latest)) + clean(entry.service or b"")
    text += b"\n"
    if entry.error is not None:
        text += b"\nError: " + entry.error.encode("utf-8", "surrogateescape") + b"\n"
    return text


def passes(entry: Entry, now: int, newer_than: int | None, older_than: int | None) -> bool:
    """lastlog2's ``-b`` then ``-t`` test."""
    age = now - entry.time
    if older_than is not None and age < older_than:
        return False
    return not (newer_than is not None and age > newer_than)


def render(
    entries: Sequence[Entry],
    clock: LocalTime,
    *,
    service: bool,
    clean: Callable[[bytes], bytes],
) -> bytes:
    """The report: header before the first row (none without rows), then the rows."""
    out = bytearray()
    for entry in entries:
        latest = latest_text(entry.time, clock)
        if not out:
            out += header(latest, service=service)
        out += row(entry, latest, service=service, clean=clean)
    return bytes(out)


def row_of(entry: Entry, accounts: Accounts) -> dict[str, object]:
    """One ``--json``/``--csv`` row, in the columns of the classic lastlog's rows; ``uid``
    is the account's of that name, if there is one."""
    user = accounts.by_name(entry.name) if entry.name is not None else None
    return {
        "user": entry.name,
        "uid": user.uid if user is not None else None,
        "line": entry.tty or b"",
        "host": entry.host or b"",
        "service": entry.service,
        "time": entry.time or None,
        "latest": iso_time(entry.time),
    }
