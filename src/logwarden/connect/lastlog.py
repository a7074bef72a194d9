"""lastlog (shadow 4.13): each account's most recent login, read from a lastlog by uid.

The library side of the tool: which accounts a command line selects (``-u`` names, uids and
ranges, ``LASTLOG_UID_MAX``), which of their records pass ``-t``/``-b``, what ``-C``/``-S``
write, and the classic text of the report. Everything is computed as shadow computes it,
wrap-arounds of C's unsigned and ``time_t`` arithmetic included, since those decide which
rows appear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from logwarden.cnum import strtoul, to_signed64
from logwarden.formats import lastlog
from logwarden.sources.accounts import Accounts, User
from logwarden.timefmt import LocalTime

DAY = 86400
#: shadow's LASTLOG_UID_MAX when login.defs does not set it.
UID_MAX_DEFAULT = 0xFFFFFFFF
UID_MASK = 0xFFFFFFFF  # C's conversion to uid_t

HEADER = b"Username         Port     From" + b" " * 39 + b"Latest\n"
NEVER = b"**Never logged in**"
UNKNOWN = b"(unknown)"
DATE_FORMAT = "%a %b %e %H:%M:%S %z %Y"

#: What ``lastlog -S`` stamps into a record besides the time.
SET_LINE = b"lastlog"
SET_HOST = b"localhost"

#: The columns of ``--json``/``--csv``, shared with lastlog2 (one record type, two sources).
FIELDS = ("user", "uid", "line", "host", "service", "time", "latest")


@dataclass(frozen=True)
class UidRange:
    """What ``-u`` selected: ``low``/``high`` are None where the range is open."""

    low: int | None
    high: int | None

    @property
    def single(self) -> bool:
        return self.low is not None and self.low == self.high


def parse_range(text: str) -> UidRange | None:
    """shadow 4.13's ``getrange``: ``N``, ``N-``, ``-N`` or ``N-M`` (decimal), else None."""
    if text.startswith("-"):
        if not text[1:2].isdigit() or not text[1:2].isascii():
            return None
        high = strtoul(text[1:])
        if high.end != len(text) - 1 or high.erange:
            return None
        return UidRange(None, high.value)
    low = strtoul(text)
    if low.erange:
        return None
    rest = text[low.end :]
    if rest == "":
        return UidRange(low.value, low.value)
    if not rest.startswith("-"):
        return None
    rest = rest[1:]
    if rest == "":
        return UidRange(low.value, None)
    if not (rest[:1].isdigit() and rest[:1].isascii()):
        return None
    high = strtoul(rest)
    if high.end != len(rest) or high.erange:
        return None
    return UidRange(low.value, high.value)


def select_user(text: str, accounts: Accounts) -> UidRange | None:
    """``-u TEXT``: a login name first (``getpwnam``), else a uid or a range; None when it is
    neither ("Unknown user or range")."""
    user = accounts.by_name(text.encode("utf-8", "surrogateescape"))
    if user is not None:
        return UidRange(user.uid, user.uid)
    return parse_range(text)


def parse_days(text: str) -> int | None:
    """``-t``/``-b DAYS`` as shadow reads them (``getulong``: base 0, whole string), in
    seconds as C's ``(time_t) days * DAY`` leaves them (wrapped); None if refused."""
    parsed = strtoul(text, 0)
    if not text or parsed.end != len(text) or parsed.erange:
        return None
    return to_signed64(to_signed64(parsed.value) * DAY)


def uid_max_exceeded(selection: UidRange | None, uid_max: int) -> bool:
    """True when a selected bound is above LASTLOG_UID_MAX (shadow then warns)."""
    if selection is None:
        return False
    return any(bound is not None and bound > uid_max for bound in (selection.low, selection.high))


