"""last: odd records, escaping, lastb and the files around them, against util-linux 2.38.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connect.last.histories import (
    KERNEL,
    NOW,
    boot,
    compare_all,
    crowd,
    login,
    logout,
    rich_history,
    runlevel,
    shutdown,
)

from support.reference import compare, ours, reference
from support.terminal import on_terminal
from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    EMPTY,
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

T0 = at("2024-03-20 08:00")


def _write(path: Path, recs: list[Rec]) -> Path:
    path.write_bytes(pack(recs))
    return path


def _sound_padding(start: int) -> list[Rec]:
    """Ordinary sessions, so that a file with a few strange records is still a wtmp."""
    return crowd(start, start + 86400, seed=7, count=30)


def test_type_rewriting(tmp_path: Path) -> None:
    """util-linux's rewriting of ut_type by user and line, and its unknown-type warnings."""
    t = T0
    recs = [
        *boot(t),
        *_sound_padding(t + 60),
        Rec(EMPTY, t + 86500, b"emptyuser", b"pts/30"),  # EMPTY with user and line: a login
        Rec(INIT_PROCESS, t + 86510, b"initer", b"pts/31"),
        Rec(LOGIN_PROCESS, t + 86520, b"LOGINX", b"tty3"),  # "LOGIN..." is not a login
        Rec(LOGIN_PROCESS, t + 86530, b"getty", b"tty4"),  # but any other name is
        Rec(9, t + 86540, b"acct", b""),  # ACCOUNTING: ignored
        Rec(10, t + 86550, b"ten", b""),  # unknown type
        Rec(10, t + 86560, b"", b"pts/32"),  # no user: a logout
        Rec(-3, t + 86570, b"neg", b""),  # unknown type
        Rec(254, t + 86580, b"q", b""),  # util-linux's own SHUTDOWN_TIME, kept as such
        Rec(USER_PROCESS, t + 86590, b"shutdownx", b"~"),  # ~ line: a shutdown
        Rec(DEAD_PROCESS, t + 86600, b"rebooting", b"~~", KERNEL),  # ~ line: a boot
        Rec(USER_PROCESS, t + 86610, b"runlevel", b"~", pid=runlevel("3")),
        Rec(USER_PROCESS, t + 86620, b"someone", b"~"),  # ~ line, other user: a login on "~"
        Rec(USER_PROCESS, t + 86630, b"dated", b"|"),  # "date..." on "|": old time
        Rec(DEAD_PROCESS, t + 86640, b"date", b"{"),  # even as DEAD_PROCESS: new time
        Rec(BOOT_TIME, t + 86650, b"", b"x"),  # no user: a logout
        Rec(RUN_LVL, t + 86660, b"runlevel", b"~", pid=0),  # level NUL: "(to lvl "
        Rec(OLD_TIME, t + 86670, b"odd", b"", pid=0),
        Rec(NEW_TIME, t + 86680, b"odd", b""),
        login(t + 86690, b"z", b"pts/1"),
        *_sound_padding(t + 86700),
    ]
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-x"], ["-x", "-n", "3"], ["-x", "-n", "40"], ["-n", "1"]])


def test_down_records_at_time_zero(tmp_path: Path) -> None:
    """A boot stamped 0 leaves the sessions before it open, as util-linux tests the value."""
    recs = [
        *boot(T0),
        login(T0 + 60, b"alice", b"pts/0", b"h1"),
        login(T0 + 120, b"bob", b"pts/1", b"h2"),
        logout(T0 + 180, b"pts/1"),
        Rec(BOOT_TIME, 0, b"reboot", b"~", KERNEL),
        login(T0 + 240, b"carol", b"pts/2"),
        Rec(RUN_LVL, 0, b"shutdown", b"~", KERNEL),
        *_sound_padding(T0 + 300),
    ]
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-x"], ["-x", "-F"], ["-p", "2024-03-20 08:30"]])


def test_runlevel_and_shutdown_chains(tmp_path: Path) -> None:
    """Run levels 0 and 6 end boots and sessions ("down"); other levels do not."""
    recs = [*boot(T0), login(T0 + 60, b"a", b"pts/0"), *shutdown(T0 + 600, "6")]
    recs += [*boot(T0 + 700), login(T0 + 760, b"b", b"pts/0")]
    recs += [Rec(RUN_LVL, T0 + 800, b"runlevel", b"~", pid=runlevel("3", "5"))]
    recs += [*boot(T0 + 900), login(T0 + 960, b"c", b"pts/0"), *shutdown(T0 + 1000)]
    recs += [Rec(RUN_LVL, T0 + 1100, b"shutdown", b"~", KERNEL)]  # shutdown without boot
    recs += _sound_padding(T0 + 1200)
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-x"], ["-x", "-F"], ["-x", "--time-format", "notime"]])


