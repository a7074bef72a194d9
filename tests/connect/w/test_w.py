"""w: differential against procps-ng 4.0.2 on real sessions, in a private /run.

Every session is a real process on a real pseudo-terminal (see support/ptys.py); the utmp
built here names their pids and lines, so JCPU, PCPU and WHAT come from the kernel. ``w``
and logwarden run back to back in one private mount namespace holding that utmp, under one
frozen clock. The header's uptime and load average are live: when they moved between the two
runs, the pair is run again (never masked).
"""

from __future__ import annotations

import json
import os
import pwd
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support.ptys import PtySession, ours_argv, run_with_utmp, skip_without_namespaces, spawn
from support.reference import Run, assert_same, ours
from support.utmpbuild import BOOT_TIME, DEAD_PROCESS, LOGIN_PROCESS, USER_PROCESS, Rec, at, pack

#: The frozen "now": Friday 2024-03-08 15:20 UTC.
NOW = at("2024-03-08 15:20")
REAL_STAT = {"NO_FAKE_STAT": "1"}  # w's IDLE needs the real atime of each terminal
#: A pid no process can have: one past the kernel's largest.
NO_SUCH_PID = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


def _stamp(tz: str = "UTC") -> str:
    return datetime.fromtimestamp(NOW, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def _wait_for(session: PtySession, prefix: bytes) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{session.pid}/cmdline").read_bytes().startswith(prefix):
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"session {session.pid} never became {prefix!r}")


class Sessions:
    """The live sessions every test shares."""

    def __init__(self) -> None:
        weird = "$(printf 'caf\\303\\251 \\001tab\\tdel\\177 \\377x\\302')"
        self.busy = spawn("i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done; exec sleep 600")
        self.pair = spawn("sleep 601 & exec sleep 602")
        self.jobs = spawn("set -m; sleep 603 & wait")
        self.long = spawn("exec sleep" + " 2" * 300)
        self.weird = spawn(f"exec {sys.executable} -c 'import time; time.sleep(600)' {weird}")
        self.all = [self.busy, self.pair, self.jobs, self.long, self.weird]
        _wait_for(self.busy, b"sleep\x00600")
        _wait_for(self.pair, b"sleep\x00602")
        _wait_for(self.long, b"sleep\x002")
        _wait_for(self.weird, os.fsencode(sys.executable))
        time.sleep(0.3)  # the background sleeps have started too
        self.set_idle(5)

    def set_idle(self, seconds: int) -> None:
        """Every terminal last used ``seconds`` before NOW."""
        for session in self.all:
            os.utime(session.device, (NOW - seconds, NOW - seconds))

    def stop(self) -> None:
        for session in self.all:
            session.stop()


@pytest.fixture(scope="module")
def live() -> Iterator[Sessions]:
    skip_without_namespaces()
    sessions = Sessions()
    yield sessions
    sessions.stop()


