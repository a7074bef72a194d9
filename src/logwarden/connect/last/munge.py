"""What ``last`` makes of each wtmp record before pairing: its effective type, and the tty
key logins and logouts are matched on. Columnar: a million records in a few numpy passes.

util-linux 2.38 does not trust ``ut_type``. Going through the records it rewrites the type:

* line starting with ``~``: user ``shutdown...`` is a shutdown (internal type 254),
  ``reboot...`` a boot, ``runlevel...`` a run-level change; other users keep their type;
* otherwise a record that is not DEAD_PROCESS but has a user (not ``LOGIN...``) and a line is a
  login (USER_PROCESS), whatever its type said; a record without a user is a logout
  (DEAD_PROCESS); user ``date...`` on line ``|`` / ``{`` is the old / new time of a clock change.

Names are compared as C's ``strncmp`` does: a prefix of the fixed field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.formats import utmp

#: util-linux's internal type for a shutdown record.
SHUTDOWN_TIME = 254

_HIGH = np.uint64(0x8080808080808080)
_LOW = np.uint64(0x0101010101010101)

U64 = npt.NDArray[np.uint64]
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Columns:
    """The parts of every record ``last`` looks at, copied out of the file.

    A wtmp record is 384 bytes and numpy copies a structured field at a time, so only what
    is needed for every record is taken: type, time, the first 8 bytes of user and line (as
    little-endian words; raw bytes, NUL padding and any garbage included) and, when the
    host column is printed, the first 16 bytes of the host as two words.
    """

    type: npt.NDArray[np.int16]
    sec: npt.NDArray[np.int64]
    user: U64
    line: U64
    host: tuple[U64, U64] | None = None
    """The two words, or None when not read."""

    def __len__(self) -> int:
        return len(self.sec)


def read_columns(records: utmp.Records, *, host: bool = False) -> Columns:
    """:class:`Columns` of ``records`` (any layout, either byte order)."""
    fields = records.raw.dtype.fields
    assert fields is not None
    names = ["type", "user", "line", "sec"]
    formats = [fields["type"][0], "<u8", "<u8", fields["sec"][0]]
    offsets = [fields[name][1] for name in names]
    packed = [("type", "=i2"), ("user", "<u8"), ("line", "<u8"), ("sec", "=i8")]
    if host:
        names += ["host0", "host1"]
        formats += ["<u8", "<u8"]
        offsets += [fields["host"][1], fields["host"][1] + 8]
        packed += [("host0", "<u8"), ("host1", "<u8")]
    view = np.dtype(
        {"names": names, "formats": formats, "offsets": offsets, "itemsize": records.layout.size}
    )
    head = records.raw.view(view).astype(packed)
    return Columns(
        type=head["type"],
        sec=head["sec"],
        user=head["user"],
        line=head["line"],
        host=(head["host0"], head["host1"]) if host else None,
    )


def field_words(records: utmp.Records, name: str, count: int) -> U64:
    """The first ``count`` 8-byte words of a string field, little-endian, one row per record
    (a strided view: nothing is copied until it is used)."""
    matrix = records.field_bytes(name)[:, : 8 * count]
    words: U64 = matrix.view("<u8")
    return words


def _prefix(word: U64, text: bytes) -> npt.NDArray[np.bool_]:
    """``strncmp(field, text, len(text)) == 0`` on the field's first word (len <= 8)."""
    mask = (1 << (8 * len(text))) - 1
    equal: npt.NDArray[np.bool_] = (word & np.uint64(mask)) == np.uint64(
        int.from_bytes(text, "little")
    )
    return equal


def effective_types(
    types: npt.NDArray[np.int16], user_word: U64, line_word: U64
) -> npt.NDArray[np.int32]:
    """The type ``last`` acts on for each record (see the module docstring).

    ``user_word``/``line_word`` are the first 8 bytes of ``ut_user``/``ut_line`` as words.
    """
    eff = types.astype(np.int32)
    line0 = line_word & np.uint64(0xFF)
    tilde = line0 == 0x7E
    has_user = (user_word & np.uint64(0xFF)) != 0
    # Logins and logouts, the bulk of a wtmp, can only lose their type to an empty user.
    eff[(eff == utmp.USER_PROCESS) & ~has_user & ~tilde] = utmp.DEAD_PROCESS
    rest = np.flatnonzero(((eff != utmp.USER_PROCESS) & (eff != utmp.DEAD_PROCESS)) | tilde)
    if len(rest):
        eff[rest] = _other_types(eff[rest], user_word[rest], line0[rest], has_user[rest])
    date = np.flatnonzero(_prefix(user_word, b"date") & ~tilde)
    if len(date):
        first = line0[date]
        eff[date[first == ord("|")]] = utmp.OLD_TIME
        eff[date[first == ord("{")]] = utmp.NEW_TIME
    return eff