def test_phantom_checks(tmp_path: Path) -> None:
    """Sessions open at the end: this machine's passwd, /proc and /dev decide, as in C."""
    recs = [
        *boot(NOW - 3600),
        login(NOW - 3000, b"root", b"tty1", pid=1),
        login(NOW - 2900, b"root", b"tty63", pid=999_999),
        login(NOW - 2800, b"root", b"nosuchtty", pid=999_998),
        login(NOW - 2700, b"nobody-here", b"pts/7", pid=2),
        login(NOW - 2600, b"r" * 32, b"pts/8"),
        login(NOW - 2500, b"root", b"pts/9", pid=-5),
        *_sound_padding(NOW - 86400 * 3),
    ]
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-w"], ["-w", "r" * 31], ["-w", "r" * 32], ["-F"]])


def test_escaping_c_locale(tmp_path: Path) -> None:
    """Control bytes become *X, DEL *?, bytes above 0x7f \\ooo; TAB, CR, BEL, LF pass."""
    recs = [
        *boot(T0),
        *_sound_padding(T0 + 60),
        login(T0 + 90000, b"a\x01b\x7fc", b"pts/0", b"h\x1b[2K\xc3\xa9\xff"),
        login(T0 + 90010, b"tab\tx", b"pts/1", b"host\t\r"),
        login(T0 + 90020, b"nl\nx", b"pts/2", b"bell\x07"),
        login(T0 + 90030, b"\xe9l\xe8ve", b"pts/3", b"caf\xc3\xa9"),
        login(T0 + 90040, b"u", b"pts/4", b"ctl" + bytes(range(1, 32))),
        *_sound_padding(T0 + 90100),
    ]
    path = _write(tmp_path / "wtmp", recs)
    options = [[], ["-a"], ["-w", "-a"], ["-R"], ["-F", "-w"]]
    compare_all("last", path, options, lc="C")
    compare_all("lastb", path, [[], ["-a"]], lc="C")


def test_escaping_utf8_locale(tmp_path: Path) -> None:
    """In a UTF-8 locale printable characters pass whole; invalid or unprintable ones are
    escaped byte by byte (Debian's multibyte fputs_careful)."""
    hosts = [
        b"caf\xc3\xa9",
        b"\xc2\x85nel",
        b"zw\xe2\x80\x8bsp",
        b"ls\xe2\x80\xa8x",
        b"over\xc0\xafx",
        b"sur\xed\xa0\x80x",
        b"cut\xe2\x82",
        b"emoji\xf0\x9f\x98\x80",
        b"pua\xee\x80\x80",
        b"unass\xcd\xb8x",
        b"bom\xef\xbb\xbf",
        b"max\xf4\x8f\xbf\xbf",
        b"big\xf4\x90\x80\x80",
        b"\xff\xfe",
        b"mixed\x01\xc3\xa9\x7f",
    ]
    recs = [*boot(T0), *_sound_padding(T0 + 60)]
    recs += [login(T0 + 90000 + i, b"u%d" % i, b"pts/%d" % i, h) for i, h in enumerate(hosts)]
    recs += [login(T0 + 90100, b"\xc3\xa9l\xc3\xa8ve12", b"pts/40", b"h")]
    recs += _sound_padding(T0 + 90200)
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-a"], ["-w"]], lc="C.UTF-8")


def test_lastb(tmp_path: Path) -> None:
    """lastb: every record a line of its own, login time twice, no pairing, no rewriting."""
    recs = [
        Rec(
            LOGIN_PROCESS, T0, b"admin", b"ssh:notty", b"203.0.113.9", pid=5001, addr="203.0.113.9"
        ),
        Rec(LOGIN_PROCESS, T0 + 5, b"root", b"ssh:notty", b"203.0.113.9", pid=5002),
        Rec(LOGIN_PROCESS, T0 + 86400, b"UNKNOWN", b"tty1", pid=5003),
        Rec(
            USER_PROCESS,
            T0 + 2 * 86400,
            b"oracle",
            b"ssh:notty",
            b"2001:db8::dead:beef",
            addr="2001:db8::dead:beef",
        ),
        Rec(BOOT_TIME, T0 + 3 * 86400, b"reboot", b"~", KERNEL),
        Rec(DEAD_PROCESS, T0 + 3 * 86400 + 5, b"", b"pts/1"),
        Rec(99, NOW, b"strange", b"ftp123", b"x" * 40),  # at "now": "still running"
        *[
            Rec(
                LOGIN_PROCESS,
                T0 + 4 * 86400 + i,
                b"user%d" % (i % 7),
                b"ssh:notty",
                b"198.51.100.%d" % i,
            )
            for i in range(40)
        ],
    ]
    path = _write(tmp_path / "btmp", recs)
    options = [
        [],
        ["-F"],
        ["-i"],
        ["-a"],
        ["-w"],
        ["-R"],
        ["-x"],
        ["-n", "2"],
        ["root"],
        ["--time-format", "iso"],
        ["-s", "2024-03-21"],
        ["-t", "2024-03-21"],
        ["-p", "2024-03-20 08:00:03"],
        ["ftp"],
        ["1"],
    ]
    compare_all("lastb", path, options)
    compare_all("last", path, [[], ["-x"]])