def _utmp(s: Sessions, login: int = NOW - 3600) -> bytes:
    """One entry per session, plus the entries w must skip or treat specially."""
    nobody = pwd.getpwuid(65534).pw_name.encode()
    records = [
        Rec(BOOT_TIME, NOW - 86400, b"reboot", b"~", b"6.1.0"),
        Rec(LOGIN_PROCESS, NOW - 86000, b"LOGIN", b"tty1", pid=s.busy.pid, id=b"tty1"),
        Rec(USER_PROCESS, login, b"root", s.busy.line, b"192.0.2.5", pid=s.busy.pid,
            addr="192.0.2.5"),
        Rec(USER_PROCESS, login, b"root", s.pair.line, b"host.example:0", pid=s.pair.pid,
            addr="192.0.2.9"),
        Rec(USER_PROCESS, login, b"root", s.jobs.line, b"fe80::1%eth0", pid=s.jobs.pid,
            addr="fe80::1"),
        Rec(USER_PROCESS, login, b"root", s.long.line, b"", pid=s.long.pid,
            addr="::ffff:10.1.2.3"),
        Rec(USER_PROCESS, login, b"root", s.weird.line, b"bad\x01host", pid=s.weird.pid),
        # Someone else's terminal: the processes on it are not nobody's.
        Rec(USER_PROCESS, login, nobody, s.busy.line, b"x", pid=s.busy.pid),
        # Unknown to passwd: shown with -u only.
        Rec(USER_PROCESS, login, b"ghost_user", s.pair.line, b"", pid=s.pair.pid),
        # Stale (no such process) and nameless entries: never shown.
        Rec(USER_PROCESS, login, b"root", b"pts/997", b"stale", pid=NO_SUCH_PID),
        Rec(USER_PROCESS, login, b"root", b"pts/996", b"nopid", pid=0),
        Rec(USER_PROCESS, login, b"", s.busy.line, b"", pid=s.busy.pid),
        Rec(DEAD_PROCESS, login, b"", s.pair.line, pid=s.pair.pid),
        # A line with no device: nothing runs on it, WHAT is the login process.
        Rec(USER_PROCESS, login, b"root", b"pts/995", b"[::1]", pid=s.pair.pid),
        Rec(USER_PROCESS, login, b"root", b"pts/994", b"2001:db8::7", pid=s.pair.pid,
            addr="2001:db8:1234:5678:9abc:def0:1234:5678"),
        Rec(USER_PROCESS, login, b"root", b"pts/993", b"h:1 x", pid=s.pair.pid,
            addr="203.0.113.200"),
    ]  # fmt: skip
    return pack(records)


def _header_only_differs(ref: Run, got: Run) -> bool:
    a, b = ref.stdout.split(b"\n", 1), got.stdout.split(b"\n", 1)
    return len(a) == len(b) == 2 and a[1] == b[1] and b" up " in a[0] and b" up " in b[0]


def compare_w(
    utmp: bytes | None,
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    tz: str = "UTC",
) -> Run:
    """Run w and logwarden w back to back and assert they agree; the header's live uptime
    and load may legitimately move between the two runs, so such a pair is run again."""
    merged = {"TZ": tz, "COLUMNS": "100", **REAL_STAT, **(env or {})}
    for _attempt in range(5):
        ref, got = run_with_utmp(
            utmp, [["w", *args], ours_argv("w", args)], at=_stamp(tz), env=merged
        )
        if ref.stdout == got.stdout or not _header_only_differs(ref, got):
            break
    assert_same(ref, got)
    return ref


OPTION_SETS = [
    [], ["-h"], ["-s"], ["-f"], ["-o"], ["-i"], ["-u"], ["-s", "-f"], ["-h", "-i", "-o"],
    ["-f", "-i"], ["-i", "-f"], ["-u", "-s", "-o"], ["-hsfoi"], ["--no-header"],
    ["--no-current"], ["--short"], ["--from"], ["--old-style"], ["--ip-addr"], ["--no-h"],
    ["root"], ["-u", "ghost_user"], ["ghost_user"], ["nobody"], ["-u", "nobody"], ["alice"],
    [""], ["-s", "root", "extra"],
]  # fmt: skip


@pytest.mark.parametrize("options", OPTION_SETS, ids=repr)
def test_options(live: Sessions, options: list[str]) -> None:
    """Every option, its long form, and the user argument, on the same live sessions."""
    out = compare_w(_utmp(live), options)
    if not options:
        assert b"sleep 600" in out.stdout
        assert b" 0.00s   ?" not in out.stdout.split(b"\n")[2]


@pytest.mark.parametrize("columns", ["0", "7", "40", "80", "100", "132", "600", "abc", " 90x"])
def test_what_is_cut_to_the_terminal_width(live: Sessions, columns: str) -> None:
    """WHAT is cut to what COLUMNS leaves (clamped to 7..512 before and after)."""
    compare_w(_utmp(live), [], env={"COLUMNS": columns})
    compare_w(_utmp(live), ["-s", "-f"], env={"COLUMNS": columns})


