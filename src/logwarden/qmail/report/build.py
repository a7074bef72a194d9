"""``qmail report``: the whole analysis of qmail-send logs in one pass over raw lines.

Per chunk of log, in three steps: its lines are read and typed, matchup's kinds sorted out
and the statistics of single lines summed (:func:`~logwarden.qmail.report.chunk.prepare`,
state-free); matchup pairs them (:func:`~logwarden.qmail.matchup.column_engine.pair`, carrying
what is open to the next chunk: the one step taken chunk after chunk); the paired rows are
summed (:func:`~logwarden.qmail.report.chunk.summarize`, state-free). :func:`read` runs the
state-free steps in two worker threads, several chunks at a time (polars works without the
GIL), and folds each chunk's sums into the :class:`Report` in log order: zoverall's numbers
(added one at a time, as awk adds, so that they agree to the last digit with ``matchup |
zoverall``), the tops of senders, recipients, hosts and reasons, the delay distribution,
the queue's status lines, the alerts, and counts per minute for the timeline. Memory holds a
few chunks plus the aggregates, whatever the size of the logs.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from logwarden.qmail.alerts import Alert, collect
from logwarden.qmail.awk import f2, number
from logwarden.qmail.frame import Counts
from logwarden.qmail.grammar import parse
from logwarden.qmail.lines import LocalToUnix, process_local_time
from logwarden.qmail.matchup.column_engine import Result, State, pair
from logwarden.qmail.queue import Channel, QueueStats, advise
from logwarden.qmail.report.chunk import (
    MINUTE,
    Prepared,
    Selection,
    Span,
    Summary,
    Window,
    prepare,
    summarize,
)
from logwarden.qmail.report.parquet import Exporter
from logwarden.qmail.zreports.overall import Overall

__all__ = ["MINUTE", "Filters", "Reader", "Report", "Table", "read"]

F64 = npt.NDArray[np.float64]


def _seq(total: float, values: F64) -> float:
    """``total`` plus ``values`` added one at a time, left to right (as awk adds)."""
    if len(values) == 0:
        return total
    return float(np.cumsum(np.concatenate(([total], values)))[-1])


#: awk (mawk) prints whole numbers up to this as integers, others with %.6g.
_INT_MAX = 2**31 - 1


class Delays:
    """The ddelays of successful deliveries, counted by value as chunks come (numbers, in
    numpy), and written as awk prints them (``%.6g``) once, at the end."""

    def __init__(self) -> None:
        self._values: list[F64] = []
        self._counts: list[npt.NDArray[np.int64]] = []
        # What the end of the report computes, kept until more delays come (the text, the
        # JSON and the HTML page all ask for the table).
        self._word_frame: pl.DataFrame | None = None
        self._ddist: list[bytes] | None = None

    def add(self, values: F64, counts: npt.NDArray[np.int64]) -> None:
        """Count ``counts[i]`` more of each ``values[i]``."""
        if len(values) == 0:
            return
        self._values.append(values)
        self._counts.append(counts)
        self._word_frame = self._ddist = None
        if len(self._values) > 16:
            self._merge()

    def _merge(self) -> tuple[F64, npt.NDArray[np.int64]]:
        if not self._values:
            return np.zeros(0), np.zeros(0, np.int64)
        values, where = np.unique(np.concatenate(self._values), return_inverse=True)
        counts = np.bincount(where, weights=np.concatenate(self._counts)).astype(np.int64)
        self._values, self._counts = [values], [counts]
        return values, counts

    def _words(self) -> pl.DataFrame:
        """Each printed form (``word``) and how often it was printed (``n``)."""
        if self._word_frame is None:
            self._word_frame = self._count_words()
        return self._word_frame

    def _count_words(self) -> pl.DataFrame:
        values, counts = self._merge()
        whole = (values == np.floor(values)) & (np.abs(values) <= _INT_MAX)
        words = [
            f"{int(value)}" if is_whole else f"{value:.6g}"
            for value, is_whole in zip(values.tolist(), whole.tolist(), strict=True)
        ]
        frame = pl.DataFrame({"word": pl.Series(words, dtype=pl.String), "n": counts})
        return frame.group_by("word").agg(pl.col("n").sum())

    @property
    def printed(self) -> Counter[str]:
        """How often each ddelay was printed, by its printed form."""
        return Counter(dict(self._words().iter_rows()))

    def ddist(self) -> list[bytes]:
        """zddist's lines: what :func:`~logwarden.qmail.zreports.plain.ddist_counts` says of
        :attr:`printed`, computed on columns (a busy log prints most ddelays only once)."""
        if self._ddist is None:
            self._ddist = self._distribution()
        return list(self._ddist)

    def _distribution(self) -> list[bytes]:
        words = self._words()
        total = int(words["n"].sum()) if words.height else 0
        if total == 0:
            return []
        word = pl.col("word")
        # sort -n's key: the leading [-]digits[.digits] (no exponent), 0 when there are none;
        # at most 10 significant digits here, so a double orders them as the decimals do.
        parts = word.str.extract_groups(r"^[ \t]*(-?)([0-9]*)(?:\.([0-9]*))?")
        key = pl.concat_str(
            [parts.struct.field("1"),
             pl.when(parts.struct.field("2") == "").then(pl.lit("0"))
             .otherwise(parts.struct.field("2")),
             pl.lit("."), parts.struct.field("3").fill_null("").str.pad_end(1, "0")]
        ).cast(pl.Float64, strict=False).fill_null(0.0)  # fmt: skip
        ranked = (
            words.with_columns(key.alias("key"), word.cast(pl.Float64, strict=False).alias("v"))
            .sort(["key", "word"])
            # int((cum * 100) / total) for counts far below 2**53 (a float division here
            # may be done as a product with 1/total, off by one ulp).
            .with_columns((pl.col("n").cum_sum().cast(pl.Int64) * 100 // total).alias("p"))
        )  # fmt: skip
        p = ranked["p"].to_numpy()
        v = ranked["v"].to_numpy()
        bounds = np.flatnonzero(np.diff(p)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(p)]))
        lows = ranked.group_by("p").agg(pl.col("word").min())
        low_of = dict(lows.iter_rows())
        totdel = [0.0] * 101
        numdel = [0] * 101
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            # Added one at a time in sort order, as awk adds them.
            totdel[int(p[a])] = float(np.cumsum(v[a:b])[-1])
            numdel[int(p[a])] = b - a
        out = []
        td, nd = 0.0, 0
        for pct in range(101):
            td += totdel[pct]
            nd += numdel[pct]
            low = low_of.get(pct)
            # awk compares the string with 0 as strings: a negative ddelay never prints.
            if pct >= 10 and nd > 0 and low is not None and low >= "0":
                out.append(b"%s %s %d" % (f2(number(low.encode())), f2(td / nd), pct))
        return out


@dataclass
class Filters:
    """What the report is restricted to."""

    since_ns: int | None = None
    until_ns: int | None = None
    #: Exact sender address (without ``<>``) and ``chan.recip`` or bare address, lower case.
    sender: str | None = None
    recipient: str | None = None


class Table:
    """Per-key sums for one top table, kept as polars frames: each chunk's sums are
    appended and folded together now and then, so memory holds one row per key."""

    def __init__(self) -> None:
        self._parts: list[pl.DataFrame] = []
        self._rows = 0

    def add(self, frame: pl.DataFrame) -> None:
        """Fold in rows of (key, value, value, ...)."""
        if frame.height == 0:
            return
        frame = frame.select(
            pl.col(frame.columns[0]).alias("key"),
            *(pl.col(c).cast(pl.Float64) for c in frame.columns[1:]),
        )
        self._parts.append(frame)
        self._rows += frame.height
        if len(self._parts) > 8:
            self._parts = [self._folded()]
            self._rows = self._parts[0].height

    def _folded(self) -> pl.DataFrame:
        whole = pl.concat(self._parts)
        return whole.group_by("key", maintain_order=True).agg(pl.all().sum())

    def _whole(self) -> pl.DataFrame | None:
        if not self._parts:
            return None
        if len(self._parts) > 1:
            self._parts = [self._folded()]
        return self._parts[0]

    @property
    def sums(self) -> dict[str, list[float]]:
        """Key -> the summed values."""
        whole = self._whole()
        if whole is None:
            return {}
        return {key: list(values) for key, *values in whole.iter_rows()}

    def top(self, n: int, order: int) -> list[tuple[str, list[float]]]:
        """The ``n`` keys (all when ``n`` is 0) with the largest value number ``order``,
        ties by key, with their sums."""
        whole = self._whole()
        if whole is None:
            return []
        value = whole.columns[1 + order]
        ranked = whole.sort([value, "key"], descending=[True, False])
        if n > 0:
            ranked = ranked.head(n)
        return [(key, list(values)) for key, *values in ranked.iter_rows()]

    def get(self, key: str) -> list[float] | None:
        """The sums of ``key``, if it was seen."""
        whole = self._whole()
        if whole is None:
            return None
        found = whole.filter(pl.col("key") == key)
        return list(found.row(0)[1:]) if found.height else None


@dataclass
class _Side:
    peak: int = 0
    limit: int = 0
    full_lines: int = 0
    full_seconds: float = 0.0
    busy_seconds: float = 0.0
    busy_lines: int = 0


@dataclass
class Status:
    """Status lines, folded in chunk by chunk into what :func:`queue.analyse` computes from
    all of them (a line's weight is the gap to the next line, so the last line of a chunk
    waits for the next chunk), plus the peak per minute for the chart."""

    lines: int = 0
    span: float = 0.0
    untimed: bool = False
    last: npt.NDArray[np.int64] | None = None
    sides: tuple[_Side, _Side] = field(default_factory=lambda: (_Side(), _Side()))
    #: minute -> [local peak, remote peak, local limit, remote limit]
    minutes: dict[int, list[int]] = field(default_factory=dict)

    def add(self, cols: npt.NDArray[np.int64]) -> None:
        """Fold in status rows ``(ns, local, local limit, remote, remote limit)``."""
        if len(cols) == 0:
            return
        self.lines += len(cols)
        self.untimed = self.untimed or bool((cols[:, 0] < 0).any())
        rows = cols if self.last is None else np.vstack([self.last[None, :], cols])
        gaps = np.clip(np.diff(rows[:, 0]).astype(np.float64) / 1e9, 0.0, None)
        weighted = rows[:-1]
        self.span += float(gaps.sum())
        for side, (busy_col, limit_col) in zip(self.sides, ((1, 2), (3, 4)), strict=True):
            busy, limit = cols[:, busy_col], cols[:, limit_col]
            side.peak = max(side.peak, int(busy.max()))
            side.limit = int(limit[-1])
            side.full_lines += int((busy >= limit).sum())
            side.busy_lines += int(busy.sum())
            full = weighted[:, busy_col] >= weighted[:, limit_col]
            side.full_seconds += float(gaps[full].sum())
            side.busy_seconds += float((weighted[:, busy_col] * gaps).sum())
        self.last = cols[-1].copy()
        timed = cols[cols[:, 0] >= 0]
        if len(timed) == 0:
            return
        peaks = (
            pl.DataFrame(timed, schema=["ns", "lp", "ll", "rp", "rl"], orient="row")
            .group_by((pl.col("ns") // (MINUTE * 1_000_000_000)).alias("minute"))
            .agg(pl.col("lp").max(), pl.col("rp").max(), pl.col("ll").last(), pl.col("rl").last())
        )
        for key, lp, rp, ll, rl in peaks.iter_rows():
            got = self.minutes.get(key)
            if got is None:
                self.minutes[key] = [lp, rp, ll, rl]
            else:
                got[0], got[1] = max(got[0], lp), max(got[1], rp)
                got[2], got[3] = ll, rl

    def stats(self) -> QueueStats:
        """What :func:`logwarden.qmail.queue.analyse` says of all the status lines."""
        span = 0.0 if self.untimed else self.span
        channels = []
        for name, side in zip(("local", "remote"), self.sides, strict=True):
            mean = side.busy_seconds / span if span > 0 else (
                side.busy_lines / self.lines if self.lines else 0.0)  # fmt: skip
            channels.append(Channel(name, side.limit, side.peak, side.full_lines,
                                    side.full_seconds if span > 0 else 0.0, mean))  # fmt: skip
        stats = QueueStats(self.lines, span, channels[0], channels[1])
        stats.advice = advise(stats)
        return stats


@dataclass
class Report:
    """Everything ``qmail report`` shows."""

    overall: Overall = field(default_factory=Overall)
    senders: Table = field(default_factory=Table)
    #: xdelay per sender key, from the d lines (zsenders adds it to the m lines' sums).
    sender_xdelay: Table = field(default_factory=Table)
    recipients: Table = field(default_factory=Table)
    hosts: Table = field(default_factory=Table)
    deferrals: Table = field(default_factory=Table)
    failures: Table = field(default_factory=Table)
    delays: Delays = field(default_factory=lambda: Delays())
    status: Status = field(default_factory=Status)
    alert_events: list[tuple[int, int | None, object]] = field(default_factory=list)
    #: minute -> [new messages, successes, failures, deferrals, bytes]
    timeline: dict[int, list[int]] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    categories: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    foreign: int = 0
    truncated: int = 0
    first_ns: int | None = None
    last_ns: int | None = None
    #: Still open at the end: messages and deliveries.
    open_messages: int = 0
    open_deliveries: int = 0

    def alerts(self) -> list[Alert]:
        return collect(self.alert_events)  # type: ignore[arg-type]

    def queue(self) -> QueueStats:
        return self.status.stats()


@dataclass
class Paired:
    """A chunk read and paired."""

    prepared: Prepared
    result: Result


class Reader:
    """Folds chunks of log into a :class:`Report`."""

    def __init__(
        self,
        filters: Filters | None = None,
        local_to_unix: LocalToUnix = process_local_time,
        exporter: Exporter | None = None,
    ) -> None:
        self.report = Report()
        self.exporter = exporter
        self.filters = filters or Filters()
        self.window = Window(self.filters.since_ns, self.filters.until_ns)
        self.selection = Selection(self.filters.sender, self.filters.recipient)
        self.local_to_unix = local_to_unix
        self.state = State.empty()
        self.next_ln = 0

    def add(self, data: bytes) -> None:
        """Fold in a chunk of whole lines (pieces of a split line must not be cut apart)."""
        paired = self.pair(self.prepare(data))
        self.fold(paired.prepared, self.summarize(paired))

    def prepare(self, data: bytes) -> Prepared:
        """Read a chunk (state-free: any thread, any order)."""
        return prepare(data, self.local_to_unix, self.window, self.exporter is not None)

    def pair(self, prepared: Prepared) -> Paired:
        """Pair a read chunk's lines (chunks in order)."""
        result, self.state = pair(self.state, prepared.kinds)
        return Paired(prepared, result)

    def summarize(self, paired: Paired) -> Summary:
        """Sum a paired chunk's rows (state-free: any thread, any order)."""
        return summarize(paired.result, self.selection, self.exporter is not None)

    def fold(self, p: Prepared, s: Summary) -> None:
        """Fold a chunk's sums into the report (chunks in order)."""
        r = self.report
        offset = self.next_ln
        self.next_ln += p.lines
        r.lines += p.lines
        for name in ("joined", "orphans", "wrapped"):
            setattr(r.counts, name, getattr(r.counts, name) + getattr(p.counts, name))
        r.counts.styles.update(p.counts.styles)
        r.foreign += p.foreign
        r.open_messages = self.state.open_messages
        r.open_deliveries = self.state.open_deliveries
        if p.first_ns is not None and p.last_ns is not None:
            r.first_ns = p.first_ns if r.first_ns is None else min(r.first_ns, p.first_ns)
            r.last_ns = p.last_ns if r.last_ns is None else max(r.last_ns, p.last_ns)
        r.categories.update(p.categories)
        r.status.add(p.status)
        for ln, ns, text in p.alerts:
            event = parse(text.encode("utf-8", "surrogateescape"))
            r.alert_events.append((ln + offset + 1, ns, event))
        timeline = r.timeline
        for minute, n in p.arrivals:
            timeline.setdefault(minute, [0, 0, 0, 0, 0])[0] += n
        for minute, slot, n in s.done:
            timeline.setdefault(minute, [0, 0, 0, 0, 0])[slot] += n
        r.truncated += p.truncated
        self._overall(s)
        for name, frame in s.tables.items():
            getattr(r, name).add(frame)
        r.delays.add(s.ddelay_values, s.ddelay_counts)
        if self.exporter is not None and p.export is not None and s.rows is not None:
            shift = pl.col("ln") + offset
            d, m = s.rows
            self.exporter.write(
                p.export.with_columns(shift),
                d.with_columns(shift),
                m.with_columns(shift),
            )

    def _overall(self, s: Summary) -> None:
        o = self.report.overall
        if s.messages:
            o.messages += s.messages
            size, rbytes, qtime, recips, tries = s.m_values
            o.mbytes = _seq(o.mbytes, size)
            o.rbytes = _seq(o.rbytes, rbytes)
            o.qtime = _seq(o.qtime, qtime)
            o.recips = _seq(o.recips, recips)
            o.tries = _seq(o.tries, tries)
            self._span(s.m_span)
        if s.deliveries:
            o.deliveries += s.deliveries
            o.succ += s.succ
            o.fail += s.fail
            o.ddelay = _seq(o.ddelay, s.ddelay)
            o.xdelay = _seq(o.xdelay, s.xdelay)
            self._span(s.d_span)

    def _span(self, span: Span | None) -> None:
        if span is None:
            return
        o = self.report.overall
        (low_text, low), (high_text, high) = span.low, span.high
        if not o.seen or low < number(o.first):
            o.first = low_text.encode()
        if not o.seen or high > number(o.last):
            o.last = high_text.encode()
        o.seen = True


#: Chunks read ahead of the pairing and summed behind it, at most (memory holds this many
#: chunks in their column form at once, besides the one being paired).
AHEAD = 2


def read(reader: Reader, chunks: Iterable[bytes]) -> Report:
    """Fold ``chunks`` of whole lines, in order, into ``reader``'s report. Two worker
    threads read chunks ahead and sum them behind; only the pairing and the folding are
    done here, chunk after chunk."""
    source = iter(chunks)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reads: deque[Future[Prepared]] = deque()
        sums: deque[tuple[Prepared, Future[Summary]]] = deque()

        def fill() -> None:
            while len(reads) < AHEAD:
                data = next(source, None)
                if data is None:
                    return
                reads.append(pool.submit(reader.prepare, data))

        fill()
        while reads:
            paired = reader.pair(reads.popleft().result())
            fill()
            sums.append((paired.prepared, pool.submit(reader.summarize, paired)))
            while sums and (sums[0][1].done() or len(sums) > AHEAD):
                prepared, summary = sums.popleft()
                reader.fold(prepared, summary.result())
        while sums:
            prepared, summary = sums.popleft()
            reader.fold(prepared, summary.result())
    return reader.report
