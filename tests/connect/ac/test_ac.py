"""ac: differential against GNU acct 6.6.4 ``ac`` on wtmp files built here, frozen clock."""

from __future__ import annotations

import json
import random
import shlex
from pathlib import Path

import pytest

from connect.ac.histories import (
    NOW,
    SPEC_CASES,
    SPEC_OPTIONS,
    ZONES,
    compare_ac,
    history,
    random_options,
    wide,
)
from logwarden.connect.ac.clock import Day
from logwarden.connect.ac.model import AcOptions, Block
from logwarden.connect.ac.text import render
from logwarden.output.terminal import escape_controls

from support.reference import assert_same, ours, reference
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
    pack,
)

#: The clock of the spec's runs: later than every record of the spec's cases.
SPEC_NOW = at("2024-07-01 12:00")


def _write(tmp_path: Path, records: list[Rec], name: str = "wtmp") -> Path:
    path = tmp_path / name
    path.write_bytes(pack(records))
    return path


@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_spec_cases(tmp_path: Path, case: str) -> None:
    """The spec's four cases with the option sets GNU ac was run with, in UTC and New York."""
    path = _write(tmp_path, SPEC_CASES[case])
    option_sets = [shlex.split(o) for o in SPEC_OPTIONS[case]]
    compare_ac(path, option_sets, now=SPEC_NOW)
    compare_ac(path, [["-d", "-p"], ["-d", "-p", "-a"], ["-p"]], tz="America/New_York",
               now=SPEC_NOW)  # fmt: skip


def _week(start: int) -> list[Rec]:
    """A week of logins around DST changes, crossing midnights, reboots and shutdowns."""
    day = 86400
    return [
        Rec(BOOT_TIME, start, b"reboot", b"~", b"6.1.0"),
        Rec(USER_PROCESS, start + 3600, b"alice", b"pts/0"),
        Rec(USER_PROCESS, start + 4000, b"bob", b"pts/1"),
        Rec(USER_PROCESS, start + 5000, b"carol", b"tty1"),
        Rec(DEAD_PROCESS, start + day + 7200, b"", b"pts/0"),
        Rec(USER_PROCESS, start + day + 7300, b"dave", b"pts/0"),
        Rec(USER_PROCESS, start + 2 * day, b"erin", b"pts/2"),
        Rec(USER_PROCESS, start + 2 * day + 60, b"frank", b"pts/2"),
        Rec(RUN_LVL, start + 3 * day, b"shutdown", b"~"),
        Rec(BOOT_TIME, start + 3 * day + 120, b"reboot", b"~"),
        Rec(USER_PROCESS, start + 3 * day + 600, b"alice", b"pts/0"),
        Rec(USER_PROCESS, start + 3 * day + 700, b"bob", b"pts/1"),
        Rec(BOOT_TIME, start + 5 * day, b"reboot", b"~"),
        Rec(USER_PROCESS, start + 5 * day + 100, b"gail", b"pts/0"),
        Rec(DEAD_PROCESS, start + 5 * day + 9000, b"", b"pts/0"),
        Rec(USER_PROCESS, start + 6 * day, b"harry", b"pts/3"),
    ]


OPTION_MATRIX = [[], ["-p"], ["-d"], ["-d", "-p"], ["-d", "-p", "-a"], ["-d", "-p", "-y"],
                 ["-p", "-y"], ["-z", "-d", "-p"], ["-a", "-d", "-z"], ["--reboots", "-p"],
                 ["--supplants", "-d", "-p"], ["--timewarps", "-p"], ["--compatibility", "-d"],
                 ["-p", "alice", "bob"], ["-d", "alice", "nosuch"]]  # fmt: skip


@pytest.mark.parametrize("tz", ZONES)
def test_dst_weeks(tmp_path: Path, tz: str) -> None:
    """Sessions over the US, EU and Lord Howe DST changes, days of 23, 23.5, 24.5 and 25 h."""
    records = _week(at("2024-03-07 22:00")) + _week(at("2024-03-29 23:00"))
    records += _week(at("2024-04-04 13:00"))
    compare_ac(_write(tmp_path, records), OPTION_MATRIX, tz=tz, now=at("2024-04-15 12:00"))


