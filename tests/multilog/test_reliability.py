"""multilog under crashes, signals and a full disk: nothing lost, nothing written twice.

Real processes on a real pipe (the test holds both ends across restarts, as a supervisor
does) writing into a real small tmpfs mounted by the test. Every line carries its number;
at the end the log directory must hold each number once, in order.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from logwarden.multilog.logdir import CONSUME_STEP, DRILL_VARIABLE, ROTATION_STEPS
from multilog.logdirs import OURS

from support.reference import BASE_ENV
from support.smallfs import fill, tmpfs

pytestmark = pytest.mark.root


def numbered(first: int, last: int) -> bytes:
    return b"".join(b"line %07d\n" % n for n in range(first, last))


class Pipe:
    """The log pipe, both ends held by the test."""

    def __init__(self) -> None:
        self.read_end, self.write_end = os.pipe()
        self.writer: threading.Thread | None = None

    def feed(self, data: bytes, chunk: int = 4096, pause: float = 0.0) -> None:
        """Write ``data`` from a thread, ``chunk`` bytes at a time."""

        def run() -> None:
            for start in range(0, len(data), chunk):
                view = memoryview(data)[start : start + chunk]
                while view:
                    view = view[os.write(self.write_end, view) :]
                if pause:
                    time.sleep(pause)

        self.writer = threading.Thread(target=run, daemon=True)
        self.writer.start()

    def fed(self) -> None:
        assert self.writer is not None
        self.writer.join(timeout=120)
        assert not self.writer.is_alive()

    def close_writer(self) -> None:
        os.close(self.write_end)

    def start(self, args: list[str], where: Path, env: dict[str, str] | None = None) -> Run:
        return Run(args, where, self.read_end, env)


class Run:
    """A logwarden multilog on the pipe, its stderr in a file."""

    def __init__(self, args: list[str], where: Path, stdin: int, env: dict[str, str] | None):
        self.log = where.parent / f"stderr-{time.monotonic_ns()}"
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen(
                [*OURS, *args], stdin=stdin, stderr=err, cwd=where, env={**BASE_ENV, **(env or {})}
            )

    def state(self) -> str:
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]

    def stderr(self) -> bytes:
        return self.log.read_bytes()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``condition`` until it holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def logged(directory: Path, stamped: bool) -> list[bytes]:
    """The lines a log directory holds, oldest file first, timestamps removed."""
    names = sorted(n for n in os.listdir(directory) if n.startswith("@"))
    text = b"".join((directory / n).read_bytes() for n in [*names, "current"])
    lines = text.splitlines()
    return [line[26:] if stamped else line for line in lines]


def assert_each_once(directory: Path, count: int, stamped: bool = True) -> None:
    """Every numbered line exactly once, in order, and no rotation left half done."""
    got = logged(directory, stamped)
    expected = numbered(0, count).splitlines()
    missing = sorted(set(expected) - set(got))[:5]
    twice = len(got) - len(set(got))
    assert not missing, f"lost {len(set(expected) - set(got))} lines, first {missing}"
    assert twice == 0, f"{twice} lines written twice"
    assert got == expected
    leftovers = {"previous", "processed", "newstate"} & set(os.listdir(directory))
    assert not leftovers


def test_kill_9_during_a_stream_loses_and_repeats_nothing(tmp_path: Path) -> None:
    """kill -9 at random moments of a busy stream, then restart: each line once."""
    count = 60000
    with tmpfs(tmp_path / "fs", "64m") as fs:
        pipe = Pipe()
        pipe.feed(numbered(0, count), chunk=3000, pause=0.0005)
        rng = random.Random(5)
        script = ["t", "s4096", "n100000", "./d"]
        for _ in range(8):
            run = pipe.start(script, fs)
            time.sleep(rng.uniform(0.05, 0.4))
            run.kill()
        run = pipe.start(script, fs)
        pipe.fed()
        pipe.close_writer()
        assert run.proc.wait(timeout=120) == 0
        assert_each_once(fs / "d", count)


def _stopped(run: Run) -> bool:
    return run.state() == "T"


@pytest.mark.parametrize("step", ROTATION_STEPS)
def test_kill_9_at_each_step_of_a_rotation(step: str, tmp_path: Path) -> None:
    """Stopped before any step of a rotation and killed there: the next start recovers it."""
    processor_step = step in {
        "run-processor",
        "sync-processed",
        "sync-newstate",
        "remove-previous",
        "rename-newstate",
    }
    script = ["t", "s4096", "n100000", *(["!cat"] if processor_step else []), "./d"]
    count = 3000
    with tmpfs(tmp_path / "fs", "16m") as fs:
        pipe = Pipe()
        pipe.feed(numbered(0, count), chunk=512, pause=0.001)
        run = pipe.start(script, fs, {DRILL_VARIABLE: step})
        wait_for(lambda: _stopped(run))
        assert f"drill: stopped before {step} in ./d".encode() in run.stderr()
        run.kill()
        run = pipe.start(script, fs)
        pipe.fed()
        pipe.close_writer()
        assert run.proc.wait(timeout=120) == 0, run.stderr()
        assert_each_once(fs / "d", count)


def test_kill_9_between_writing_and_consuming_writes_once(tmp_path: Path) -> None:
    """Killed after lines reached ``current`` but before leaving the pipe: the next start
    cuts them from ``current`` and writes them again from the pipe, once."""
    count = 2000
    with tmpfs(tmp_path / "fs", "16m") as fs:
        pipe = Pipe()
        pipe.feed(numbered(0, count), chunk=700, pause=0.001)
        script = ["t", "s4096", "n100000", "./d", "./e"]
        for _ in range(3):
            run = pipe.start(script, fs, {DRILL_VARIABLE: CONSUME_STEP})
            wait_for(lambda r=run: _stopped(r))
            assert (fs / "d" / "current").stat().st_size > 0
            run.kill()
        run = pipe.start(script, fs)
        pipe.fed()
        pipe.close_writer()
        assert run.proc.wait(timeout=120) == 0
        assert b"that will be written again from the pipe" in run.stderr()
        assert_each_once(fs / "d", count)
        assert_each_once(fs / "e", count)


def test_term_ends_at_a_line_and_the_rest_waits_in_the_pipe(tmp_path: Path) -> None:
    """SIGTERM mid-stream: what was read is logged, the rest is left for the next run."""
    count = 40000
    with tmpfs(tmp_path / "fs", "64m") as fs:
        pipe = Pipe()
        pipe.feed(numbered(0, count), chunk=1000, pause=0.0002)
        script = ["t", "s4096", "n100000", "./d"]
        for _ in range(3):
            run = pipe.start(script, fs)
            time.sleep(0.3)
            run.proc.send_signal(signal.SIGTERM)
            assert run.proc.wait(timeout=60) == 0
            assert logged(fs / "d", True) == numbered(0, len(logged(fs / "d", True))).splitlines()
        run = pipe.start(script, fs)
        pipe.fed()
        pipe.close_writer()
        assert run.proc.wait(timeout=120) == 0
        assert_each_once(fs / "d", count)


def test_full_disk_pauses_warns_and_resumes(tmp_path: Path) -> None:
    """A full disk: multilog warns, waits, retries; once there is room, every line is there."""
    count = 20000
    with tmpfs(tmp_path / "fs", "1m") as fs:
        blocker = fill(fs, 48 * 1024)
        pipe = Pipe()
        pipe.feed(numbered(0, count), chunk=2000)
        run = pipe.start(["s4096", "n100000", "./d"], fs)
        wait_for(lambda: b"out of disk space" in run.stderr())
        assert run.proc.poll() is None
        warning = run.stderr().splitlines()[0]
        assert warning.startswith(b"multilog: warning: unable to ")
        assert warning.endswith(b", pausing: out of disk space")
        time.sleep(1)
        blocker.unlink()
        pipe.fed()
        pipe.close_writer()
        assert run.proc.wait(timeout=120) == 0
        assert_each_once(fs / "d", count, stamped=False)
