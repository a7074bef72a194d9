"""The event: one schema for every log of a host, from a wtmp record to a qmail delivery.

Every reader (utmp family, lastlog, pacct, syslog files and program logs, qmail) turns its
records into batches of these columns; the store, the timeline, the dashboard and the fleet
read nothing else. docs/store.md is the reference for each column; this module is the code
form of that table (the DuckDB table is made from :data:`COLUMNS` too, so they cannot drift).

A batch is a polars DataFrame with exactly these columns in this order. ``fields`` is the
source's own fields as a JSON object (text): each family has fields of its own (a pacct
record's CPU time, an Apache request's status), and a JSON column keeps them queryable
(DuckDB's ``fields->>'status'``) without a column per family.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

TIME = pl.Datetime("us", "UTC")

#: (name, polars type, DuckDB type) in table order.
COLUMNS: tuple[tuple[str, pl.DataType, str], ...] = (
    ("time", TIME, "TIMESTAMPTZ"),
    ("host", pl.String(), "VARCHAR"),
    ("source", pl.String(), "VARCHAR"),
    ("offset", pl.Int64(), "BIGINT"),
    ("record", pl.Int64(), "BIGINT"),
    ("file_id", pl.Int64(), "BIGINT"),
    ("source_kind", pl.String(), "VARCHAR"),
    ("kind", pl.String(), "VARCHAR"),
    ("user", pl.String(), "VARCHAR"),
    ("uid", pl.Int64(), "BIGINT"),
    ("tty", pl.String(), "VARCHAR"),
    ("remote", pl.String(), "VARCHAR"),
    ("pid", pl.Int64(), "BIGINT"),
    ("program", pl.String(), "VARCHAR"),
    ("message", pl.String(), "VARCHAR"),
    ("session", pl.String(), "VARCHAR"),
    ("year_guessed", pl.Boolean(), "BOOLEAN"),
    ("fields", pl.String(), "VARCHAR"),
)
NAMES = tuple(name for name, _, _ in COLUMNS)
SCHEMA = pl.Schema({name: kind for name, kind, _ in COLUMNS})

#: The kinds of event the readers give (``kind`` column). A reader may add kinds of its own;
#: these are the ones the timeline, sessions and findings know.
KINDS = (
    # utmp family and lastlog
    "boot", "shutdown", "runlevel", "clock_change", "init", "getty",
    "login", "logout", "failed_login", "current_login", "lastlog",
    # process accounting
    "command",
    # auth.log / secure, sulog, sudo's log
    "session_open", "session_close", "ssh_disconnect", "invalid_user", "auth_failure",
    "su", "su_failed", "sudo", "sudo_failed", "cron",
    # qmail-send
    "mail_new", "mail_info", "mail_start", "mail_delivery", "mail_bounce", "mail_end",
    "mail_status", "mail_alert", "mail_warning", "mail_other",
    # Apache
    "http_request", "http_error",
    # any other syslog line
    "syslog",
)  # fmt: skip

#: What the time of each kind means, in Timesketch's ``timestamp_desc`` words.
TIMESTAMP_DESC: Mapping[str, str] = {
    "boot": "Boot Time",
    "shutdown": "Shutdown Time",
    "login": "Login Time",
    "current_login": "Login Time",
    "lastlog": "Last Login Time",
    "logout": "Logout Time",
    "failed_login": "Failed Login Time",
    "command": "Process Start Time",
}
DEFAULT_TIMESTAMP_DESC = "Log Entry Written"


def empty() -> pl.DataFrame:
    """A batch of no events."""
    return pl.DataFrame(schema=SCHEMA)


def batch(height: int, columns: Mapping[str, pl.Series | pl.Expr | object]) -> pl.DataFrame:
    """A batch of ``height`` events from ``columns`` (Series, expressions over the other
    given Series, or one value for every row); columns not given are null, ``year_guessed``
    False. Types are cast to the schema."""
    series = {k: v for k, v in columns.items() if isinstance(v, pl.Series)}
    base = pl.DataFrame(series, height=height) if series else pl.DataFrame(height=height)
    exprs = []
    for name, kind, _ in COLUMNS:
        value = columns.get(name)
        if isinstance(value, pl.Series):
            expr = pl.col(name)
        elif isinstance(value, pl.Expr):
            expr = value
        elif value is None:
            expr = pl.lit(False) if name == "year_guessed" else pl.lit(None)
        else:
            expr = pl.lit(value)
        exprs.append(expr.cast(kind).alias(name))
    return base.select(exprs)


def fields_json(columns: Mapping[str, pl.Expr]) -> pl.Expr:
    """The ``fields`` column: a JSON object of the given expressions, null members left out
    of nothing (JSON null is kept, so every event of a family has the same keys)."""
    return pl.struct([expr.alias(name) for name, expr in columns.items()]).struct.json_encode()


def ddl(table: str = "events") -> str:
    """``CREATE TABLE`` for the events table (DuckDB)."""
    body = ", ".join(f'"{name}" {sql}' for name, _, sql in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {table} ({body})"
