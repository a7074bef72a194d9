"""Events from utmp, wtmp, btmp and lastlog: logins, logouts, failed logins, boots, shutdowns.

Records are decoded by the codec every connect tool uses (:mod:`logwarden.formats.utmp`,
layout detected by scoring) and turned into events column-wise. What each record type means
depends on the file:

==================  =================  =====================  ==========================
ut_type             wtmp               btmp                   utmp (now)
==================  =================  =====================  ==========================
USER_PROCESS (7)    login              failed_login           current_login
DEAD_PROCESS (8)    logout             failed_login           (left out)
BOOT_TIME (2)       boot               failed_login           (left out: wtmp has it)
RUN_LVL (1)         shutdown (user     failed_login           (left out)
                    ``shutdown``) or
                    runlevel
NEW/OLD_TIME (3/4)  clock_change       failed_login           (left out)
INIT_PROCESS (5)    init               failed_login           (left out)
LOGIN_PROCESS (6)   getty              failed_login           (left out)
EMPTY (0)           left out; all-zero records counted (what log wipers leave)
==================  =================  =====================  ==========================

Records of a type no writer uses are skipped and counted by the codec. utmp and lastlog are
rewritten in place, not appended to: their events are keyed by content and an ingest loads only
the records it has not loaded before.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import polars as pl

from logwarden.errors import InputError
from logwarden.events import schema
from logwarden.events.binary import drop_future, future_limit, load
from logwarden.events.context import HostContext
from logwarden.events.source import Batch, Found, Position
from logwarden.events.strings import cstring_column, empty_as_null
from logwarden.formats import lastlog, utmp
from logwarden.sources.lastlogfile import data_extents
from logwarden.sources.utmpfile import choose_layout

#: Records per batch: big enough for columns to pay, small enough to bound memory.
BATCH = 1 << 17
_KIND_CODES = ("", "login", "logout", "failed_login", "boot", "shutdown", "runlevel",
               "clock_change", "init", "getty", "current_login", "utmp_other")  # fmt: skip


#: A run level record's pid holds the new level's character (and 256 times the old one's).
_CHARS = {i: chr(i) if 0x20 < i < 0x7F else "?" for i in range(256)}


def _kind_codes(types: npt.NDArray[np.int16], users: pl.Series, source_kind: str) -> np.ndarray:
    """The index in _KIND_CODES of every record's kind (0: left out)."""
    k = np.zeros(len(types), dtype=np.int8)
    if source_kind == "btmp":
        k[types != utmp.EMPTY] = 3
        return k
    if source_kind == "utmp":
        k[types == utmp.USER_PROCESS] = 10
        return k
    shutdown = (users == "shutdown").to_numpy()
    k[types == utmp.USER_PROCESS] = 1
    k[types == utmp.DEAD_PROCESS] = 2
    k[types == utmp.BOOT_TIME] = 4
    k[(types == utmp.RUN_LVL) & shutdown] = 5
    k[(types == utmp.RUN_LVL) & ~shutdown] = 6
    k[(types == utmp.NEW_TIME) | (types == utmp.OLD_TIME)] = 7
    k[types == utmp.INIT_PROCESS] = 8
    k[types == utmp.LOGIN_PROCESS] = 9
    k[types == utmp.ACCOUNTING] = 11
    return k


def _addresses(addr: npt.NDArray[np.uint8]) -> pl.Series:
    """``ut_addr_v6`` as text (IPv4 when only the first word is set), None when zero."""
    n = len(addr)
    words = np.ascontiguousarray(addr).view(np.uint32).reshape(n, 4) if n else addr
    set_ = words.any(axis=1) if n else np.zeros(0, dtype=bool)
    out: list[str | None] = [None] * n
    if set_.any():
        rows = np.flatnonzero(set_)
        uniq, inverse = np.unique(np.ascontiguousarray(addr[rows]).view("V16"), return_inverse=True)
        texts = []
        for raw in uniq.tolist():
            packed = bytes(raw)
            if not any(packed[4:]):
                texts.append(str(ipaddress.IPv4Address(packed[:4])))
            else:
                texts.append(str(ipaddress.IPv6Address(packed)))
        for row, index in zip(rows.tolist(), inverse.reshape(-1).tolist(), strict=True):
            out[row] = texts[index]
    return pl.Series(out, dtype=pl.String)


