"""How GNU ``ac`` reads its input: the files in order as one stream, whole records, munged.

``ac`` opens the files given with ``-f`` one after the other (``-`` is standard input) and
reads whole records forwards; bytes after the last whole record are ignored. A file that
cannot be opened is reported on standard error (``couldn't open file 'F': REASON``, perror's
wording, no program name) and skipped; a directory opens but yields no records.

Each record is then "munged" (``fix_ut_type_field`` in GNU acct's ``utmp_rd.c``) so that BSD
style records and damaged types look like proper System V ones:

1. a line starting ``|`` is OLD_TIME, ``{`` is NEW_TIME; a line starting ``~`` with user
   ``reboot`` is BOOT_TIME, with user ``shutdown`` RUN_LVL;
2. RUN_LVL by ``reboot`` becomes BOOT_TIME; BOOT_TIME by ``shutdown`` becomes RUN_LVL;
3. USER_PROCESS without a user name becomes DEAD_PROCESS;
4. a type outside 1..8 with a non-empty line becomes USER_PROCESS if it names a user, else
   DEAD_PROCESS.

Times are the record's ``ut_tv.tv_sec`` as the C struct declares it: a signed 32-bit number in
the 384/382-byte layouts (so 2038 wraps to 1901, as GNU ac on glibc 2.36 reads it), 64-bit in
the 400-byte layouts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from logwarden.formats import utmp
from logwarden.sources.files import read_file
from logwarden.sources.utmpfile import choose_layout

OLD_TIME_CHAR = ord("|")
NEW_TIME_CHAR = ord("{")
BOOT_TIME_CHAR = ord("~")
#: The highest ut_type GNU ac takes as genuine (DEAD_PROCESS): ACCOUNTING (9) is munged.
MAX_TYPE = utmp.DEAD_PROCESS

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class Segment:
    """One ``-f`` file: its records, or why there are none."""

    name: str
    records: utmp.Records | None
    """None when the file could not be opened."""
    error: str | None = None
    """perror's line for a file that could not be opened."""
    warnings: list[str] = field(default_factory=list)

    @property
    def opened(self) -> bool:
        return self.records is not None

    def __len__(self) -> int:
        return 0 if self.records is None else len(self.records)


def _empty(layout: utmp.Layout) -> utmp.Records:
    return utmp.records_of(b"", layout)


def open_segments(paths: Sequence[str], layout: utmp.Layout | None) -> list[Segment]:
    """Every file of ``paths`` read as ``ac`` reads it (``layout`` None: detect each)."""
    segments = []
    stdin_used = False
    for path in paths:
        if path == "-" and stdin_used:
            # GNU ac closed stdin after the first "-"; reading it again gives nothing.
            segments.append(Segment(path, _empty(layout or utmp.LAYOUTS[utmp.NATIVE])))
            continue
        stdin_used = stdin_used or path == "-"
        segments.append(_open_one(path, layout))
    return segments


def _open_one(path: str, layout: utmp.Layout | None) -> Segment:
    fallback = layout or utmp.LAYOUTS[utmp.NATIVE]
    try:
        file = read_file(path)
    except IsADirectoryError:
        # fopen() opens a directory for reading; fread() then fails and ac sees no records.
        return Segment(path, _empty(fallback))
    except OSError as e:
        reason = e.strerror or os.strerror(e.errno or 0)
        return Segment(path, None, f"couldn't open file '{path}': {reason}")
    view = memoryview(file.data)
    chosen = layout or _plainly_native(view) or choose_layout(path, view, layout)
    records = utmp.records_of(view, chosen)
    segment = Segment(path, records)
    trailing = len(view) - len(records) * chosen.size
    if trailing:
        segment.warnings.append(
            f"{path}: offset {len(records) * chosen.size}: ignored {trailing} trailing "
            f"byte{'s' if trailing != 1 else ''} that are not a whole {chosen.size}-byte record"
        )
    return segment


_GLANCE = 64


def _plainly_native(view: memoryview) -> utmp.Layout | None:
    """This machine's layout, when a glance at the file's two ends leaves no doubt.

    Full detection scores thousands of records spread over the file (a page fault each on a
    large mapped file); for the common case, a file of whole native records whose first and
    last records are all sound and which no other record size divides, looking at those is
    enough. Anything less clear-cut goes to :func:`choose_layout`.
    """
    native = utmp.LAYOUTS[utmp.NATIVE]
    size = len(view)
    if size == 0 or size % native.size:
        return None
    if not (_sound(view, native, head=True) and _sound(view, native, head=False)):
        return None
    for other in utmp.LAYOUTS.values():
        if other is not native and size % other.size == 0 and _sound(view, other, head=True):
            return None  # the file reads as well under another layout: let detection decide
    return native


