"""matchup, column-wise: the same pairing as :mod:`~logwarden.qmail.matchup.line_engine`, a chunk
at a time.

matchup's rules restated over whole columns (``ln`` is the line's position):

- a delivery result R (number D) belongs to the latest ``starting delivery D`` line S before
  it, unless another result for D or a ``running``/``exiting`` line came in between (the
  first consumed S, the second forgot it); otherwise R is dropped;
- a message M is open at a line if its latest ``info msg M`` line I comes after its latest
  ``new msg M``/``end msg M`` line (both close an open M); R's message is M if open, its
  counts go to that I; an ``end msg M`` with M open prints the ``m`` line;
- ``extra M nk nz nd`` (from a pending file) sets the open message's counts.

Both are answered by sorting: the starts and results of a chunk by (D, ln), where a result
pairs with the row just before it if that row is a start of the same number; the infos,
kills, extras and paired results by (M, ln), where a row's message is the latest info before
it in its group unless a kill came after that info (a forward fill), and a message's counts
are running sums between its info (or extra) and the row. The state left open by one chunk
(:class:`State`: the open starts and infos as rows before the chunk's first line) enters the
next one, so chunked runs equal one run; it converts to and from the line engine's
:class:`~logwarden.qmail.matchup.line_engine.Matchup`, so the two engines can hand over to each
other.

Only the pairing (:func:`pair`) needs the state; reading a chunk
(:mod:`~logwarden.qmail.matchup.kinds`) and writing its output (:func:`format_output`) run in
worker threads, several chunks at a time (:func:`run`; polars works without the GIL).
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from logwarden.qmail.matchup.kinds import Kinds, Unsupported, extract, word_codes
from logwarden.qmail.matchup.line_engine import Delivery, Matchup, Message

__all__ = ["Kinds", "Result", "State", "Unsupported", "feed", "pair", "plain_enough", "run"]

_U64 = pl.UInt64
_START_COLUMNS = {"ln": pl.Int64, "D": _U64, "M": _U64, "dstart": pl.String,
                  "chan": pl.String, "recip": pl.String}  # fmt: skip
_INFO_COLUMNS = {"ln": pl.Int64, "M": _U64, "birth": pl.String, "bytes": _U64,
                 "sender": pl.String, "qp": _U64, "uid": _U64, "nk0": _U64, "nd0": _U64,
                 "nz0": _U64}  # fmt: skip
#: Result prefixes by code (0 success, 1 failure, 2 deferral or mangled report, 3 other).
PREFIXES = ("d k ", "d d ", "d z ", "?")


@dataclass
class State:
    """What is open between chunks: starts (``ln``, D, M, dstart, chan, recip) and infos
    (``ln``, M, birth, bytes, sender, qp, uid, and the counts nk0, nd0, nz0), in log order,
    with negative line positions (they come before any line of the next chunk)."""

    starts: pl.DataFrame
    infos: pl.DataFrame

    @classmethod
    def empty(cls) -> State:
        return cls(pl.DataFrame(schema=_START_COLUMNS), pl.DataFrame(schema=_INFO_COLUMNS))

    @classmethod
    def of(cls, engine: Matchup) -> State:
        """The line engine's open state as rows."""
        dels = list(engine.deliveries.items())
        msgs = list(engine.messages.items())

        def text(values: list[bytes]) -> pl.Series:
            return pl.Series([v.decode("latin-1") for v in values], dtype=pl.String)

        def num(values: list[int]) -> pl.Series:
            return pl.Series(values, dtype=_U64)

        starts = pl.DataFrame({
            "ln": pl.Series(range(-len(dels) - 1, -1), dtype=pl.Int64),
            "D": num([d for d, _ in dels]), "M": num([x.msg for _, x in dels]),
            "dstart": text([x.start for _, x in dels]),
            "chan": text([x.channel for _, x in dels]),
            "recip": text([x.recipient for _, x in dels]),
        })  # fmt: skip
        infos = pl.DataFrame({
            "ln": pl.Series(range(-len(msgs) - 1, -1), dtype=pl.Int64),
            "M": num([m for m, _ in msgs]), "birth": text([x.birth for _, x in msgs]),
            "bytes": num([x.size for _, x in msgs]), "sender": text([x.sender for _, x in msgs]),
            "qp": num([x.qp for _, x in msgs]), "uid": num([x.uid for _, x in msgs]),
            "nk0": num([x.nk for _, x in msgs]), "nd0": num([x.nd for _, x in msgs]),
            "nz0": num([x.nz for _, x in msgs]),
        })  # fmt: skip
        return cls(starts, infos)

    def store(self, engine: Matchup) -> None:
        """Hand the open state to the line engine (replacing its own)."""
        engine.deliveries = {
            d: Delivery(m, start.encode("latin-1"), chan.encode("latin-1"), rc.encode("latin-1"))
            for d, m, start, chan, rc in self.starts.select(
                "D", "M", "dstart", "chan", "recip"
            ).iter_rows()
        }
        engine.messages = {
            m: Message(birth.encode("latin-1"), size, sender.encode("latin-1"), qp, uid, nk, nd, nz)
            for m, birth, size, sender, qp, uid, nk, nd, nz in self.infos.select(
                "M", "birth", "bytes", "sender", "qp", "uid", "nk0", "nd0", "nz0"
            ).iter_rows()
        }

    @property
    def open_messages(self) -> int:
        return self.infos.height

    @property
    def open_deliveries(self) -> int:
        return self.starts.height


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


