"""The state-free work of ``qmail report`` on one chunk: reading its lines (:func:`prepare`)
and summing what matchup paired in it (:func:`summarize`). Both run in worker threads,
several chunks at a time, while :class:`~logwarden.qmail.report.build.Reader` pairs chunks and
folds their sums in log order.

Reading has a fast path for the two forms a busy host's log is nearly always in: every line
stamped by splogger/accustamp with ``sec.usec`` (ten and six digits) or by multilog with a
label. Then the lines need no splitting into stamp and words: matchup's words are read from
the lines themselves, tai64nfrac's form of a label is made only for the lines whose times
matchup prints, the time of a line only where a statistic needs it (status, info, alert
lines), and the first and last time from the smallest and largest stamp (their text sorts as
their time does). Any other chunk (other stamps, pieces to join, foreign lines, ``--since``,
``--parquet``) goes through :func:`logwarden.qmail.frame.parse_lines`; both give the same
numbers (tests hold them to it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from logwarden.formats.tai64 import TAI64_OFFSET
from logwarden.qmail.frame import STYLE_CODES, Counts, parse_lines
from logwarden.qmail.lines import LocalToUnix, Style
from logwarden.qmail.matchup.column_engine import Result
from logwarden.qmail.matchup.kinds import WORD, WORDS, Kinds, Stamp, extract, word_codes

_FOREIGN = STYLE_CODES[Style.FOREIGN]
_NS = 1_000_000_000
#: Seconds per bucket of the timeline kept while reading (charts regroup them).
MINUTE = 60
F64 = npt.NDArray[np.float64]

#: The seed's type of a line, by its first word (an alert after which qmail-send stops is
#: fatal, any other alert serious; a line starting with any other word is other).
CATEGORY = {
    "status:": "status", "alert:": "serious", "warning:": "warning", "warn:": "warning",
    "new": "message", "info": "message", "bounce": "message", "triple": "message",
    "double": "message", "end": "message", "starting": "delivery", "delivery": "delivery",
}  # fmt: skip
_FATAL = ("alert: cannot start", "alert: oh no! lost")


@dataclass
class Window:
    """The ``--since``/``--until`` bounds (Unix nanoseconds)."""

    since_ns: int | None = None
    until_ns: int | None = None

    @property
    def open(self) -> bool:
        return self.since_ns is None and self.until_ns is None


@dataclass
class Prepared:
    """What a chunk's lines say before any pairing (positions ``ln`` are in the chunk)."""

    lines: int
    counts: Counts
    foreign: int
    kinds: Kinds
    first_ns: int | None
    last_ns: int | None
    categories: Counter[str]
    #: status lines: ns, local, local limit, remote, remote limit
    status: npt.NDArray[np.int64]
    #: alert and warning lines: (ln, ns, text)
    alerts: list[tuple[int, int | None, str]]
    #: info lines per minute
    arrivals: list[tuple[int, int]]
    truncated: int
    #: ln, style, ns, text, type (only when exporting)
    export: pl.DataFrame | None = None


# -- reading --


def _tai64nfrac(stamp: pl.Expr) -> pl.Expr:
    """A multilog label as tai64nfrac prints it: seconds, a dot, nine digits."""
    sec = stamp.str.slice(1, 16).str.to_integer(base=16) - TAI64_OFFSET
    nano = stamp.str.slice(17, 8).str.to_integer(base=16)
    return pl.format("{}.{}", sec, nano.cast(pl.String).str.zfill(9))


def _identity(stamp: pl.Expr) -> pl.Expr:
    return stamp


@dataclass(frozen=True)
class _Fast:
    """One fast form: which lines are in it, and how its stamps read."""

    style: Style
    pattern: str
    #: bytes of stamp and the space after it
    width: int
    stamp: Stamp
    ns: Callable[[pl.Expr], pl.Expr]
    text_ns: Callable[[str], int]


def _unix_ns(line: pl.Expr) -> pl.Expr:
    seconds = line.str.slice(0, 10).cast(pl.Int64)
    return seconds * _NS + line.str.slice(11, 6).cast(pl.Int64) * 1000


