"""``qmail report``: the whole analysis of qmail-send logs in one pass over raw lines.

Per chunk of log: the lines' prefixes are read column-wise (:mod:`~logwarden.qmail.frame`),
matchup pairs them (:mod:`~logwarden.qmail.matchup_columns`, carrying what is open to the
next chunk), and every statistic is folded in: zoverall's numbers (summed in log order, as
awk sums, so that they agree to the last digit with ``matchup | zoverall``), the tops of
senders, recipients, hosts and reasons, the delay distribution, the queue's status lines,
the alerts, and counts per minute for the timeline. Memory holds one chunk plus the
aggregates, whatever the size of the logs.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from logwarden.qmail.alerts import Alert, collect
from logwarden.qmail.awk import number
from logwarden.qmail.frame import STYLE_CODES, Counts, parse_lines
from logwarden.qmail.grammar import parse
from logwarden.qmail.lines import LocalToUnix, Style, process_local_time
from logwarden.qmail.matchup import Matchup
from logwarden.qmail.matchup_columns import Kinds, extract, pair
from logwarden.qmail.parquet import Exporter
from logwarden.qmail.queue import Channel, QueueStats, advise
from logwarden.qmail.zreports.overall import Overall

F64 = npt.NDArray[np.float64]
_FOREIGN = STYLE_CODES[Style.FOREIGN]
#: awk (mawk) prints whole numbers up to this as integers, others with %.6g.
_INT_MAX = 2**31 - 1
#: Seconds per bucket of the timeline kept while reading (charts regroup them).
MINUTE = 60


def _seq(total: float, values: F64) -> float:
    """``total`` plus ``values`` added one at a time, left to right (as awk adds)."""
    if len(values) == 0:
        return total
    return float(np.cumsum(np.concatenate(([total], values)))[-1])


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

    @property
    def sums(self) -> dict[str, list[float]]:
        """Key -> the summed values."""
        if not self._parts:
            return {}
        return {key: list(values) for key, *values in self._folded().iter_rows()}


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
    ddelays: Counter[str] = field(default_factory=Counter)
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


_CATEGORY = {
    "status:": "status", "alert:": "serious", "warning:": "warning", "warn:": "warning",
    "new": "message", "info": "message", "bounce": "message", "triple": "message",
    "double": "message", "end": "message", "starting": "delivery", "delivery": "delivery",
}  # fmt: skip


def _categories(text: pl.Series) -> pl.Series:
    """Each line's type, by its first word: the seed's six, or other (an alert after which
    qmail-send stops is fatal, any other alert serious)."""
    first = text.str.split_exact(" ", 1).struct.field("field_0").fill_null("")
    kind = first.replace_strict(_CATEGORY, default="other", return_dtype=pl.String)
    fatal = text.str.starts_with("alert: cannot start") | text.str.starts_with("alert: oh no! lost")
    return pl.DataFrame({"k": kind, "f": fatal}).select(
        pl.when("f").then(pl.lit("fatal")).otherwise("k").alias("type")
    )["type"]


def _category_counts(text: pl.Series) -> Counter[str]:
    """How many lines of each type (what :func:`_categories` would count, without making
    the column)."""
    t = pl.col("t")
    first = {w: t.str.starts_with(w + " ") | (t == w) for w in _CATEGORY}
    fatal = t.str.starts_with("alert: cannot start") | t.str.starts_with("alert: oh no! lost")
    sums = (
        pl.DataFrame({"t": text})
        .select(*(e.sum().alias(w) for w, e in first.items()), fatal.sum().alias("fatal"))
        .row(0, named=True)
    )
    counts: Counter[str] = Counter()
    for word, name in _CATEGORY.items():
        counts[name] += sums[word]
    counts["serious"] -= sums["fatal"]
    counts["fatal"] += sums["fatal"]
    counts["other"] += text.len() - sum(sums[w] for w in _CATEGORY)
    return counts


def lines_of(data: bytes) -> pl.Series:
    """The lines of a chunk as a column (undecodable bytes shown as ``\\xNN``)."""
    try:
        if b"\r" not in data:
            return pl.read_lines(io.BytesIO(data))["line"]
    except pl.exceptions.ComputeError:
        pass
    body = data[:-1] if data.endswith(b"\n") else data
    return pl.Series("line", body.decode("utf-8", "backslashreplace").split("\n"))


@dataclass
class Prepared:
    """A chunk read, typed and sorted by matchup's verbs, ready to be folded in."""

    lines: int
    counts: Counts
    foreign: int
    frame: pl.DataFrame
    kinds: Kinds


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
        self.local_to_unix = local_to_unix
        self.engine = Matchup()
        self.next_ln = 0

    def add(self, data: bytes) -> None:
        """Fold in a chunk of whole lines (pieces of a split line must not be cut apart)."""
        self.fold(self.prepare(data))

    def prepare(self, data: bytes) -> Prepared:
        """The part of :meth:`add` that needs no state but line numbering: reading the
        lines, their prefixes and matchup's verbs. Chunks must be prepared in order, and
        may be prepared ahead of :meth:`fold` (in another thread)."""
        lines = lines_of(data) if data else pl.Series("line", [], dtype=pl.String)
        frame, counts = parse_lines(lines, self.local_to_unix)
        frame = frame.with_columns((pl.col("i").cast(pl.Int64) + self.next_ln).alias("ln"))
        self.next_ln += lines.len()
        foreign = int((frame["style"] == _FOREIGN).sum())
        frame = self._window(frame.filter(pl.col("style") != _FOREIGN))
        kinds = extract(frame["ln"], frame["ts"], frame["text"], lenient=True)
        return Prepared(lines.len(), counts, foreign, frame, kinds)

    def fold(self, p: Prepared) -> None:
        """Fold a prepared chunk into the report (chunks in order)."""
        r = self.report
        r.lines += p.lines
        for name in ("joined", "orphans", "wrapped"):
            setattr(r.counts, name, getattr(r.counts, name) + getattr(p.counts, name))
        r.counts.styles.update(p.counts.styles)
        r.foreign += p.foreign
        frame = p.frame
        if frame.height == 0:
            return
        ns = frame["ns"].drop_nulls()
        if ns.len():
            lo, hi = int(ns.min()), int(ns.max())  # type: ignore[arg-type]
            r.first_ns = lo if r.first_ns is None else min(r.first_ns, lo)
            r.last_ns = hi if r.last_ns is None else max(r.last_ns, hi)
        r.categories.update(_category_counts(frame["text"]))
        self._status(frame)
        self._alerts(frame)
        result = pair(self.engine, p.kinds)
        d, m = result.deliveries, result.messages
        d = d.filter(pl.col("prefix") != "?")
        d, m = self._select(d, m)
        if self.exporter is not None:
            self.exporter.write(frame.with_columns(_categories(frame["text"])), d, m)
        self._overall(d, m)
        self._tables(d, m)
        self._timeline(frame, d)
        r.truncated += int(
            frame.filter(
                pl.col("text").str.starts_with("delivery ")
                & ~pl.col("text").str.ends_with("/")
                & ~pl.col("text").str.contains(": report mangled", literal=True)
            ).height
        )
        r.open_messages = len(self.engine.messages)
        r.open_deliveries = len(self.engine.deliveries)

    def _window(self, frame: pl.DataFrame) -> pl.DataFrame:
        f = self.filters
        keep = pl.lit(True)
        if f.since_ns is not None:
            keep = keep & (pl.col("ns").is_null() | (pl.col("ns") >= f.since_ns))
        if f.until_ns is not None:
            keep = keep & (pl.col("ns").is_null() | (pl.col("ns") < f.until_ns))
        return frame.filter(keep)

    def _select(self, d: pl.DataFrame, m: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        f = self.filters
        if f.sender is not None:
            wanted = f"<{f.sender}>"
            d = d.filter(pl.col("known") & (pl.col("sender") == wanted))
            m = m.filter(pl.col("sender") == wanted)
        if f.recipient is not None:
            target = f.recipient
            whole = pl.concat_str(["chan", pl.lit("."), "recip"])
            d = d.filter((whole == target) | (pl.col("recip") == target))
            # A message counts when one of its deliveries went to the recipient.
            keys = d.filter("known").select("birth", "sender", "qp").unique()
            m = m.join(keys, on=["birth", "sender", "qp"], how="semi")
        return d, m

    def _overall(self, d: pl.DataFrame, m: pl.DataFrame) -> None:
        o = self.report.overall
        if m.height:
            birth = m["birth"].cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
            done = m["done"].cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
            size = m["bytes"].cast(pl.Float64).to_numpy()
            nk, nd, nz = (m[c].cast(pl.Float64).to_numpy() for c in ("nk", "nd", "nz"))
            o.messages += m.height
            o.mbytes = _seq(o.mbytes, size)
            o.rbytes = _seq(o.rbytes, size * nk)
            o.qtime = _seq(o.qtime, done - birth)
            o.recips = _seq(o.recips, nk + nd)
            o.tries = _seq(o.tries, nk + nd + nz)
            self._span(m["birth"], birth, m["done"], done)
        if d.height:
            dstart = d["dstart"].cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
            ddone = d["ddone"].cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
            birth_text = d.select(pl.when("known").then("birth").otherwise("dstart").alias("b"))[
                "b"
            ]
            birth = birth_text.cast(pl.Float64, strict=False).fill_null(0.0).to_numpy()
            ok = (d["prefix"] == "d k ").to_numpy()
            o.deliveries += d.height
            o.succ += float(ok.sum())
            o.fail += float((d["prefix"] == "d d ").sum())
            o.ddelay = _seq(o.ddelay, (ddone - birth)[ok])
            o.xdelay = _seq(o.xdelay, ddone - dstart)
            self._span(birth_text, birth, d["ddone"], ddone)
            values, counts = np.unique((ddone - birth)[ok], return_counts=True)
            whole = (values == np.floor(values)) & (np.abs(values) <= _INT_MAX)
            words = [
                f"{int(v)}" if w else f"{v:.6g}"
                for v, w in zip(values.tolist(), whole.tolist(), strict=True)
            ]
            ddelays = self.report.ddelays
            for word, count in zip(words, counts.tolist(), strict=True):
                ddelays[word] += count

    def _span(self, low_text: pl.Series, low: F64, high_text: pl.Series, high: F64) -> None:
        o = self.report.overall
        i, j = int(np.argmin(low)), int(np.argmax(high))
        if not o.seen or low[i] < number(o.first):
            o.first = str(low_text[i]).encode()
        if not o.seen or high[j] > number(o.last):
            o.last = str(high_text[j]).encode()
        o.seen = True

    def _tables(self, d: pl.DataFrame, m: pl.DataFrame) -> None:
        r = self.report
        x = (pl.col("ddone").cast(pl.Float64, strict=False).fill_null(0.0)
             - pl.col("dstart").cast(pl.Float64, strict=False).fill_null(0.0))  # fmt: skip
        ok = pl.col("prefix") == "d k "
        rows = d.with_columns(
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
        r.recipients.add(rows.group_by("to").agg(per))
        r.hosts.add(rows.group_by("host").agg(per))
        for table, prefix in ((r.deferrals, "d z "), (r.failures, "d d ")):
            table.add(
                rows.filter(pl.col("prefix") == prefix)
                .group_by("reason")
                .agg(pl.len(), pl.col("x").sum())
            )
        sent = (
            m.with_columns(
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
        r.senders.add(sent)
        key = (
            pl.when("known")
            .then(pl.concat_str([pl.col("uid").cast(pl.String), pl.lit("/"), "sender"]))
            .otherwise(pl.lit("?/?"))
        )
        r.sender_xdelay.add(rows.group_by(key.alias("key")).agg(pl.col("x").sum()))

    def _timeline(self, frame: pl.DataFrame, d: pl.DataFrame) -> None:
        minute = (pl.col("ns") // (MINUTE * 1_000_000_000)).alias("minute")
        arrivals = (
            frame.filter(pl.col("text").str.starts_with("info msg ") & pl.col("ns").is_not_null())
            .group_by(minute)
            .agg(pl.len())
        )
        tl = self.report.timeline
        for key, n in arrivals.iter_rows():
            tl.setdefault(key, [0, 0, 0, 0, 0])[0] += n
        done = d.select(
            (pl.col("ddone").cast(pl.Float64, strict=False) // MINUTE).cast(pl.Int64).alias("m"),
            "prefix",
        ).drop_nulls()
        slot = {"d k ": 1, "d d ": 2, "d z ": 3}
        for key, prefix, n in done.group_by("m", "prefix").agg(pl.len()).iter_rows():
            tl.setdefault(key, [0, 0, 0, 0, 0])[slot[prefix]] += n

    def _status(self, frame: pl.DataFrame) -> None:
        words = pl.col("text").str.split_exact(" ", 5)
        got = (
            frame.lazy()
            .filter(pl.col("text").str.starts_with("status: local "))
            .select(pl.col("ns").fill_null(-1), words.alias("w"))
            .unnest("w")
            .filter(pl.col("field_3") == "remote")
            .select(
                "ns",
                pl.col("field_2").str.split_exact("/", 1).alias("l"),
                pl.col("field_4").str.split_exact("/", 1).alias("r"),
            )
            .select(
                "ns",
                *(
                    pl.col(side).struct.field(f).cast(pl.Int64, strict=False).alias(f"{side}{f}")
                    for side in ("l", "r")
                    for f in ("field_0", "field_1")
                ),
            )
            .drop_nulls()
            .select("ns", "lfield_0", "lfield_1", "rfield_0", "rfield_1")
            .collect()
        )
        if got.height:
            self.report.status.add(got.to_numpy())

    def _alerts(self, frame: pl.DataFrame) -> None:
        got = frame.filter(
            pl.col("text").str.starts_with("alert: ")
            | pl.col("text").str.starts_with("warning: ")
            | pl.col("text").str.starts_with("warn: ")
        ).select("ln", "ns", "text")
        for ln, ns, text in got.iter_rows():
            event = parse(text.encode("utf-8", "surrogateescape"))
            self.report.alert_events.append((ln + 1, ns, event))


def read(reader: Reader, chunks: Iterable[bytes]) -> Report:
    """Fold ``chunks`` of whole lines, in order, into ``reader``'s report; the next chunk is
    prepared in a second thread while one is folded (polars works without the GIL)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead: Future[Prepared] | None = None
        for data in chunks:
            nxt = pool.submit(reader.prepare, data)
            if ahead is not None:
                reader.fold(ahead.result())
            ahead = nxt
        if ahead is not None:
            reader.fold(ahead.result())
    return reader.report