I64 = npt.NDArray[np.int64]


def _before(flag: npt.NDArray[np.bool_], strictly: bool) -> I64:
    """For each row, the last row (before it, or up to it) where ``flag`` holds; -1 if none."""
    rows = np.where(flag, np.arange(len(flag), dtype=np.int64), -1)
    last = np.maximum.accumulate(rows) if len(rows) else rows
    if not strictly:
        return last
    return np.concatenate(([-1], last[:-1])) if len(last) else last


def _by_key_then_line(key: np.ndarray, ln: I64) -> I64:
    """The order of rows by ``key`` (a number), then by line: one integer sort of both
    packed into one word when they fit (they nearly always do), two passes otherwise."""
    if len(key) == 0:
        return np.zeros(0, np.int64)
    low = int(ln.min())
    bits = max(int(ln.max()) - low, 1).bit_length()
    if int(key.max()) < 1 << (62 - bits):
        packed = (key.astype(np.int64) << bits) | (ln - low)
        return np.argsort(packed)
    return np.lexsort((ln, key))


def _pair_deliveries(
    starts: pl.DataFrame, results: pl.DataFrame, clears: I64
) -> tuple[I64, I64, I64]:
    """Which results pair with which starts: (result rows, their start rows), in result
    order, and the start rows still open after the chunk, in log order."""
    n_s = starts.height
    key = np.concatenate([starts["D"].to_numpy(), results["D"].to_numpy()])
    ln = np.concatenate([starts["ln"].to_numpy(), results["ln"].to_numpy()])
    order = _by_key_then_line(key, ln)
    key, ln = key[order], ln[order]
    is_start = order < n_s
    same_as_before = np.zeros(len(order), dtype=bool)
    same_as_before[1:] = key[1:] == key[:-1]
    # A result pairs with the row just before it if that row is a start of the same number.
    hit = np.flatnonzero(~is_start & same_as_before & np.concatenate(([False], is_start[:-1])))
    r_rows, s_rows = order[hit] - n_s, order[hit - 1]
    if len(clears) and len(hit):
        # No running/exiting line between the start and its result.
        kept = np.searchsorted(clears, ln[hit - 1]) == np.searchsorted(clears, ln[hit])
        r_rows, s_rows = r_rows[kept], s_rows[kept]
    by_result = np.argsort(r_rows)
    last = np.ones(len(order), dtype=bool)
    last[:-1] = key[1:] != key[:-1]
    still = last & is_start
    if len(clears):
        still &= ln > clears[-1]
    return r_rows[by_result], s_rows[by_result], np.sort(order[still])