def _label_ns(line: pl.Expr) -> pl.Expr:
    seconds = line.str.slice(1, 16).str.to_integer(base=16) - TAI64_OFFSET
    return seconds * _NS + line.str.slice(17, 8).str.to_integer(base=16)


_FAST = (
    _Fast(Style.UNIX, r"^[0-9]{10}\.[0-9]{6} ", 18, _identity, _unix_ns,
          lambda s: int(s[:10]) * _NS + int(s[11:17]) * 1000),
    # Labels from 1970 to 2106 (a leading 4): their seconds fit the columns' integers.
    _Fast(Style.MULTILOG, r"^@4[0-9a-f]{23}(?: |$)", 26, _tai64nfrac, _label_ns,
          lambda s: (int(s[1:17], 16) - TAI64_OFFSET) * _NS + int(s[17:25], 16)),
)  # fmt: skip


def _fast_form(lines: pl.Series) -> _Fast | None:
    if lines.len() == 0:
        return None
    for form in _FAST:
        if bool(lines.str.contains(form.pattern).all()):
            # Labels sort as their times only with nanoseconds below 10**9 (multilog's are).
            if form.style is Style.MULTILOG and bool((lines.str.slice(17, 8) > "3b9ac9ff").any()):
                return None
            return form
    return None


def prepare(data: bytes, local_to_unix: LocalToUnix, window: Window, export: bool) -> Prepared:
    """Read a chunk of whole lines (pieces of a split line not cut apart)."""
    lines = lines_of(data)
    form = _fast_form(lines) if window.open and not export else None
    if form is not None:
        return _prepare_fast(lines, form)
    return _prepare_general(lines, local_to_unix, window, export)


def lines_of(data: bytes) -> pl.Series:
    """The lines of a chunk as a column (undecodable bytes shown as ``\\xNN``)."""
    if not data:
        return pl.Series("line", [], dtype=pl.String)
    try:
        if b"\r" not in data:
            return pl.read_lines(data)["line"]
    except pl.exceptions.ComputeError:
        pass
    body = data[:-1] if data.endswith(b"\n") else data
    return pl.Series("line", body.decode("utf-8", "backslashreplace").split("\n"))


def _prepare_fast(lines: pl.Series, form: _Fast) -> Prepared:
    frame = pl.DataFrame({"line": lines}).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("ln"), word_codes(pl.col("line"))
    )
    line = pl.col("line")
    text = line.str.slice(form.width)
    stamps = line.str.slice(0, form.width - 1)
    ends = frame.select(stamps.min().alias("lo"), stamps.max().alias("hi")).row(0)
    counts = Counts()
    counts.styles[form.style] += lines.len()
    sums = _line_sums(frame.lazy(), text, form.ns(line), form.stamp)
    return Prepared(
        lines.len(), counts, 0, sums.kinds, form.text_ns(ends[0]), form.text_ns(ends[1]),
        sums.categories, sums.status, sums.alerts, sums.arrivals, sums.truncated,
    )  # fmt: skip


def _prepare_general(
    lines: pl.Series, local_to_unix: LocalToUnix, window: Window, export: bool
) -> Prepared:
    frame, counts = parse_lines(lines, local_to_unix)
    foreign = int((frame["style"] == _FOREIGN).sum())
    frame = frame.filter(pl.col("style") != _FOREIGN).rename({"i": "ln"})
    frame = frame.with_columns(pl.col("ln").cast(pl.Int64))
    keep = pl.lit(True)
    if window.since_ns is not None:
        keep = keep & (pl.col("ns").is_null() | (pl.col("ns") >= window.since_ns))
    if window.until_ns is not None:
        keep = keep & (pl.col("ns").is_null() | (pl.col("ns") < window.until_ns))
    frame = frame.filter(keep)
    # matchup's view of a line: its stamp as the classic conversions leave it, then the words.
    whole = pl.concat_str([pl.col("ts"), pl.lit(" "), pl.col("text")])
    frame = frame.with_columns(whole.alias("line")).with_columns(word_codes(pl.col("line")))
    ns = frame["ns"].drop_nulls()
    first = int(ns.min()) if ns.len() else None  # type: ignore[arg-type]
    last = int(ns.max()) if ns.len() else None  # type: ignore[arg-type]
    sums = _line_sums(frame.lazy(), pl.col("text"), pl.col("ns"), _identity)
    exported = None
    if export:
        exported = frame.select("ln", "style", "ns", "text").with_columns(categories(frame["text"]))
    return Prepared(
        lines.len(), counts, foreign, sums.kinds, first, last, sums.categories, sums.status,
        sums.alerts, sums.arrivals, sums.truncated, exported,
    )  # fmt: skip


