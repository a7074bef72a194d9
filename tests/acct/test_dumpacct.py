"""dump-acct: differential against GNU acct 6.6.4, text and --raw conversion."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest

from acct.helpers import compare, compare_here, crafted

from support.pacctbuild import Proc, pack, pack_all, sample
from support.reference import ours, reference

VERSIONS = ["v3le", "v3be", "v2le", "v2be", "v0le", "v0be", "v1le", "v1be", "mixed"]


@pytest.mark.parametrize("version", VERSIONS)
def test_text_and_raw(tmp_path: Path, version: str) -> None:
    """Text lines, and --raw in every output version and order, as GNU writes them."""
    path = str(crafted(tmp_path)[version])
    for options in ([], ["-r"], ["-n", "3"], ["--num", "2", "--reverse"], ["--ahz", "1000"]):
        compare_here("dump-acct", [*options, path])
    for options in (
        [],
        ["--format", "2"],
        ["--format", "v0"],
        ["--format", "1"],
        ["--format", "3", "--byteswap"],
        ["--format", "4"],
        ["--format", "9"],
        ["--format", "v2", "--ahz", "1000", "--byteswap"],
        ["--format", "0", "--ahz", "50"],
    ):
        compare_here("dump-acct", ["-R", *options, path])


def test_several_files(tmp_path: Path) -> None:
    """Files one after the other; -n counts across them; a missing one is reported."""
    files = crafted(tmp_path)
    compare("dump-acct", [str(files["v3le"]), "/nonexistent", str(files["v2be"])])
    compare("dump-acct", ["-n", "20", str(files["v3le"]), str(files["v2be"])])


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-h"],
        ["--help"],
        ["-n", "0", "x"],
        ["-n", "-3", "x"],
        ["--ahz", "0", "x"],
        ["-x"],
        ["--bogus"],
    ],
)
def test_usage_errors(args: list[str]) -> None:
    """GNU's usage and complaints; an unknown option is reported and then ignored."""
    compare("dump-acct", args)


def test_unknown_option_is_ignored(tmp_path: Path) -> None:
    """GNU's loop has no default case: after the complaint it goes on."""
    compare("dump-acct", ["-x", "--bogus", str(crafted(tmp_path)["v3le"])])


def _v3_with_raw_fields(**fields: object) -> bytes:
    values = {
        "flag": 0,
        "tty": 0,
        "exit": 0,
        "uid": 0,
        "gid": 0,
        "pid": 1,
        "ppid": 1,
        "btime": 0,
        "etime": 0.0,
        "comm": b"odd",
    }
    values.update(fields)
    return struct.pack(
        "<BBHIIIIIIfHHHHHHHH16s",
        values["flag"],
        3,
        values["tty"],
        values["exit"],
        values["uid"],
        values["gid"],
        values["pid"],
        values["ppid"],
        values["btime"],
        values["etime"],
        0xFFFF,
        0xE000,
        0x1FFF,
        0x2001,
        0,
        0,
        0,
        0,
        values["comm"],
    )


def test_impossible_values(tmp_path: Path) -> None:
    """NaN, infinite and negative elapsed times, the last second of 32-bit time, the
    largest comp_t, ids and pids past 2**31: printed as GNU prints them."""
    records = b"".join(
        [
            _v3_with_raw_fields(etime=math.nan),
            _v3_with_raw_fields(etime=-math.nan),
            _v3_with_raw_fields(etime=math.inf, btime=0xFFFFFFFF),
            _v3_with_raw_fields(etime=-12.5, uid=0xFFFFFFFF, pid=0x80000001),
            _v3_with_raw_fields(etime=3.4e38, exit=0xFFFFFFFF, flag=0xFF, tty=0xFFFF),
            _v3_with_raw_fields(comm=b"\xff\xfe\x1b[2J" + b"\x00garbage"),
        ]
    )
    path = tmp_path / "odd"
    path.write_bytes(records)
    compare("dump-acct", [str(path)])
    for options in ([], ["--format", "2"], ["--format", "0"], ["--format", "1", "--byteswap"]):
        compare("dump-acct", ["-R", *options, str(path)])
    compare("lastcomm", ["--pid", "-f", str(path)])
    compare("lastcomm", ["--print-controls", "-f", str(path)])
    compare("sa", ["-i", "-a", str(path)])
    compare("sa", ["-i", "-u", str(path)])


def test_v2_file_read_as_v3(tmp_path: Path) -> None:
    """v2 records whose version byte says 3: read as v3, as GNU reads them (garbage in,
    the same garbage out, no failure)."""
    data = bytearray(pack_all(sample(), version=2))
    for offset in range(1, len(data), 64):
        data[offset] = 3
    path = tmp_path / "v2as3"
    path.write_bytes(bytes(data))
    compare("dump-acct", [str(path)])
    compare("lastcomm", ["-f", str(path)])
    compare("sa", ["-i", "-a", str(path)])


def test_unknown_versions_warned_once_per_file(tmp_path: Path) -> None:
    """Where GNU prints ``ERROR: unknown acct file format`` per record, logwarden says how
    many there were, once; stdout is GNU's."""
    good = pack(Proc(comm=b"ok"))
    bad = bytearray(good)
    bad[1] = 0x7F
    path = tmp_path / "bad"
    path.write_bytes(good + bytes(bad) * 3 + good)
    ref = reference("dump-acct", [str(path)])
    got = ours("dump-acct", [str(path)])
    assert got.stdout == ref.stdout
    assert ref.stderr == b"ERROR: unknown acct file format\n" * 3
    assert (
        got.stderr
        == f"dump-acct: {path}: skipped 3 records of unknown format (first at offset 64)\n".encode()
    )


def test_json(tmp_path: Path) -> None:
    """--json gives lastcomm's row objects, in file order."""
    got = ours("dump-acct", ["--json", str(crafted(tmp_path)["v3le"])])
    assert got.stdout.splitlines()[0].startswith(b'{"command":"bash","flags":""')
