"""multilog's signals and lock, against daemontools 0.76, with real processes on a pipe."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from multilog.logdirs import OURS, assert_same, outcome_of, snapshot

from support.reference import BASE_ENV, need

pytestmark = pytest.mark.reference


def programs() -> list[tuple[str, list[str]]]:
    return [("reference", [need("multilog")]), ("logwarden", OURS)]


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    """Poll ``condition`` until it holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def settle(pid: int) -> None:
    """Wait until process ``pid`` has been asleep (waiting for input) for a while.

    daemontools blocks signals except around its read, so a signal sent while it is busy is
    only noticed after the *next* read returns: tests send them when it is idle.
    """

    def state() -> str:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]

    calm = 0
    deadline = time.monotonic() + 20
    while calm < 5:
        if state() == "Z":
            return
        assert time.monotonic() < deadline, "process never went idle"
        calm = calm + 1 if state() == "S" else 0
        time.sleep(0.02)


class Piped:
    """A multilog reading a pipe whose both ends the test keeps (as a supervisor does)."""

    def __init__(self, program: list[str], args: list[str], where: Path) -> None:
        self.read_end, self.write_end = os.pipe()
        self.where = where
        #: What the process wrote on stderr so far.
        self.seen = b""
        self.proc = subprocess.Popen(
            [*program, *args],
            stdin=self.read_end,
            cwd=where,
            stderr=subprocess.PIPE,
            env=BASE_ENV,
        )

    def write(self, data: bytes) -> None:
        os.write(self.write_end, data)

    def leftover(self) -> bytes:
        """What is still in the pipe (after the writer closed it)."""
        os.close(self.write_end)
        chunks = []
        while chunk := os.read(self.read_end, 65536):
            chunks.append(chunk)
        os.close(self.read_end)
        return b"".join(chunks)

    def finish(self) -> tuple[int, bytes]:
        os.close(self.write_end)
        os.close(self.read_end)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


def current_size(where: Path) -> int:
    try:
        return (where / "d" / "current").stat().st_size
    except FileNotFoundError:
        return -1


def test_alarm_finishes_current(tmp_path: Path) -> None:
    """SIGALRM finishes a non-empty ``current`` at once; an empty one is left alone."""
    results = []
    for name, program in programs():
        where = tmp_path / name
        where.mkdir()
        run = Piped(program, ["t", "./d"], where)
        run.write(b"one\ntwo\n")
        wait_for(lambda w=where: current_size(w) == 2 * 30)
        settle(run.proc.pid)
        run.proc.send_signal(signal.SIGALRM)
        wait_for(lambda w=where: any(p.name.startswith("@") for p in (w / "d").iterdir()))
        wait_for(lambda w=where: current_size(w) == 0)
        settle(run.proc.pid)
        run.proc.send_signal(signal.SIGALRM)  # empty current: nothing to finish
        settle(run.proc.pid)
        run.write(b"three\n")
        wait_for(lambda w=where: current_size(w) == 32)
        status, err = run.finish()
        results.append(outcome_of(where, ["./d"], status, err, b""))
    assert_same(*results)
    assert sorted(results[1].dirs["./d"]) == ["@000.s", "current", "lock", "state"]


@pytest.mark.parametrize(
    ("before", "after", "left"),
    [
        (b"one\ntwo\nthr", b"ee\nfour\n", b"four\n"),
        (b"one\ntwo\n", b"three\n", b"three\n"),
        (b"one\n" + b"x" * 3000, b"y" * 10 + b"\nnext\n", b"next\n"),
    ],
    ids=["mid-line", "line-boundary", "long-line"],
)
def test_term_finishes_the_line_and_leaves_the_rest(
    before: bytes, after: bytes, left: bytes, tmp_path: Path
) -> None:
    """SIGTERM: the line in progress is read to its end and logged; the rest stays unread."""
    results = []
    for name, program in programs():
        where = tmp_path / name
        where.mkdir()
        run = Piped(program, ["t", "e", "./d"], where)
        run.write(before)
        complete = before.count(b"\n")
        wait_for(lambda r=run, n=complete: r.proc.stderr is not None and _stderr_lines(r) >= n)
        settle(run.proc.pid)
        run.proc.send_signal(signal.SIGTERM)
        settle(run.proc.pid)
        run.write(after)
        run.proc.wait(timeout=60)
        assert run.leftover() == left, name
        assert run.proc.stderr is not None
        err = run.seen + run.proc.stderr.read()
        results.append(outcome_of(where, ["./d"], run.proc.returncode, err, b""))
    assert_same(*results)
    assert results[1].status == 0


def _stderr_lines(run: Piped) -> int:
    """Lines ``e`` has copied to stderr so far (read without blocking)."""
    assert run.proc.stderr is not None
    fd = run.proc.stderr.fileno()
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        chunk = b""
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags)
    run.seen += chunk
    return run.seen.count(b"\n")


@pytest.mark.parametrize("holder", ["reference", "logwarden"])
def test_second_multilog_is_refused_by_the_lock(holder: str, tmp_path: Path) -> None:
    """Whichever multilog holds a directory, the other refuses it with the same words."""
    table = dict(programs())
    run = Piped(table[holder], ["./d"], tmp_path)
    wait_for(lambda: (tmp_path / "d" / "lock").exists())
    time.sleep(0.2)
    refusals = []
    for name in ("reference", "logwarden"):
        proc = subprocess.run(
            [*table[name], "./d"], input=b"x\n", cwd=tmp_path, capture_output=True, env=BASE_ENV
        )
        refusals.append((proc.returncode, proc.stderr))
    run.finish()
    assert (
        refusals[0]
        == refusals[1]
        == (
            111,
            b"multilog: fatal: unable to lock directory ./d: temporary failure\n",
        )
    )


def test_pipe_input_gives_the_same_files(tmp_path: Path) -> None:
    """Through a pipe (where reads return what is there), a directory without rotation
    holds the same bytes."""
    data = b"".join(b"line %d\n" % i for i in range(2000))
    data += b"x" * 70_000 + b"\n" + b"y" * 999 + b"\n" + b"z" * 5000 + b"\nlast, no newline"
    results = []
    for name, program in programs():
        where = tmp_path / name
        where.mkdir()
        proc = subprocess.run(
            [*program, "t", "s16777215", "./d"], input=data, cwd=where, capture_output=True
        )
        results.append(outcome_of(where, ["./d"], proc.returncode, proc.stderr, b""))
    assert_same(*results)
    assert snapshot(tmp_path / "logwarden" / "d")["current"][1].count(b"\n") == 2004