def test_several_files_share_the_limit(tmp_path: Path) -> None:
    """-f twice: each file its begins line; a later file still prints one line past -n."""
    first = _write(tmp_path / "wtmp", rich_history())
    second = _write(tmp_path / "wtmp.1", [*boot(T0), login(T0 + 60, b"old", b"pts/0")])
    for options in (["-n", "3"], ["-n", "300"], [], ["-x", "-2"]):
        args = [*options, "-f", str(first), "-f", str(second)]
        compare("last", args, at=NOW)


def test_second_file_missing(tmp_path: Path) -> None:
    """The first file is listed, then util-linux stops at the second with status 1."""
    first = _write(tmp_path / "wtmp", rich_history())
    compare("last", ["-f", str(first), "-f", str(tmp_path / "missing")], at=NOW)


@pytest.mark.parametrize("name", ["empty", "dir", "missing", "-", "devnull"])
def test_file_kinds(tmp_path: Path, name: str) -> None:
    """An empty file (its ctime begins it), a directory, a missing file, "-", /dev/null."""
    os.chdir(tmp_path)
    if name == "empty":
        Path("empty").write_bytes(b"")
    elif name == "dir":
        Path("dir").mkdir()
    path = "/dev/null" if name == "devnull" else name
    # libfaketime would fake the ctime util-linux reads (and not the one Python reads).
    env = {"NO_FAKE_STAT": "1"}
    for options in ([], ["-F"], ["--time-format", "iso"], ["--time-format", "notime"]):
        compare("last", [*options, "-f", path], at=NOW, cwd=str(tmp_path), env=env)
    compare("lastb", ["-f", path], at=NOW, cwd=str(tmp_path), env=env)


@pytest.mark.parametrize("layout", ["400le", "384be", "400be", "382be"])
def test_other_layouts(tmp_path: Path, layout: str) -> None:
    """A file from another machine reads like the same records in this machine's layout."""
    recs = rich_history()
    native = tmp_path / "native" / "wtmp"
    foreign = tmp_path / layout / "wtmp"
    native.parent.mkdir()
    foreign.parent.mkdir()
    native.write_bytes(pack(recs))
    foreign.write_bytes(pack(recs, layout[:3], "<" if layout.endswith("le") else ">"))
    compare_all("last", native, [[], ["-x", "-F", "-w", "-a"]], ours_path=foreign)


def test_partial_record_is_reported(tmp_path: Path) -> None:
    """A trailing partial record: util-linux reads misaligned garbage and prints nothing;
    logwarden lists the whole records and says what it ignored."""
    whole = pack(rich_history())
    path = tmp_path / "wtmp"
    path.write_bytes(whole + b"\x07" * 100)
    clean = tmp_path / "clean" / "wtmp"
    clean.parent.mkdir()
    clean.write_bytes(whole)
    got = ours("last", ["-f", str(path)], at=NOW)
    expected = ours("last", ["-f", str(clean)], at=NOW)
    assert got.status == 0
    assert got.stdout == expected.stdout
    offset = len(whole)
    assert (
        got.stderr
        == (
            f"last: {path}: offset {offset}: ignored 100 trailing bytes that are not a whole "
            "384-byte record\n"
        ).encode()
    )


def test_not_a_wtmp(tmp_path: Path) -> None:
    """Random bytes: one clear line and status 1 (util-linux would print garbage)."""
    path = tmp_path / "junk"
    path.write_bytes(bytes(range(256)) * 30)
    got = ours("last", ["-f", str(path)], at=NOW)
    assert got.status == 1
    assert got.stdout == b""
    assert got.stderr.startswith(f"last: {path}: not a utmp/wtmp/btmp file".encode())
    forced = ours("last", ["--layout", "384le", "-f", str(path)], at=NOW)
    assert forced.status == 0
    assert forced.stdout.endswith(b"\njunk begins Tue Jun  7 05:02:12 2016\n")


def test_times_after_2038_are_unsigned(tmp_path: Path) -> None:
    """glibc 2.40 writes ut_tv.tv_sec unsigned (good until 2106): logwarden reads it so,
    where util-linux 2.38 on glibc 2.36 takes it as negative (1901)."""
    later = 2**31 + 86400 * 400  # 2039-02-23, read as 1903-01-17
    recs = [*boot(T0), login(later, b"future", b"pts/0"), logout(later + 3600, b"pts/0")]
    path = _write(tmp_path / "wtmp", recs)
    ref = reference("last", ["-f", str(path)], at=NOW)
    got = ours("last", ["-f", str(path)], at=NOW)
    assert b"future   pts/0                         Sat Jan 17 20:45 - 21:45  (01:00)" in (
        ref.stdout
    )
    assert b"future   pts/0                         Wed Feb 23 03:14 - 04:14  (01:00)" in (
        got.stdout
    )


