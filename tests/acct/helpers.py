"""What the accounting tests share: crafted files and a comparison that knows logwarden's
usage text adds a block naming its own options."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from logwarden.cli.acctopts import EXTRA_USAGE
from logwarden.cli.main import run as run_logwarden

from support.pacctbuild import Proc, pack, pack_all, sample
from support.reference import BASE_ENV, Run, assert_same, ours, reference

_EXTRA = EXTRA_USAGE.encode()
_LASTCOMM_EXTRA = b"       [--since <time>] [--until <time>]\n"


def without_additions(run: Run) -> Run:
    """logwarden's output with the usage block of its own options taken out."""
    stdout = run.stdout.replace(_EXTRA + _LASTCOMM_EXTRA, b"").replace(_EXTRA, b"")
    stdout = stdout.replace(_EXTRA.replace(b"--group <file>", b"--group-file <file>"), b"")
    return Run(run.argv, stdout, run.stderr, run.status)


def compare(tool: str, args: Sequence[str], **kwargs: object) -> tuple[Run, Run]:
    """GNU ``tool`` and ``logwarden tool`` agree on stdout, stderr and status."""
    ref = reference(tool, args, **kwargs)
    got = without_additions(ours(tool, args, **kwargs))
    assert_same(ref, got)
    return ref, got


@contextmanager
def _reference_zone() -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = BASE_ENV["TZ"]
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def ours_here(tool: str, args: Sequence[str]) -> Run:
    """``logwarden tool args`` run inside the test process (no interpreter start-up): the
    same code path as the program, with the reference environment's time zone."""
    out, err = io.BytesIO(), io.StringIO()
    with _reference_zone():
        status = run_logwarden(["logwarden", tool, *args], out, err)
    return Run((tool, *args), out.getvalue(), err.getvalue().encode(), status)


def compare_here(tool: str, args: Sequence[str]) -> tuple[Run, Run]:
    """:func:`compare`, with logwarden run in-process (for large option matrices)."""
    ref = reference(tool, args)
    got = without_additions(ours_here(tool, args))
    assert_same(ref, got)
    return ref, got


def crafted(tmp_path: Path) -> dict[str, Path]:
    """The sample records as every version and byte order, and mixed."""
    procs = sample()
    files = {}
    for version in (0, 1, 2, 3):
        for big in (False, True):
            name = f"v{version}{'be' if big else 'le'}"
            files[name] = tmp_path / f"{name}.pacct"
            files[name].write_bytes(pack_all(procs, version, big))
    mixed = b"".join(pack(p, (3, 2, 0, 1)[i % 4], i % 3 == 0) for i, p in enumerate(procs))
    files["mixed"] = tmp_path / "mixed.pacct"
    files["mixed"].write_bytes(mixed)
    return files


__all__ = ["Proc", "compare", "compare_here", "crafted", "ours_here", "without_additions"]
