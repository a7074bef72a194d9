"""The fuzz targets: each on a seed corpus of real and built inputs, and each for a short
coverage-guided run under atheris (longer runs are by hand: tests/fuzz/run.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.targets import TARGETS
from logwarden.qmail.simulate import Settings, simulated_bytes

from support.pacctbuild import pack_all, sample
from support.utmpbuild import BOOT_TIME, DEAD_PROCESS, USER_PROCESS, Rec, pack

RUNNER = Path(__file__).with_name("run.py")
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "qmail-samples"
T0 = 1795000000


def seeds(name: str) -> list[bytes]:
    """Inputs each target must pass as they are (the first bytes pick its parameters)."""
    wtmp = pack([Rec(BOOT_TIME, T0, b"reboot", b"~", b"6.1.0", id=b"~~"),
                 Rec(USER_PROCESS, T0 + 60, b"alice", b"pts/0", b"192.0.2.7", pid=9),
                 Rec(DEAD_PROCESS, T0 + 90, b"", b"pts/0", pid=9)])  # fmt: skip
    log = simulated_bytes(Settings(seed=2, max_messages=40, style="unix", rate=5.0))
    corpus = {
        "utmp": [b"\x00" + wtmp, b"\x01" + wtmp[:500], b"\x02" + wtmp * 3],
        "acct": [b"\x64\x00" + pack_all(sample()), b"\x00\x00" + pack_all(sample(), 2, True)],
        "lastlog": [b"\x08\x09\x0a\x0b" + bytes(292 * 3), b"\x00\x00\x00\x00"],
        "syslog-message": [
            b"\x00<13>Nov 25 10:00:00 host app[1]: hello",
            b'\x01<165>1 2026-11-25T10:00:00Z h a 1 ID [x y="z"] m',
            b"\x00<999>\x1b[2J\x00\xff",
        ],
        "syslog-framing": [b"\x20" + b"12 <13>a b c\n<13>d\n5 <13>", b"\x00" + b"9" * 40],
        "qmail-line": [
            line
            for name in (
                "04-awstats-2003-splogger-syslog.log",
                "05-awstats-2003-tai64nlocal-converted.log",
                "12-bayour-2003-misc-lines-mixed-formats.log",
            )
            for line in (SAMPLES / name).read_bytes().splitlines()[:40]
        ]
        + log.splitlines()[:40],
        "qmail-matchup": [bytes(range(256)), bytes(range(255, -1, -1)) * 2, b"\x01\x02" * 80],
    }
    return corpus[name]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seed_corpus(name: str) -> None:
    for data in seeds(name):
        TARGETS[name](data)


@pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris is not installed here (no wheel for this machine); seeds still run",
)
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_short_atheris_run(name: str, tmp_path: Path) -> None:
    """A few thousand coverage-guided inputs (a few hundred for matchup, whose engine
    costs milliseconds a call) end without a failure."""
    runs = 300 if name == "qmail-matchup" else 4000
    done = subprocess.run(
        [sys.executable, str(RUNNER), name, f"-atheris_runs={runs}", "-max_len=2048", "-seed=1"],
        cwd=tmp_path,
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    assert not list(tmp_path.glob("crash-*"))