#: Kinds of rows in the message stream.
_INFO, _NEW, _END, _RESULT, _EXTRA = range(5)


def _column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy() if frame.height else np.zeros(0, np.uint64)


def pair(state: State, kinds: Kinds) -> tuple[Result, State]:
    """The stateful half of the column engine: pair, count, and say what stays open."""
    starts = pl.concat([state.starts, kinds.starts])
    zeros = pl.lit(0, _U64)
    infos = pl.concat([
        state.infos,
        kinds.infos.select(*(c for c in _INFO_COLUMNS if c[0] != "n"), zeros.alias("nk0"),
                           zeros.alias("nd0"), zeros.alias("nz0")),
    ])  # fmt: skip
    results = kinds.results
    r_rows, s_rows, open_s = _pair_deliveries(starts, results, kinds.clears)
    kills, extras = kinds.kills, kinds.extras
    codes = results["code"].to_numpy()[r_rows]

    # -- messages: one stream of infos, kills, paired results and extras, by (M, ln) --
    parts = (
        (infos, _column(infos, "M"), None),
        (kills, _column(kills, "M"), None),
        (None, _column(starts, "M")[s_rows], r_rows),
        (extras, _column(extras, "M"), None),
    )
    sizes = [len(m) for _, m, _ in parts]
    key = np.concatenate([m.astype(np.uint64) for _, m, _ in parts])
    ln = np.concatenate([
        _column(infos, "ln"), _column(kills, "ln"), _column(results, "ln")[r_rows],
        _column(extras, "ln"),
    ]).astype(np.int64)  # fmt: skip
    kind = np.concatenate([
        np.full(sizes[0], _INFO, np.int8),
        np.where(kills["is_end"].to_numpy(), _END, _NEW).astype(np.int8) if sizes[1]
        else np.zeros(0, np.int8),
        np.full(sizes[2], _RESULT, np.int8), np.full(sizes[3], _EXTRA, np.int8),
    ])  # fmt: skip
    ref = np.concatenate([np.arange(n, dtype=np.int64) for n in sizes])
    code = np.concatenate([np.full(sizes[0] + sizes[1], 3, np.int8), codes.astype(np.int8),
                           np.full(sizes[3], 3, np.int8)])  # fmt: skip
    order = _by_key_then_line(key, ln)
    key, kind, ref, code = key[order], kind[order], ref[order], code[order]

    is_info = kind == _INFO
    marker = is_info | (kind == _NEW) | (kind == _END)
    # A row's message: the latest info of its number before it, unless a kill came since.
    prior = _before(marker, strictly=True)
    inst = np.where((prior >= 0) & (key[np.maximum(prior, 0)] == key) & is_info[prior], prior, -1)
    upto = _before(marker, strictly=False)
    inst_after = np.where((upto >= 0) & (key[np.maximum(upto, 0)] == key) & is_info[upto],
                          upto, -1)  # fmt: skip
    last = np.ones(len(key), dtype=bool)
    last[:-1] = key[1:] != key[:-1]
    # Counts: those of the info (or of the latest extra) plus the results since.
    counted = (kind == _RESULT) & (inst >= 0)
    running = [np.cumsum(counted & (code == c)) for c in (0, 1, 2)]
    anchor = np.maximum(_before(is_info | ((kind == _EXTRA) & (inst >= 0)), strictly=False), 0)
    info_base = infos.select("nk0", "nd0", "nz0").to_numpy().astype(np.int64).reshape(-1, 3)
    extra_base = extras.select("xk", "xd", "xz").to_numpy().astype(np.int64).reshape(-1, 3)

    def counts(rows: I64) -> I64:
        at = anchor[rows]
        from_info = kind[at] == _INFO
        base = np.zeros((len(rows), 3), dtype=np.int64)
        base[from_info] = info_base[ref[at[from_info]]]
        base[~from_info] = extra_base[ref[at[~from_info]]]
        since: I64 = np.stack([r[rows] - r[at] for r in running], axis=1)
        return base + since

    info_ref = np.where(inst >= 0, ref[np.maximum(inst, 0)], -1)
    ended = np.flatnonzero((kind == _END) & (inst >= 0))
    ended = ended[np.argsort(ref[ended])]
    in_d = np.flatnonzero(kind == _RESULT)
    in_d = in_d[np.argsort(ref[in_d])]
    kept = np.flatnonzero(last & (inst_after >= 0))
    kept_refs = ref[inst_after[kept]]
    by_log = np.argsort(kept_refs)
    kept, kept_refs = kept[by_log], kept_refs[by_log]

    info_cols = ("birth", "bytes", "sender", "qp", "uid")
    m_counts = counts(ended)
    messages = pl.concat(
        [
            kills[ref[ended]].select("ln", "done"),
            infos[info_ref[ended]].select(*info_cols),
            pl.DataFrame({n: pl.Series(m_counts[:, i], dtype=_U64)
                          for i, n in enumerate(("nk", "nd", "nz"))}),
        ],
        how="horizontal",
    ).select("ln", "birth", "done", "bytes", "nk", "nd", "nz", "sender", "qp", "uid")  # fmt: skip
    d_info = info_ref[in_d]
    known = d_info >= 0
    found = (
        infos[np.maximum(d_info, 0)].select(*info_cols)
        if infos.height
        else (pl.DataFrame(schema={c: _INFO_COLUMNS[c] for c in info_cols}).clear(len(d_info)))
    )
    paired = pl.concat(
        [
            results[r_rows].select("ln", "code", "ddone", "reason"),
            starts[s_rows].select("dstart", "chan", "recip"),
            found,
            pl.DataFrame({"known": known}),
        ],
        how="horizontal",
    )  # fmt: skip
    deliveries = paired.select(
        "ln", pl.col("code").replace_strict(dict(enumerate(PREFIXES)), return_dtype=pl.String)
        .alias("prefix"),
        pl.when("known").then("birth").alias("birth"), "dstart", "ddone",
        pl.when("known").then("bytes").alias("bytes"),
        pl.when("known").then("sender").alias("sender"), "chan", "recip",
        pl.when("known").then("qp").alias("qp"), pl.when("known").then("uid").alias("uid"),
        "reason", "known",
    )  # fmt: skip
    kept_counts = counts(kept)
    kept_infos = pl.concat(
        [
            infos[kept_refs].select("M", *info_cols),
            pl.DataFrame({n: pl.Series(kept_counts[:, i], dtype=_U64)
                          for i, n in enumerate(("nk0", "nd0", "nz0"))}),
        ],
        how="horizontal",
    )  # fmt: skip
    new_state = State(_renumber(starts[open_s]), _renumber(kept_infos))
    return Result(deliveries, messages, kinds.others), new_state