def _messages() -> pl.Expr:
    user, tty, remote, host = pl.col("user"), pl.col("tty"), pl.col("remote"), pl.col("kernel")
    from_ = (
        pl.when(remote.is_not_null())
        .then(pl.concat_str(pl.lit(" from "), remote))
        .otherwise(pl.lit(""))
    )
    kind = pl.col("kind")
    runlevel = pl.col("pid") % 256
    previous = pl.col("pid") // 256
    level = pl.concat_str(
        pl.lit("run level "),
        runlevel.replace_strict(_CHARS, return_dtype=pl.String),
        pl.when(previous > 0)
        .then(
            pl.concat_str(
                pl.lit(" (was "),
                previous.replace_strict(_CHARS, default="?", return_dtype=pl.String),
                pl.lit(")"),
            )
        )
        .otherwise(pl.lit("")),
    )
    return (
        pl.when(kind == "login")
        .then(pl.concat_str(user, pl.lit(" logged in on "), tty, from_, ignore_nulls=True))
        .when(kind == "current_login")
        .then(
            pl.concat_str(
                user,
                pl.lit(" logged in on "),
                tty,
                from_,
                pl.lit(" (utmp: still on)"),
                ignore_nulls=True,
            )
        )
        .when(kind == "logout")
        .then(pl.concat_str(pl.lit("logout on "), tty, ignore_nulls=True))
        .when(kind == "failed_login")
        .then(
            pl.concat_str(
                pl.lit("failed login as "), user, pl.lit(" on "), tty, from_, ignore_nulls=True
            )
        )
        .when(kind == "boot")
        .then(pl.concat_str(pl.lit("system boot (kernel "), host, pl.lit(")"), ignore_nulls=True))
        .when(kind == "shutdown")
        .then(pl.concat_str(pl.lit("shutdown (kernel "), host, pl.lit(")"), ignore_nulls=True))
        .when(kind == "runlevel")
        .then(level)
        .when(kind == "clock_change")
        .then(pl.concat_str(pl.lit("clock changed: "), user, ignore_nulls=True))
        .when(kind == "init")
        .then(pl.concat_str(pl.lit("init started process on "), tty, ignore_nulls=True))
        .when(kind == "getty")
        .then(pl.concat_str(pl.lit("getty waiting on "), tty, ignore_nulls=True))
        .otherwise(pl.concat_str(pl.lit("utmp record of type "), pl.col("type").cast(pl.String)))
    )


