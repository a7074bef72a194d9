"""Log lines as columns: the stamp, the time and qmail-send's words of every line of a chunk.

This is :func:`logwarden.qmail.lines.split_line` and :class:`~logwarden.qmail.lines.Joiner`
done column-wise with polars, for large logs: lines are grouped by their first byte, each
group is matched against its style's pattern (the same patterns, see
:mod:`logwarden.qmail.patterns`), and the rare pieces of split or wrapped lines are joined in
Python. Both readers give the same lines, times and words (tests hold them to it).

Besides the time, each line gets ``ts``: its stamp as qmailanalog's tools would see it after
the classic conversions (``tai64nfrac`` for multilog labels, the syslog prefix cut, seconds
for tai64nlocal's local times), so that matchup's numbers can be reproduced exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from logwarden.formats.tai64 import TAI64_OFFSET
from logwarden.qmail import patterns
from logwarden.qmail.lines import LocalToUnix, Style, process_local_time

#: Style codes in the ``style`` column.
STYLE_CODES = {s: i for i, s in enumerate(Style)}
_FOREIGN = STYLE_CODES[Style.FOREIGN]
_SCHEMA = {
    "i": pl.UInt32,
    "style": pl.UInt8,
    "ts": pl.String,
    "ns": pl.Int64,
    "text": pl.String,
    "host": pl.String,
    "plus": pl.Boolean,
}


@dataclass
class Counts:
    """What the column reader saw, for the report's input summary."""

    styles: Counter[str] = field(default_factory=Counter)
    joined: int = 0
    orphans: int = 0
    wrapped: int = 0


def _ns(seconds: pl.Expr, fraction: pl.Expr) -> pl.Expr:
    return seconds.cast(pl.Int64) * 1_000_000_000 + fraction.fill_null("").str.pad_end(9, "0").cast(
        pl.Int64
    )


def _multilog(df: pl.DataFrame) -> pl.DataFrame:
    # Sliced, not matched: "@" + 24 hex digits + " " is checked on the 26 bytes only.
    line = pl.col("line")
    label = pl.col("label")
    return (
        df.lazy()
        .with_columns(line.str.slice(1, 24).alias("label"))
        .filter(
            label.str.contains("^[0-9a-f]{24}$")
            & ((line.str.slice(25, 1) == " ") | (line.str.len_bytes() == 25))
        )
        .with_columns(
            (label.str.slice(0, 16).str.to_integer(base=16) - TAI64_OFFSET).alias("sec"),
            label.str.slice(16, 8).str.to_integer(base=16).alias("nano"),
        )
        .select(
            "i",
            pl.lit(STYLE_CODES[Style.MULTILOG], pl.UInt8).alias("style"),
            pl.format("{}.{}", "sec", pl.col("nano").cast(pl.String).str.zfill(9)).alias("ts"),
            (pl.col("sec") * 1_000_000_000 + pl.col("nano")).alias("ns"),
            line.str.slice(26).alias("text"),
            pl.lit("").alias("host"),
            pl.lit(False).alias("plus"),
        )
        .collect()
    )


def _unix_plain(df: pl.DataFrame) -> pl.DataFrame:
    """The common ``sec.usec text`` lines, by splitting at the first space; the rest (``+``
    pieces, odd stamps) go on to the full pattern."""
    split = (
        df.lazy()
        .select(
            "i", pl.col("line").str.splitn(" ", 2).struct.rename_fields(["ts", "text"]).alias("p")
        )
        .unnest("p")
    )
    stamp = pl.col("ts")
    seconds = stamp.str.split_exact(".", 1).struct.rename_fields(["s", "f"])
    return (
        split.filter(
            stamp.str.contains("^[0-9]{1,12}(?:[.][0-9]{1,9})?$") & pl.col("text").is_not_null()
        )
        .with_columns(seconds.alias("sf"))
        .select(
            "i",
            pl.lit(STYLE_CODES[Style.UNIX], pl.UInt8).alias("style"),
            "ts",
            _ns(pl.col("sf").struct.field("s"), pl.col("sf").struct.field("f")).alias("ns"),
            "text",
            pl.lit("").alias("host"),
            pl.lit(False).alias("plus"),
        )
        .collect()
    )


def _unix(df: pl.DataFrame, pattern: str, style: Style) -> pl.DataFrame:
    g = df["line"].str.extract_groups(pattern).struct.unnest()
    offset = 1 if style is Style.SYSLOG else 0
    names = [str(n + 1 + offset) for n in range(5)]
    host = g["1"] if style is Style.SYSLOG else pl.Series([""] * len(g), dtype=pl.String)
    return (
        pl.DataFrame(
            {
                "i": df["i"],
                "style": pl.Series([STYLE_CODES[style]] * len(g), dtype=pl.UInt8),
                "ts": g[names[0]],
                "seconds": g[names[1]],
                "fraction": g[names[2]],
                "sep": g[names[3]],
                "text": g[names[4]],
                "host": host,
            }
        )
        .filter(pl.col("ts").is_not_null())
        .select(
            "i",
            "style",
            "ts",
            _ns(pl.col("seconds"), pl.col("fraction")).alias("ns"),
            "text",
            "host",
            (pl.col("sep") == "+").alias("plus"),
        )
    )