def test_open_sessions_credited_to_now(tmp_path: Path) -> None:
    """Sessions without logout count up to the frozen clock, with Today's block."""
    records = [Rec(USER_PROCESS, NOW - 30 * 3600, b"openuser", b"pts/0"),
               Rec(USER_PROCESS, NOW - 600, b"late", b"pts/1")]  # fmt: skip
    compare_ac(_write(tmp_path, records), [["-p"], ["-d", "-p"], ["-d", "-a"], ["-z", "-d"]])


def test_future_records_use_the_last_time(tmp_path: Path) -> None:
    """A file from the future: "now" is the last record's time, not the clock's."""
    records = [Rec(USER_PROCESS, NOW + 86400, b"zoe", b"pts/0"),
               Rec(BOOT_TIME, NOW + 3 * 86400, b"x", b"tty7")]  # fmt: skip
    compare_ac(_write(tmp_path, records), [["-p"], ["-d", "-p"]])


def test_clock_changes_and_warps(tmp_path: Path) -> None:
    """date's OLD_TIME/NEW_TIME pairs shift logins; warps log out at midnight."""
    t = at("2024-03-12 10:00")
    records = [
        Rec(USER_PROCESS, t, b"alice", b"tty1"),
        Rec(OLD_TIME, t + 3600, b"", b"|"),
        Rec(NEW_TIME, t + 7200, b"", b"{"),
        Rec(USER_PROCESS, t + 7300, b"bob", b"tty2"),
        Rec(NEW_TIME, t + 7400, b"date", b"{"),
        Rec(DEAD_PROCESS, t + 9000, b"", b"tty1"),
        Rec(USER_PROCESS, t + 9100, b"carol", b"tty3"),
        Rec(DEAD_PROCESS, t + 5000, b"", b"tty3"),
        Rec(USER_PROCESS, t + 40 * 86400 * 10, b"dave", b"tty4"),
        Rec(DEAD_PROCESS, t + 40 * 86400 * 10 + 60, b"", b"tty4"),
    ]
    sets = [["-p"], ["-d", "-p"], ["--timewarps", "-d", "-p"], ["--complain", "-p"],
            ["--tw-leniency", "5000", "-p"], ["--tw-suspicious", "100", "-d", "-p"],
            ["--debug", "-p", "bob"]]  # fmt: skip
    compare_ac(_write(tmp_path, records), sets, now=t + 40 * 86400 * 10 + 86400)


def test_negative_amount_is_fatal(tmp_path: Path) -> None:
    """A logout before its login (within the leniency) stops ac: FILE:N on stdout, then dies."""
    t = at("2024-03-12 10:00")
    records = [Rec(USER_PROCESS, t, b"alice", b"tty1"), Rec(DEAD_PROCESS, t - 30, b"", b"tty1")]
    compare_ac(_write(tmp_path, records), [["-p"], ["-d", "-p"], ["--debug"]])


def test_negative_catch_up_names_the_last_file(tmp_path: Path) -> None:
    """A login after the final "now" fails at the catch-up, blamed on the last file opened
    (an empty one: record 0)."""
    future = NOW + 86400
    records = [Rec(USER_PROCESS, future, b"zoe", b"pts/0"),
               Rec(LOGIN_PROCESS, future - 30, b"LOGIN", b"tty1")]  # fmt: skip
    path = _write(tmp_path, records)
    (tmp_path / "empty").write_bytes(b"")
    compare_ac(path, [["-p"], ["-f", "empty", "-f", "missing", "-d", "-p"]])


def test_munged_records(tmp_path: Path) -> None:
    """fix_ut_type_field: odd types, empty names, BSD-style boot and shutdown records."""
    t = at("2024-03-12 10:00")
    records = [
        Rec(0, t, b"u0", b"pts/0"),
        Rec(9, t + 10, b"u9", b"pts/1"),
        Rec(10, t + 20, b"", b"pts/0"),
        Rec(-1, t + 30, b"", b""),
        Rec(100, t + 40, b"x", b""),
        Rec(USER_PROCESS, t + 50, b"", b"pts/1"),
        Rec(USER_PROCESS, t + 60, b"noline", b""),
        Rec(DEAD_PROCESS, t + 70, b"", b""),
        Rec(USER_PROCESS, t + 80, b"reboot", b"~"),
        Rec(USER_PROCESS, t + 90, b"w", b"pts/2"),
        Rec(LOGIN_PROCESS, t + 100, b"shutdown", b"~"),
        Rec(USER_PROCESS, t + 110, b"w", b"pts/3"),
        Rec(RUN_LVL, t + 120, b"reboot", b"tty5"),
        Rec(USER_PROCESS, t + 130, b"v", b"pts/4"),
        Rec(RUN_LVL, t + 140, b"x", b"~", pid=ord("6") + 256 * 5),
        Rec(USER_PROCESS, t + 150, b"v", b"pts/4"),
        Rec(BOOT_TIME, t + 160, b"shutdown", b"tty6"),
        Rec(USER_PROCESS, t + 170, b"v", b"pts/4"),
        Rec(RUN_LVL, t + 180, b"x", b"~", pid=ord("3")),
    ]
    compare_ac(_write(tmp_path, records), [["-p"], ["--complain", "-z", "-p"], ["--debug"]])


