"""lastcomm: differential against GNU acct 6.6.4 on crafted files of every version."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from acct.helpers import compare, compare_here, crafted

from support.pacctbuild import T0, Proc, pack_all, sample
from support.reference import ours

OPTION_SETS = [
    [],
    ["--forwards"],
    ["--pid"],
    ["-p"],
    ["--show-paging", "--pid"],
    ["--print-controls"],
    ["--ahz", "1000"],
    ["--ahz", "4294967396"],
    ["make"],
    ["cloudsdk"],
    ["pts/1"],
    ["root", "ls"],
    ["--user", "root"],
    ["--user", "nobody", "--user", "4242"],
    ["--command", "bash", "--tty", "pts/1"],
    ["--strict-match", "--command", "bash", "--tty", "pts/1"],
    ["--strict-match", "cloudsdk"],
    ["--strict-match", "--user", "4242"],
    ["a-very-long-command-name"],
    ["a-very-long-comm"],
    ["4242"],
    ["__"],
    ["console"],
    ["tty1"],
    ["ttyS6"],
    ["[200,9]"],
    ["-2"],
    ["--tty", "pts/263"],
    ["bad\x01name"],
    ["--command", ""],
    ["--forw", "--pi"],
]


@pytest.mark.parametrize(
    "version", ["v3le", "v3be", "v2le", "v2be", "v0le", "v0be", "v1le", "mixed"]
)
def test_every_option_on_every_version(tmp_path: Path, version: str) -> None:
    """Each option set prints what GNU prints, on each record version and byte order."""
    path = crafted(tmp_path)[version]
    for options in OPTION_SETS:
        compare_here("lastcomm", [*options, "-f", str(path)])


def test_several_files_and_missing_ones(tmp_path: Path) -> None:
    """Files in the order given, each newest first; a missing one is reported and skipped."""
    files = crafted(tmp_path)
    compare(
        "lastcomm", ["-f", str(files["v3le"]), "-f", "/nonexistent/pacct", "-f", str(files["v2le"])]
    )
    compare("lastcomm", ["--forwards", "-f", str(files["v3le"]), "-f", str(files["v0be"])])


def test_standard_input(tmp_path: Path) -> None:
    """``-f -`` reads standard input forwards."""
    data = crafted(tmp_path)["v3le"].read_bytes()
    compare("lastcomm", ["-f", "-"], stdin=data)


@pytest.mark.parametrize(
    "args",
    [
        ["-x"],
        ["--bogus"],
        ["-h"],
        ["--help"],
        ["--ahz", "0"],
        ["--ahz", "x"],
        ["-f"],
        ["--strict-match", "--user", "a", "--user", "b"],
        ["-f", "x", "--forwards"],
        ["-f", "x", "-f", "-"],
        ["--us"],
        ["--s"],
    ],
)
def test_usage_errors(args: list[str]) -> None:
    """Bad options: GNU's words, on the streams GNU uses, and its exit status."""
    compare("lastcomm", args)


def test_empty_file(tmp_path: Path) -> None:
    """No records, no output."""
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    compare("lastcomm", ["-f", str(empty)])


def test_json_rows(tmp_path: Path) -> None:
    """--json: one object per record, newest first, numbers as numbers."""
    path = crafted(tmp_path)["v3le"]
    got = ours("lastcomm", ["--json", "-f", str(path)])
    rows = [json.loads(line) for line in got.stdout.splitlines()]
    assert len(rows) == len(sample())
    crash = next(r for r in rows if r["command"] == "crashme")
    assert crash["flags"] == "DX"
    assert crash["signal"] == 11
    assert crash["core_dumped"] is True
    assert crash["cpu"] == 0.42
    assert crash["pid"] == 1006
    assert crash["start"] == "2024-01-01T10:01:40+00:00"


def test_csv_header_and_rows(tmp_path: Path) -> None:
    """--csv: a header, then one row per record."""
    got = ours("lastcomm", ["--csv", "--forwards", "-f", str(crafted(tmp_path)["v2le"])])
    lines = got.stdout.splitlines()
    assert lines[0].startswith(b"command,flags,user,uid")
    assert lines[1].startswith(b"bash,,root,0,0,pts/0,0.17")
    assert len(lines) == len(sample()) + 1


