"""sa: differential against GNU acct 6.6.4, the summary files byte for byte."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from acct.helpers import compare, compare_here, crafted
from logwarden.formats import savacct

from support.pacctbuild import AFORK, Proc, pack_all, sample
from support.reference import ours, reference

OPTION_SETS = [
    [],
    ["-a"],
    ["-j"],
    ["-l"],
    ["-c"],
    ["-n"],
    ["-b"],
    ["-d"],
    ["-D"],
    ["-k"],
    ["-K"],
    ["-t"],
    ["-r"],
    ["-a", "-c", "-l", "-t"],
    ["-m"],
    ["-u"],
    ["-p"],
    ["-P"],
    ["-m", "-c"],
    ["-m", "-j"],
    ["-M"],
    ["-a", "-j", "-l"],
    ["--separate-forks"],
    ["-v", "1", "-f"],
    ["-v", "2", "-f", "-a"],
    ["--sort-real-time"],
    ["--sort-real-time", "-j", "-r"],
    ["-a", "--print-ratio", "-j"],
    ["--percentages", "--separate-times", "-a"],
    ["--sort-ksec", "-r", "-a"],
    ["-a", "-D", "-c"],
    ["--user-summary", "--sort-num-calls"],
    ["--group-summary", "-r"],
    ["-m", "-p"],
    ["-M", "-P"],
    ["--show-paging-avg", "-a"],
    ["--list-all-names", "--sort-avio"],
    ["-a", "--ahz", "1000"],
    ["-m", "-K"],
    ["-m", "-t", "-l"],
    ["--print-users", "--ahz", "50"],
]


@pytest.mark.parametrize("version", ["v3le", "v3be", "v2le", "v0be", "v1le", "mixed"])
def test_every_option_on_every_version(tmp_path: Path, version: str) -> None:
    """Each option set prints what GNU prints (summary files ignored with -i)."""
    path = crafted(tmp_path)[version]
    for options in OPTION_SETS:
        compare_here("sa", ["-i", *options, str(path)])


def test_ties_keep_hash_order(tmp_path: Path) -> None:
    """Many commands that compare equal come out in GNU's hash-table order, through resizes."""
    procs = [Proc(b"c%03d" % i, pid=i) for i in range(150) for _ in range(2)]
    procs += [Proc(b"f%02d" % i, flag=AFORK) for i in range(30) for _ in range(2)]
    path = tmp_path / "ties"
    path.write_bytes(pack_all(procs))
    for options in ([], ["-r"], ["-n"], ["-m"], ["-a"]):
        compare_here("sa", ["-i", *options, str(path)])


def test_long_names_and_odd_ids(tmp_path: Path) -> None:
    """Unknown uids print as C ints; 16-byte commands; names of every printable byte."""
    procs = [
        Proc(bytes([33 + (i % 90)]) * (1 + i % 16), uid=(i * 7919) % 70000, pid=i)
        for i in range(120)
    ]
    procs += procs[:40]
    path = tmp_path / "odd"
    path.write_bytes(pack_all(procs))
    for options in ([], ["-m"], ["-u"], ["-a", "-l"]):
        compare_here("sa", ["-i", *options, str(path)])


@pytest.mark.parametrize(
    "args",
    [
        ["-x"],
        ["-h"],
        ["--help"],
        ["-v", "0"],
        ["-v", "x"],
        ["--ahz", "0"],
        ["-u", "-m"],
        ["-s", "-m"],
        ["-u", "-s"],
        ["a", "b", "c"],
        ["-m", "/dev/null"],
        ["/dev/null"],
        ["/nonexistent"],
        ["--sort"],
        ["--other"],
        ["-i", "-M", "/dev/null"],
    ],
)
def test_usage_errors_and_empty_input(args: list[str]) -> None:
    """Errors in GNU's words; empty input prints nothing (or GNU's num_calls complaint)."""
    compare("sa", ["-i", *args] if "-i" not in args else args)


def test_junk_prompts(tmp_path: Path) -> None:
    """-v N asks about each command with at most N calls, reading answers from stdin."""
    path = crafted(tmp_path)["v3le"]
    for answers in (b"y\nn\nY\nyes\n\n", b"", b"n\n" * 20, b"  y  \nno\ny"):
        compare("sa", ["-i", "-v", "2", str(path)], stdin=answers)


