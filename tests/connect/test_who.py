"""who: differential against coreutils 9.1 (Debian) on files and terminals built here."""

from __future__ import annotations

import grp
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support.ptys import ours_argv, run_with_utmp, skip_without_namespaces
from support.reference import assert_same, compare, ours, reference
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
    pack,
)

#: The frozen "now" of every test: a Friday in March, away from any DST change.
NOW = at("2024-03-08 15:20")
BOOT = NOW - 5 * 86400

#: libfaketime also fakes the times stat() returns unless told not to; who's idle column
#: must see the real access times the tests set.
REAL_STAT = {"NO_FAKE_STAT": "1"}


def _v6(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, text)


@dataclass
class Terminals:
    """Real pseudo-terminals whose access times the tests set."""

    fds: list[int]
    names: list[bytes]

    def line(self, i: int) -> bytes:
        return self.names[i].removeprefix(b"/dev/")


@pytest.fixture
def ptys() -> Iterator[Terminals]:
    """Four terminals: idle 30 s, idle 3 h 25 min, idle 2 days, and last used before boot."""
    fds: list[int] = []
    names: list[bytes] = []
    for idle in (30, 3 * 3600 + 25 * 60, 2 * 86400, 6 * 86400):
        master, slave = os.openpty()
        fds += [master, slave]
        name = os.fsencode(os.ttyname(slave))
        os.utime(name, (NOW - idle, NOW - idle))
        names.append(name)
    yield Terminals(fds, names)
    for fd in fds:
        os.close(fd)


def _history(t: Terminals) -> list[Rec]:
    """A utmp of every record kind, users on real terminals and on lines that do not exist."""
    return [
        Rec(BOOT_TIME, BOOT, b"reboot", b"~", b"6.1.0-test", id=b"~~"),
        Rec(RUN_LVL, BOOT + 5, b"runlevel", b"~", b"6.1.0-test", pid=ord("N") * 256 + ord("5")),
        Rec(LOGIN_PROCESS, BOOT + 6, b"LOGIN", b"tty1", pid=700, id=b"tty1"),
        Rec(INIT_PROCESS, BOOT + 7, b"", b"tty2", pid=701, id=b"tty2"),
        Rec(DEAD_PROCESS, BOOT + 8, b"", b"tty3", pid=702, id=b"tty3", term=0, exit=1),
        Rec(OLD_TIME, BOOT + 9, b"date", b"|"),
        Rec(NEW_TIME, BOOT + 9, b"date", b"{"),
        Rec(USER_PROCESS, NOW - 7200, b"root", t.line(0), b"192.0.2.5", pid=8460,
            addr="192.0.2.5"),
        Rec(USER_PROCESS, NOW - 3 * 86400, b"alice", t.line(1), b"stale.example.org",
            pid=999999, addr="198.51.100.20"),
        Rec(USER_PROCESS, NOW - 8 * 86400, b"root", b":0", b":0", pid=8458),
        Rec(USER_PROCESS, NOW - 600, b"verylongusername_x", t.line(2), b"2001:db8::5",
            pid=8458, addr=_v6("2001:db8::5")),
        Rec(USER_PROCESS, NOW - 60, b"bob", t.line(3), b"10.0.0.7:1", pid=1234,
            addr=_v6("::ffff:10.0.0.7")),
        Rec(USER_PROCESS, NOW - 30, b"carol", t.names[0], b"", pid=1235),
        Rec(DEAD_PROCESS, NOW - 20, b"", b"pts/77", pid=1236, id=b"ts/7", term=-1, exit=255),
    ]  # fmt: skip


@pytest.fixture
def history(tmp_path: Path, ptys: Terminals) -> Path:
    path = tmp_path / "utmp"
    path.write_bytes(pack(_history(ptys)))
    return path


OPTION_SETS = [
    [], ["-a"], ["-aH"], ["-b"], ["-d"], ["-H"], ["-l"], ["-p"], ["-q"], ["-r"], ["-s"],
    ["-t"], ["-T"], ["-w"], ["-u"], ["-u", "-T"], ["-uH"], ["-s", "-u"], ["-d", "-s"],
    ["-q", "-a"], ["--ips"], ["--ips", "-u"], ["-aH", "--ips"], ["-bdlprt"],
    ["--all"], ["--boot"], ["--count"], ["--dead"], ["--heading"], ["--login"],
    ["--process"], ["--runlevel"], ["--short"], ["--time"], ["--users"], ["--mesg"],
    ["--message"], ["--writable"], ["--head", "--us"], ["--ips", "--lookup"],
]  # fmt: skip


