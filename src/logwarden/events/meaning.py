"""What a syslog line means, decided on columns after the line is read (by either path).

A line of a syslog file is a ``syslog`` event unless its program and words say more:

- splogger's lines (program ``qmail``, words starting with qmail-send's own ``sec.usec``
  stamp) are qmail-send's sentences: typed as :mod:`logwarden.events.qmail` types them, and
  timed by that stamp, which has a year;
- auth.log / secure lines of sshd, su, sudo, login and cron are typed by
  :mod:`logwarden.events.auth`.

Then every event gets the uid of its user from the root's passwd when the line did not say.
"""

from __future__ import annotations

import polars as pl

from logwarden.events import schema
from logwarden.events.context import HostContext
from logwarden.events.qmail import row_of
from logwarden.events.source import Found
from logwarden.qmail.lines import split_line

_SPLOGGER = r"^[0-9]{1,12}(?:[.][0-9]{1,9})?[ +]"


def _qmail(ctx: HostContext, base: pl.DataFrame) -> pl.DataFrame:
    """splogger's lines re-read as qmail-send's sentences (their rows replaced)."""
    is_qmail = pl.col("program").str.starts_with("qmail") & pl.col("message").str.contains(
        _SPLOGGER
    )
    rows = base.with_row_index("_row").filter(is_qmail)
    if rows.height == 0:
        return base
    typed: dict[str, list[object]] = {name: [] for name in ("time", "kind", "fields", "uid",
                                                           "user", "message")}  # fmt: skip
    for message, offset, record, program in rows.select(
        "message", "offset", "record", "program"
    ).iter_rows():
        row = row_of(ctx, split_line(message.encode("utf-8", "surrogateescape")), offset,
                     record, program)  # fmt: skip
        assert row is not None  # the pattern above guarantees a stamp
        for name in typed:
            typed[name].append(row[name])
    index = rows["_row"]
    out = (
        base.with_columns(pl.lit(None, pl.Int64).alias("uid"))
        if "uid" not in base.columns
        else base
    )
    for name, values in typed.items():
        kind = out.schema[name]
        out = out.with_columns(out[name].scatter(index, pl.Series(values, dtype=kind)))
    return out.with_columns(
        pl.when(pl.int_range(pl.len()).is_in(index.implode()))
        .then(False)
        .otherwise(pl.col("year_guessed"))
        .alias("year_guessed")
    )


def typed(ctx: HostContext, base: pl.DataFrame, source_kind: str) -> pl.DataFrame:
    """The base columns of a text log with each line's kind (and what it names) decided."""
    if "uid" not in base.columns:
        base = base.with_columns(pl.lit(None, pl.Int64).alias("uid"))
    if source_kind == "syslog" and base.height:
        base = _qmail(ctx, base)
    return base


def uid_column(ctx: HostContext, users: pl.Series) -> dict[str, int]:
    """uid of each user name present (from the root's passwd)."""
    table: dict[str, int] = {}
    for name in users.drop_nulls().unique().to_list():
        user = ctx.accounts.by_name(name.encode("utf-8", "surrogateescape"))
        if user is not None:
            table[name] = user.uid
    return table


def to_events(ctx: HostContext, found: Found, file_id: int, base: pl.DataFrame) -> pl.DataFrame:
    """Typed base columns as a batch of events."""
    if base.height == 0:
        return schema.empty()
    uids = uid_column(ctx, base["user"])
    df = base.with_columns(
        pl.coalesce(
            pl.col("uid"),
            pl.col("user").replace_strict(uids, default=None, return_dtype=pl.Int64),
        ).alias("uid"),
        _with_hostname().alias("fields"),
    )
    return schema.batch(
        df.height,
        {
            "time": pl.Series(df["time"]).cast(schema.TIME),
            "host": ctx.host,
            "source": ctx.shown(found.path),
            "offset": df["offset"],
            "record": df["record"],
            "file_id": file_id,
            "source_kind": found.source_kind,
            "kind": df["kind"],
            "user": df["user"],
            "uid": df["uid"],
            "tty": df["tty"],
            "remote": df["remote"],
            "pid": df["pid"],
            "program": df["program"],
            "message": df["message"],
            "year_guessed": df["year_guessed"],
            "fields": df["fields"],
        },
    )


def _with_hostname() -> pl.Expr:
    """``fields`` with the line's own host name added first (``{"hostname":"mail",...}``)."""
    host = pl.struct(pl.col("hostname")).struct.json_encode().str.strip_suffix("}")
    inner = pl.col("fields").str.strip_prefix("{")
    with_host = pl.concat_str(
        host, pl.when(inner == "}").then(pl.lit("")).otherwise(pl.lit(",")), inner
    )
    return pl.when(pl.col("hostname").is_null()).then(pl.col("fields")).otherwise(with_host)
