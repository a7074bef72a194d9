"""last: differential against util-linux 2.38.1 on wtmp histories built here."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect.last.histories import NOW, compare_all, rich_history

from support.utmpbuild import pack

#: Every option the text depends on, alone and in the combinations that change the layout.
OPTION_SETS = [
    [],
    ["-x"],
    ["-F"],
    ["-x", "-F"],
    ["-a"],
    ["-w"],
    ["-w", "-a"],
    ["-R"],
    ["-R", "-x", "-w"],
    ["-i"],
    ["-a", "-i"],
    ["-w", "-i"],
    ["--time-format", "iso", "-x"],
    ["--time-format", "full"],
    ["--time-format", "short", "-a"],
    ["--time-format", "notime", "-x"],
    ["--time-format=notime", "-R"],
    ["-F", "-a", "-w"],
    ["--hostlast", "--fullnames", "--system", "--fulltimes", "--nohostname"],
]

#: Selections: limits, names, ttys (``1`` is tty1), pseudo-users, time windows.
SELECTIONS = [
    ["-n", "5"],
    ["-7"],
    ["-1", "-2"],
    ["--limit=12", "-x"],
    ["-n", "0"],
    ["-n", "-1"],
    ["alice"],
    ["pts/0", "bob"],
    ["1"],
    ["tty1"],
    ["reboot"],
    ["-x", "shutdown", "runlevel"],
    ["-x", "system boot"],
    ["ftp", "uucp"],
    ["u" * 32],
    ["-w", "u" * 31],
    ["averyver"],
    ["averyveryverylongusername", "-w"],
    ["nobody-at-all"],
    ["-s", "2024-03-10", "-x"],
    ["-t", "2024-03-10 12:00", "-x"],
    ["-s", "2024-03-05", "-t", "2024-03-07 23:00"],
    ["-p", "2024-03-05 12:00:00"],
    ["-p", "2024-03-09T10:00:00", "-x"],
    ["-p", "2024-03-27 11:00"],
    ["-s", "yesterday"],
    ["-s", "-3days", "-x"],
    ["-t", "10 days ago"],
    ["-p", "now", "-x"],
    ["-n", "3", "-s", "2024-03-08"],
    ["-n", "4", "alice", "-p", "2024-03-05"],
]


@pytest.fixture(scope="module")
def wtmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("last") / "wtmp"
    path.write_bytes(pack(rich_history()))
    return path


def test_history_has_many_records(wtmp: Path) -> None:
    """The history is big enough to exercise the pairing (and ends before the clock)."""
    records = pack(rich_history())
    assert len(records) // 384 > 150
    assert max(r.sec for r in rich_history()) <= NOW


def test_output_options(wtmp: Path) -> None:
    """Every layout option and time format prints what util-linux prints."""
    compare_all("last", wtmp, OPTION_SETS)


def test_selections(wtmp: Path) -> None:
    """Limits, user/tty arguments, --since/--until/--present select the same lines."""
    compare_all("last", wtmp, SELECTIONS)


@pytest.mark.parametrize(
    "tz",
    [
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "America/St_Johns",
        "Pacific/Chatham",
    ],
)
def test_time_zones(wtmp: Path, tz: str) -> None:
    """Local times, ISO offsets (half hours, 45 minutes, DST) and time values in other zones."""
    compare_all(
        "last",
        wtmp,
        [[], ["-x", "--time-format", "iso"], ["-F", "-s", "2024-03-10 02:30"], ["-p", "03:00"]],
        tz=tz,
    )


def test_dst_change_inside_sessions(tmp_path: Path) -> None:
    """Sessions across the spring and autumn changes of New York and London."""
    from connect.last.histories import boot, login, logout

    from support.utmpbuild import at

    recs = boot(at("2023-03-11 20:00"))
    for i, (start, end) in enumerate(
        [
            ("2023-03-12 06:30", "2023-03-12 07:30"),  # New York springs forward at 07:00 UTC
            ("2023-03-26 00:30", "2023-03-26 01:30"),  # London at 01:00 UTC
            ("2023-11-05 05:30", "2023-11-05 06:30"),  # New York falls back at 06:00 UTC
            ("2023-10-29 00:30", "2023-10-29 01:30"),  # London at 01:00 UTC
        ]
    ):
        recs += [login(at(start), b"dst%d" % i, b"pts/%d" % i), logout(at(end), b"pts/%d" % i)]
    path = tmp_path / "wtmp"
    path.write_bytes(pack(recs))
    for tz in ("America/New_York", "Europe/London", "UTC"):
        compare_all("last", path, [[], ["-F"], ["--time-format", "iso"]], tz=tz)
