"""multilog: differential against daemontools 0.76 on the same input and script.

Input comes from a regular file, so that daemontools reads it in the same 1024-byte steps
every time and its files end at the same places run after run; the log directories are then
compared file by file (set of names, modes, contents with timestamps masked).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from logwarden.multilog.logdir import DRILL_VARIABLE, ROTATION_STEPS
from multilog.logdirs import OURS, Outcome, assert_same, both

from support.reference import BASE_ENV

pytestmark = pytest.mark.reference

#: Bytes that can never be taken for a TAI64N label's hex digits by a pattern.
ALPHABET = b"xyz :*-+/gjkq"


def lines(seed: int, count: int, lengths: tuple[int, ...] = (0, 1, 7, 60, 120)) -> bytes:
    """``count`` pseudo-random lines of the given lengths (seeded, so reproducible)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        size = rng.choice(lengths)
        out.append(bytes(rng.choice(ALPHABET) for _ in range(size)) + b"\n")
    return b"".join(out)


MIXED = (0, 1, 5, 40, 80, 300, 973, 974, 975, 999, 1000, 1001, 2500, 5000)


def check(args: list[str], data: bytes, tmp: Path, **kwargs: object) -> tuple[Outcome, Outcome]:
    ref, got = both(args, data, tmp, **kwargs)  # type: ignore[arg-type]
    assert_same(ref, got)
    return ref, got


SCRIPTS = [
    ["t", "s4096", "n3", "./main"],
    ["s4096", "n5", "./main"],
    ["t", "./a", "s5000", "./b", "s4096", "n2", "./c"],
    ["t", "-*y*", "s4096", "./d", "+*x*", "e", "=status", "./e"],
    ["-*", "+x*", "e", "s4096", "./d"],
    ["t", "-*", "+* z*", "s4096", "n4", "./d"],
    ["t", "s4096", "!cat", "./d"],
    ["s4096", "n3", "!wc -c; cat <&4 >&5; echo seen >&5", "./d"],
    ["tfoo", "s4096", "./d"],
    ["./d", "t", "s4096", "./e"],
    ["s1", "n0", "./d", "n1", "s99999999", "./e"],
    ["", "x", "y./z", "s4096", "./d", "=first", "=second"],
    ["-", "s4096", "./d"],
    ["t", "e", "=st", "-*", "./d"],
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: " ".join(s) or "empty")
def test_scripts_on_mixed_lines(script: list[str], seed: int, tmp_path: Path) -> None:
    """Every action, on lines of every length around multilog's limits, gives the same files."""
    data = lines(seed, 300, MIXED)
    if seed == 2:
        data += b"a last line without newline"
    check(script, data, tmp_path)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        b"\n\n\n",
        b"no newline at all",
        b"nul\0bytes\0\n\xff\xfe binary \x1b[2J\n",
        b"x" * 1000 + b"\n",
        b"x" * 999 + b"\n" + b"y" * 1001,
        b"z" * 200 + b"\n" + b"z" * 201 + b"\n",
    ],
    ids=["empty", "newline", "blank-lines", "partial", "binary", "1000", "999-1001", "200-201"],
)
@pytest.mark.parametrize("script", [["t", "e", "=st", "./d"], ["e", "=st", "s4096", "./d"]])
def test_edge_inputs(data: bytes, script: list[str], tmp_path: Path) -> None:
    """Empty input, blank and partial lines, binary bytes, lines at 1000 bytes: as daemontools."""
    check(script, data, tmp_path)


def test_line_longer_than_a_file_is_split_across_files(tmp_path: Path) -> None:
    """A 200 KB line with s4096 fills file after file mid-line, exactly where daemontools does."""
    data = b"head\n" + bytes(ALPHABET[i % 7] for i in range(200_000)) + b"\ntail\n"
    _, got = check(["t", "s4096", "n100", "./d"], data, tmp_path)
    assert len(got.dirs["./d"]) > 40


def test_large_input_rotates_identically(tmp_path: Path) -> None:
    """Two megabytes through s10000: every one of the files ends at the same line."""
    check(["t", "s10000", "n1000", "./d"], lines(7, 20000, (10, 70, 150)), tmp_path)


@pytest.mark.parametrize(
    ("patterns", "data"),
    [
        (["-*", "+x*"], b"x\nxy\nyx\n\nx*\n"),
        (["-*", "+*x"], b"x\nyx\nxy\nyxx\n"),
        (["-*", "+*x*"], b"x\nyxy\nyy\n"),
        (["-*", "+x*y"], b"xy\nxzy\nxyzy\nxyy\n"),
        (["-*", "+**x"], b"x\n*x\ny*zx\nzx\n**x\n"),
        (["-*", "+*"], b"any\n\n"),
        (["-*", "+"], b"\nx\n\n"),
        (["-x*", "-*y"], b"xy\nyx\nzz\nx\ny\n"),
        (["-*", "+* *", "-*z"], b"a b\na bz\nab\n"),
    ],
)
def test_patterns_match_as_daemontools(patterns: list[str], data: bytes, tmp_path: Path) -> None:
    """multilog's ``*`` (up to the first occurrence of the next byte) selects the same lines."""
    check([*patterns, "e", "./d"], data, tmp_path)