def test_long_and_odd_fields(tmp_path: Path) -> None:
    """32-byte names and lines without NUL, bytes after a NUL, escapes and non-UTF-8 names."""
    t = at("2024-03-12 10:00")
    records = [
        Rec(USER_PROCESS, t, b"A" * 32, b"L" * 32),
        Rec(USER_PROCESS, t + 1, b"A" * 31, b"L" * 31),
        Rec(USER_PROCESS, t + 2, b"ab\0junk", b"pts/9\0zz"),
        Rec(USER_PROCESS, t + 3, b"x\x1b[2Ky", b"tty\x07"),
        Rec(USER_PROCESS, t + 4, b"h\xc3\xa9l\xff", b"pts/10"),
        Rec(DEAD_PROCESS, t + 3600, b"", b"L" * 32),
        Rec(DEAD_PROCESS, t + 3700, b"", b"pts/9\0yy"),
        Rec(DEAD_PROCESS, t + 3800, b"", b"L" * 31 + b"X"),
    ]
    names = ["A" * 32, "A" * 33, "ab", "ab\x01"]
    sets = [["-p"], ["-d", "-p"], ["--complain", "-p"], ["--debug", "-p"], ["-p", *names]]
    compare_ac(_write(tmp_path, records), sets)


def test_times_past_2038_wrap_like_gnu(tmp_path: Path) -> None:
    """32-bit ut_tv.tv_sec is signed for GNU ac on glibc 2.36: 2038+ reads as 1901."""
    records = [
        Rec(USER_PROCESS, 2**31 - 100, b"early", b"pts/0"),
        Rec(USER_PROCESS, 2**31 + 100, b"late", b"pts/1"),
        Rec(DEAD_PROCESS, 2**31 + 3700, b"", b"pts/1"),
        Rec(USER_PROCESS, 0, b"epoch", b"pts/2"),
        Rec(DEAD_PROCESS, 90, b"", b"pts/2"),
    ]
    compare_ac(_write(tmp_path, records), [["-p"], ["--complain", "-d", "-p"]])


@pytest.mark.parametrize("seed", range(6))
def test_random_clean_histories(tmp_path: Path, seed: int) -> None:
    """Seeded well-ordered histories (the vectorized engine's ground) under random options."""
    rng = random.Random(seed)
    records = history(rng, rng.randint(20, 300), messy=False)
    sets = [random_options(rng) for _ in range(4)]
    compare_ac(_write(tmp_path, records), sets, tz=rng.choice(ZONES))


@pytest.mark.parametrize("seed", range(6))
def test_random_messy_histories(tmp_path: Path, seed: int) -> None:
    """Seeded histories with every oddity GNU ac has a rule for, under random options."""
    rng = random.Random(1000 + seed)
    records = history(rng, rng.randint(20, 300), messy=True)
    sets = [random_options(rng) for _ in range(3)] + [["--complain", "-d", "-p"]]
    compare_ac(_write(tmp_path, records), sets, tz=rng.choice(ZONES), ours_extra=["--layout",
               "384le"])  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_wide_tables(tmp_path: Path, seed: int) -> None:
    """Hundreds of ttys at once: hash tables grow to 448 buckets; -p order still GNU's."""
    rng = random.Random(2000 + seed)
    compare_ac(_write(tmp_path, wide(rng)), [["-p"], ["-d", "-p"], ["--reboots", "-d", "-p"]])


