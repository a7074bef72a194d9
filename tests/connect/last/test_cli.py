"""last: the command line (getopt, usage errors, help) and its time values, against
util-linux 2.38.1."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connect.last.histories import NOW, boot, compare_all, login, rich_history
from logwarden.connect.last.timestamp import BadTimestamp, parse_timestamp, seconds_of

from support.reference import assert_same, ours, reference
from support.utmpbuild import pack


@pytest.fixture(scope="module")
def wtmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("last_cli") / "wtmp"
    path.write_bytes(pack(rich_history()))
    return path


USAGE_ERRORS = [
    ["-z"],
    ["-z", "-h"],
    ["-n"],
    ["-n", "abc"],
    ["-n", "abc", "-z"],
    ["-n", "99999999999"],
    ["-n", "5x"],
    ["-n", ""],
    ["--limit"],
    ["--time-format", "foo"],
    ["--time-format=foo", "-z"],
    ["-F", "--time-format", "short"],
    ["--time-format", "short", "-F"],
    ["--fulltimes", "--time-format=iso"],
    ["--fu"],
    ["--f", "x"],
    ["--hostlast=x"],
    ["--nohostname=1"],
    ["--bogus"],
    ["-s"],
    ["-s", "bad"],
    ["-t", "2024-13-01"],
    ["-p", "25:00"],
    ["-p", ""],
    ["--since=Thu 2024-03-27"],
    ["-"],
    ["-x-"],
]


def test_usage_errors(wtmp: Path) -> None:
    """Bad options and values: util-linux's words, in the order it meets them, status 1."""
    failures = []
    for args in USAGE_ERRORS:
        ref = reference("last", [*args, "-f", str(wtmp)], at=NOW)
        got = ours("last", [*args, "-f", str(wtmp)], at=NOW)
        try:
            assert_same(ref, got)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


def test_option_spellings(wtmp: Path) -> None:
    """Abbreviations and repeats keep util-linux's meaning next to logwarden's additions
    (--p is --present although --passwd exists; --l is --limit despite --layout)."""
    compare_all(
        "last",
        wtmp,
        [
            ["--p", "2024-03-05 12:00"],
            ["--l", "3"],
            ["--li=2"],
            ["--sy", "--ful"],
            ["--time-format", "full", "--time-format", "iso"],
            ["-F", "-F"],
            ["-n", "2", "-n", "0"],
            ["-n", " 5"],
            ["-n", "+5"],
            ["-n", "-3"],
            ["-n", "4", "-3"],
            ["-3", "-n", "4"],
            ["-x3"],
            ["-12"],
            ["-n5", "-xF"],
        ],
    )


def test_end_of_options(wtmp: Path) -> None:
    """After "--" everything is a name or a tty, even "-x"."""
    for args in (["-f", str(wtmp), "--", "reboot", "-x"], ["-f", str(wtmp), "-x", "--", "-x"]):
        assert_same(reference("last", args, at=NOW), ours("last", args, at=NOW))


def test_help(wtmp: Path) -> None:
    """--help: util-linux's text, with logwarden's options added before -h/-V."""
    for tool in ("last", "lastb"):
        ref = reference(tool, ["--help"])
        got = ours(tool, ["-x", "--help", "-z"])
        assert got.status == 0
        assert got.stderr == b""
        ours_lines = got.stdout.splitlines()
        extra = [line for line in ours_lines if line not in ref.stdout.splitlines()]
        assert [line for line in ours_lines if line not in extra] == ref.stdout.splitlines()
        assert any(b"--json" in line for line in extra)
        assert any(b"--passwd" in line for line in extra)


def test_version() -> None:
    """--version names logwarden the way util-linux names itself."""
    assert ours("last", ["--version"]).stdout == b"last from logwarden 0.1.0\n"
    assert ours("lastb", ["-V"]).stdout == b"lastb from logwarden 0.1.0\n"