@pytest.mark.parametrize("options", OPTION_SETS, ids=" ".join)
def test_options(history: Path, options: list[str]) -> None:
    """Every option and the usual combinations print what coreutils prints."""
    compare("who", [*options, str(history)], at=NOW, env=REAL_STAT)


@pytest.mark.parametrize(
    ("tz", "locale_env"),
    [
        ("UTC", {"LC_ALL": "C.UTF-8"}),
        ("America/New_York", {"LC_ALL": "POSIX"}),
        ("Europe/London", {"LC_ALL": "C", "LANG": "C.UTF-8"}),
        ("Australia/Lord_Howe", {"LC_ALL": "", "LANG": "C.UTF-8"}),
        ("Asia/Kolkata", {"LC_ALL": "", "LANG": "C", "LC_TIME": "C.UTF-8"}),
        ("UTC", {"LC_ALL": "", "LANG": "xx_XX.UTF-8"}),
    ],
)
def test_zones_and_time_formats(history: Path, tz: str, locale_env: dict[str, str]) -> None:
    """Local time in several zones; ISO dates exactly when LC_TIME names a non-C locale."""
    env = {"TZ": tz, **locale_env, **REAL_STAT}
    compare("who", ["-a", str(history)], at=NOW, env=env)


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Australia/Lord_Howe"])
def test_dst_changes(tmp_path: Path, tz: str) -> None:
    """Logins on both sides of each zone's DST changes of 2024."""
    zone = ZoneInfo(tz)
    instants = []
    for month in range(1, 13):
        for day in (1, 7, 31):
            try:
                instants.append(int(datetime(2024, month, day, 1, 30, tzinfo=zone).timestamp()))
            except ValueError:
                continue
    # Every half hour around the changes (the first Sundays of April and October, the last
    # of March and October, the second of March and the first of November).
    changes = ["2024-03-10 05:00", "2024-03-31 00:00", "2024-04-06 14:00",
               "2024-10-05 15:00", "2024-10-27 00:00", "2024-11-03 04:00"]  # fmt: skip
    for start in changes:
        instants += [at(start) + k * 1800 for k in range(8)]
    path = tmp_path / "wtmp"
    path.write_bytes(
        pack([Rec(USER_PROCESS, t, b"u%d" % i, b"pts/9%02d" % i) for i, t in enumerate(instants)])
    )
    compare("who", [str(path)], at=NOW, env={"TZ": tz, **REAL_STAT})
    compare("who", [str(path)], at=NOW, env={"TZ": tz, "LC_ALL": "C.UTF-8", **REAL_STAT})


def test_wtmp_history_in_file_order(tmp_path: Path) -> None:
    """A wtmp as FILE: every login in file order, logouts and reboots included with -a."""
    records = []
    t = at("2024-02-01 08:00")
    for day in range(10):
        base = t + day * 86400
        records.append(Rec(BOOT_TIME, base, b"reboot", b"~", b"6.1.0", id=b"~~"))
        for k in range(3):
            line = b"pts/9%02d" % k
            records.append(Rec(USER_PROCESS, base + 60 * k, b"user%d" % k, line, b"h%d" % k,
                               pid=100 + k, id=line[-4:]))  # fmt: skip
            records.append(Rec(DEAD_PROCESS, base + 3600, b"", line, pid=100 + k, id=line[-4:]))
        records.append(Rec(RUN_LVL, base + 7200, b"shutdown", b"~", b"6.1.0", id=b"~~"))
    path = tmp_path / "wtmp"
    path.write_bytes(pack(records))
    for options in ([], ["-a"], ["-q"], ["-u"], ["-H", "-d"]):
        compare("who", [*options, str(path)], at=NOW, env=REAL_STAT)