def _renumber(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows kept for the next chunk: positions -n-1 .. -2, in the same order."""
    ln = pl.int_range(pl.len(), dtype=pl.Int64) - pl.len().cast(pl.Int64) - 1
    columns = [c for c in frame.columns if c != "ln"]
    return frame.select(ln.alias("ln"), *columns)


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


def single_spaced(data: bytes) -> bool:
    """:func:`plain_enough`, the fast way: a pair of bytes up to the space anywhere (two
    blanks in a row, a blank at the edge of a line, an empty line, a control byte) is rare
    in qmail's logs, and only then are the bytes looked at closely."""
    if b"\t" in data or b"\r" in data or data.startswith(b" "):
        return False
    low = np.frombuffer(data, np.uint8) <= 32
    if not bool(np.logical_and(low[1:], low[:-1]).any()):
        return True
    return plain_enough(data)


def chunk_lines(data: bytes) -> pl.DataFrame | None:
    """A chunk's lines with their positions (``ln``) and verb codes (``word``); None when
    the bytes are not UTF-8."""
    try:
        lines = pl.read_lines(io.BytesIO(data))["line"]
    except pl.exceptions.ComputeError:
        return None
    return pl.DataFrame({"line": lines}).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("ln"), word_codes(pl.col("line"))
    )