@pytest.fixture
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """This process's TZ set to the parameter (restored afterwards)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


TIME_VALUES = [
    "now",
    "today",
    "yesterday",
    "tomorrow",
    "+5min",
    "-5days",
    "3 hours ago",
    "1.5h ago",
    "+1week 2days",
    "-1 month",
    "-1y",
    "-90 s",
    "-1.25 hours",
    "-2 weeks 3d 4h 5m 6s",
    "2024-03-27 10:00:00",
    "2024-03-27T10:00:00",
    "24-03-27 10:00:00",
    "2024-03-27 10:00",
    "24-03-27 10:00",
    "2024-03-27",
    "24-03-27",
    "10:00:00",
    "10:00",
    "20240327100000",
    "Wed 2024-03-27 10:00:00",
    "wednesday 2024-03-27 10:00",
    " 2024-03-27",
    "2024-3-5",
    "24-3-5 1:2",
    "2024-02-30",
    "2024-03-10 02:30",
    "2024-11-03 01:30",
    "2024-04-07 02:30",
    "2024-10-06 02:10",
    "70-01-01",
]
#: Values in or near a DST change (New York: March 10, November 3; Lord Howe: April 7,
#: October 6, half-hour steps).
DST_VALUES = ["2024-03-10 02:30", "2024-11-03 01:30", "2024-04-07 01:45", "2024-10-06 02:10"]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Australia/Lord_Howe"], indirect=True)
def test_time_values(tmp_path: Path, zone: str) -> None:
    """--since/--until/--present values land on the same second as util-linux's."""
    recs = boot(NOW - 400 * 86400)
    for text in TIME_VALUES + DST_VALUES:
        value = seconds_of(parse_timestamp(text, now=NOW))
        for delta in (-1, 0, 1):
            if 0 <= value + delta < 2**32:  # ("70-01-01" east of Greenwich wraps around)
                recs.append(login(value + delta, b"t%+d" % delta, b"pts/%d" % len(recs)))
    recs.sort(key=lambda r: r.sec)
    path = tmp_path / "wtmp"
    path.write_bytes(pack(recs))
    # Only the records stamped exactly with the value util-linux computed are shown.
    texts = TIME_VALUES if zone == "UTC" else TIME_VALUES[::3] + DST_VALUES
    compare_all("last", path, [["-s", text, "-t", text] for text in texts], tz=zone)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bad",
        "2024-13-01",
        "25:00",
        "Thu 2024-03-27",
        "+",
        "-x",
        "@1700000000",
        "2024-03-27 10:00:00.5",
        "5",
        "1 fortnight ago",
        "--5min",
    ],
)
def test_time_values_refused(text: str) -> None:
    """What util-linux 2.38 refuses (no @epoch, no fractions yet) logwarden refuses too."""
    with pytest.raises(BadTimestamp):
        parse_timestamp(text, now=NOW)
    ref = reference("last", ["-s", text, "-f", "/dev/null"], at=NOW)
    assert ref.status == 1
    assert ref.stderr == f'last: invalid time value "{text}"\n'.encode()


def test_getopt_additions_and_partial_options() -> None:
    """getopt_long: additions match only where no classic option does; a complaint carries
    the options parsed before it."""
    from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long

    classic = [LongOpt("present", Arg.REQUIRED, "p"), LongOpt("limit", Arg.REQUIRED, "n")]
    extra = [LongOpt("passwd", Arg.REQUIRED, "--passwd"), LongOpt("layout", Arg.REQUIRED, "L")]
    parsed = getopt_long("last", ["--p", "now", "--pa", "f", "--l", "3", "--la", "x"], "p:n:",
                         classic, additions=extra)  # fmt: skip
    assert parsed.options == [("p", "now"), ("--passwd", "f"), ("n", "3"), ("L", "x")]
    with pytest.raises(GetoptError) as caught:
        getopt_long("last", ["-n", "2", "--pz", "-q"], "p:n:", classic, additions=extra)
    assert str(caught.value) == "last: unrecognized option '--pz'"
    assert caught.value.options == [("n", "2")]