def test_files_in_order_as_one_stream(tmp_path: Path) -> None:
    """-f repeated: one stream (a login in one file, its logout in the next), missing files
    reported by perror, directories read as empty, stdin as ``-``."""
    t = at("2024-03-12 10:00")
    first = _write(tmp_path, [Rec(USER_PROCESS, t, b"alice", b"pts/0")], "a")
    _write(tmp_path, [Rec(DEAD_PROCESS, t + 5000, b"", b"pts/0")], "b")
    (tmp_path / "dir").mkdir()
    (tmp_path / "empty").write_bytes(b"")
    sets = [["-f", "b", "-p"], ["-f", "nonexist", "-f", "b", "-p"], ["-f", "dir", "-p"],
            ["-f", "empty", "-f", "b", "-d"], ["-f", "", "-p"]]  # fmt: skip
    compare_ac(first, sets)
    stdin = (tmp_path / "b").read_bytes()
    env = {"TZ": "UTC"}
    for args in (["-f", "-", "-p"], ["-f", "-", "-f", "-", "-p"]):
        ref = reference("ac", [*args, "-f", "a"], at=NOW, env=env, stdin=stdin, cwd=str(tmp_path))
        got = ours("ac", [*args, "-f", "a"], at=NOW, env=env, stdin=stdin, cwd=str(tmp_path))
        assert_same(ref, got)


def test_missing_file_only(tmp_path: Path) -> None:
    """Only a missing file: perror's line on stderr, a zero total, status 0."""
    missing = str(tmp_path / "nonexist")
    ref = reference("ac", ["-f", missing, "-p"], at=NOW)
    got = ours("ac", ["-f", missing, "-p"], at=NOW)
    assert ref.stderr == f"couldn't open file '{missing}': No such file or directory\n".encode()
    assert_same(ref, got)


def test_truncated_file_warns(tmp_path: Path) -> None:
    """A partial last record is ignored as GNU ac does, and logwarden says so on stderr."""
    t = at("2024-03-12 10:00")
    data = pack(
        [Rec(USER_PROCESS, t, b"alice", b"pts/0"), Rec(DEAD_PROCESS, t + 60, b"", b"pts/0")]
    )
    path = tmp_path / "wtmp"
    path.write_bytes(data + data[:100])
    ref = reference("ac", ["-p", "-f", str(path)], at=NOW)
    got = ours("ac", ["-p", "-f", str(path)], at=NOW)
    assert (got.stdout, got.status) == (ref.stdout, ref.status)
    assert ref.stderr == b""
    assert (
        got.stderr
        == (
            f"ac: {path}: offset 768: ignored 100 trailing bytes that are not a whole "
            "384-byte record\n"
        ).encode()
    )


@pytest.mark.parametrize(
    "args",
    [["-x"], ["--bogus"], ["--c"], ["--t"], ["--print"], ["--d"], ["--debug=1"], ["--file"],
     ["-f"], ["--tw-leniency", "-5"], ["--tw-suspicious", "30"], ["--tw-suspicious", "-1"],
     ["--tw-leniency", "-5", "--bogus"], ["--tw-s=5"], ["-V", "--bogus"],
     ["--tw-leniency", " 12", "--tw-suspicious", " +13"], ["--tw-leniency", "1x", "-p"],
     ["--tw-leniency", "99999999999999999999999"], ["--tw-suspicious", "9999999999999999999999"],
     ["--reb", "--sup", "--time", "--daily", "--ind", "--print-y", "--print-z", "--all"],
     ["--individual-totals", "--daily-totals", "--print-year", "--print-zeros", "--all-days"],
     ["--compat", "--file=wtmp", "--file", "wtmp", "people", "--", "-p"]],
)  # fmt: skip
def test_option_parsing(tmp_path: Path, args: list[str]) -> None:
    """getopt_long's messages, GNU ac's fatal checks in option order, long forms, abbreviations.

    On a usage error the usage text goes to stdout; logwarden's adds its own three options,
    so stdout is compared with those lines taken out.
    """
    t = at("2024-03-12 10:00")
    _write(tmp_path, [Rec(USER_PROCESS, t, b"people", b"pts/0"),
                      Rec(DEAD_PROCESS, t + 5400, b"", b"pts/0")])  # fmt: skip
    full = args if args[-1] in ("-f", "--file") else [*args, "-f", "wtmp"]
    ref = reference("ac", full, at=NOW, cwd=str(tmp_path))
    got = ours("ac", full, at=NOW, cwd=str(tmp_path))
    assert (got.stderr, got.status) == (ref.stderr, ref.status)
    if "-V" in args:  # logwarden's version line names logwarden
        assert ref.stdout.startswith(b"ac: GNU Accounting Utilities")
        assert got.stdout.startswith(b"ac: logwarden ")
        return
    ours_lines = [line for line in got.stdout.splitlines(keepends=True)
                  if b"(logwarden)" not in line]  # fmt: skip
    assert b"".join(ours_lines) == ref.stdout


