"""Every tool against GNU acct on records the running kernel wrote.

As root, a PID namespace of its own turns accounting on to a fresh file, runs a workload
(forks without exec, ``su`` and a setuid drop to another uid, a core dump, a process killed
by a signal, commands on a pseudo-terminal), and turns it off again; then lastcomm, sa and
dump-acct are compared on the file with every option that matters. The namespace's
accounting ends with it at the latest: the host's own accounting is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from acct.helpers import compare, compare_here

from support.pacctbuild import run_in_pid_namespace
from support.reference import is_root

WORKLOAD = """
accton {file} >/dev/null || exit 97
trap 'accton off >/dev/null' EXIT
( x=1 ) & wait
sh -c 'x=1' & wait
setpriv --reuid=65534 --regid=65534 --clear-groups true
su nobody -s /bin/sh -c 'id -u' >/dev/null 2>&1
cd {dir} && sh -c 'ulimit -c unlimited; kill -SEGV $$' 2>/dev/null
sleep 5 & kill -TERM $!; wait
script -qec 'ls / >/dev/null; tty' /dev/null >/dev/null 2>&1
dd if=/dev/zero of=/dev/null bs=1M count=64 2>/dev/null
"""


@pytest.fixture(scope="module")
def kernel_pacct(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not is_root():
        pytest.skip("turning process accounting on needs root (CAP_SYS_PACCT)")
    if shutil.which("unshare") is None or shutil.which("accton") is None:
        pytest.skip("needs unshare (util-linux) and accton (acct)")
    if not Path("/proc/sys/kernel/acct").exists():
        pytest.skip("this kernel was built without process accounting")
    directory = tmp_path_factory.mktemp("kernel")
    target = directory / "pacct"
    target.write_bytes(b"")
    target.chmod(0o600)
    done = run_in_pid_namespace(WORKLOAD.format(file=target, dir=directory))
    for core in directory.glob("core*"):
        core.unlink()
    if done.returncode == 97:
        pytest.skip(f"acct(2) is not available here: {done.stderr.decode().strip()}")
    assert target.stat().st_size >= 64 * 8, done.stderr
    return target


LASTCOMM = [[], ["--pid"], ["-p"], ["--forwards"], ["nobody"], ["--tty", "pts/0"], ["sh"],
            ["--user", "root", "--strict-match"], ["--print-controls", "--forwards"]]  # fmt: skip
SA = [[], ["-a"], ["-u"], ["-m"], ["-M"], ["-a", "-c", "-l", "-t", "-j"], ["-p", "-a"],
      ["-P", "-a"], ["-a", "-D"], ["-a", "-K"], ["-a", "-d", "-r"], ["-a", "-k"], ["-n"],
      ["-b"], ["--sort-real-time", "-a"], ["-v", "1", "-f"]]  # fmt: skip
DUMP = [[], ["-r"], ["-R"], ["-R", "--format", "2"], ["-R", "--format", "0", "--byteswap"]]


def test_lastcomm_on_kernel_records(kernel_pacct: Path) -> None:
    """lastcomm agrees with GNU on the kernel's records, with every option set."""
    for options in LASTCOMM:
        compare_here("lastcomm", [*options, "-f", str(kernel_pacct)])
    compare("lastcomm", ["-f", str(kernel_pacct)])  # and once as a program of its own


def test_sa_on_kernel_records(kernel_pacct: Path) -> None:
    """sa agrees with GNU on the kernel's records."""
    for options in SA:
        compare_here("sa", ["-i", *options, str(kernel_pacct)])


def test_dump_acct_on_kernel_records(kernel_pacct: Path) -> None:
    """dump-acct (text and raw) agrees with GNU on the kernel's records."""
    for options in DUMP:
        compare("dump-acct", [*options, str(kernel_pacct)])


def test_workload_is_in_the_file(kernel_pacct: Path) -> None:
    """The workload's marks are there: a fork without exec, a core dump, a signal, a pty."""
    from logwarden.formats import acct

    records = acct.decode(kernel_pacct.read_bytes()).records
    flags = records["flag"]
    assert ((flags & acct.AFORK) != 0).any()
    assert ((flags & acct.ACORE) != 0).any()
    assert ((flags & acct.AXSIG) != 0).any()
    assert (records["uid"] == 65534).any()
    assert ((records["tty"] >> 8) >= 136).any()
