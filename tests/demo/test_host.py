"""The sample host: a realistic history that the reference tools and logwarden read alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.demo.host import INTRUDER, SampleHost, build

from support.reference import compare, ours

NOW = 1_795_600_000  # 2026-11-24T...Z: a Tuesday


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> SampleHost:
    return build(tmp_path_factory.mktemp("demo") / "host", NOW)


def test_same_seed_same_host(tmp_path: Path, host: SampleHost) -> None:
    """The story is the same every time for the same clock."""
    again = build(tmp_path / "again", NOW)
    for name in ("wtmp", "btmp", "utmp", "lastlog", "passwd", "group"):
        assert getattr(again, name).read_bytes() == getattr(host, name).read_bytes()


@pytest.mark.parametrize("args", [[], ["-x"], ["-F", "-x"], ["-i"], ["-w", "-a"], ["-n", "5"]])
def test_last_reads_the_demo_wtmp_like_util_linux(host: SampleHost, args: list[str]) -> None:
    """The three weeks of history print the same through util-linux last and logwarden."""
    compare("last", [*args, "-f", str(host.wtmp)], at=NOW)


def test_lastb_reads_the_burst_like_util_linux(host: SampleHost) -> None:
    """The password-guessing burst prints the same through lastb and logwarden."""
    ref, _ = compare("lastb", ["-f", str(host.btmp)], at=NOW)
    assert ref.stdout.count(INTRUDER.encode()) == 270


@pytest.mark.parametrize("args", [["-p"], ["-d"], ["-d", "-p"]])
def test_ac_reads_the_demo_wtmp_like_gnu_acct(host: SampleHost, args: list[str]) -> None:
    """Connect time over the three weeks is the same through GNU ac and logwarden."""
    compare("ac", [*args, "-f", str(host.wtmp)], at=NOW)


def test_who_reads_the_demo_utmp_like_coreutils(host: SampleHost) -> None:
    """The current utmp prints the same through coreutils who and logwarden."""
    compare("who", ["-a", str(host.utmp)], at=NOW)


def test_the_wiped_session_is_found(host: SampleHost) -> None:
    """wtmp check finds the zeroed records and the lastlog entry no wtmp login explains."""
    got = ours(
        "wtmp",
        ["check", "--lastlog", str(host.lastlog), "--passwd", str(host.passwd), str(host.wtmp)],
        at=NOW,
    )
    assert got.status == 1
    findings = [line for line in got.stdout.splitlines() if b": info: " not in line]
    kinds = sorted(line.split(b": ")[3] for line in findings[:-1])
    assert kinds == [b"lastlog-newer", b"zeroed"]


def test_demo_command_tells_the_story(tmp_path: Path) -> None:
    """make demo's command runs every step and succeeds."""
    got = ours("demo", ["--dir", str(tmp_path / "d")], at=NOW)
    assert got.status == 0, got.stderr
    assert got.stderr == b""
    assert b"still logged in" in got.stdout
    assert b"lastlog-newer" in got.stdout
    # The qmail part: a simulated day of qmail-send, its alerts, the report and its page.
    assert b"$ qmail report --top 5 var/log/qmail/current" in got.stdout
    assert b"Overall (the numbers of matchup | zoverall)\n  Completed messages: " in got.stdout
    assert b"means: " in got.stdout
    page = (tmp_path / "d/var/log/qmail/report.html").read_text()
    assert page.count("<svg") == 3


@pytest.mark.parametrize(
    ("tool", "args"),
    [("lastcomm", ["-f"]), ("lastcomm", ["--pid", "-f"]), ("sa", ["-a"]), ("sa", ["-m"]),
     ("sa", ["-u"]), ("dump-acct", [])],
)  # fmt: skip
def test_acct_tools_read_the_demo_pacct_like_gnu_acct(
    host: SampleHost, tool: str, args: list[str]
) -> None:
    """Three weeks of process accounting read the same through GNU acct and logwarden."""
    compare(tool, [*args, str(host.pacct)], at=NOW)


def test_the_intruders_commands_survive_the_wipe(host: SampleHost) -> None:
    """Process accounting still shows what ran on the wiped session's terminal."""
    got = ours("lastcomm", ["--passwd", str(host.passwd), "-f", str(host.pacct), "zap2"], at=NOW)
    assert got.status == 0
    assert got.stdout.startswith(b"zap2             S     root     pts/")