def test_negative_and_long_lengths(tmp_path: Path) -> None:
    """Logouts before their login (clock set back) and sessions of weeks and months."""
    recs = [*boot(T0 - 200 * 86400)]
    spans = [
        -60,
        -2400,
        -3700,
        -7300,
        -90000,
        -10 * 86400 - 5,
        59,
        86399,
        86400,
        9 * 86400 + 3599,
        10 * 86400,
        99 * 86400 + 1,
        150 * 86400,
    ]
    for i, span in enumerate(spans):
        start = T0 - 180 * 86400 + i * 1000
        recs += [login(start, b"s%d" % i, b"pts/%d" % i), logout(start + span, b"pts/%d" % i)]
    recs += _sound_padding(T0)
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-F"], ["-a"], ["--time-format", "notime"]])


def test_dns_lookups(tmp_path: Path) -> None:
    """-d looks the address up (numeric when there is no name), -i never does."""
    recs = [*boot(T0)]
    for i, addr in enumerate(
        [
            "127.0.0.1",
            "192.0.2.1",
            "2001:db8::1",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:192.0.2.77",
            "::192.0.2.5",
            "fe80::1",
        ]
    ):
        recs.append(login(T0 + 60 + i, b"d%d" % i, b"pts/%d" % i, b"stored-name", addr=addr))
    recs += _sound_padding(T0 + 600)
    path = _write(tmp_path / "wtmp", recs)
    # Few runs: a reverse lookup the resolver cannot answer may take its full timeout.
    compare_all("last", path, [["-d", "-a", "-x"], ["-d", "-i", "-w"]])


def test_terminal_output_is_escaped(tmp_path: Path) -> None:
    """On a terminal the fields are escaped further: no raw TAB, CR, BEL or newline."""
    recs = [*boot(T0), login(T0 + 60, b"a\rb", b"pts/0", b"h\x07\x1b[31m")]
    recs += _sound_padding(T0 + 600)
    path = _write(tmp_path / "wtmp", recs)
    status, text = on_terminal(["last", "-n", "40", "-f", str(path)])
    assert status == 0
    line = next(row for row in text.splitlines() if row.startswith(b"a\\rb"))
    assert b" pts/0 " in line
    assert b"h\\a\\e[31m" in line


def test_no_locale_in_environment(tmp_path: Path) -> None:
    """With no locale variables util-linux runs in the C locale; so does logwarden's
    escaping, although Python switches itself to C.UTF-8 then (PEP 538)."""
    import subprocess
    import sys

    recs = [*boot(T0), login(T0 + 60, b"u", b"pts/0", b"caf\xc3\xa9"), *_sound_padding(T0 + 99)]
    path = _write(tmp_path / "wtmp", recs)
    env = {"PATH": "/usr/bin:/bin", "TZ": "UTC"}
    argv = ["-a", "-f", str(path)]
    ref = subprocess.run(["last", *argv], env=env, capture_output=True, check=False)
    got = subprocess.run(
        [sys.executable, "-m", "logwarden", "last", *argv],
        env=env,
        capture_output=True,
        check=False,
    )
    assert b"caf\\303\\251" in ref.stdout
    assert got.stdout == ref.stdout


def test_line_matching(tmp_path: Path) -> None:
    """Logins and logouts meet on the line as a C string: bytes after a NUL do not count,
    long lines (8 bytes and more, 32 without NUL) compare whole."""
    pairs = [
        (b"pts/1", b"pts/1\0garbage"),
        (b"pts/1000", b"pts/1000"),
        (b"pts/1000", b"pts/10000"),
        (b"ssh:notty", b"ssh:notty\0x"),
        (b"l" * 31, b"l" * 31),
        (b"m" * 32, b"m" * 32),
        (b"m" * 31 + b"n", b"m" * 32),
        (b"abcdefgh", b"abcdefgh\0\0\0\0\0\0\0\0z"),
        (b"abcdefg\0x", b"abcdefg"),
    ]
    recs = [*boot(T0)]
    for i, (line_in, line_out) in enumerate(pairs):
        recs += [login(T0 + 100 * i, b"m%d" % i, line_in), logout(T0 + 100 * i + 50, line_out)]
    recs += _sound_padding(T0 + 3600)
    path = _write(tmp_path / "wtmp", recs)
    compare_all("last", path, [[], ["-w"], ["pts/1000"], ["l" * 31]])