def _tree(where: Path, files: dict[str, tuple[int, bytes]]) -> None:
    directory = where / "d"
    directory.mkdir(mode=0o700)
    for name, (mode, contents) in files.items():
        path = directory / name
        path.write_bytes(contents)
        os.chmod(path, mode)


STATES = {
    "clean-current": {"current": (0o744, b"old line\n" * 300)},
    "crashed-current": {"current": (0o644, b"unfinished\n" * 10), "state": (0o644, b"s")},
    "previous-and-current": {
        "previous": (0o744, b"waiting for the processor\n"),
        "current": (0o644, b"was being written\n"),
        "newstate": (0o644, b"half"),
    },
    "processed-complete": {
        "previous": (0o744, b"raw\n"),
        "processed": (0o744, b"processed\n"),
        "current": (0o644, b"cur\n"),
    },
    "processed-incomplete": {
        "previous": (0o744, b"raw\n"),
        "processed": (0o644, b"half-processed\n"),
        "current": (0o644, b"cur\n"),
    },
    "too-many-old-files": {
        **{f"@40000000600000000000000{i}.s": (0o744, b"old %d\n" % i) for i in range(6)},
        "@z-not-a-log-file": (0o644, b"keep\n"),
        "@short": (0o644, b"keep\n"),
        "current": (0o744, b"x\n"),
    },
    "linked-previous": {
        "previous": (0o744, b"already finished\n"),
        "@400000006000000000000000.s": (0o744, b"other\n"),
    },
}


@pytest.mark.parametrize("state", sorted(STATES))
def test_start_recovers_every_state_as_daemontools(state: str, tmp_path: Path) -> None:
    """A directory left in any state (clean exit, crash, crash mid-rotation) is taken up alike."""
    files = STATES[state]

    def prepare(where: Path) -> None:
        _tree(where, files)
        if state == "linked-previous":
            os.unlink(where / "d" / "@400000006000000000000000.s")
            os.link(where / "d" / "previous", where / "d" / "@400000006000000000000000.s")

    check(["t", "s4096", "n4", "./d"], lines(3, 200, (20, 90)), tmp_path, prepare=prepare)


@pytest.mark.parametrize(
    ("script", "setup"),
    [
        (["=missing/status", "./d"], None),
        (["./missing/d"], None),
        (["./file"], "file"),
        (["./d", "./file"], "file"),
        (["=dir", "./d"], "dir"),
        (["./d", "./d"], None),
    ],
)
def test_fatal_errors_are_worded_as_daemontools(
    script: list[str], setup: str | None, tmp_path: Path
) -> None:
    """Startup failures: the same ``multilog: fatal: ...`` line and status 111."""

    def prepare(where: Path) -> None:
        if setup == "file":
            (where / "file").write_bytes(b"")
        elif setup == "dir":
            (where / "dir").mkdir()

    ref, _ = check(script, b"line\n", tmp_path, prepare=prepare)
    assert ref.status == 111


def test_failing_processor_is_run_again_after_a_pause(tmp_path: Path) -> None:
    """A processor that fails is warned about and rerun from scratch five seconds later."""
    processor = "!test -e failed-once || { touch failed-once; cat >/dev/null; exit 1; }; cat"
    ref, _ = check(["s4096", processor, "./d"], lines(4, 100, (50,)), tmp_path)
    assert ref.stderr == b"multilog: warning: processor failed in ./d, pausing\n"


PROCESSOR_STEPS = {
    "run-processor",
    "sync-processed",
    "sync-newstate",
    "remove-previous",
    "rename-newstate",
}


@pytest.mark.parametrize("step", ROTATION_STEPS)
def test_recovery_from_a_real_crash_matches_daemontools(step: str, tmp_path: Path) -> None:
    """Killed at a step of a rotation, the directory is taken up by daemontools and by
    logwarden in the same way."""
    processor = ["!cat"] if step in PROCESSOR_STEPS else []
    script = ["t", "s4096", "n100", *processor, "./d"]
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    (crashed / "input").write_bytes(lines(9, 200, (30, 60)))
    with (crashed / "input").open("rb") as stdin:
        proc = subprocess.Popen(
            [*OURS, *script],
            stdin=stdin,
            cwd=crashed,
            stderr=subprocess.DEVNULL,
            env={**BASE_ENV, DRILL_VARIABLE: step},
        )
        deadline = time.monotonic() + 30
        while _state(proc.pid) != "T":
            assert time.monotonic() < deadline, "never stopped"
            time.sleep(0.01)
        proc.kill()
        proc.wait()

    def prepare(where: Path) -> None:
        shutil.copytree(crashed / "d", where / "d", symlinks=True)

    ref, _ = check(script, b"after the crash\n", tmp_path / "restart", prepare=prepare)
    assert any(name.endswith((".u", ".s")) for name in ref.dirs["./d"])


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]