def _merge(
    tool: str, directory: Path, pacct: Path, *extra: str
) -> subprocess.CompletedProcess[bytes]:
    sav, usr = directory / "savacct", directory / "usracct"
    args = [
        "-s",
        *extra,
        "--other-savacct-file",
        str(sav),
        "--other-usracct-file",
        str(usr),
        str(pacct),
    ]
    run = ours if tool == "logwarden" else reference
    result = run("sa", args)
    assert result.status == 0, result.stderr
    return result  # type: ignore[return-value]


def _same_summaries(a: Path, b: Path) -> None:
    """savacct equal except the 6 padding bytes GNU leaves uninitialised; usracct equal."""
    gnu, mine = (a / "savacct").read_bytes(), (b / "savacct").read_bytes()
    assert len(gnu) == len(mine)
    differing = [
        i for i in range(len(gnu)) if gnu[i] != mine[i] and i % 96 not in savacct.SAVACCT_PADDING
    ]
    assert not differing, f"savacct differs at {differing[:8]}"
    assert (a / "usracct").read_bytes() == (b / "usracct").read_bytes()


def test_merge_writes_gnus_files(tmp_path: Path) -> None:
    """sa -s: the same savacct/usracct as GNU, folded run after run, every version."""
    files = crafted(tmp_path)
    gnu, mine = tmp_path / "gnu", tmp_path / "mine"
    gnu.mkdir()
    mine.mkdir()
    for name in ("v3le", "mixed", "v2be", "v0le", "v3le"):
        _merge("gnu", gnu, files[name])
        _merge("logwarden", mine, files[name])
        _same_summaries(gnu, mine)
    # -i: the summaries are overwritten with this file alone.
    _merge("gnu", gnu, files["v1le"], "-i")
    _merge("logwarden", mine, files["v1le"], "-i")
    _same_summaries(gnu, mine)


def test_each_reads_the_others_summaries(tmp_path: Path) -> None:
    """GNU sa reads logwarden's summary files, and logwarden reads GNU's, to the same text."""
    files = crafted(tmp_path)
    gnu, mine = tmp_path / "gnu", tmp_path / "mine"
    gnu.mkdir()
    mine.mkdir()
    for name in ("v3le", "mixed"):
        _merge("gnu", gnu, files[name])
        _merge("logwarden", mine, files[name])
    for options in ([], ["-a"], ["-m"], ["-M"], ["-a", "-c", "-l"]):
        for reader, writer in (("gnu", mine), ("logwarden", gnu)):
            args = [
                *options,
                "--other-savacct-file",
                str(writer / "savacct"),
                "--other-usracct-file",
                str(writer / "usracct"),
                str(files["v2le"]),
            ]
            ref = reference(
                "sa",
                [
                    *options,
                    "--other-savacct-file",
                    str(gnu / "savacct"),
                    "--other-usracct-file",
                    str(gnu / "usracct"),
                    str(files["v2le"]),
                ],
            )
            got = (reference if reader == "gnu" else ours)("sa", args)
            assert got.stdout == ref.stdout, (reader, options)


def test_merge_into_unwritable_place(tmp_path: Path) -> None:
    """A summary file that cannot be written: GNU's message and status."""
    pacct = crafted(tmp_path)["v3le"]
    args = [
        "-s",
        "--other-savacct-file",
        "/nonexistent/dir/sav",
        "--other-usracct-file",
        str(tmp_path / "usr"),
        str(pacct),
    ]
    compare("sa", args)


def test_summary_rows(tmp_path: Path) -> None:
    """--json/--csv: the totals row first (no name), then the commands in sa's order."""
    path = crafted(tmp_path)["v3le"]
    got = ours("sa", ["-i", "--csv", str(path)])
    lines = got.stdout.splitlines()
    assert lines[0] == b"name,forked,calls,user,sys,elapsed,mem,io,minflt,majflt,swaps"
    assert lines[1].startswith(b",False,%d," % len(sample()))
    assert lines[2].startswith(b"make,False,3,")


def test_group_summary_with_another_hosts_files(tmp_path: Path) -> None:
    """sa -M with --passwd/--group-file names groups from the given files (``--group``
    abbreviates GNU's --group-summary)."""
    passwd = tmp_path / "passwd"
    passwd.write_bytes(b"root:x:0:0::/:/bin/sh\n")
    group = tmp_path / "group"
    group.write_bytes(b"wheel:x:0:\nbuilders:x:4242:\n")
    path = tmp_path / "pacct"
    path.write_bytes(pack_all(sample()))
    args = ["-i", "-M", "--passwd", str(passwd), "--group-file", str(group), str(path)]
    got = ours("sa", args)
    names = [line[:32].strip() for line in got.stdout.splitlines()[1:]]
    assert b"builders" in names
    assert b"wheel" in names
    assert b"1000" in names
