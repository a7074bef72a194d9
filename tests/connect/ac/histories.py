"""wtmp histories for the ac tests: the spec's cases, and random ones from a seed.

``clean`` histories are what a healthy system writes (times never go back, no clock
changes): the vectorized engine must take them. ``messy`` ones add everything GNU ac has a
rule for: times stepping back a little or a lot, jumps of over a year, clock changes
(OLD_TIME/NEW_TIME, paired or not), odd and empty types, empty names and lines, BSD-style
boot and shutdown records, runlevel changes. ``wide`` ones keep hundreds of ttys open, so
that GNU's hash tables grow to 112 and 448 buckets.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from unittest import mock

from logwarden.cli import ac as ac_cli
from logwarden.cli.main import Invocation

from support.reference import Run, assert_same, ours, reference
from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    LOGIN_PROCESS,
    NEW_TIME,
    OLD_TIME,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    at,
)

#: The frozen "now" of the tests: Monday 2024-03-18 12:00 UTC, a week after the US DST change
#: and away from any zone's transition.
NOW = at("2024-03-18 12:00")
#: Where random histories start: a few days around the US and Lord Howe DST changes.
ORIGIN = at("2024-03-09 20:00")

ZONES = ("UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe")


def _in(when: str, user: bytes, line: bytes) -> Rec:
    return Rec(USER_PROCESS, at(when), user, line, pid=1000, id=line[-4:])


def _out(when: str, line: bytes) -> Rec:
    return Rec(DEAD_PROCESS, at(when), b"", line, pid=1000, id=line[-4:])


def _boot(when: str) -> Rec:
    return Rec(BOOT_TIME, at(when), b"reboot", b"~", b"6.1.0", id=b"~~")


def _down(when: str) -> Rec:
    return Rec(RUN_LVL, at(when), b"shutdown", b"~", b"6.1.0", id=b"~~")


#: The inputs of the spec's ac cases (the records GNU ac 6.6.4 was run on).
SPEC_CASES = {
    "basic": [
        _boot("2024-03-01 08:00"),
        _in("2024-03-01 09:00", b"alice", b"pts/0"),
        _in("2024-03-01 09:30", b"bob", b"pts/1"),
        _out("2024-03-01 10:15", b"pts/0"),
        _in("2024-03-01 22:00", b"root", b"tty1"),
        _out("2024-03-02 02:30", b"tty1"),
        _out("2024-03-02 09:30", b"pts/1"),
        _in("2024-03-03 14:00", b"alice", b"pts/0"),
        _in("2024-03-03 15:00", b"carol", b"pts/2"),
        _down("2024-03-03 18:00"),
        _boot("2024-03-03 18:01"),
        _in("2024-03-03 18:10", b"dave", b"pts/0"),
        _boot("2024-03-04 07:00"),
        _in("2024-03-04 07:30", b"alice", b"pts/0"),
        _in("2024-03-04 08:30", b"bob", b"pts/0"),
        _out("2024-03-04 09:00", b"pts/0"),
        _down("2024-03-04 10:00"),
    ],
    "timechange_timewarp": [
        _in("2024-05-10 10:00", b"alice", b"tty1"),
        Rec(OLD_TIME, at("2024-05-10 11:00"), b"", b"|"),
        Rec(NEW_TIME, at("2024-05-10 13:00"), b"", b"{"),
        _out("2024-05-10 14:00", b"tty1"),
        _in("2024-05-10 15:00", b"bob", b"tty2"),
        _in("2024-05-10 15:30", b"carol", b"tty3"),
        _out("2024-05-10 12:00", b"tty3"),
        _out("2024-05-10 16:00", b"tty2"),
        _in("2024-05-11 01:00", b"dave", b"tty4"),
        _out("2024-05-11 02:00", b"tty4"),
    ],
    "dst_midnights": [
        _in("2024-03-10 03:00", b"erin", b"pts/0"),
        _out("2024-03-11 05:00", b"pts/0"),
        _in("2024-03-11 06:00", b"frank", b"pts/1"),
        _out("2024-03-11 06:00:59", b"pts/1"),
    ],
    "multiday_session": [
        _in("2024-06-01 10:00", b"gail", b"pts/0"),
        _out("2024-06-04 12:00", b"pts/0"),
    ],
}

#: The option sets the spec's run_cases.sh used, per case.
SPEC_OPTIONS = {
    "basic": ["", "-p", "-d", "-d -p", "-y", "-p -y", "-d -y", "-d -p -y", "-z -d", "-z -p",
              "-a -d", "--compatibility -p", "--compatibility -d -p", "--reboots -p",
              "--supplants -p", "--timewarps -p", "-p alice", "alice", "-d alice bob",
              "-d -p alice bob", "-p nosuch"],
    "timechange_timewarp": ["-p", "-d -p", "--timewarps -p", "--timewarps -d -p",
                            "--compatibility -p", "--tw-leniency 20000 -p",
                            "--tw-suspicious 100 -p", "--complain -p"],
    "dst_midnights": ["-p", "-d -p", "-d -p -a"],
    "multiday_session": ["-p", "-d -p", "-d -p -a", "-d -p -y"],
}  # fmt: skip


def _users(rng: random.Random) -> list[bytes]:
    users = [b"u%d" % i for i in range(rng.randint(1, 40))]
    return [*users, b"A" * 32, b"firstname.lastname", b"root", b"x\x1b[2Kx", b"h\xc3\xa9l\xff"]


def _ttys(rng: random.Random) -> list[bytes]:
    return [*(b"pts/%d" % i for i in range(rng.randint(1, 30))), b"tty1", b"L" * 32, b":0"]


def history(rng: random.Random, count: int, *, messy: bool) -> list[Rec]:
    """A random history of ``count`` records (see the module docstring)."""
    users, ttys = _users(rng), _ttys(rng)
    t = ORIGIN + rng.randint(-3 * 86400, 3 * 86400)
    recs: list[Rec] = []
    for _ in range(count):
        if rng.random() < 0.7:
            gap = rng.choice([0, 1, 30, 600, 3600, 4 * 3600, 86400, 3 * 86400])
        else:
            gap = rng.randint(0, 200_000)
        if messy and rng.random() < 0.05:
            gap = -rng.choice([1, 30, 59, 60, 61, 3600, 2 * 86400])
        if messy and rng.random() < 0.01:
            gap = 31_536_000 + rng.randint(0, 1000)
        t += gap
        tty = rng.choice(ttys)
        r = rng.random()
        if r < 0.40:
            recs.append(Rec(USER_PROCESS, t, rng.choice(users), tty, pid=rng.randint(1, 9999)))
        elif r < 0.75:
            recs.append(Rec(DEAD_PROCESS, t, b"", tty))
        elif r < 0.80:
            recs.append(Rec(BOOT_TIME, t, b"reboot", b"~"))
        elif r < 0.83:
            recs.append(Rec(RUN_LVL, t, b"shutdown", b"~"))
        elif r < 0.86:
            level = ord(rng.choice("012356S")) + 256 * ord("N")
            recs.append(Rec(RUN_LVL, t, b"runlevel", b"~", pid=level))
        elif r < 0.88:
            recs.append(Rec(LOGIN_PROCESS, t, b"LOGIN", tty))
        elif r < 0.90 and messy:
            recs.append(Rec(OLD_TIME, t, b"", b"|"))
            if rng.random() < 0.8:
                t += rng.randint(-7200, 7200)
                recs.append(Rec(NEW_TIME, t, b"", b"{"))
        elif r < 0.92 and messy:
            kind = rng.choice([0, 9, 10, -1, 100])
            recs.append(Rec(kind, t, rng.choice([b"", *users]), rng.choice([b"", tty])))
        elif r < 0.94:
            recs.append(Rec(USER_PROCESS, t, rng.choice([b"", *users]), rng.choice([b"", tty])))
        elif r < 0.96:
            kind = rng.choice([BOOT_TIME, RUN_LVL])
            user = rng.choice([b"reboot", b"shutdown", b"x"])
            recs.append(Rec(kind, t, user, rng.choice([b"~", b"", b"tty9"])))
        else:
            recs.append(Rec(USER_PROCESS, t, rng.choice(users), tty))
    return recs


def wide(rng: random.Random) -> list[Rec]:
    """Many ttys open at once: the login table grows to 112 and 448 buckets."""
    users = [b"user%d" % i for i in range(rng.randint(5, 150))]
    ttys = [b"pts/%d" % i for i in range(rng.randint(20, 400))]
    t = ORIGIN + rng.randint(0, 86400)
    recs = []
    for _ in range(rng.randint(50, 1500)):
        t += rng.choice([0, 1, 60, 600, 3600, 7200])
        r = rng.random()
        if r < 0.6:
            recs.append(Rec(USER_PROCESS, t, rng.choice(users), rng.choice(ttys)))
        elif r < 0.97:
            recs.append(Rec(DEAD_PROCESS, t, b"", rng.choice(ttys)))
        elif r < 0.985:
            recs.append(Rec(BOOT_TIME, t, b"reboot", b"~"))
        else:
            recs.append(Rec(RUN_LVL, t, b"shutdown", b"~"))
    return recs


_FLAGS = ["-d", "-p", "-a", "-z", "-y", "--reboots", "--supplants", "--timewarps",
          "--compatibility"]  # fmt: skip


def random_options(rng: random.Random) -> list[str]:
    """A random command line of ac options (and sometimes user names)."""
    options = [flag for flag in _FLAGS if rng.random() < 0.35]
    if rng.random() < 0.2:
        options += ["u1", "root"]
    if rng.random() < 0.1:
        options += ["--tw-leniency", str(rng.choice([0, 10, 3600, 20000]))]
    if rng.random() < 0.1:
        options += ["--tw-suspicious", str(rng.choice([2 * 86400, 4_000_000]))]
    return options


def compare_ac(
    path: Path,
    option_sets: Sequence[Sequence[str]],
    *,
    tz: str = "UTC",
    now: int = NOW,
    ours_path: Path | None = None,
    ours_extra: Sequence[str] = (),
) -> None:
    """Run GNU ac and ``logwarden ac`` (real processes) with every option set; report every
    difference at once.

    Both read the file by its bare name from its folder, so that diagnostics naming it
    agree even when logwarden reads a copy in another layout (``ours_path``).
    """
    failures = []
    env = {"TZ": tz}
    mine = ours_path or path
    for options in option_sets:
        ref = reference("ac", [*options, "-f", path.name], at=now, env=env, cwd=str(path.parent))
        got = ours(
            "ac", [*ours_extra, *options, "-f", mine.name], at=now, env=env, cwd=str(mine.parent)
        )
        try:
            assert_same(ref, got)
        except AssertionError as e:
            failures.append(f"[TZ={tz}] {e}")
    assert not failures, "\n".join(failures)


def run_inprocess(args: Sequence[str], *, tz: str, now: int) -> Run:
    """``logwarden ac ARGS`` in this process, with ``TZ`` and the clock set as given."""
    saved_tz = os.environ.get("TZ")
    os.environ["TZ"] = tz
    stdout, stderr = io.BytesIO(), io.StringIO()
    try:
        with mock.patch("logwarden.cli.ac.time.time", return_value=float(now)):
            status = ac_cli.main(Invocation("ac", "ac", list(args), stdout, stderr))
    finally:
        if saved_tz is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved_tz
        time.tzset()
    return Run(("ac", *args), stdout.getvalue(), stderr.getvalue().encode(), status)