def test_since_until(tmp_path: Path) -> None:
    """--since/--until keep the commands that started in the window."""
    path = crafted(tmp_path)["v3le"]
    got = ours(
        "lastcomm", ["--since", "2024-01-01 11:00", "--until", "2024-01-01 13:00", "-f", str(path)]
    )
    assert [line.split()[0] for line in got.stdout.splitlines()] == [b"make", b"make"]
    bad = ours("lastcomm", ["--since", "yesterdayish", "-f", str(path)])
    assert bad.status == 1
    assert bad.stderr.count(b"\n") == 1


def test_passwd_of_another_host(tmp_path: Path) -> None:
    """--passwd names users from the given file; its terminals come from the static table."""
    passwd = tmp_path / "passwd"
    passwd.write_bytes(b"root:x:0:0::/root:/bin/sh\ndeploy:x:4242:4242::/home/d:/bin/sh\n")
    path = tmp_path / "p"
    path.write_bytes(
        pack_all(
            [
                Proc(b"make", uid=4242, tty=(136 << 8) | 2, btime=T0),
                Proc(b"x", uid=1000, tty=(4 << 8) | 65, btime=T0),
            ]
        )
    )
    got = ours("lastcomm", ["--passwd", str(passwd), "-f", str(path)])
    lines = got.stdout.splitlines()
    assert lines[0].split()[1:3] == [b"1000", b"ttyS1"]
    assert lines[1].split()[1:3] == [b"deploy", b"pts/2"]


def test_damaged_files_are_counted_not_fatal(tmp_path: Path) -> None:
    """Unknown versions and a partial tail: the good records print, one warning each."""
    good = pack_all(sample()[:3])
    bad = bytearray(good[:64])
    bad[1] = 0x47
    path = tmp_path / "damaged"
    path.write_bytes(good + bytes(bad) * 5 + b"tail")
    got = ours("lastcomm", ["--forwards", "-f", str(path)])
    assert got.status == 0
    assert got.stdout.count(b"\n") == 3
    warnings = got.stderr.decode().splitlines()
    assert warnings == [
        f"lastcomm: {path}: skipped 5 records of unknown format (first at offset 192)",
        f"lastcomm: {path}: offset 512: ignored 4 trailing bytes that are not a whole "
        "64-byte record",
    ]
    # GNU reads the same records forwards (and prints an ERROR line per bad record).
    ref_lines = compare_stdout_only(path)
    assert ref_lines == got.stdout


def compare_stdout_only(path: Path) -> bytes:
    """GNU's stdout for ``lastcomm --forwards -f PATH``."""
    from support.reference import reference

    return reference("lastcomm", ["--forwards", "-f", str(path)]).stdout


def test_garbage_file(tmp_path: Path) -> None:
    """Random bytes: no traceback; every slot is a record, an unknown one, or skipped."""
    path = tmp_path / "garbage"
    path.write_bytes(bytes(range(256)) * 40 + b"\x01")
    got = ours("lastcomm", ["-f", str(path)])
    assert got.status == 0
    assert b"Traceback" not in got.stderr
    assert b"trailing byte" in got.stderr


@pytest.mark.parametrize("tool", ["lastcomm", "sa", "dump-acct"])
def test_random_bytes_are_not_a_pacct(tmp_path: Path, tool: str) -> None:
    """Noise is refused in one line and a failing status, not decoded into garbage lines."""
    noise = tmp_path / "noise"
    noise.write_bytes(random.Random(5).randbytes(64 * 500))
    args = ["-f", str(noise)] if tool == "lastcomm" else [str(noise)]
    got = ours(tool, args)
    assert got.status == 1
    assert got.stdout == b""
    expected = rf"{tool}: {noise}: not a process accounting file: \d+ of its 500 records have no "
    assert re.fullmatch(expected.encode() + rb"version GNU acct reads\n", got.stderr)