def test_what_without_columns(live: Sessions) -> None:
    """No terminal and no COLUMNS: 512 columns."""
    ref, got = run_with_utmp(_utmp(live), [["w", "-h"], ours_argv("w", ["-h"])], at=_stamp(),
                             env=REAL_STAT)  # fmt: skip
    assert_same(ref, got)


@pytest.mark.parametrize(
    "env",
    [
        {"PROCPS_USERLEN": "20", "PROCPS_FROMLEN": "20"},
        {"PROCPS_USERLEN": "32", "PROCPS_FROMLEN": "8"},
        {"PROCPS_USERLEN": "3"},
        {"PROCPS_USERLEN": "40", "PROCPS_FROMLEN": "300"},
        {"PROCPS_FROMLEN": "x"},
        {"PROCPS_FROMLEN": "256"},
        {"PROCPS_USERLEN": "99999999999"},
    ],
    ids=repr,
)
def test_field_widths_from_the_environment(live: Sessions, env: dict[str, str]) -> None:
    """PROCPS_USERLEN and PROCPS_FROMLEN, and procps' complaints about bad values."""
    compare_w(_utmp(live), [], env=env)
    compare_w(_utmp(live), ["-i", "-s"], env=env)


@pytest.mark.parametrize("locale_name", ["C", "C.UTF-8"])
def test_command_lines_are_escaped_by_locale(live: Sessions, locale_name: str) -> None:
    """Control and non-ASCII bytes of a command line: '?' and '.' as procps escapes them."""
    out = compare_w(_utmp(live), ["-h", "root"], env={"LC_ALL": locale_name, "COLUMNS": "300"})
    assert b"caf" in out.stdout


@pytest.mark.parametrize(
    "idle", [0, 5, 59, 60, 61, 125, 3599, 3600, 3 * 3600 + 25 * 60, 47 * 3600, 48 * 3600,
             9 * 86400, -30],
)  # fmt: skip
def test_idle_formats(live: Sessions, idle: int) -> None:
    """IDLE in the new and the old (-o) style: s.cc, m:ss, h:mm m, days, and '?' if ahead."""
    live.set_idle(idle)
    try:
        compare_w(_utmp(live), ["-h"])
        compare_w(_utmp(live), ["-h", "-o"])
        compare_w(_utmp(live), ["-h", "-s"])
    finally:
        live.set_idle(5)


@pytest.mark.parametrize(
    ("ago", "tz"),
    [
        (60, "UTC"),
        (12 * 3600 + 1, "UTC"),  # more than 12 h but the same day: still the time
        (15 * 3600 + 30 * 60, "UTC"),  # yesterday: weekday and hour
        (6 * 86400, "UTC"),
        (6 * 86400 + 1, "UTC"),  # more than six days: the date
        (365 * 86400 + 86400, "UTC"),  # a leap year ago, same day of the year
        (40 * 86400, "America/New_York"),
        (5 * 86400, "Australia/Lord_Howe"),
        (3 * 86400, "Europe/London"),
    ],
)
def test_login_time_formats(live: Sessions, ago: int, tz: str) -> None:
    """LOGIN@: HH:MM today, weekday and hour within six days, ddMonyy before."""
    compare_w(_utmp(live, login=NOW - ago), ["-h"], tz=tz)


def test_x_display_line(live: Sessions) -> None:
    """A ':0' line has no terminal: IDLE is '?xdm?' (short form: JCPU counts every process
    without a terminal, which moves while the test runs)."""
    records = [Rec(USER_PROCESS, NOW - 3600, b"root", b":0", b":0", pid=live.pair.pid)]
    compare_w(pack(records), ["-s"])
    compare_w(pack(records), ["-s", "-i", "-f"])


def test_without_utmp() -> None:
    """No utmp: the header says 0 users and no row follows."""
    skip_without_namespaces()
    out = compare_w(None, [])
    assert b" 0 user,  load average" in out.stdout


@pytest.mark.parametrize("args", [["-x"], ["--bogus"], ["--no"], ["--ip-addr=1"]])
def test_usage_errors(args: list[str]) -> None:
    """Bad options: getopt's complaint and procps' usage on stderr, status 1."""
    skip_without_namespaces()
    compare_w(None, args)


