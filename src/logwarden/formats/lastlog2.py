"""lastlog2 (util-linux >= 2.40): the last login of each user name in an SQLite database.

One table, written by ``pam_lastlog2.so``::

    CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT,
                          RemoteHost TEXT, Service TEXT);

``Time`` is seconds since the epoch; ``Service`` is the PAM service. The queries below are
util-linux's own (``liblastlog2/src/lastlog2.c``), and values come back as its C code sees
them: the listing reads every column as text (``sqlite3_exec``) and parses the time with
``strtoll``; the one-user lookup reads the time with ``sqlite3_column_int64``. SQLite does the
type conversions, so a database with odd values reads exactly as lastlog2 reads it.

The codec takes an open connection (from :func:`logwarden.sources.lastlog2file` or, for bytes
in memory, :func:`from_bytes`); it never finds files itself.

References: util-linux 2.40 ``liblastlog2/src/lastlog2.c``, ``misc-utils/lastlog2.c``.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from logwarden.cnum import strtoll

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, "
    "RemoteHost TEXT, Service TEXT);"
)
_ALL = "SELECT Name, CAST(Time AS TEXT), TTY, RemoteHost, Service FROM Lastlog2 ORDER BY Name ASC"
_ONE = (
    "SELECT Name, CAST(Time AS INTEGER), TTY, RemoteHost, Service FROM Lastlog2 "
    "WHERE Name = CAST(? AS TEXT)"
)


class Entry(NamedTuple):
    """One row as lastlog2 hands it to its printer; text columns are bytes or None (NULL)."""

    name: bytes | None
    time: int
    tty: bytes | None
    host: bytes | None
    service: bytes | None
    error: str | None
    """What lastlog2 says about the row (an unparsable time), or None."""


def _text(value: object) -> bytes | None:
    """A column as ``sqlite3_column_text`` gives it."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return str(value).encode()


def parse_time(name: bytes | None, text: bytes | None) -> tuple[int, str | None]:
    """The listing's ``strtoll`` of the Time text, and its complaint when the text is not a
    whole number (the value is then what ``strtoll`` made of the start of it)."""
    shown_name = name.decode("utf-8", "backslashreplace") if name is not None else "(null)"
    if text is None:
        return 0, f"Invalid numeric time entry for '{shown_name}': '(null)'\n"
    raw = text.decode("utf-8", "surrogateescape")
    parsed = strtoll(raw)
    if parsed.end == 0 or parsed.end != len(raw) or parsed.erange:
        shown = text.decode("utf-8", "backslashreplace")
        return parsed.value, f"Invalid numeric time entry for '{shown_name}': '{shown}'\n"
    return parsed.value, None


def read_all(db: sqlite3.Connection) -> list[Entry]:
    """Every row, sorted by name as SQLite's binary collation sorts it.

    Raises sqlite3.Error as the query fails (not a database, no Lastlog2 table).
    """
    db.text_factory = bytes
    entries = []
    for name, time_text, tty, host, service in db.execute(_ALL):
        name_b = _text(name)
        t, error = parse_time(name_b, _text(time_text))
        entries.append(Entry(name_b, t, _text(tty), _text(host), _text(service), error))
    return entries


def read_entry(db: sqlite3.Connection, name: bytes) -> Entry | None:
    """The row of ``name``, or None; empty strings read as NULL, as lastlog2 keeps them."""
    db.text_factory = bytes
    row = db.execute(_ONE, (name,)).fetchone()
    if row is None:
        return None
    _, t, tty, host, service = row

    def nonempty(value: object) -> bytes | None:
        text = _text(value)
        return text if text else None

    return Entry(name, int(t or 0), nonempty(tty), nonempty(host), nonempty(service), None)


def from_bytes(data: bytes) -> sqlite3.Connection:
    """A read-only connection on a database held in memory (a copy of the file)."""
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    return db


def write_entry(
    db: sqlite3.Connection,
    name: bytes,
    time: int,
    tty: bytes | None = None,
    host: bytes | None = None,
    service: bytes | None = None,
) -> None:
    """Insert or replace a row, as ``pam_lastlog2`` does (used to build fixtures and by
    importers)."""
    db.execute(SCHEMA)
    # Text goes in as bytes cast to TEXT, so that names which are not UTF-8 keep their bytes.
    db.execute(
        "REPLACE INTO Lastlog2 VALUES(CAST(? AS TEXT), ?, CAST(? AS TEXT), CAST(? AS TEXT), "
        "CAST(? AS TEXT));",
        (name, time, tty, host, service),
    )
    db.commit()
