"""matchup, column-wise: the same pairing as :mod:`logwarden.qmail.matchup`, a chunk at a time.

matchup's rules restated over whole columns (``ln`` is the line's position):

- a delivery result R (number D) belongs to the latest ``starting delivery D`` line S before
  it, unless another result for D or a ``running``/``exiting`` line came in between (the
  first consumed S, the second forgot it); otherwise R is dropped;
- a message M is open at a line if its latest ``info msg M`` line I comes after its latest
  ``new msg M``/``end msg M`` line (both close an open M); R's message is M if open, its
  counts go to that I; an ``end msg M`` with M open prints the ``m`` line;
- ``extra M nk nz nd`` (from a pending file) sets the open message's counts.

Both are ``join_asof`` lookups (latest row before, per key) plus a few comparisons of line
positions. The state left open by one chunk (the same :class:`Message` and
:class:`Delivery` records the line engine keeps) enters the next chunk as rows before its
first line, so chunked runs equal one run, and the two engines can hand over to each other.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from logwarden.qmail.matchup import Delivery, Matchup, Message

#: matchup's verbs (the word after the timestamp) and what each line is to it.
_VERBS = {
    "status:": "Z", "starting": "S", "delivery": "R", "new": "K", "end": "E", "info": "I",
    "extra": "X", "running": "C", "exiting": "C", "number": "Z", "local": "Z",
    "remote": "Z", "warning:": "W", "alert:": "W",
}  # fmt: skip


class Unsupported(Exception):
    """A chunk the column engine cannot reproduce exactly (the line engine takes it)."""


@dataclass
class Result:
    """What one chunk produced: d and m rows (columns), and the lines to copy or mark."""

    #: ln, prefix ("d k ", "d d ", "d z " or "?"), birth, dstart, ddone, bytes, sender, chan,
    #: recip, qp, uid, reason, known (the message was open).
    deliveries: pl.DataFrame
    #: ln, birth, done, bytes, nk, nd, nz, sender, qp, uid.
    messages: pl.DataFrame
    #: ln and kind ("W": copied, "Q": printed after "? ") of the other output lines.
    others: pl.DataFrame


def _word(n: int) -> pl.Expr:
    return pl.col(f"field_{n}").fill_null("")


def _num(n: int, lenient: bool = False) -> pl.Expr:
    """C's scan_ulong of word ``n``: 0 unless it starts with a digit. ``lenient`` reads
    the leading digits of any word (a number past 2**64 then counts as 0)."""
    word = _word(n)
    if lenient:
        digits = word.str.extract("^([0-9]+)", 1)
        return digits.cast(pl.UInt64, strict=False).fill_null(0)
    return (
        pl.when(word.str.contains("^[0-9]"))
        .then(word.str.strip_suffix(":").cast(pl.UInt64, strict=False))
        .otherwise(pl.lit(0, pl.UInt64))
    )


def _odd(*ns: int) -> pl.Expr:
    """Rows where some numeric word is not plain digits (``12x``, 20 digits): only the line
    engine reads those exactly."""
    checks = [
        _word(n).str.contains("^[0-9]") & ~_word(n).str.contains("^[0-9]{1,19}:?$") for n in ns
    ]
    return pl.any_horizontal(checks)


def _split(base: pl.LazyFrame, where: pl.Expr, words: int) -> pl.LazyFrame:
    return (
        base.filter(where)
        .select("ln", "ts", pl.col("text").str.split_exact(" ", words).alias("w"))
        .unnest("w")
    )


def _state_rows(
    engine: Matchup,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The open deliveries and messages as rows before the chunk (negative positions)."""
    dels = list(engine.deliveries.items())
    msgs = list(engine.messages.items())
    s = pl.DataFrame(
        {
            "ln": pl.Series(range(-len(dels) - 1, -1), dtype=pl.Int64),
            "D": pl.Series([d for d, _ in dels], dtype=pl.UInt64),
            "M": pl.Series([x.msg for _, x in dels], dtype=pl.UInt64),
            "dstart": pl.Series([x.start.decode("latin-1") for _, x in dels], dtype=pl.String),
            "chan": pl.Series([x.channel.decode("latin-1") for _, x in dels], dtype=pl.String),
            "recip": pl.Series([x.recipient.decode("latin-1") for _, x in dels], dtype=pl.String),
        }
    )
    i = pl.DataFrame(
        {
            "ln": pl.Series(range(-len(msgs) - 1, -1), dtype=pl.Int64),
            "M": pl.Series([m for m, _ in msgs], dtype=pl.UInt64),
            "birth": pl.Series([x.birth.decode("latin-1") for _, x in msgs], dtype=pl.String),
            "bytes": pl.Series([x.size for _, x in msgs], dtype=pl.UInt64),
            "sender": pl.Series([x.sender.decode("latin-1") for _, x in msgs], dtype=pl.String),
            "qp": pl.Series([x.qp for _, x in msgs], dtype=pl.UInt64),
            "uid": pl.Series([x.uid for _, x in msgs], dtype=pl.UInt64),
            "nk0": pl.Series([x.nk for _, x in msgs], dtype=pl.UInt64),
            "nd0": pl.Series([x.nd for _, x in msgs], dtype=pl.UInt64),
            "nz0": pl.Series([x.nz for _, x in msgs], dtype=pl.UInt64),
        }
    )
    return s, i


