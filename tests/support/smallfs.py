"""A real small filesystem for the full-disk tests: a tmpfs mounted by the test (as root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.reference import is_root


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (root only; skipped otherwise)."""
    if not is_root():
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(directory: Path, leave: int) -> Path:
    """Fill the filesystem of ``directory`` with one file, then give back ``leave`` bytes;
    the file (to delete when the test wants room again)."""
    blocker = directory / "blocker"
    fd = os.open(blocker, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # full: that was the point
    finally:
        os.close(fd)
    os.truncate(blocker, max(blocker.stat().st_size - leave, 0))
    return blocker