def selected_users(
    accounts: Accounts, selection: UidRange | None, uid_max: int, *, updating: bool = False
) -> list[User]:
    """The accounts ``lastlog`` visits, in ``getpwent`` order.

    One uid (``-u NAME`` or ``-u N``) is looked up with ``getpwuid``: the first account with
    that uid, if any. A range walks every account in it. Without ``-u``, accounts above
    LASTLOG_UID_MAX are left out (when updating there is always a ``-u``).
    """
    if selection is not None and selection.single:
        assert selection.low is not None
        user = accounts.by_uid(selection.low & UID_MASK)
        return [user] if user is not None else []
    chosen = []
    for user in accounts.users():
        if selection is not None:
            if selection.low is not None and user.uid < selection.low & UID_MASK:
                continue
            if selection.high is not None and user.uid > selection.high & UID_MASK:
                continue
        elif not updating and user.uid > uid_max & UID_MASK:
            continue
        chosen.append(user)
    return chosen


@dataclass(frozen=True)
class Login:
    """One account's row: its record (time 0: never logged in)."""

    user: User
    time: int
    line: bytes
    host: bytes
    service: bytes | None = None


def logins(
    users: Sequence[User],
    records_for: Callable[[Sequence[int]], lastlog.Records],
    now: int,
    newer_than: int | None = None,
    older_than: int | None = None,
) -> list[Login]:
    """The rows of ``users`` that pass ``-t`` (at most ``newer_than`` seconds old) and ``-b``
    (at least ``older_than`` seconds old), compared as shadow compares them."""
    if not users:
        return []
    records = records_for([u.uid for u in users])
    times = records.time
    age = np.asarray(now, dtype=np.int64) - times  # C's time_t arithmetic, wrapping alike
    keep = np.ones(len(users), dtype=bool)
    if newer_than is not None:
        keep &= ~(age > newer_than)
    if older_than is not None:
        keep &= ~(age < older_than)
    rows = np.flatnonzero(keep)
    lines, hosts = records.lines(), records.hosts()
    time_list = times.tolist()
    return [Login(users[i], time_list[i], lines[i], hosts[i]) for i in rows.tolist()]


def latest_text(t: int, clock: LocalTime) -> bytes:
    """The Latest column: the date, ``**Never logged in**`` for 0, ``(unknown)`` where the
    C library cannot break the time down."""
    if t == 0:
        return NEVER
    try:
        return clock.strftime(DATE_FORMAT, t)
    except (OverflowError, OSError, ValueError):
        return UNKNOWN


def render_row(login: Login, clock: LocalTime, clean: Callable[[bytes], bytes]) -> bytes:
    """``%-16s %-8.8s %-42s%s``: no space before the date, so a long host runs into it."""
    name = clean(login.user.name)
    line = clean(login.line[:8])
    host = clean(login.host)
    return b"%-16s %-8s %-42s%s\n" % (name, line, host, latest_text(login.time, clock))


def render(rows: Sequence[Login], clock: LocalTime, clean: Callable[[bytes], bytes]) -> bytes:
    """The report: the header, printed only when there is a row, then the rows."""
    if not rows:
        return b""
    return HEADER + b"".join(render_row(r, clock, clean) for r in rows)


def iso_time(t: int) -> str | None:
    """``t`` as ISO 8601 in the local zone (``TZ``), None for never or an unbreakable time."""
    if t == 0:
        return None
    try:
        return datetime.fromtimestamp(t, UTC).astimezone().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def row_of(login: Login, *, with_uid: bool = True) -> dict[str, object]:
    """One ``--json``/``--csv`` row."""
    return {
        "user": login.user.name,
        "uid": login.user.uid if with_uid else None,
        "line": login.line,
        "host": login.host,
        "service": login.service,
        "time": login.time or None,
        "latest": iso_time(login.time),
    }


def updates(
    users: Sequence[User], layout: lastlog.Layout, *, set_now: int | None
) -> list[tuple[int, bytes]]:
    """What ``-C`` (``set_now`` None: a zeroed record) or ``-S`` (the time ``set_now``, line
    ``lastlog``, host ``localhost``) writes: ``(offset, record)`` per account."""
    if set_now is None:
        record = lastlog.encode(layout, 0)
    else:
        record = lastlog.encode(layout, set_now, SET_LINE, SET_HOST)
    return [(user.uid * layout.size, record) for user in users]
