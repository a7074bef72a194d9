"""wtmp histories for the ``last`` tests, and the loop that runs both programs over them.

The histories are built record by record (struct, not logwarden's codec) and are meant to
reach every branch of util-linux's pairing: logouts, logins replacing logins on a tty, ghosts
without a user, crashes, clean shutdowns, run levels 0 and 6, clock changes, sessions open at
the end, long and odd fields, and a seeded crowd of ssh sessions around them.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Sequence
from pathlib import Path

from support.reference import assert_same, ours, reference
from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    INIT_PROCESS,
    LOGIN_PROCESS,
    NEW_TIME,
    OLD_TIME,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    at,
)

#: The frozen "now" of the tests: a Wednesday, two weeks after the last DST change of the
#: northern zones tested, a week before the southern ones change.
NOW = at("2024-03-27 12:00")
KERNEL = b"6.1.0-18-amd64"


def v6(text: str) -> bytes:
    """The 16 address bytes of an IPv6 address."""
    return socket.inet_pton(socket.AF_INET6, text)


def runlevel(new: str, old: str = "N") -> int:
    """``ut_pid`` of a run-level record: the new level and, above it, the old one."""
    return ord(new) + 256 * ord(old)


def boot(t: int) -> list[Rec]:
    """A boot and its run-level record, as systemd writes them."""
    return [
        Rec(BOOT_TIME, t, b"reboot", b"~", KERNEL, id=b"~~"),
        Rec(RUN_LVL, t + 5, b"runlevel", b"~", KERNEL, pid=runlevel("5"), id=b"~~"),
    ]


def shutdown(t: int, level: str = "0") -> list[Rec]:
    """A clean shutdown: run level 0 (or 6) and the shutdown record."""
    return [
        Rec(RUN_LVL, t, b"runlevel", b"~", KERNEL, pid=runlevel(level, "5"), id=b"~~"),
        Rec(RUN_LVL, t + 1, b"shutdown", b"~", KERNEL, id=b"~~"),
    ]


def login(t: int, user: bytes, line: bytes, host: bytes = b"", **kw: object) -> Rec:
    """A USER_PROCESS record."""
    return Rec(USER_PROCESS, t, user, line, host, **kw)  # type: ignore[arg-type]


def logout(t: int, line: bytes, pid: int = 0) -> Rec:
    """A DEAD_PROCESS record (no user, no host)."""
    return Rec(DEAD_PROCESS, t, b"", line, pid=pid)


def crowd(start: int, end: int, seed: int, count: int) -> list[Rec]:
    """``count`` ssh sessions between ``start`` and ``end`` on the lowest free pts."""
    rng = random.Random(seed)
    users = [b"alice", b"bob", b"carol", b"dave", b"deploy", b"root", b"x" * 12]
    hosts = (
        [(b"192.0.2.%d" % i, f"192.0.2.{i}") for i in (1, 7, 23, 200)]
        + [(b"2001:db8::%x" % i, f"2001:db8::{i:x}") for i in (1, 0xBEEF)]
        + [
            (b"client.example.net", "198.51.100.4"),
            (b"a-rather-long-host-name.example.org", "203.0.113.9"),
        ]
    )
    events: list[tuple[int, int, Rec]] = []
    busy: list[tuple[int, int]] = []  # (logout time, pts)
    for n in range(count):
        t = rng.randrange(start, end)
        free = [p for p in range(8) if all(b > t or q != p for b, q in busy)]
        pts = free[0] if free else 8 + n
        length = int(rng.lognormvariate(7.5, 1.8))
        host, addr = rng.choice(hosts)
        user = rng.choice(users)
        line = b"pts/%d" % pts
        events.append((t, 0, login(t, user, line, host, pid=4000 + n, addr=addr)))
        if t + length < end and rng.random() < 0.9:
            events.append((t + length, 1, logout(t + length, line, 4000 + n)))
            busy.append((t + length, pts))
        else:
            busy.append((end, pts))
    return [rec for _, _, rec in sorted(events, key=lambda e: (e[0], e[1]))]


def rich_history() -> list[Rec]:
    """Three weeks of a host's wtmp ending a few hours before NOW."""
    d0 = at("2024-03-04 08:00")
    day = 86400
    recs: list[Rec] = []
    recs += boot(d0)
    recs += [
        Rec(LOGIN_PROCESS, d0 + 6, b"LOGIN", b"tty1", pid=600, id=b"tty1"),
        Rec(INIT_PROCESS, d0 + 7, b"", b"tty2", pid=601, id=b"tty2"),
        login(d0 + 3600, b"alice", b"pts/0", b"192.168.1.10", pid=1000, addr="192.168.1.10"),
        login(d0 + 3700, b"bob", b"pts/1", b"host.example.com", pid=1001, addr="10.0.0.5"),
        login(d0 + 3800, b"ftpuser", b"ftp2002", b"ftp.client.net", pid=1002),
        login(d0 + 3900, b"uucp", b"uucp12", pid=1003),
        login(d0 + 4000, b"averyveryverylongusername", b"pts/2", b"a" * 40, pid=1004),
        login(d0 + 4100, b"u" * 32, b"pts/3", b"H" * 256, pid=1005),
        login(
            d0 + 4200, b"mapped", b"pts/4", b"mapped-host", pid=1006, addr=v6("::ffff:192.0.2.9")
        ),
        login(d0 + 4300, b"v6user", b"pts/5", b"v6host", pid=1007, addr=v6("2001:db8::dead:beef")),
        login(d0 + 4400, b"root", b"tty1", pid=1008, id=b"tty1"),
        logout(d0 + 5000, b"ftp2002", 1002),
        logout(d0 + 5030, b"uucp12", 1003),
        logout(d0 + 7200, b"pts/0", 1000),
        login(d0 + 7300, b"ghost", b"pts/6", pid=1009),
        login(d0 + 7400, b"", b"pts/6", pid=1010),  # a ghost: USER_PROCESS without user
        login(d0 + 7500, b"nolinelogin", b"", pid=1011),
        login(d0 + 7600, b"alice", b"pts/0", b"192.168.1.10", pid=1012),
        login(d0 + 7700, b"alice", b"pts/0", b"192.168.1.10", pid=1013),  # replaces the last
        logout(d0 + day + 600, b"pts/0", 1013),
        logout(d0 + 2 * day + 60, b"tty1", 1008),
        logout(d0 + 11 * 3600, b"pts/4", 1006),
    ]
    # A clock change, with a session that seems to end before it began.
    t = d0 + 2 * day
    recs += [
        login(t, b"gina", b"tty2", pid=1100, id=b"tty2"),
        Rec(OLD_TIME, t + 600, b"date", b"|"),
        Rec(NEW_TIME, t - 3000, b"date", b"{"),
        logout(t - 1200, b"tty2", 1100),
    ]
    recs += crowd(d0 + 2 * day + 3600, d0 + 4 * day, seed=1, count=40)
    recs += shutdown(d0 + 4 * day + 7200)
    # Second boot: ends in a crash, sessions left open.
    b2 = d0 + 5 * day
    recs += boot(b2)
    recs += crowd(b2 + 60, b2 + 3 * day, seed=2, count=40)
    recs += [login(b2 + 3 * day + 10, b"crashy", b"pts/9", b"198.51.100.7", pid=2000)]
    # Third boot: rebooted through run level 6.
    b3 = b2 + 3 * day + 3600
    recs += boot(b3)
    recs += crowd(b3 + 60, b3 + 2 * day, seed=3, count=30)
    recs += shutdown(b3 + 2 * day + 600, level="6")
    # Fourth boot: still running; a logout at exactly NOW; sessions still open.
    b4 = b3 + 2 * day + 900
    recs += boot(b4)
    recs += crowd(b4 + 60, NOW - 7200, seed=4, count=30)
    recs += [
        login(NOW - 7000, b"root", b"tty1", pid=3000, id=b"tty1"),
        login(NOW - 6900, b"nosuchuser", b"pts/20", b"192.0.2.99", pid=3001),
        login(NOW - 6800, b"late", b"pts/21", b"192.0.2.98", pid=3002),
        logout(NOW, b"pts/21", 3002),
    ]
    return recs


def compare_all(
    tool: str,
    path: Path,
    option_sets: Sequence[Sequence[str]],
    *,
    tz: str = "UTC",
    lc: str = "C",
    ours_path: Path | None = None,
    ours_extra: Sequence[str] = (),
    at_time: int = NOW,
) -> None:
    """Run the reference and logwarden with every option set; report every difference."""
    failures = []
    env = {"TZ": tz, "LC_ALL": lc}
    for options in option_sets:
        ref = reference(tool, [*options, "-f", str(path)], at=at_time, env=env)
        # A file of another layout keeps the name (in another folder): the begins line
        # names the file.
        got = ours(tool, [*ours_extra, *options, "-f", str(ours_path or path)], at=at_time, env=env)
        try:
            assert_same(ref, got)
        except AssertionError as e:
            failures.append(f"[TZ={tz} LC_ALL={lc}] {e}")
    assert not failures, "\n".join(failures)