def _local(df: pl.DataFrame, local_to_unix: LocalToUnix) -> pl.DataFrame:
    g = df["line"].str.extract_groups(patterns.LOCAL).struct.unnest()
    found = pl.DataFrame({"i": df["i"], "date": g["1"], "clock": g["2"], "fraction": g["3"],
                          "text": g["4"]}).filter(pl.col("date").is_not_null())  # fmt: skip
    if found.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    # The zone's offset is looked up once per minute of the log, not once per line.
    minute = (found["date"] + " " + found["clock"].str.slice(0, 5)).alias("minute")
    starts = {}
    for text in minute.unique().to_list():
        y, mo, d = (int(x) for x in text[:10].split("-"))
        starts[text] = local_to_unix(y, mo, d, int(text[11:13]), int(text[14:16]), 0)
    seconds = minute.replace_strict(starts, return_dtype=pl.Int64) + found["clock"].str.slice(
        6, 2
    ).cast(pl.Int64)
    fraction = found["fraction"]
    return pl.DataFrame(
        {
            "i": found["i"],
            "style": pl.Series([STYLE_CODES[Style.LOCAL]] * found.height, dtype=pl.UInt8),
            "ts": seconds.cast(pl.String) + ("." + fraction).fill_null(""),
            "ns": seconds * 1_000_000_000
            + fraction.fill_null("").str.pad_end(9, "0").cast(pl.Int64),
            "text": found["text"],
            "host": pl.Series([""] * found.height, dtype=pl.String),
            "plus": pl.Series([False] * found.height),
        }
    )


def _plain(df: pl.DataFrame) -> pl.DataFrame:
    # An unstamped line is qmail-send's only if it starts like one of its sentences.
    sentence = df["line"].str.contains(patterns.SENTENCE).cast(pl.UInt8)
    return pl.DataFrame(
        {
            "i": df["i"],
            "style": (_FOREIGN - sentence * (_FOREIGN - STYLE_CODES[Style.NONE])).cast(pl.UInt8),
            "ts": pl.Series([""] * df.height, dtype=pl.String),
            "ns": pl.Series([None] * df.height, dtype=pl.Int64),
            "text": df["line"],
            "host": pl.Series([""] * df.height, dtype=pl.String),
            "plus": pl.Series([False] * df.height),
        }
    )


def parse_lines(
    lines: pl.Series, local_to_unix: LocalToUnix = process_local_time
) -> tuple[pl.DataFrame, Counts]:
    """Columns ``i`` (row in ``lines``), ``style``, ``ts``, ``ns``, ``text`` for the logical
    lines of ``lines`` (continuation and wrapped pieces joined onto their line)."""
    df = pl.DataFrame({"line": lines}).with_row_index("i")
    first = df["line"].str.slice(0, 1)
    parts = []
    rest = df
    groups: tuple[tuple[pl.Series, list[Callable[[pl.DataFrame], pl.DataFrame]]], ...] = (
        (first == "@", [lambda d: _multilog(d)]),
        (first.str.contains("^[0-9]"), [
            lambda d: _unix_plain(d),
            lambda d: _local(d, local_to_unix),
            lambda d: _unix(d, patterns.UNIX, Style.UNIX),
            lambda d: _unix(d, patterns.SYSLOG, Style.SYSLOG),
        ]),
        (first.str.contains("^[A-Z]"), [lambda d: _unix(d, patterns.SYSLOG, Style.SYSLOG)]),
    )  # fmt: skip
    taken = pl.Series([False] * df.height)
    for mask, readers in groups:
        todo = df.filter(mask & ~taken)
        for reader in readers:
            if todo.height == 0:
                break
            got = reader(todo)
            if got.height:
                parts.append(got)
                todo = (
                    todo.clear()
                    if got.height == todo.height
                    else todo.join(got.select("i"), on="i", how="anti")
                )
        taken = taken | mask
    handled = sum(p.height for p in parts)
    if len(parts) == 1 and handled == df.height:
        out = parts[0]
    else:
        done = pl.concat(parts) if parts else pl.DataFrame(schema=_SCHEMA)
        rest = df.join(done.select("i"), on="i", how="anti")
        if rest.height:
            done = pl.concat([done, _plain(rest)])
        out = done.sort("i")
    counts = Counts()
    out = _join_pieces(out, counts)
    for code, n in out["style"].value_counts().iter_rows():
        counts.styles[list(Style)[code]] += n
    return out, counts


def _join_pieces(df: pl.DataFrame, counts: Counts) -> pl.DataFrame:
    """Join splogger's ``+`` pieces and hard-wrapped pieces onto the line before them."""
    candidates = df.with_row_index("row").filter(pl.col("plus") | (pl.col("style") == _FOREIGN))
    wrapish = (
        (pl.col("style") == _FOREIGN)
        & (pl.col("text") != "")
        & ~pl.col("text").str.contains(" ", literal=True)
    )
    flagged = candidates.filter(pl.col("plus") | wrapish)
    if flagged.height == 0:
        return df
    rows = flagged["row"].to_list()
    needed = sorted({r - 1 for r in rows if r > 0} | set(rows))
    cols = df[needed].select("style", "ts", "host", "text").rows()
    info = dict(zip(needed, cols, strict=True))
    into: dict[int, int] = {}
    texts: dict[int, str] = {}
    for r in rows:
        style, ts, host, text = info[r]
        held = into.get(r - 1, r - 1)
        if r == 0:
            if style != _FOREIGN:
                counts.orphans += 1
            continue
        h_style, h_ts, h_host, h_text = info[held]
        if style != _FOREIGN:
            if h_ts == ts and h_host == host and h_style != _FOREIGN:
                counts.joined += 1
            else:
                counts.orphans += 1
                continue
        elif not (h_ts and h_style != _FOREIGN):
            continue
        else:
            counts.wrapped += 1
        texts[held] = texts.get(held, h_text) + text
        into[r] = held
    if texts:
        text = df["text"].clone().scatter(list(texts), list(texts.values()))
        df = df.with_columns(text)
    if into:
        drop = pl.Series(list(into), dtype=pl.UInt32)
        df = df.with_row_index("row").filter(~pl.col("row").is_in(drop.implode())).drop("row")
    return df
