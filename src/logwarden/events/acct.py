"""Events from process accounting: one ``command`` per pacct record, at the time it started.

Records are decoded by the codec the acct tools use (:mod:`logwarden.formats.acct`: every
version, either byte order). The terminal is named from the static Linux table (a file from
another host names its terminals by that host's devices, which this machine's ``/dev`` need
not have), users from the root's passwd. pacct keeps whole seconds only: a command's time is
its start second.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from logwarden.acct.fields import commands
from logwarden.acct.ttys import names_of
from logwarden.events import schema
from logwarden.events.binary import drop_future, future_limit, load
from logwarden.events.context import HostContext
from logwarden.events.source import Batch, Found, Position
from logwarden.events.strings import binary_to_text
from logwarden.formats import acct

BATCH = 1 << 17


def _names(ctx: HostContext, ids: np.ndarray) -> pl.Series:
    distinct, inverse = np.unique(ids, return_inverse=True)
    table: list[str | None] = []
    for uid in distinct.tolist():
        user = ctx.accounts.by_uid(uid)
        table.append(user.name.decode("utf-8", "backslashreplace") if user else None)
    return pl.Series([table[i] for i in inverse.reshape(-1).tolist()], dtype=pl.String)


def pacct_events(
    ctx: HostContext, found: Found, records: acct.Records, base: int, file_id: int, limit: int
) -> pl.DataFrame:
    """Events of decoded records whose positions count from the record at byte ``base``."""
    start_us = records["btime"].astype(np.int64) * 1_000_000
    offsets = base + records.position * acct.RECORD_SIZE
    keep = drop_future(ctx, found.path, start_us, offsets, limit)
    if not keep.all():
        records = records.take(np.flatnonzero(keep))
        start_us, offsets = start_us[keep], offsets[keep]
    n = len(records)
    if n == 0:
        return schema.empty()
    tty_names = names_of(ctx.ttys, records["tty"])
    ahz = np.maximum(records["ahz"].astype(np.float64), 1.0)
    cpu = (acct.comp_t_value(records["utime"]) + acct.comp_t_value(records["stime"])) / ahz
    flags = records["flag"]
    df = pl.DataFrame(
        {
            "time": pl.Series(start_us).cast(schema.TIME),
            "offset": offsets,
            "record": offsets // acct.RECORD_SIZE,
            "comm": binary_to_text(pl.Series(commands(records)).cast(pl.Binary)),
            "tty": binary_to_text(pl.Series(tty_names).cast(pl.Binary)),
            "uid": records["uid"].astype(np.int64),
            "gid": records["gid"].astype(np.int64),
            "pid": records["pid"].astype(np.int64),
            "ppid": records["ppid"].astype(np.int64),
            "exitcode": records["exitcode"].astype(np.int64),
            "elapsed": np.round(records["etime"].astype(np.float64) / ahz, 2),
            "cpu": np.round(cpu, 2),
            "mem": acct.comp_t_value(records["mem"]),
            "flags": acct.flags_text(flags),
            "version": (records["version"] & 0x7F).astype(np.int64),
        }
    ).with_columns(
        _names(ctx, records["uid"]).alias("user"),
        pl.when(pl.col("tty") == "__").then(None).otherwise(pl.col("tty")).alias("tty"),
        # v0-v2 records have no pid: 0 there means "not recorded".
        pl.when(pl.col("pid") == 0).then(None).otherwise(pl.col("pid")).alias("pid"),
    )
    who = pl.coalesce(pl.col("user"), pl.concat_str(pl.lit("uid "), pl.col("uid").cast(pl.String)))
    flag_note = pl.when(pl.col("flags") != "").then(
        pl.concat_str(pl.lit(", flags "), pl.col("flags"))
    )
    message = pl.concat_str(
        pl.col("comm"), pl.lit(" run by "), who,
        pl.when(pl.col("tty").is_not_null()).then(pl.concat_str(pl.lit(" on "), pl.col("tty")))
        .otherwise(pl.lit("")),
        pl.lit(" ("), pl.col("cpu").cast(pl.String), pl.lit(" s CPU, "),
        pl.col("elapsed").cast(pl.String), pl.lit(" s elapsed"),
        flag_note.otherwise(pl.lit("")), pl.lit(")"),
    )  # fmt: skip
    fields = schema.fields_json(
        {
            "command": pl.col("comm"),
            "flags": pl.col("flags"),
            "gid": pl.col("gid"),
            "ppid": pl.col("ppid"),
            "exitcode": pl.col("exitcode"),
            "elapsed": pl.col("elapsed"),
            "cpu": pl.col("cpu"),
            "mem_k": pl.col("mem"),
            "version": pl.col("version"),
        }
    )
    df = df.with_columns(message.alias("message"), fields.alias("fields"))
    return schema.batch(
        n,
        {
            "time": df["time"], "host": ctx.host, "source": ctx.shown(found.path),
            "offset": df["offset"], "record": df["record"], "file_id": file_id,
            "source_kind": "pacct", "kind": "command", "user": df["user"], "uid": df["uid"],
            "tty": df["tty"], "pid": df["pid"], "program": df["comm"],
            "message": df["message"], "fields": df["fields"],
        },
    )  # fmt: skip


def read_pacct(ctx: HostContext, found: Found, start: Position, file_id: int) -> Iterator[Batch]:
    """Events of a pacct from ``start`` on."""
    try:
        data = load(found.path)
    except OSError as e:
        ctx.problem(found.path, None, f"cannot read: {e.strerror or e}")
        return
    view = memoryview(data)
    begin = start.offset - start.offset % acct.RECORD_SIZE
    whole_end = begin + (len(view) - begin) // acct.RECORD_SIZE * acct.RECORD_SIZE
    limit = future_limit(found.path)
    unknown = total = 0
    first_unknown = -1
    step = BATCH * acct.RECORD_SIZE
    for at in range(begin, whole_end, step):
        part = view[at : min(at + step, whole_end)]
        decoded = acct.decode(part)
        total += len(part) // acct.RECORD_SIZE
        if decoded.unknown:
            if first_unknown < 0:
                first_unknown = at + decoded.first_unknown
            unknown += decoded.unknown
        if at == begin and decoded.unknown > 3 * len(decoded.records):
            # Three records in four with no version any kernel writes: not a pacct at all.
            ctx.problem(
                found.path,
                None,
                f"not a process accounting file: {decoded.unknown} of its first {total} "
                "records have no known version",
            )
            return
        events = pacct_events(ctx, found, decoded.records, at, file_id, limit)
        end = at + len(part)
        yield Batch(events, Position(end, end // acct.RECORD_SIZE))
    if unknown:
        ctx.problem(found.path, first_unknown,
                    f"skipped {unknown} record{'s' if unknown != 1 else ''} of unknown format",
                    unknown)  # fmt: skip
    trailing = len(view) - whole_end
    if trailing:
        ctx.problem(found.path, whole_end,
                    f"left {trailing} trailing byte{'s' if trailing != 1 else ''} that are "
                    "not a whole 64-byte record")  # fmt: skip