def _last_before(keys: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each position in ``at``, the latest of the sorted ``keys`` before it (or -2**62)."""
    idx = np.searchsorted(keys, at, side="left")
    padded = np.concatenate([[-(1 << 62)], keys])
    return padded[idx]


@dataclass
class Kinds:
    """A chunk's lines sorted by matchup's verbs, their words read (no state needed yet)."""

    starts: pl.DataFrame
    infos: pl.DataFrame
    results: pl.DataFrame
    kills: pl.DataFrame
    extras: pl.DataFrame
    clears: pl.DataFrame
    others: pl.DataFrame


def run_chunk(engine: Matchup, ln: pl.Series, ts: pl.Series, text: pl.Series) -> Result:
    """Pair the lines of one chunk, starting from and updating ``engine``'s open state.

    ``ts`` is each line's first field (its timestamp) and ``text`` the rest of its words,
    separated by single spaces. Raises :class:`Unsupported` (before touching the state)
    for the rare input only the line engine reproduces.
    """
    return pair(engine, extract(ln, ts, text))


def extract(ln: pl.Series, ts: pl.Series, text: pl.Series, lenient: bool = False) -> Kinds:
    """The state-free half of :func:`run_chunk` (it may run ahead, in another thread).

    A number that is not plain digits raises :class:`Unsupported`, unless ``lenient``
    (the report's case), where its leading digits are read as such.
    """
    # Each line's verb (its first word after the timestamp) decides what matchup does with
    # it; it is looked up once, then every query filters on the small code.
    verb = pl.col("text").str.splitn(" ", 2).struct.field("field_0").fill_null("")
    code = verb.replace_strict(_VERBS, default="Q", return_dtype=pl.String).alias("code")
    source = pl.DataFrame({"ln": ln, "ts": ts, "text": text}).lazy().with_columns(code)
    source = source.collect().lazy()

    def kind(*codes: str) -> pl.Expr:
        return pl.col("code").is_in(list(codes)) if len(codes) > 1 else pl.col("code") == codes[0]

    def num(n: int) -> pl.Expr:
        return _num(n, lenient)

    queries = [
        _split(source, kind("S"), 7).select(
            "ln", num(2).alias("D"), num(4).alias("M"), pl.col("ts").alias("dstart"),
            _word(6).alias("chan"), _word(7).str.to_lowercase().alias("recip"),
            _odd(2, 4).alias("odd")),
        _split(source, kind("I"), 10).select(
            "ln", num(2).alias("M"), pl.col("ts").alias("birth"), num(4).alias("bytes"),
            _word(6).str.to_lowercase().alias("sender"), num(8).alias("qp"),
            num(10).alias("uid"), _odd(2, 4, 8, 10).alias("odd")),
        _split(source, kind("R"), 3).select(
            "ln", num(1).alias("D"), pl.col("ts").alias("ddone"), _word(2).alias("word"),
            _word(3).alias("w3"), _odd(1).alias("odd")),
        _split(source, kind("K", "E"), 2).select(
            "ln", num(2).alias("M"), (_word(0) == "end").alias("is_end"),
            pl.col("ts").alias("done"), _odd(2).alias("odd")),
        _split(source, kind("X"), 4).select(
            "ln", num(1).alias("M"), num(2).alias("xk"), num(3).alias("xz"),
            num(4).alias("xd"), _odd(1, 2, 3, 4).alias("odd")),
        source.filter(kind("C")).select("ln"),
        source.filter(kind("W", "Q")).select("ln", pl.col("code").alias("kind")),
    ]  # fmt: skip
    kinds = Kinds(*pl.collect_all(queries))
    if not lenient:
        for frame in (kinds.starts, kinds.infos, kinds.results, kinds.kills, kinds.extras):
            if bool(frame["odd"].any()):
                raise Unsupported("a number that is not plain digits")
    return kinds


def pair(engine: Matchup, kinds: Kinds) -> Result:
    """The stateful half of :func:`run_chunk`: pair, count, and carry the open state."""
    s_new, i_new, r_rows, k_rows = kinds.starts, kinds.infos, kinds.results, kinds.kills
    x_rows, c_rows, others = kinds.extras, kinds.clears, kinds.others
    s0, i0 = _state_rows(engine)
    starts = pl.concat([s0, s_new.drop("odd")])
    zeros = pl.lit(0, pl.UInt64)
    infos = pl.concat([
        i0, i_new.drop("odd").with_columns(zeros.alias("nk0"), zeros.alias("nd0"),
                                           zeros.alias("nz0"))])  # fmt: skip
    word = pl.col("word")
    prefix = (
        pl.when(word.str.starts_with("succ")).then(pl.lit("d k "))
        .when(word.str.starts_with("fail")).then(pl.lit("d d "))
        .when(word.str.starts_with("defer")).then(pl.lit("d z "))
        .when(word.str.starts_with("report")).then(pl.lit("d z "))
        .otherwise(pl.lit("?"))
    )  # fmt: skip
    reason = (
        pl.when(word.str.starts_with("report")).then(pl.lit("report_mangled"))
        .when(prefix == "?").then(pl.lit(""))
        .otherwise(pl.col("w3"))
    )  # fmt: skip
    results = r_rows.select("ln", "D", "ddone", prefix.alias("prefix"), reason.alias("reason"))
    kills = k_rows.select("ln", "M")
    ends = k_rows.filter("is_end").select("ln", "M", "done")
    extras = x_rows.drop("odd")
    clears = c_rows["ln"].to_numpy()

    # -- deliveries: the latest start of the same number, not consumed, not cleared --
    starts = starts.sort("ln").with_columns(pl.col("ln").alias("s_ln"))
    results = results.sort("ln").with_columns(pl.col("ln").shift(1).over("D").alias("prev_r"))
    paired = results.join_asof(starts, on="ln", by="D", strategy="backward", check_sortedness=False)
    last_clear = _last_before(clears, paired["ln"].to_numpy())
    s_ln = paired["s_ln"]
    valid = (
        s_ln.is_not_null()
        & (paired["prev_r"].is_null() | (paired["prev_r"] < s_ln))
        & pl.Series(last_clear < s_ln.fill_null(-(1 << 62)).to_numpy())
    )
    paired = paired.filter(valid)

    # -- messages: open iff the latest info is after the latest new/end --
    infos = infos.sort("ln").with_columns(pl.col("ln").alias("i_ln"))
    kills = kills.sort("ln").with_columns(pl.col("ln").alias("k_ln"))

    def lookup(rows: pl.DataFrame, exact: bool = True) -> pl.DataFrame:
        rows = rows.join_asof(infos, on="ln", by="M", strategy="backward", check_sortedness=False)
        rows = rows.join_asof(
            kills.select("ln", "M", "k_ln"), on="ln", by="M", strategy="backward",
            allow_exact_matches=exact, check_sortedness=False,
        )  # fmt: skip
        alive = pl.col("i_ln").is_not_null() & (
            pl.col("k_ln").is_null() | (pl.col("k_ln") < pl.col("i_ln"))
        )
        return rows.with_columns(pl.when(alive).then(pl.col("i_ln")).alias("inst"))

    paired = lookup(paired)
    ended = lookup(ends.sort("ln"), exact=False)
    extras = lookup(extras.sort("ln")).filter(pl.col("inst").is_not_null())
    base = (
        extras.group_by("inst")
        .agg(pl.all().sort_by("ln").last())
        .select("inst", pl.col("ln").alias("x_ln"), "xk", "xz", "xd")
    )
    counted = (
        paired.filter(pl.col("inst").is_not_null() & (pl.col("prefix") != "?"))
        .join(base.select("inst", "x_ln"), on="inst", how="left")
        .filter(pl.col("x_ln").is_null() | (pl.col("ln") > pl.col("x_ln")))
        .group_by("inst")
        .agg(
            (pl.col("prefix") == "d k ").sum().cast(pl.UInt64).alias("ck"),
            (pl.col("prefix") == "d d ").sum().cast(pl.UInt64).alias("cd"),
            (pl.col("prefix") == "d z ").sum().cast(pl.UInt64).alias("cz"),
        )
    )

    def totals(rows: pl.DataFrame) -> pl.DataFrame:
        rows = rows.join(counted, on="inst", how="left").join(base, on="inst", how="left")
        start = pl.col("x_ln").is_not_null()
        return rows.with_columns(
            (pl.when(start).then("xk").otherwise("nk0") + pl.col("ck").fill_null(0)).alias("nk"),
            (pl.when(start).then("xd").otherwise("nd0") + pl.col("cd").fill_null(0)).alias("nd"),
            (pl.when(start).then("xz").otherwise("nz0") + pl.col("cz").fill_null(0)).alias("nz"),
        )

    m_out = totals(ended.filter(pl.col("inst").is_not_null())).select(
        "ln", "birth", "done", "bytes", "nk", "nd", "nz", "sender", "qp", "uid"
    )
    d_out = paired.select(
        "ln", "prefix", "birth", "dstart", "ddone", "bytes", "sender", "chan", "recip", "qp",
        "uid", "reason", pl.col("inst").is_not_null().alias("known"),
    )  # fmt: skip

    _carry(engine, starts, results, clears, infos, kills, counted, base, totals)
    return Result(d_out, m_out, others)


def _carry(
    engine: Matchup,
    starts: pl.DataFrame,
    results: pl.DataFrame,
    clears: np.ndarray,
    infos: pl.DataFrame,
    kills: pl.DataFrame,
    counted: pl.DataFrame,
    base: pl.DataFrame,
    totals: object,
) -> None:
    """Replace ``engine``'s open state by what is open after the chunk, in log order."""
    last_s = starts.group_by("D").agg(pl.all().sort_by("ln").last())
    last_r = results.group_by("D").agg(pl.col("ln").max().alias("r_ln"))
    open_s = last_s.join(last_r, on="D", how="left").filter(
        pl.col("r_ln").is_null() | (pl.col("r_ln") < pl.col("ln"))
    )
    if len(clears):
        open_s = open_s.filter(pl.col("ln") > int(clears.max()))
    open_s = open_s.sort("ln")
    engine.deliveries = {
        d: Delivery(m, start.encode("latin-1"), chan.encode("latin-1"), rc.encode("latin-1"))
        for d, m, start, chan, rc in open_s.select("D", "M", "dstart", "chan", "recip").rows()
    }
    last_i = infos.group_by("M").agg(pl.all().sort_by("ln").last())
    last_k = kills.group_by("M").agg(pl.col("ln").max().alias("kill"))
    open_i = (
        last_i.join(last_k, on="M", how="left")
        .filter(pl.col("kill").is_null() | (pl.col("kill") < pl.col("ln")))
        .with_columns(pl.col("i_ln").alias("inst"))
    )
    open_i = totals(open_i).sort("ln")  # type: ignore[operator]
    engine.messages = {
        m: Message(birth.encode("latin-1"), size, sender.encode("latin-1"), qp, uid, nk, nd, nz)
        for m, birth, size, sender, qp, uid, nk, nd, nz in open_i.select(
            "M", "birth", "bytes", "sender", "qp", "uid", "nk", "nd", "nz"
        ).rows()
    }


def classic_columns(lines: pl.Series) -> tuple[pl.Series, pl.Series]:
    """matchup's view of raw lines: the first word (the timestamp) and the other words.

    Only for lines whose words are separated by single spaces (see :func:`plain_enough`).
    """
    parts = lines.str.splitn(" ", 2).struct.unnest()
    return parts["field_0"].fill_null(""), parts["field_1"].fill_null("")


def plain_enough(data: bytes) -> bool:
    """Whether a chunk's words are all separated by single spaces (what qmail writes):
    no tabs, no runs of spaces, no leading or trailing spaces, no carriage returns."""
    return not (
        data.startswith(b" ")
        or b"\t" in data
        or b"  " in data
        or b"\n " in data
        or b" \n" in data
        or b"\r" in data
    )


def format_output(result: Result, lines: pl.Series, first_ln: int) -> bytes:
    """matchup's output for a chunk, in line order (``lines`` are the chunk's raw lines)."""
    d = result.deliveries
    known = pl.col("known")
    d_text = d.select(
        "ln",
        pl.when(known)
        .then(pl.concat_str([
            "prefix", "birth", pl.lit(" "), "dstart", pl.lit(" "), "ddone", pl.lit(" "),
            pl.col("bytes").cast(pl.String), pl.lit(" "), "sender", pl.lit(" "), "chan",
            pl.lit("."), "recip", pl.lit(" "), pl.col("qp").cast(pl.String), pl.lit(" "),
            pl.col("uid").cast(pl.String), pl.lit(" "), "reason"]))
        .otherwise(pl.concat_str([
            "prefix", "dstart", pl.lit(" "), "dstart", pl.lit(" "), "ddone", pl.lit(" 0 ? "),
            "chan", pl.lit("."), "recip", pl.lit(" ? ? "), "reason"]))
        .alias("out"),
    )  # fmt: skip
    m = result.messages
    m_text = m.select(
        "ln",
        pl.concat_str([
            pl.lit("m "), "birth", pl.lit(" "), "done", pl.lit(" "),
            *[x for c in ("bytes", "nk", "nd", "nz") for x in (pl.col(c).cast(pl.String),
                                                                 pl.lit(" "))],
            "sender", pl.lit(" "), pl.col("qp").cast(pl.String), pl.lit(" "),
            pl.col("uid").cast(pl.String)]).alias("out"),
    )  # fmt: skip
    o = result.others
    raw = lines.gather((o["ln"] - first_ln).cast(pl.UInt32))
    o_text = pl.DataFrame({"ln": o["ln"], "out": _mark(o["kind"], raw)})
    every = pl.concat([d_text, m_text, o_text]).sort("ln")["out"]
    if every.len() == 0:
        return b""
    return (str(every.str.join("\n").item()) + "\n").encode()


def _mark(kind: pl.Series, raw: pl.Series) -> pl.Series:
    both = pl.DataFrame({"kind": kind, "raw": raw})
    line = pl.col("raw")
    return both.select(
        pl.when(pl.col("kind") == "Q").then(pl.lit("? ") + line).otherwise(line)
    ).to_series()


def prepared(data: bytes) -> tuple[pl.Series, Kinds] | None:
    """A chunk read and sorted by verb, or None when only the line engine can take it."""
    if not data or not data.isascii() or not plain_enough(data):
        return None
    try:
        lines = pl.read_lines(io.BytesIO(data))["line"]
        ts, text = classic_columns(lines)
        ln = pl.Series(np.arange(lines.len(), dtype=np.int64))
        return lines, extract(ln, ts, text)
    except (pl.exceptions.ComputeError, Unsupported):
        return None


def run(engine: Matchup, blocks: Iterator[bytes]) -> Iterator[bytes]:
    """matchup's output for consecutive blocks of whole lines. While one block is paired,
    the next is read and sorted in a second thread (polars works without the GIL)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead: Future[tuple[pl.Series, Kinds] | None] | None = None
        current: bytes | None = None
        for block in blocks:
            nxt = pool.submit(prepared, block) if len(block) >= SMALL else None
            if current is not None:
                yield _paired(engine, current, ahead)
            current, ahead = block, nxt
        if current is not None:
            yield _paired(engine, current, ahead)


#: Below this, a block goes to the line engine (starting polars costs more than it saves).
SMALL = 1 << 20


def _paired(
    engine: Matchup, data: bytes, ahead: Future[tuple[pl.Series, Kinds] | None] | None
) -> bytes:
    got = ahead.result() if ahead is not None else None
    if got is not None:
        lines, kinds = got
        return format_output(pair(engine, kinds), lines, 0)
    out, _ = engine.feed(data)
    return b"".join(out)


def feed(engine: Matchup, data: bytes) -> bytes:
    """matchup's output for ``data`` (whole lines), updating ``engine``'s open state.

    Column-wise when the chunk is plain UTF-8 text with single spaces between words (what
    qmail-send and its loggers write); line by line otherwise, with the same result.
    """
    if not data:
        return b""
    if data.isascii() and plain_enough(data):
        try:
            lines = pl.read_lines(io.BytesIO(data))["line"]
        except pl.exceptions.ComputeError:
            lines = None
        if lines is not None:
            ts, text = classic_columns(lines)
            ln = pl.Series(np.arange(lines.len(), dtype=np.int64))
            try:
                result = run_chunk(engine, ln, ts, text)
            except Unsupported:
                result = None
            if result is not None:
                return format_output(result, lines, 0)
    out, _rest = engine.feed(data)
    return b"".join(out)