@dataclass
class Prepared:
    """A chunk read and sorted by verb; ``others`` carry their line's text."""

    kinds: Kinds


def prepare(data: bytes) -> Prepared | None:
    """A chunk of whole lines read and sorted by verb, or None when only the line engine
    reproduces matchup.c on it (not ASCII, blanks other than single spaces, odd numbers)."""
    if not data or not data.isascii() or not single_spaced(data):
        return None
    lines = chunk_lines(data)
    if lines is None:
        return None
    try:
        return Prepared(extract(lines))
    except Unsupported:
        return None


def format_output(result: Result) -> bytes:
    """matchup's output for a chunk, in line order."""
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
    m_text = result.messages.select(
        "ln",
        pl.concat_str([
            pl.lit("m "), "birth", pl.lit(" "), "done", pl.lit(" "),
            *[x for c in ("bytes", "nk", "nd", "nz") for x in (pl.col(c).cast(pl.String),
                                                                 pl.lit(" "))],
            "sender", pl.lit(" "), pl.col("qp").cast(pl.String), pl.lit(" "),
            pl.col("uid").cast(pl.String)]).alias("out"),
    )  # fmt: skip
    o_text = result.others.select(
        "ln",
        pl.when(pl.col("kind") == "Q").then(pl.lit("? ") + pl.col("text")).otherwise("text")
        .alias("out"),
    )  # fmt: skip
    every = pl.concat([d_text, m_text, o_text]).sort("ln").select("out")
    if every.height == 0:
        return b""
    # One column of text, no header, no quoting: the lines as they are, each with "\n".
    out = io.BytesIO()
    every.write_csv(out, include_header=False, quote_style="never")
    return out.getvalue()


def feed(engine: Matchup, data: bytes) -> bytes:
    """matchup's output for ``data`` (whole lines), updating ``engine``'s open state.

    Column-wise when the chunk is plain ASCII text with single spaces between words (what
    qmail-send and its loggers write); line by line otherwise, with the same result.
    """
    got = prepare(data)
    if got is None:
        out, _rest = engine.feed(data)
        return b"".join(out)
    result, state = pair(State.of(engine), got.kinds)
    state.store(engine)
    return format_output(result)


#: Below this, a block goes to the line engine (starting polars costs more than it saves).
SMALL = 1 << 20
#: Chunks read ahead of the pairing, and outputs written behind it (memory holds this many
#: chunks in their column form at once).
AHEAD = 2


def _done(value: bytes) -> Future[bytes]:
    future: Future[bytes] = Future()
    future.set_result(value)
    return future


def run(engine: Matchup, blocks: Iterator[bytes]) -> Iterator[bytes]:
    """matchup's output for consecutive blocks of whole lines, in order. Two worker threads
    read blocks ahead and write outputs behind; only the pairing is done in turn here.
    ``engine`` holds the open state at the end."""
    state: State | None = None
    source = iter(blocks)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reads: deque[tuple[bytes, Future[Prepared | None] | None]] = deque()
        writes: deque[Future[bytes]] = deque()

        def fill() -> None:
            while len(reads) < AHEAD:
                block = next(source, None)
                if block is None:
                    return
                ahead = pool.submit(prepare, block) if len(block) >= SMALL else None
                reads.append((block, ahead))

        fill()
        while reads:
            block, ahead = reads.popleft()
            got = ahead.result() if ahead is not None else None
            fill()
            if got is None:
                if state is not None:
                    state.store(engine)
                    state = None
                writes.append(_done(b"".join(engine.feed(block)[0])))
            else:
                if state is None:
                    state = State.of(engine)
                result, state = pair(state, got.kinds)
                writes.append(pool.submit(format_output, result))
            while writes and (writes[0].done() or len(writes) > AHEAD):
                yield writes.popleft().result()
        while writes:
            yield writes.popleft().result()
    if state is not None:
        state.store(engine)