def test_version_and_help() -> None:
    """-V names logwarden (not GNU); -h is GNU's text plus logwarden's options, status 1."""
    got = ours("ac", ["-V"])
    assert got.status == 0
    assert got.stdout.startswith(b"ac: logwarden ")
    ref, got = reference("ac", ["--help"]), ours("ac", ["--help"])
    assert got.status == ref.status == 1
    assert b"--json" in got.stdout
    kept = b"".join(line for line in got.stdout.splitlines(keepends=True)
                    if b"(logwarden)" not in line)  # fmt: skip
    assert kept == ref.stdout


FOREIGN = [("400le", "400", "<"), ("384be", "384", ">"), ("400be", "400", ">"),
           ("382be", "382", ">")]  # fmt: skip


@pytest.mark.parametrize(("name", "size", "order"), FOREIGN)
def test_foreign_layouts(tmp_path: Path, name: str, size: str, order: str) -> None:
    """Files of other machines, detected or forced: the same report as GNU ac gives on the
    same records written natively."""
    rng = random.Random(7)
    records = history(rng, 200, messy=False)
    native = tmp_path / "native"
    native.mkdir()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (native / "wtmp").write_bytes(pack(records))
    (foreign / "wtmp").write_bytes(pack(records, size, order))
    sets = [["-p"], ["-d", "-p"], ["--complain", "-p"]]
    compare_ac(native / "wtmp", sets, ours_path=foreign / "wtmp")
    compare_ac(native / "wtmp", sets[:1], ours_path=foreign / "wtmp",
               ours_extra=["--layout", name])  # fmt: skip


def test_json_and_csv_rows(tmp_path: Path) -> None:
    """--json/--csv: the lines of the report as rows, per user, per day, per day and user."""
    path = _write(tmp_path, SPEC_CASES["basic"])
    env = {"TZ": "UTC"}
    rows = ours("ac", ["-p", "--json", "-f", str(path)], at=SPEC_NOW, env=env)
    assert rows.status == 0
    parsed = [json.loads(line) for line in rows.stdout.splitlines()]
    assert parsed[0] == {"user": "carol", "hours": 3.0, "seconds": 10800}
    assert [r["user"] for r in parsed] == ["carol", "root", "alice", "dave", "bob"]
    daily = ours("ac", ["-d", "-p", "--json", "-f", str(path)], at=SPEC_NOW, env=env)
    first = json.loads(daily.stdout.splitlines()[0])
    assert first == {"day": "2024-03-01", "today": False, "user": "bob", "hours": 14.5,
                     "seconds": 52200}  # fmt: skip
    total = ours("ac", ["--json", "-f", str(path)], at=SPEC_NOW, env=env)
    assert json.loads(total.stdout) == {"hours": 43.08, "seconds": 155100}
    table = ours("ac", ["-d", "--csv", "-f", str(path)], at=SPEC_NOW, env=env)
    assert table.stdout.splitlines()[:2] == [b"day,today,hours,seconds",
                                             b"2024-03-01,false,17.75,63900"]  # fmt: skip


def test_rows_keep_diagnostics_off_stdout(tmp_path: Path) -> None:
    """With --json, --complain lines and the fatal stop go to stderr; stdout stays JSON."""
    t = at("2024-03-12 10:00")
    path = _write(tmp_path, [Rec(USER_PROCESS, t, b"al", b"tty1"),
                             Rec(DEAD_PROCESS, t - 30, b"", b"tty1")])  # fmt: skip
    got = ours("ac", ["--complain", "-p", "--json", "-f", str(path)], at=NOW)
    assert got.status == 1
    assert got.stdout == b""
    assert b"problem: time warp" in got.stderr
    assert got.stderr.endswith(b"ac: Possible overflow of time_t!  Can't continue.\n")


def test_terminal_output_escapes_names() -> None:
    """On a terminal, escape sequences in names and ttys are shown, not obeyed."""
    options = AcOptions(individual=True, complain=True)
    block = Block("final", Day(2024, 3, 1), 3600, ((b"x\x1b[2Ky", 3600),))
    text = render([b"w:1: problem: missing login record for `tty\x07'\n", block], options,
                  escape_controls)  # fmt: skip
    assert b"\x1b" not in text
    assert b"\x07" not in text
    assert b"\tx\\e[2Ky" in text
    assert b"`tty\\a'" in text
