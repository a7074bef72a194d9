"""accton: GNU's messages and exit codes (errno), never touching this host's accounting.

The calls that could succeed run inside a new PID namespace, where acct(2) records only that
namespace's processes and ends with it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from acct.helpers import compare

from support.pacctbuild import run_in_pid_namespace
from support.reference import assert_same, is_root, ours, reference

LOGWARDEN = f"{sys.executable} -m logwarden"


@pytest.mark.parametrize(
    "args", [[], ["a", "b"], ["-x"], ["--bogus"], ["-h"], ["--help"], ["--he"]]
)
def test_usage(args: list[str]) -> None:
    """No, too many or bad arguments; the help text."""
    compare("accton", args)


def test_errors_are_errno(tmp_path: Path) -> None:
    """ENOENT, ENOTDIR, EISDIR/EACCES (not a regular file): GNU's lines and errno as status."""
    for target in ["/nonexistent/pacct", str(tmp_path / "missing"), str(tmp_path), "/dev/null"]:
        ref = reference("accton", [target])
        got = ours("accton", [target])
        assert_same(ref, got)
        assert got.status != 0


def _namespaced(tool: str, args: str) -> tuple[bytes, bytes, int]:
    prefix = LOGWARDEN + " accton" if tool == "logwarden" else "accton"
    script = f"{prefix} {args}; echo status=$? >&2; accton off >/dev/null 2>&1; true"
    done = run_in_pid_namespace(script)
    return done.stdout, done.stderr, done.returncode


@pytest.mark.root
def test_on_and_off_in_a_namespace(tmp_path: Path) -> None:
    """Turning accounting on to a file and off: GNU's messages, status 0; records appear."""
    if not is_root() or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare (acct(2) needs CAP_SYS_PACCT)")
    for tool in ("accton", "logwarden"):
        target = tmp_path / f"{tool}.pacct"
        target.write_bytes(b"")
        prefix = LOGWARDEN + " accton" if tool == "logwarden" else "accton"
        done = run_in_pid_namespace(f"{prefix} {target} && /bin/true; {prefix} off")
        if b"Function not implemented" in done.stderr:
            pytest.skip("this kernel has no process accounting")
        assert (
            done.stdout
            == (
                f"Turning on process accounting, file set to '{target}'.\n"
                "Turning off process accounting.\n"
            ).encode()
        ), done.stderr
        assert done.returncode == 0
        assert target.stat().st_size % 64 == 0
        assert target.stat().st_size > 0


@pytest.mark.root
def test_permission_denied_for_other_users(tmp_path: Path) -> None:
    """Without CAP_SYS_PACCT: EPERM, status 1, from both."""
    if not is_root() or shutil.which("setpriv") is None:
        pytest.skip("needs root to drop to another uid")
    target = tmp_path / "p"
    target.write_bytes(b"")
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
    from support.reference import run

    ref = run([*drop, "accton", str(target)])
    got = run([*drop, sys.executable, "-m", "logwarden", "accton", str(target)])
    assert ref.status == got.status == 1
    assert got.stderr == ref.stderr == b"accton: Operation not permitted\n"
    assert got.stdout == ref.stdout
    assert os.path.getsize(target) == 0