def test_odd_fields(tmp_path: Path) -> None:
    """Long names and hosts, full-width lines, spaces, control bytes, non-UTF-8, odd levels."""
    records = [
        Rec(USER_PROCESS, NOW - 100, b"a" * 32, b"l" * 32, b"h" * 256, pid=1, addr=_v6("fd00::1")),
        Rec(USER_PROCESS, NOW - 100, b"sp ace  ", b"pts/901", b"host name:display:2", pid=2),
        Rec(USER_PROCESS, NOW - 100, b"esc\x1b[2K", b"pts/9\x07", b"\xff\xfe:\x01", pid=3,
            addr=_v6("fe80::1")),
        Rec(USER_PROCESS, NOW - 100, b"caf\xc3\xa9", b"tty\xe9", b"h\xc3", pid=-5,
            addr=b"\x00\x00\x00\x00\x01\x02\x03\x04"),
        Rec(USER_PROCESS, NOW - 100, b"v6", b"pts/902", b"", pid=7, addr=_v6("3fff::ffff:1")),
        Rec(USER_PROCESS, NOW - 100, b"v4c", b"pts/903", b"x", pid=8, addr=_v6("::192.0.2.1")),
        Rec(USER_PROCESS, NOW - 100, b"site", b"pts/904", b"x", pid=9, addr=_v6("fec0::9")),
        Rec(RUN_LVL, NOW, b"runlevel", b"~", pid=ord("3")),
        Rec(RUN_LVL, NOW, b"runlevel", b"~", pid=ord("\x01") * 256 + ord("2")),
        Rec(RUN_LVL, NOW, b"runlevel", b"~", pid=-1),
        Rec(RUN_LVL, NOW, b"runlevel", b"~", pid=0xE9 * 256 + 0xFF),
        Rec(DEAD_PROCESS, NOW, b"", b"tty9", pid=-2147483648, id=b"ab\x00c", term=-32768,
            exit=32767),
        Rec(LOGIN_PROCESS, NOW, b"LOGIN", b"", pid=0, id=b"\x1b[31"),
        Rec(USER_PROCESS, NOW, b"", b"pts/905", b"nameless", pid=10),
    ]  # fmt: skip
    path = tmp_path / "odd"
    path.write_bytes(pack(records))
    for options in ([], ["-a"], ["-q"], ["--ips"], ["-a", "--ips"], ["-uT", "--ips"]):
        compare("who", [*options, str(path)], at=NOW, env=REAL_STAT)


def test_idle_and_mesg_states(tmp_path: Path, ptys: Terminals) -> None:
    """Idle '.', HH:MM, old, '?' and the mesg states '+', '-' and '?' of real terminals."""
    tty_gid = grp.getgrnam("tty").gr_gid
    os.chown(ptys.names[0], -1, tty_gid)
    os.chmod(ptys.names[0], 0o620)
    os.chown(ptys.names[1], -1, tty_gid)
    os.chmod(ptys.names[1], 0o600)
    os.chown(ptys.names[2], -1, 0)
    os.chmod(ptys.names[2], 0o620)
    os.utime(ptys.names[3], (NOW + 3600, NOW + 3600))  # used "in the future": old
    path = tmp_path / "utmp"
    path.write_bytes(pack(_history(ptys)))
    for options in (["-T"], ["-uT"], ["-a"], ["-uTH", "-s"]):
        compare("who", [*options, str(path)], at=NOW, env=REAL_STAT)


def test_idle_before_any_boot_record(tmp_path: Path, ptys: Terminals) -> None:
    """Without a boot record earlier in the file every recent atime counts as after boot."""
    records = [Rec(USER_PROCESS, NOW - 100, b"u%d" % i, ptys.line(i), pid=i) for i in range(4)]
    records.append(Rec(BOOT_TIME, NOW - 60, b"reboot", b"~"))
    records += [Rec(USER_PROCESS, NOW - 50, b"v%d" % i, ptys.line(i), pid=i) for i in range(4)]
    path = tmp_path / "utmp"
    path.write_bytes(pack(records))
    compare("who", ["-u", str(path)], at=NOW, env=REAL_STAT)


@pytest.mark.parametrize(("layout", "order"), [("400", "<"), ("384", ">"), ("400", ">"),
                                               ("382", ">")])  # fmt: skip
def test_foreign_layouts(tmp_path: Path, ptys: Terminals, layout: str, order: str) -> None:
    """A file from another machine reads as the same records packed natively would."""
    records = _history(ptys)
    native = tmp_path / "native"
    native.write_bytes(pack(records))
    foreign = tmp_path / "foreign"
    foreign.write_bytes(pack(records, layout, order))
    ref = compare("who", ["-a", str(native)], at=NOW, env=REAL_STAT)[0]
    got = ours("who", ["-a", str(foreign)], at=NOW, env=REAL_STAT)
    assert (got.stdout, got.stderr, got.status) == (ref.stdout, b"", 0)


def test_empty_file(tmp_path: Path) -> None:
    """An empty file: no rows, only the heading or the zero count."""
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    for options in ([], ["-H"], ["-q"], ["-aH"]):
        compare("who", [*options, str(empty)], at=NOW, env=REAL_STAT)


def test_partial_record_is_reported(tmp_path: Path, ptys: Terminals) -> None:
    """A partial last record: the same rows as coreutils, plus one warning naming it."""
    path = tmp_path / "cut"
    path.write_bytes(pack(_history(ptys)) + b"\x07" * 100)
    ref = reference("who", ["-a", str(path)], at=NOW, env=REAL_STAT)
    got = ours("who", ["-a", str(path)], at=NOW, env=REAL_STAT)
    assert got.stdout == ref.stdout
    assert got.status == 0
    assert (
        got.stderr
        == (
            f"who: {path}: offset {14 * 384}: ignored 100 trailing bytes that are not a whole "
            "384-byte record\n"
        ).encode()
    )