def utmp_events(
    ctx: HostContext, found: Found, records: utmp.Records, file_id: int, limit: int
) -> pl.DataFrame:
    """Events of some utmp records of ``found`` (already decoded)."""
    len(records)
    users = empty_as_null(pl.col("u"))
    frame = pl.DataFrame(
        {
            "u": cstring_column(records.user),
            "tty": cstring_column(records.line),
            "h": cstring_column(records.host),
            "id": cstring_column(records.id),
        }
    ).with_columns(users.alias("user"))
    codes = _kind_codes(records.type, frame["u"], found.source_kind)
    time_us = records.sec * 1_000_000 + records.usec
    offsets = records.offsets
    keep = (codes > 0) & drop_future(ctx, found.path, time_us, offsets, limit)
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        return schema.empty()
    take = pl.Series(rows)
    frame = frame[take]
    kinds = np.array(_KIND_CODES, dtype=object)[codes[rows]]
    addr = _addresses(records.addr[rows])
    is_system = pl.Series("is_system", np.isin(records.type[rows], (utmp.BOOT_TIME, utmp.RUN_LVL)))
    host = empty_as_null(pl.col("h"))
    df = frame.with_columns(
        pl.Series("kind", kinds, dtype=pl.String),
        pl.Series("time", time_us[rows]).cast(schema.TIME),
        pl.Series("offset", offsets[rows]),
        pl.Series("record", offsets[rows] // records.layout.size),
        pl.Series("pid", records.pid[rows].astype(np.int64)),
        pl.Series("type", records.type[rows].astype(np.int64)),
        pl.Series("session_id", records.session[rows]),
        pl.Series("exit", records.exit[rows].astype(np.int64)),
        pl.Series("term", records.term[rows].astype(np.int64)),
        addr.alias("addr"),
        is_system,
    ).with_columns(
        # A boot or run level record's host field names the kernel, not a remote host.
        pl.when(pl.col("is_system"))
        .then(None)
        .otherwise(pl.coalesce(host, pl.col("addr")))
        .alias("remote"),
        pl.when(pl.col("is_system")).then(host).otherwise(None).alias("kernel"),
        empty_as_null(pl.col("tty")).alias("tty"),
    )
    uid_of = _uid_table(ctx, df["user"])
    df = df.with_columns(
        pl.col("user").replace_strict(uid_of, default=None, return_dtype=pl.Int64).alias("uid"),
        _messages().alias("message"),
    )
    type_names = dict(utmp.TYPE_NAMES.items())
    fields = schema.fields_json(
        {
            "type": pl.col("type").replace_strict(type_names, return_dtype=pl.String),
            "id": empty_as_null(pl.col("id")),
            "line": pl.col("tty"),
            "host": empty_as_null(pl.col("h")),
            "addr": pl.col("addr"),
            "session": pl.col("session_id"),
            "exit": pl.col("exit"),
            "term": pl.col("term"),
            "layout": pl.lit(records.layout.name),
        }
    )
    return schema.batch(
        df.height,
        {
            "time": df["time"],
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
            "message": df["message"],
            "fields": df.select(fields).to_series(),
        },
    )


def _uid_table(ctx: HostContext, users: pl.Series) -> dict[str, int]:
    table: dict[str, int] = {}
    for name in users.drop_nulls().unique().to_list():
        user = ctx.accounts.by_name(name.encode("utf-8", "surrogateescape"))
        if user is not None:
            table[name] = user.uid
    return table


def _content_keys(records: utmp.Records) -> list[str]:
    """A key per record of a file rewritten in place (utmp): its offset and its bytes' hash."""
    raw = np.ascontiguousarray(records.raw).view(np.uint8).reshape(len(records), -1)
    return [
        f"{offset}:{hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()}"
        for offset, row in zip(records.offsets.tolist(), raw, strict=True)
    ]


def read_utmp(ctx: HostContext, found: Found, start: Position, file_id: int) -> Iterator[Batch]:
    """Events of a utmp, wtmp or btmp from ``start`` on."""
    try:
        data = load(found.path)
    except OSError as e:
        ctx.problem(found.path, None, f"cannot read: {e.strerror or e}")
        return
    view = memoryview(data)
    layout_name = start.carry.get("layout")
    if start.offset and layout_name in utmp.LAYOUTS:
        layout = utmp.LAYOUTS[layout_name]
    else:
        try:
            layout = choose_layout(ctx.shown(found.path), view, None)
        except InputError as e:
            ctx.problem(found.path, None, str(e).split(": ", 1)[1])
            return
    limit = future_limit(found.path)
    size = layout.size
    begin = start.offset - start.offset % size
    whole_end = begin + (len(view) - begin) // size * size
    if found.source_kind == "utmp":
        yield from _rewritten_utmp(ctx, found, view, layout, file_id, limit, start)
        return
    zeroed = damaged = 0
    first_zeroed = first_damaged = -1
    for at in range(begin, whole_end, BATCH * size):
        part = view[at : min(at + BATCH * size, whole_end)]
        decoded = utmp.decode(part, layout)
        records = utmp.Records(decoded.records.raw, layout, decoded.records.offsets + at)
        blank = _all_zero(records)
        if blank.any():
            if first_zeroed < 0:
                first_zeroed = int(records.offsets[np.argmax(blank)])
            zeroed += int(np.count_nonzero(blank))
        if decoded.damaged:
            if first_damaged < 0:
                first_damaged = at + (decoded.first_damaged_offset or 0)
            damaged += decoded.damaged
        events = utmp_events(ctx, found, records, file_id, limit)
        end = at + len(part)
        yield Batch(events, Position(end, end // size, {"layout": layout.name}))
    if zeroed:
        ctx.problem(found.path, first_zeroed,
                    f"{zeroed} all-zero record{'s' if zeroed != 1 else ''} (what log wipers "
                    "leave; logwarden wtmp check says more)", zeroed)  # fmt: skip
    if damaged:
        ctx.problem(found.path, first_damaged,
                    f"skipped {damaged} damaged record{'s' if damaged != 1 else ''}",
                    damaged)  # fmt: skip
    trailing = len(view) - whole_end
    if trailing:
        ctx.problem(found.path, whole_end,
                    f"left {trailing} trailing byte{'s' if trailing != 1 else ''} that are "
                    f"not a whole {size}-byte record (a torn write, or read again when "
                    "complete)")  # fmt: skip


def _all_zero(records: utmp.Records) -> npt.NDArray[np.bool_]:
    if len(records) == 0:
        return np.zeros(0, dtype=bool)
    raw = np.ascontiguousarray(records.raw).view(np.uint8).reshape(len(records), -1)
    zero: npt.NDArray[np.bool_] = np.logical_not(raw.any(axis=1))
    return zero


def _rewritten_utmp(
    ctx: HostContext,
    found: Found,
    view: memoryview,
    layout: utmp.Layout,
    file_id: int,
    limit: int,
    start: Position,
) -> Iterator[Batch]:
    """utmp's slots are rewritten in place: load the records not loaded before."""
    decoded = utmp.decode(view, layout)
    records = decoded.records
    keys = _content_keys(records)
    seen = set(start.carry.get("seen", []))
    new = np.array([k not in seen for k in keys], dtype=bool)
    chosen = utmp.Records(records.raw[new], layout, records.offsets[new])
    events = utmp_events(ctx, found, chosen, file_id, limit)
    # Only the keys of records that are still there are remembered (a utmp stays small).
    yield Batch(events, Position(len(view), len(records), {"layout": layout.name, "seen": keys}))


def read_lastlog(ctx: HostContext, found: Found, start: Position, file_id: int) -> Iterator[Batch]:
    """One ``lastlog`` event per uid with a last login; a later ingest loads a uid again only
    when its last login changed."""
    try:
        data = load(found.path)
    except OSError as e:
        ctx.problem(found.path, None, f"cannot read: {e.strerror or e}")
        return
    view = memoryview(data)
    if view[:16] == utmp.SQLITE_MAGIC:
        ctx.problem(found.path, None, "an SQLite database (lastlog2), not a lastlog file")
        return
    extents = data_extents(found.path, len(view))
    scores = lastlog.detect(view, extents)
    best = scores[0]
    if not best.fits:
        ctx.problem(found.path, None, "not a lastlog file: no known record layout fits")
        return
    layout = best.layout
    uids = _uids_with_data(view, layout.size, extents)
    records = lastlog.at_uids(view, layout, uids)
    times = records.time
    known: dict[str, int] = start.carry.get("times", {})
    seen = {str(u): int(t) for u, t in zip(uids.tolist(), times.tolist(), strict=True) if t}
    pairs = zip(uids.tolist(), times.tolist(), strict=True)
    new = np.array(
        [bool(t) and known.get(str(u)) != int(t) for u, t in pairs],
        dtype=bool,
    )  # fmt: skip
    limit = future_limit(found.path)
    time_us = times * 1_000_000
    new &= drop_future(ctx, found.path, time_us, records.offsets, limit)
    rows = np.flatnonzero(new)
    end = Position(len(view), len(uids), {"layout": layout.name, "times": seen})
    if len(rows) == 0:
        yield Batch(schema.empty(), end)
        return
    chosen_uids = uids[rows]
    names = []
    for uid in chosen_uids.tolist():
        user = ctx.accounts.by_uid(uid)
        names.append(user.name.decode("utf-8", "backslashreplace") if user else None)
    lines = [
        v.decode("utf-8", "backslashreplace") or None
        for v in np.array(records.lines(), dtype=object)[rows]
    ]
    hosts = [
        v.decode("utf-8", "backslashreplace") or None
        for v in np.array(records.hosts(), dtype=object)[rows]
    ]
    df = pl.DataFrame(
        {
            "time": pl.Series(time_us[rows]).cast(schema.TIME),
            "offset": records.offsets[rows],
            "uid": chosen_uids,
            "user": pl.Series(names, dtype=pl.String),
            "tty": pl.Series(lines, dtype=pl.String),
            "remote": pl.Series(hosts, dtype=pl.String),
        }
    )
    who = pl.coalesce(pl.col("user"), pl.concat_str(pl.lit("uid "), pl.col("uid").cast(pl.String)))
    message = pl.concat_str(
        pl.lit("last login of "), who, pl.lit(" (lastlog) on "), pl.col("tty").fill_null("?"),
        pl.when(pl.col("remote").is_not_null())
        .then(pl.concat_str(pl.lit(" from "), pl.col("remote")))
        .otherwise(pl.lit("")),
    )  # fmt: skip
    df = df.with_columns(
        message.alias("message"),
        schema.fields_json({"layout": pl.lit(layout.name)}).alias("fields"),
    )
    yield Batch(
        schema.batch(
            df.height,
            {
                "time": df["time"],
                "host": ctx.host,
                "source": ctx.shown(found.path),
                "offset": df["offset"],
                "record": df["uid"],
                "file_id": file_id,
                "source_kind": "lastlog",
                "kind": "lastlog",
                "user": df["user"],
                "uid": df["uid"],
                "tty": df["tty"],
                "remote": df["remote"],
                "message": df["message"],
                "fields": df["fields"],
            },
        ),
        end,
    )


def _uids_with_data(
    view: memoryview, size: int, extents: list[tuple[int, int]] | None
) -> npt.NDArray[np.int64]:
    """Every uid whose record holds a non-zero byte (the holes are never read)."""
    return lastlog.nonzero_uids(view, size, extents, limit=1 << 62)
