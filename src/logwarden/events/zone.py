"""The time zone of the host the logs came from: its ``etc/localtime``, never this machine's.

Syslog, sulog, sudo's log and tai64nlocal lines are stamped in the host's local time. A
forensic copy of a host in Tokyo read on a laptop in Paris must be read in Tokyo time, so the
zone comes from the root (``ROOT/etc/localtime``, the tzfile itself, or ``ROOT/etc/timezone``)
or from ``--tz``; the machine doing the reading is never asked.

Local wall times become UTC through :class:`HostZone`, one call per quarter hour of wall time
(a zone's offset changes only at its transitions), so a column of a million stamps costs a few
hundred zone look-ups. In the hour that repeats when clocks go back, the first of the two
instants is taken (``fold=0``), as ``mktime`` does with ``tm_isdst = -1`` on glibc; a wall time
in the hour that is skipped when clocks go forward is read with the offset before the jump.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from logwarden.errors import UsageError

_BUCKET = 900
_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive on purpose: a wall clock reading

Ints = npt.NDArray[np.int64]
_OffsetFn = Callable[[int], int]


@dataclass
class HostZone:
    """A host's zone: wall clock to UTC and back, cached per quarter hour."""

    zone: tzinfo
    #: The zone's name (``Europe/Paris``), or a description when it has none.
    name: str
    #: The tzfile's bytes when the zone came from one (kept in the store with the host).
    data: bytes | None = None
    _wall: dict[int, int | None] = field(default_factory=dict, repr=False)
    _utc: dict[int, int | None] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ wall clock -> UTC

    def _wall_offset(self, wall: int) -> int:
        naive = _EPOCH + timedelta(seconds=wall)
        offset = naive.replace(tzinfo=self.zone).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def wall_offset(self, wall: int) -> int:
        """Seconds east of UTC in force at the wall clock reading ``wall`` (seconds since
        1970-01-01 00:00 on that clock)."""
        bucket = wall // _BUCKET
        known = self._wall.get(bucket, -1)
        if known == -1:
            start = self._wall_offset(bucket * _BUCKET)
            end = self._wall_offset(bucket * _BUCKET + _BUCKET - 1)
            known = start if start == end else None
            self._wall[bucket] = known
        return self._wall_offset(wall) if known is None else known

    def utc(self, year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
        """Unix seconds of a local wall clock reading."""
        wall = int((datetime(year, month, day, hour, minute, second) - _EPOCH).total_seconds())  # noqa: DTZ001
        return wall - self.wall_offset(wall)

    def wall_to_utc(self, wall: Ints) -> Ints:
        """:meth:`utc` for a column of wall clock readings (seconds since 1970 on it)."""
        return wall - _per_bucket(wall, self._wall, self._wall_offset)

    # ------------------------------------------------------------------ UTC -> wall clock

    def _utc_offset(self, t: int) -> int:
        offset = datetime.fromtimestamp(t, UTC).astimezone(self.zone).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def offsets(self, utc: Ints) -> Ints:
        """Seconds east of UTC in force at each Unix time of ``utc``."""
        return _per_bucket(utc, self._utc, self._utc_offset)

    def offset(self, t: int) -> int:
        """Seconds east of UTC in force at Unix time ``t``."""
        return int(self.offsets(np.array([t], dtype=np.int64))[0])

    def local(self, t: float) -> datetime:
        """Unix time ``t`` as an aware datetime in this zone."""
        return datetime.fromtimestamp(t, UTC).astimezone(self.zone)


def _per_bucket(values: Ints, cache: dict[int, int | None], exact: _OffsetFn) -> Ints:
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    buckets, inverse = np.unique(values // _BUCKET, return_inverse=True)
    per_bucket = np.zeros(len(buckets), dtype=np.int64)
    mixed = np.zeros(len(buckets), dtype=bool)
    for i, bucket in enumerate(buckets.tolist()):
        known = cache.get(bucket, -1)
        if known == -1:
            start = exact(bucket * _BUCKET)
            end = exact(bucket * _BUCKET + _BUCKET - 1)
            known = start if start == end else None
            cache[bucket] = known
        if known is None:
            mixed[i] = True
        else:
            per_bucket[i] = known
    result = per_bucket[inverse.reshape(-1)]
    if mixed.any():
        where = np.flatnonzero(mixed[inverse.reshape(-1)])
        result[where] = [exact(int(v)) for v in values[where].tolist()]
    return result


UTC_ZONE = HostZone(UTC, "UTC")


def named(name: str) -> HostZone:
    """``--tz NAME``: a zone of the tz database (``Europe/Paris``), ``UTC``, or a tzfile."""
    if os.path.isabs(name) and os.path.isfile(name):
        return from_file(name, name)
    try:
        return HostZone(ZoneInfo(name), name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz {name!r}: no such time zone (a name such as Europe/Paris)"
        ) from None


def from_file(path: str, name: str | None = None) -> HostZone:
    """The zone of the tzfile at ``path``."""
    with open(path, "rb") as f:
        data = f.read()
    zone = ZoneInfo.from_file(io.BytesIO(data), key=name)
    return HostZone(zone, name or path, data)


def _inside(root: str, target: str) -> str:
    """An absolute symbolic link target read inside ``root``, as the host would follow it."""
    return os.path.join(root, target.lstrip("/")) if os.path.isabs(target) else target


def for_root(root: str) -> tuple[HostZone, str | None]:
    """The zone of the host whose files are under ``root``, and a note when there is none.

    ``etc/localtime`` is read inside the root (a symbolic link to ``/usr/share/zoneinfo/X``
    is followed inside the root too; where the root lacks the tz database, the name ``X`` is
    looked up in this machine's copy of it: the name is the host's, only the rules are
    shared). Then ``etc/timezone`` (Debian's name file). Otherwise UTC, with a note.
    """
    localtime = os.path.join(root, "etc/localtime")
    name: str | None = None
    timezone_file = os.path.join(root, "etc/timezone")
    if os.path.isfile(timezone_file):
        try:
            with open(timezone_file, encoding="utf-8", errors="replace") as f:
                name = f.readline().strip() or None
        except OSError:
            name = None
    if os.path.islink(localtime):
        target = os.readlink(localtime)
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
        inside = _inside(os.path.dirname(localtime), target)
        if os.path.isfile(inside):
            try:
                return from_file(inside, name), None
            except (OSError, ValueError):
                pass
    elif os.path.isfile(localtime):
        try:
            return from_file(localtime, name or "etc/localtime"), None
        except (OSError, ValueError):
            return UTC_ZONE, f"{localtime}: not a time zone file; local times read as UTC"
    if name is not None:
        try:
            return HostZone(ZoneInfo(name), name), None
        except (ZoneInfoNotFoundError, ValueError):
            return UTC_ZONE, f"{root}: unknown time zone {name!r}; local times read as UTC"
    return UTC_ZONE, (
        f"{root}: no etc/localtime or etc/timezone; local times read as UTC (--tz sets the zone)"
    )