def _other_types(
    eff: npt.NDArray[np.int32], user: U64, line0: U64, has_user: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int32]:
    """The rules for records that are neither plain logins nor logouts (before "date")."""
    tilde = line0 == 0x7E
    shutdown = tilde & _prefix(user, b"shutdown")
    reboot = tilde & ~shutdown & _prefix(user, b"reboot")
    runlevel = tilde & ~shutdown & ~reboot & _prefix(user, b"runlevel")
    eff[shutdown] = SHUTDOWN_TIME
    eff[reboot] = utmp.BOOT_TIME
    eff[runlevel] = utmp.RUN_LVL
    plain = ~tilde
    login = plain & (eff != utmp.DEAD_PROCESS) & has_user & (line0 != 0)
    eff[login & ~_prefix(user, b"LOGIN")] = utmp.USER_PROCESS
    eff[plain & ~has_user] = utmp.DEAD_PROCESS
    return eff


def until_nul(word: U64) -> tuple[U64, npt.NDArray[np.bool_]]:
    """``word`` with the bytes from its first NUL on cleared, and whether it had a NUL."""
    zero = (word - _LOW) & ~word & _HIGH  # the lowest flagged byte is the first NUL
    lowest = zero & (~zero + np.uint64(1))
    keep = (lowest >> np.uint64(7)) - np.uint64(1)  # all ones when there is no NUL
    return word & keep, zero != 0


def line_keys(first: U64, more: Callable[[npt.NDArray[np.intp]], U64]) -> npt.NDArray[np.int64]:
    """A small integer per distinct line (C strings of up to 32 bytes); equal lines get
    equal keys. ``first`` holds each line's first 8 bytes as a word; ``more(rows)`` gives
    all four words of the given rows, asked for only for lines that fill their first word."""
    word, ended = until_nul(first)
    long_rows = np.flatnonzero(~ended)
    if len(long_rows) == 0:
        return _dense_ids(word)
    keys = np.empty(len(first), dtype=np.int64)
    short_rows = np.flatnonzero(ended)
    keys[short_rows] = _dense_ids(word[short_rows])
    # Lines of 8 bytes or more ("ssh:notty", "pts/1000") never equal a shorter one: they get
    # keys of their own, from all four words with C-string semantics kept.
    words = np.array(more(long_rows), dtype=np.uint64)
    alive = np.ones(len(long_rows), dtype=bool)
    for k in range(1, 4):
        part, ended_k = until_nul(words[:, k])
        words[:, k] = np.where(alive, part, np.uint64(0))
        alive &= ~ended_k
    offset = int(keys[short_rows].max()) + 1 if len(short_rows) else 0
    keys[long_rows] = offset + _dense_rows(words)
    return keys


def _dense_rows(rows: U64) -> npt.NDArray[np.int64]:
    """:func:`_dense_ids` for rows of four words: on a hash of each row, kept when no two
    different rows share a hash."""
    mixed = rows[:, 0].copy()
    for k in range(1, rows.shape[1]):
        mixed = (mixed * _GOLDEN) ^ rows[:, k]
    ids = _dense_ids(mixed)
    first = np.empty(int(ids.max()) + 1, dtype=np.int64)
    first[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)
    if (rows == rows[first[ids]]).all():
        return ids
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def _dense_ids(values: U64) -> npt.NDArray[np.int64]:
    """Small integers for ``values``: equal values get equal ids, different ones different.

    Lines repeat a lot (a few hundred distinct ttys in a million records): a multiplicative
    hash into 16 bits is tried first and kept when no two distinct values share a slot;
    otherwise the values are ranked among the distinct ones.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    slots = ((values * _GOLDEN) >> np.uint64(48)).astype(np.int64)
    owner = np.zeros(1 << 16, dtype=np.uint64)
    owner[slots] = values
    if (owner[slots] == values).all():
        return slots
    distinct, inverse = np.unique(values, return_inverse=True)
    del distinct
    return inverse.reshape(-1).astype(np.int64)