def test_json(live: Sessions) -> None:
    """--json: one object per live session with numbers for the times."""
    ran = run_with_utmp(_utmp(live), [ours_argv("w", ["--json"])], at=_stamp(), env=REAL_STAT)
    rows = [json.loads(line) for line in ran[0].stdout.splitlines()]
    first = rows[0]
    assert first["user"] == "root"
    assert first["tty"] == live.busy.line.decode()
    assert first["from"] == "192.0.2.5"
    assert first["login"] == "2024-03-08T14:20:00+00:00"
    assert first["idle"] == 5
    assert first["what"] == "sleep 600"
    assert first["live"] is True
    assert first["jcpu"] > 0
    assert {r["tty"] for r in rows} >= {s.line.decode() for s in live.all}
    assert "ghost_user" not in {r["user"] for r in rows}


def test_csv(live: Sessions) -> None:
    """--csv: a header, then one row per live session."""
    ran = run_with_utmp(_utmp(live), [ours_argv("w", ["--csv", "-u"])], at=_stamp(), env=REAL_STAT)
    lines = ran[0].stdout.decode().splitlines()
    assert lines[0] == "user,tty,from,ip,login,idle,jcpu,pcpu,what,pid,live"
    assert lines[1].startswith(f"root,{live.busy.line.decode()},192.0.2.5,192.0.2.5,")
    assert any(line.startswith("ghost_user,") for line in lines)


def test_foreign_utmp(tmp_path: Path) -> None:
    """--utmp FILE from another host: USER, TTY, FROM, LOGIN@; no uptime; one note."""
    path = tmp_path / "utmp"
    path.write_bytes(
        pack(
            [
                Rec(USER_PROCESS, NOW - 3600, b"root", b"pts/0", b"192.0.2.5", pid=1),
                Rec(USER_PROCESS, NOW - 9 * 86400, b"ghost_user", b"pts/1", b"h", pid=99999),
                Rec(USER_PROCESS, NOW - 60, b"", b"pts/2", b"", pid=2),
                Rec(DEAD_PROCESS, NOW - 60, b"", b"pts/3", b"", pid=3),
            ],
            "400",
            ">",
        )
    )
    got = ours("w", ["--utmp", str(path), "--layout", "400be"], at=NOW)
    assert got.status == 0
    assert got.stdout == (
        b"USER     TTY      FROM             LOGIN@\n"
        b"root     pts/0    192.0.2.5        14:20\n"
        b"ghost_us pts/1    h                28Feb24\n"
    )
    assert got.stderr.count(b"\n") == 1
    assert b"IDLE, JCPU, PCPU and WHAT" in got.stderr
    short = ours("w", ["--utmp", str(path), "--layout", "400be", "-s", "-h", "root"], at=NOW)
    assert short.stdout == b"root     pts/0    192.0.2.5\n"
    listed = ours("w", ["--utmp", str(path), "--layout", "400be", "--json"], at=NOW)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["user"] for r in rows] == ["root", "ghost_user"]
    unknown = [rows[1][key] for key in ("idle", "jcpu", "pcpu", "what", "live")]
    assert unknown == [None, None, None, None, None]


def test_foreign_utmp_with_its_passwd(tmp_path: Path) -> None:
    """With that host's passwd, users it does not know are left out (unless -u)."""
    path = tmp_path / "utmp"
    path.write_bytes(
        pack(
            [
                Rec(USER_PROCESS, NOW - 60, b"alice", b"pts/0", b"", pid=1),
                Rec(USER_PROCESS, NOW - 60, b"mallory", b"pts/1", b"", pid=2),
            ]
        )
    )
    passwd = tmp_path / "passwd"
    passwd.write_text("alice:x:1000:1000::/home/alice:/bin/sh\n")
    args = ["--utmp", str(path), "--passwd", str(passwd), "-h", "-s"]
    assert ours("w", args, at=NOW).stdout == b"alice    pts/0    -\n"
    assert ours("w", [*args, "-u"], at=NOW).stdout.count(b"\n") == 2