@dataclass
class _Sums:
    kinds: Kinds
    categories: Counter[str]
    status: npt.NDArray[np.int64]
    alerts: list[tuple[int, int | None, str]]
    arrivals: list[tuple[int, int]]
    truncated: int


def _words(*words: str) -> pl.Expr:
    return pl.col("word").is_in([WORD[w] for w in words])


def _line_sums(frame: pl.LazyFrame, text: pl.Expr, ns: pl.Expr, stamp: Stamp) -> _Sums:
    """matchup's kinds and the statistics of single lines, from ``frame`` (``ln``, ``line``,
    ``word``) with the expressions for a line's words after the stamp and its time."""
    per_word = frame.group_by("word").agg(pl.len())
    fatal = frame.filter(_words("alert:")).select(
        pl.any_horizontal(*(text.str.starts_with(f) for f in _FATAL)).sum()
    )
    status = frame.filter(_words("status:")).select(text.alias("t"), ns.fill_null(-1).alias("ns"))
    # A status line says one of a few hundred things: each is read once, then joined back.
    said = (
        status.select(pl.col("t").unique())
        .with_columns(pl.col("t").str.split_exact(" ", 4).alias("w"))
        .unnest("w")
    )
    read = said.filter(
        (pl.col("field_1") == "local") & pl.col("field_2").is_not_null()
        & (pl.col("field_3") == "remote")
    ).select(
        "t",
        *(
            pl.col(f"field_{n}").str.split_exact("/", 1).struct.field(part)
            .cast(pl.Int64, strict=False).alias(f"{n}{part}")
            for n in (2, 4)
            for part in ("field_0", "field_1")
        ),
    ).drop_nulls()  # fmt: skip
    status = status.join(read, on="t", how="inner", maintain_order="left").drop("t")
    alerts = (
        frame.filter(_words("alert:", "warning:", "warn:"))
        .with_columns(text.alias("text"))
        .filter(
            pl.col("text").str.starts_with("alert: ")
            | pl.col("text").str.starts_with("warning: ")
            | pl.col("text").str.starts_with("warn: ")
        )
        .select("ln", ns.alias("ns"), "text")
    )
    arrivals = (
        frame.filter(_words("info"))
        .select(text.alias("text"), ns.alias("ns"))
        .filter(pl.col("text").str.starts_with("info msg ") & pl.col("ns").is_not_null())
        .group_by((pl.col("ns") // (MINUTE * _NS)).alias("minute"))
        .agg(pl.len())
    )
    truncated = (
        frame.filter(_words("delivery"))
        .select(text.alias("t"))
        .select(
            (
                pl.col("t").str.starts_with("delivery ")
                & ~pl.col("t").str.ends_with("/")
                & ~pl.col("t").str.contains(": report mangled", literal=True)
            ).sum()
        )
    )
    got = pl.collect_all([per_word, fatal, status, alerts, arrivals, truncated])
    kinds = extract(frame.collect(), stamp, lenient=True)
    categories: Counter[str] = Counter()
    for code, n in got[0].iter_rows():
        word = WORDS[code] if code < len(WORDS) else ""
        categories[CATEGORY.get(word, "other")] += n
    n_fatal = int(got[1].item() or 0)
    categories["serious"] -= n_fatal
    categories["fatal"] += n_fatal
    status_rows = got[2].to_numpy().astype(np.int64) if got[2].height else np.zeros((0, 5), int)
    return _Sums(
        kinds, categories, status_rows, list(got[3].iter_rows()), list(got[4].iter_rows()),
        int(got[5].item() or 0),
    )  # fmt: skip


def categories(text: pl.Series) -> pl.Series:
    """Each line's type, by its first word: the seed's six, or other."""
    first = text.str.split_exact(" ", 1).struct.field("field_0").fill_null("")
    kind = first.replace_strict(CATEGORY, default="other", return_dtype=pl.String)
    fatal = pl.any_horizontal(*(pl.col("t").str.starts_with(f) for f in _FATAL))
    return pl.DataFrame({"k": kind, "t": text}).select(
        pl.when(fatal).then(pl.lit("fatal")).otherwise("k").alias("type")
    )["type"]


# -- summing what matchup paired --


@dataclass
class Span:
    """The earliest and latest time among some rows: (text, value) as awk keeps them."""

    low: tuple[str, float]
    high: tuple[str, float]


@dataclass
class Summary:
    """A chunk's paired rows, summed (everything order-free) or listed in order (the sums
    awk adds one at a time, which the reader adds in log order)."""

    messages: int = 0
    #: per m row, in order: bytes, bytes * nk, qtime, nk + nd, nk + nd + nz
    m_values: tuple[F64, ...] = ()
    m_span: Span | None = None
    deliveries: int = 0
    succ: int = 0
    fail: int = 0
    #: per d row, in order: ddelay of the successes, xdelay of all
    ddelay: F64 = field(default_factory=lambda: np.zeros(0))
    xdelay: F64 = field(default_factory=lambda: np.zeros(0))
    d_span: Span | None = None
    #: the ddelays of the successes, counted by value
    ddelay_values: F64 = field(default_factory=lambda: np.zeros(0))
    ddelay_counts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    #: table name -> per-key sums of the chunk
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    #: (minute, slot, n): deliveries done per minute (slot 1 success, 2 failure, 3 deferral)
    done: list[tuple[int, int, int]] = field(default_factory=list)
    #: the d and m rows themselves (only when exporting)
    rows: tuple[pl.DataFrame, pl.DataFrame] | None = None


@dataclass
class Selection:
    """``--sender`` / ``--recipient``: exact sender (without ``<>``); ``chan.recip`` or bare
    address, lower case."""

    sender: str | None = None
    recipient: str | None = None

    def apply(self, d: pl.DataFrame, m: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        if self.sender is not None:
            wanted = f"<{self.sender}>"
            d = d.filter(pl.col("known") & (pl.col("sender") == wanted))
            m = m.filter(pl.col("sender") == wanted)
        if self.recipient is not None:
            target = self.recipient
            whole = pl.concat_str(["chan", pl.lit("."), "recip"])
            d = d.filter((whole == target) | (pl.col("recip") == target))
            # A message counts when one of its deliveries went to the recipient.
            keys = d.filter("known").select("birth", "sender", "qp").unique()
            m = m.join(keys, on=["birth", "sender", "qp"], how="semi")
        return d, m


def _seconds(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False).fill_null(0.0)


def _span(low_text: pl.Series, low: F64, high_text: pl.Series, high: F64) -> Span:
    i, j = int(np.argmin(low)), int(np.argmax(high))
    return Span((str(low_text[i]), float(low[i])), (str(high_text[j]), float(high[j])))


def summarize(result: Result, selection: Selection, export: bool) -> Summary:
    """Sum a chunk's d and m rows (the work that needs no other chunk)."""
    d = result.deliveries.filter(pl.col("prefix") != "?")
    d, m = selection.apply(d, result.messages)
    s = Summary()
    if m.height:
        v = m.select(
            _seconds("birth").alias("birth"), _seconds("done").alias("done"),
            *(pl.col(c).cast(pl.Float64) for c in ("bytes", "nk", "nd", "nz")),
        )  # fmt: skip
        birth, done = v["birth"].to_numpy(), v["done"].to_numpy()
        size, nk, nd, nz = (v[c].to_numpy() for c in ("bytes", "nk", "nd", "nz"))
        s.messages = m.height
        s.m_values = (size, size * nk, done - birth, nk + nd, nk + nd + nz)
        s.m_span = _span(m["birth"], birth, m["done"], done)
    if d.height:
        birth_text = d.select(pl.when("known").then("birth").otherwise("dstart"))
        v = d.select(
            _seconds("dstart").alias("dstart"), _seconds("ddone").alias("ddone"),
            birth_text.to_series().cast(pl.Float64, strict=False).fill_null(0.0).alias("b"),
        )  # fmt: skip
        dstart, ddone, birth = v["dstart"].to_numpy(), v["ddone"].to_numpy(), v["b"].to_numpy()
        ok = (d["prefix"] == "d k ").to_numpy()
        s.deliveries = d.height
        s.succ = int(ok.sum())
        s.fail = int((d["prefix"] == "d d ").sum())
        s.ddelay = (ddone - birth)[ok]
        s.xdelay = ddone - dstart
        s.d_span = _span(birth_text.to_series(), birth, d["ddone"], ddone)
        s.ddelay_values, s.ddelay_counts = np.unique(s.ddelay, return_counts=True)
    s.tables = _tables(d, m)
    s.done = _done(d)
    if export:
        s.rows = (d, m)
    return s


def _tables(d: pl.DataFrame, m: pl.DataFrame) -> dict[str, pl.DataFrame]:
    x = _seconds("ddone") - _seconds("dstart")
    ok = pl.col("prefix") == "d k "
    rows = d.lazy().with_columns(
        x.alias("x"),
        pl.concat_str(["chan", pl.lit("."), "recip"]).alias("to"),
        pl.col("recip").str.split("@").list.last().alias("host"),
    )
    per = [
        pl.when(ok).then(pl.col("bytes").cast(pl.Float64)).otherwise(0.0).sum().alias("sb"),
        (pl.col("prefix") != "d z ").sum().alias("mess"),
        pl.len().alias("tries"),
        pl.col("x").sum().alias("x"),
    ]
    sender_key = (
        pl.when("known")
        .then(pl.concat_str([pl.col("uid").cast(pl.String), pl.lit("/"), "sender"]))
        .otherwise(pl.lit("?/?"))
    )
    sent = (
        m.lazy()
        .with_columns(
            pl.concat_str([pl.col("uid").cast(pl.String), pl.lit("/"), "sender"]).alias("key"),
            pl.col("bytes").cast(pl.Float64).alias("b"),
        )
        .group_by("key")
        .agg(
            pl.len().alias("mess"),
            pl.col("b").sum(),
            (pl.col("b") * pl.col("nk")).sum().alias("sb"),
            (pl.col("nk") + pl.col("nd")).sum().alias("recips"),
            (pl.col("nk") + pl.col("nd") + pl.col("nz")).sum().alias("tries"),
        )
    )
    queries = {
        "recipients": rows.group_by("to").agg(per),
        "hosts": rows.group_by("host").agg(per),
        "deferrals": rows.filter(pl.col("prefix") == "d z ").group_by("reason")
        .agg(pl.len(), pl.col("x").sum()),
        "failures": rows.filter(pl.col("prefix") == "d d ").group_by("reason")
        .agg(pl.len(), pl.col("x").sum()),
        "senders": sent,
        "sender_xdelay": rows.group_by(sender_key.alias("key")).agg(pl.col("x").sum()),
    }  # fmt: skip
    return dict(zip(queries, pl.collect_all(list(queries.values())), strict=True))


def _done(d: pl.DataFrame) -> list[tuple[int, int, int]]:
    slot = {"d k ": 1, "d d ": 2, "d z ": 3}
    done = d.select(
        (pl.col("ddone").cast(pl.Float64, strict=False) // MINUTE).cast(pl.Int64).alias("m"),
        "prefix",
    ).drop_nulls()
    return [
        (minute, slot[prefix], n)
        for minute, prefix, n in done.group_by("m", "prefix").agg(pl.len()).iter_rows()
    ]