@pytest.mark.parametrize(
    "args",
    [["a", "b", "c"], ["-x"], ["--bogus"], ["--lo"], ["--ips=1"], ["-a", "x", "y", "z", "w"]],
)
def test_usage_errors(args: list[str]) -> None:
    """Bad options and operands: coreutils' words, its exit status."""
    compare("who", args)


def test_usage_errors_in_utf8_quote_like_gnu() -> None:
    """In a UTF-8 locale the extra operand is quoted with curly quotes, as gnulib does."""
    compare("who", ["a", "b", "c"], env={"LC_ALL": "C.UTF-8"})


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    """A FILE that does not exist is an error here (coreutils prints nothing, status 0)."""
    got = ours("who", [str(tmp_path / "none")])
    assert (got.stdout, got.status) == (b"", 1)
    assert got.stderr == f"who: {tmp_path / 'none'}: No such file or directory\n".encode()


def test_not_a_utmp_file(tmp_path: Path) -> None:
    """Random bytes are refused in one line, where coreutils prints garbage rows."""
    junk = tmp_path / "junk"
    junk.write_bytes(bytes(range(256)) * 8)
    got = ours("who", ["-a", str(junk)])
    assert got.status == 1
    assert got.stderr.startswith(f"who: {junk}: not a utmp/wtmp/btmp file".encode())


def test_json_rows(history: Path) -> None:
    """--json: one object per row, with the record's own fields and the shown comment."""
    got = ours("who", ["--json", "-a", str(history)], at=NOW, env=REAL_STAT)
    assert got.status == 0
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    kinds = [r["kind"] for r in rows]
    assert kinds[:6] == ["boot", "runlevel", "login", "init", "dead", "clock"]
    root = rows[6]
    assert root["user"] == "root"
    assert root["time"] == "2024-03-08T13:20:00+00:00"
    assert root["ip"] == "192.0.2.5"
    assert root["comment"] == "(192.0.2.5)"
    assert root["idle"] == 30
    dead = rows[4]
    assert (dead["term"], dead["exit"], dead["id"]) == (0, 1, "tty3")


def test_csv_count(history: Path) -> None:
    """--csv with -q: a header and one row per user process."""
    got = ours("who", ["--csv", "-q", str(history)], at=NOW, env=REAL_STAT)
    lines = got.stdout.decode().splitlines()
    assert lines[0] == "kind,user,line,time,idle,mesg,pid,id,host,ip,comment,term,exit"
    assert [line.split(",")[1] for line in lines[1:]] == [
        "root", "alice", "root", "verylongusername_x", "bob", "carol"
    ]  # fmt: skip


def test_default_utmp_checks_pids_and_who_am_i(ptys: Terminals) -> None:
    """Without FILE: /var/run/utmp, stale pids dropped; 'who am i' picks stdin's terminal."""
    skip_without_namespaces()
    dead_pid = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    records = [
        Rec(USER_PROCESS, NOW - 100, b"alive", ptys.line(0), b"h", pid=os.getpid()),
        Rec(USER_PROCESS, NOW - 100, b"gone", ptys.line(1), b"h", pid=dead_pid),
        Rec(USER_PROCESS, NOW - 100, b"nopid", ptys.line(2), b"h", pid=0),
        Rec(USER_PROCESS, NOW - 100, b"me", ptys.line(3), b"h", pid=os.getpid()),
    ]
    stamp = datetime.fromtimestamp(NOW, ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
    me = os.fsdecode(ptys.names[3])
    for options, stdin, names in (
        ([], "/dev/null", [b"alive", b"nopid", b"me"]),
        (["-q"], "/dev/null", [b"alive", b"nopid", b"me"]),
        (["-uH"], "/dev/null", [b"alive", b"nopid", b"me"]),
        (["am", "i"], me, [b"me"]),
        (["-m", "-u"], me, [b"me"]),
        (["-mH"], "/dev/null", []),
    ):
        ref, got = run_with_utmp(
            pack(records),
            [["who", *options], ours_argv("who", options)],
            at=stamp,
            env=REAL_STAT,
            stdin=stdin,
        )
        assert_same(ref, got)
        shown = [
            word for word in ref.stdout.split() if word in (b"alive", b"gone", b"nopid", b"me")
        ]
        assert shown == names


def test_no_utmp_at_all() -> None:
    """No /var/run/utmp: nobody is logged in (and no complaint)."""
    skip_without_namespaces()
    for options in ([], ["-q"], ["-H"]):
        ref, got = run_with_utmp(None, [["who", *options], ours_argv("who", options)])
        assert_same(ref, got)