def _sound(view: memoryview, layout: utmp.Layout, *, head: bool) -> bool:
    """Whether the first (or last) records of ``view`` under ``layout`` are all plausible."""
    count = len(view) // layout.size
    first = 0 if head else max(0, count - _GLANCE)
    part = view[first * layout.size : min(count, first + _GLANCE) * layout.size]
    return bool(utmp.plausible(utmp.records_of(part, layout)).all())


def times_of(records: utmp.Records) -> IntArray:
    """``ut_time`` of every record as the C struct declares it (see the module docstring)."""
    sec: npt.NDArray[np.integer] = records.raw["sec"]
    if records.layout.size == 400:
        return sec.astype(np.int64)
    return sec.astype(np.uint32).astype(np.int32).astype(np.int64)


def first_bytes(records: utmp.Records, name: str) -> npt.NDArray[np.uint8]:
    """The first byte of a string field of every record (0 for an empty string)."""
    return records.field_bytes(name)[:, 0].copy()


class Columns:
    """The per-record values the state machine reads (a chunk at a time), munging included."""

    def __init__(self, records: utmp.Records) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    @cached_property
    def time(self) -> IntArray:
        return times_of(self.records)

    @cached_property
    def original_type(self) -> IntArray:
        return self.records.type.astype(np.int64)

    @cached_property
    def line0(self) -> npt.NDArray[np.uint8]:
        return first_bytes(self.records, "line")

    @cached_property
    def user0(self) -> npt.NDArray[np.uint8]:
        return first_bytes(self.records, "user")

    @cached_property
    def pid(self) -> IntArray:
        return self.records.pid.astype(np.int64)

    def _named(self, rows: npt.NDArray[np.intp], name: bytes) -> BoolArray:
        result = np.zeros(len(self.records), dtype=bool)
        if len(rows):
            users = self.records.cstrings("user", rows=rows)
            result[rows] = users == name
        return result

    @cached_property
    def _munged(self) -> tuple[IntArray, BoolArray]:
        return munge(self.original_type, self.line0, self.user0, self._name_flags)

    @cached_property
    def _name_flags(self) -> tuple[BoolArray, BoolArray]:
        t = self.original_type
        # Only these records can have their type decided by a reboot/shutdown name.
        rows = np.flatnonzero(
            (self.line0 == BOOT_TIME_CHAR) | (t == utmp.RUN_LVL) | (t == utmp.BOOT_TIME)
        )
        return self._named(rows, b"reboot"), self._named(rows, b"shutdown")

    @property
    def type(self) -> IntArray:
        """The type after munging."""
        return self._munged[0]

    @property
    def munged(self) -> BoolArray:
        """Whether ``fix_ut_type_field`` reported a change (what ``--debug`` shows)."""
        return self._munged[1]


def munge(
    original: IntArray,
    line0: npt.NDArray[np.uint8],
    user0: npt.NDArray[np.uint8],
    names: tuple[BoolArray, BoolArray],
) -> tuple[IntArray, BoolArray]:
    """``fix_ut_type_field`` on whole columns: the new types and which records it touched."""
    reboot, shutdown = names
    t = original.copy()
    mods = np.zeros(len(t), dtype=bool)

    def apply(where: BoolArray, value: int) -> None:
        t[where] = value
        mods[where] = True

    old = line0 == OLD_TIME_CHAR
    new = line0 == NEW_TIME_CHAR
    tilde = line0 == BOOT_TIME_CHAR
    apply(old, utmp.OLD_TIME)
    apply(new, utmp.NEW_TIME)
    boot_named = tilde & reboot & (t != utmp.BOOT_TIME)
    apply(boot_named, utmp.BOOT_TIME)
    apply(tilde & ~reboot & shutdown & (t != utmp.RUN_LVL), utmp.RUN_LVL)
    apply((t == utmp.RUN_LVL) & reboot, utmp.BOOT_TIME)
    apply((t == utmp.BOOT_TIME) & shutdown, utmp.RUN_LVL)
    apply((t == utmp.USER_PROCESS) & (user0 == 0), utmp.DEAD_PROCESS)
    odd = ((t < 1) | (t > MAX_TYPE)) & (line0 != 0)
    apply(odd & (user0 != 0), utmp.USER_PROCESS)
    apply(odd & (user0 == 0), utmp.DEAD_PROCESS)
    return t, mods
