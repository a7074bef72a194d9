"""Running a classic tool and logwarden side by side, on the same input, clock and zone.

Both run as real processes under the same frozen clock (Debian's ``faketime``), the same
``TZ`` and the same locale; a differential test then compares stdout, stderr and the exit
status byte for byte.
"""

from __future__ import annotations

import difflib
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
    "TZ": "UTC",
    "LC_ALL": "C",
    "HOME": "/nonexistent",
}


@dataclass(frozen=True)
class Run:
    """What a process did: its output, its complaints and its exit status."""

    argv: tuple[str, ...]
    stdout: bytes
    stderr: bytes
    status: int


def need(program: str) -> str:
    """The path of ``program``, or skip the test saying which package provides it."""
    found = shutil.which(program, path=BASE_ENV["PATH"])
    if found is None:
        pytest.skip(f"reference tool {program!r} is not installed (make reference-tools)")
    return found


def _env(env: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(BASE_ENV)
    if env:
        merged.update(env)
    return merged


def libfaketime() -> str:
    """The path of libfaketime (Debian's faketime package), or skip the test."""
    need("faketime")
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if not found:
        pytest.skip("libfaketime.so.1 is not installed (make reference-tools)")
    return found[0]


def frozen_env(at: int, tz: str) -> dict[str, str]:
    """Variables that freeze the clock at the epoch second ``at`` for a process.

    libfaketime is preloaded directly rather than through the ``faketime`` wrapper, whose
    semaphore (named after its pid) collides now and then when many tests run at once.
    libfaketime reads an absolute time in the zone of the process, so the instant is written
    out in that zone (tests avoid freezing inside a DST fall-back hour, which is ambiguous).
    """
    local = datetime.fromtimestamp(at, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")
    return {"LD_PRELOAD": libfaketime(), "FAKETIME": local}


def run(
    argv: Sequence[str],
    *,
    at: int | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    cwd: str | None = None,
    timeout: float = 60,
) -> Run:
    """Run ``argv``, under a clock frozen at the epoch second ``at`` if given."""
    full_env = _env(env)
    if at is not None:
        full_env.update(frozen_env(at, full_env["TZ"]))
    proc = subprocess.run(
        list(argv),
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return Run(tuple(argv), proc.stdout, proc.stderr, proc.returncode)


def ours(tool: str, args: Sequence[str], **kwargs: object) -> Run:
    """Run ``logwarden TOOL ARGS`` as a real process."""
    return run([sys.executable, "-m", "logwarden", tool, *args], **kwargs)  # type: ignore[arg-type]


def reference(tool: str, args: Sequence[str], **kwargs: object) -> Run:
    """Run the classic ``tool`` with ``args``, by name (argv[0] is what its messages show)."""
    need(tool)
    return run([tool, *args], **kwargs)  # type: ignore[arg-type]


def _show(label: str, expected: bytes, actual: bytes) -> str:
    diff = difflib.unified_diff(
        expected.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        actual.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        fromfile=f"reference {label}",
        tofile=f"logwarden {label}",
    )
    return "".join(diff)


def assert_same(ref: Run, got: Run) -> None:
    """stdout, stderr and exit status identical, with a readable diff when not."""
    problems = []
    if ref.stdout != got.stdout:
        problems.append(_show("stdout", ref.stdout, got.stdout))
    if ref.stderr != got.stderr:
        problems.append(_show("stderr", ref.stderr, got.stderr))
    if ref.status != got.status:
        problems.append(f"exit status: reference {ref.status}, logwarden {got.status}\n")
    if problems:
        raise AssertionError(f"{' '.join(ref.argv)}\n" + "".join(problems))


def compare(
    tool: str, args: Sequence[str], *, ours_tool: str | None = None, **kwargs: object
) -> tuple[Run, Run]:
    """Run the reference and logwarden with the same arguments and assert they agree."""
    ref = reference(tool, args, **kwargs)
    got = ours(ours_tool or tool, args, **kwargs)
    assert_same(ref, got)
    return ref, got


def is_root() -> bool:
    return os.geteuid() == 0
