"""Running daemontools' multilog and logwarden's side by side, and comparing log directories.

A directory is compared by its set of files, their modes and their contents, with TAI64N
labels masked (they are times) and finished files (``@<label>.s``/``.u``) named by their
rank, oldest first, since their names are times too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from support.reference import BASE_ENV, need

LABEL = re.compile(rb"@[0-9a-f]{24}")
OURS = [sys.executable, "-m", "logwarden", "multilog"]


def mask(data: bytes) -> bytes:
    """``data`` with every TAI64N label replaced by ``@T``."""
    return LABEL.sub(b"@T", data)


def snapshot(directory: Path) -> dict[str, tuple[int, bytes]]:
    """name -> (mode, masked contents) for every file of a log directory."""
    names = sorted(os.listdir(directory))
    finished = [n for n in names if n.startswith("@")]
    result = {}
    for name in names:
        key = f"@{finished.index(name):03d}{name[25:]}" if name.startswith("@") else name
        path = directory / name
        mode = path.stat().st_mode & 0o7777
        result[key] = (mode, mask(path.read_bytes()))
    return result


@dataclass
class Outcome:
    """What one multilog did: exit status, stderr, directories and status files."""

    status: int
    stderr: bytes
    dirs: dict[str, dict[str, tuple[int, bytes]]]
    files: dict[str, bytes]
    stdout: bytes = b""


def run_in(
    program: list[str],
    args: list[str],
    data: bytes,
    where: Path,
    *,
    from_file: bool = True,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Outcome:
    """Run ``program args`` in ``where`` on ``data`` (from a file, or through a pipe)."""
    where.mkdir(parents=True, exist_ok=True)
    source = where / "input"
    source.write_bytes(data)
    full_env = {**BASE_ENV, **(env or {})}
    with source.open("rb") as stdin:
        proc = subprocess.run(
            [*program, *args],
            stdin=stdin if from_file else None,
            input=None if from_file else data,
            cwd=where,
            capture_output=True,
            env=full_env,
            timeout=timeout,
            check=False,
        )
    return outcome_of(where, args, proc.returncode, proc.stderr, proc.stdout)


def outcome_of(where: Path, args: list[str], status: int, stderr: bytes, stdout: bytes) -> Outcome:
    """Collect the directories and ``=files`` the script ``args`` names under ``where``."""
    dirs = {}
    files = {}
    for arg in args:
        if arg[:1] in (".", "/") and (where / arg).is_dir():
            dirs[arg] = snapshot(where / arg)
        elif arg[:1] == "=" and (where / arg[1:]).is_file():
            files[arg] = mask((where / arg[1:]).read_bytes())
    return Outcome(status, mask(stderr), dirs, files, stdout)


def both(
    args: list[str],
    data: bytes,
    tmp: Path,
    *,
    from_file: bool = True,
    prepare: Callable[[Path], None] | None = None,
) -> tuple[Outcome, Outcome]:
    """daemontools' multilog and logwarden's on the same input, each in its own directory.

    ``prepare(path)``, if given, sets up each working directory first (existing log
    directories, files in the way...).
    """
    reference = need("multilog")
    outcomes = []
    for name, program in (("reference", [reference]), ("logwarden", OURS)):
        where = tmp / name
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        if prepare is not None:
            prepare(where)
        outcomes.append(run_in(program, args, data, where, from_file=from_file))
    return outcomes[0], outcomes[1]


def assert_same(reference: Outcome, ours: Outcome) -> None:
    """Same status, stderr, directories (file sets, modes, contents) and status files."""
    assert ours.status == reference.status, (reference.stderr, ours.stderr)
    assert ours.stderr == reference.stderr
    assert ours.files == reference.files
    assert sorted(ours.dirs) == sorted(reference.dirs)
    for name, expected in reference.dirs.items():
        got = ours.dirs[name]
        assert sorted(got) == sorted(expected), name
        for file, (mode, contents) in expected.items():
            assert got[file][0] == mode, f"{name}/{file}: mode {got[file][0]:o} != {mode:o}"
            assert got[file][1] == contents, f"{name}/{file}: contents differ"
