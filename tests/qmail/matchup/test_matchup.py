"""matchup, drop-in: d/m/? lines, the pending state on fd 5, the exit 111.

The expected outputs in tests/qmail/golden/ were produced by qmailanalog's own matchup.c
and awk scripts, compiled and run in /tmp (never in the repo) on the real samples; the
worked example (golden/worked-*) is the one of qmail-tools.md section 2.3 and was checked by
hand line by line against matchup's semantics there.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.qmail.matchup.line_engine import Matchup, c_fields, matchup, scan_ulong

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SAMPLES = sorted(p.stem for p in GOLDEN.glob("*.in"))


def pending_lines(pending: bytes) -> list[bytes]:
    """The pending state as a multiset of lines (the partial last line kept last)."""
    head, _, tail = pending.rpartition(b"\n")
    return [*sorted(head.split(b"\n")), tail] if head else [tail]


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples_match_the_c_matchup(name: str) -> None:
    """Each real sample gives qmailanalog's matchup output byte for byte (cross-checked
    with the C matchup compiled in /tmp), and the same pending lines."""
    out, pending = matchup((GOLDEN / f"{name}.in").read_bytes())
    assert out == (GOLDEN / f"{name}.matchup").read_bytes()
    assert pending_lines(pending) == pending_lines((GOLDEN / f"{name}.pending").read_bytes())


def test_worked_example_across_two_chunks() -> None:
    """The spec's worked example: a deferral, a partial last line and a retry that succeeds
    in the next chunk, resumed from the pending state (checked by hand, and with C)."""
    out1, pending1 = matchup((GOLDEN / "worked-1.log").read_bytes())
    assert out1 == (GOLDEN / "worked-1.out").read_bytes()
    assert pending1 == (GOLDEN / "worked-1.pending").read_bytes()
    out2, pending2 = matchup(pending1 + (GOLDEN / "worked-2.log").read_bytes())
    assert out2 == (GOLDEN / "worked-2.out").read_bytes()
    assert pending2 == b""


def run_matchup(data: bytes, fd5: bool) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """logwarden matchup as a process, with descriptor 5 open on a pipe or closed."""
    env = {**os.environ, "LC_ALL": "C"}
    cmd = [sys.executable, "-m", "logwarden", "matchup"]
    if not fd5:
        proc = subprocess.run(cmd, input=data, capture_output=True, env=env, check=False)
        return proc, b""
    r, w = os.pipe()
    try:
        # Descriptor 5 is set up in the child, as a shell's "5>pending" would.
        code = (
            "import os, sys; os.dup2(int(sys.argv[1]), 5); os.close(int(sys.argv[1])); "
            "from logwarden.cli.main import run; "
            "sys.exit(run(['matchup'], sys.stdout.buffer, sys.stderr))"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, str(w)],
            input=data, capture_output=True, env=env, check=False, pass_fds=(w,),
        )  # fmt: skip
        os.close(w)
        w = -1
        with os.fdopen(r, "rb") as f:
            r = -1
            return proc, f.read()
    finally:
        for fd in (r, w):
            if fd >= 0:
                os.close(fd)


def test_fd5_gets_the_pending_state() -> None:
    """Run as a program, the pending state goes to descriptor 5."""
    proc, pending = run_matchup((GOLDEN / "worked-1.log").read_bytes(), fd5=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (GOLDEN / "worked-1.out").read_bytes()
    assert pending == (GOLDEN / "worked-1.pending").read_bytes()


def test_closed_fd5_with_something_pending_is_fatal() -> None:
    """Pending state and no descriptor 5: the output is complete, then exit 111."""
    proc, _ = run_matchup((GOLDEN / "worked-1.log").read_bytes(), fd5=False)
    assert proc.returncode == 111
    assert proc.stdout == (GOLDEN / "worked-1.out").read_bytes()
    assert proc.stderr == b"matchup: fatal: unable to write fd 5: file descriptor not open\n"


def test_closed_fd5_with_nothing_pending_is_fine() -> None:
    """A log whose messages all ended needs no descriptor 5."""
    proc, _ = run_matchup((GOLDEN / "03-bayour.in").read_bytes(), fd5=False)
    assert proc.returncode == 0
    assert proc.stdout == (GOLDEN / "03-bayour.matchup").read_bytes()


def test_c_field_rules() -> None:
    """Fields split on space, tab and newline only; numbers read like scan_ulong."""
    assert c_fields(b" a\tb  c\rd")[:4] == [b"a", b"b", b"c\rd", b""]
    assert len(c_fields(b"")) == 20
    assert scan_ulong(b"119:") == 119
    assert scan_ulong(b"x") == 0
    assert scan_ulong(b"18446744073709551617") == 1


def test_quirks_of_the_c_program() -> None:
    """Unknown result words print '?' glued to the line; unknown deliveries vanish; old
    qmail's 'running' forgets open deliveries; status lines are silent."""
    engine = Matchup()
    lines = [
        b"1 info msg 5: bytes 10 from <A@B> qp 7 uid 8",
        b"2 starting delivery 1: msg 5 to remote X@Y",
        b"3 delivery 1: exploded: boom/",
        b"4 delivery 99: success: nobody/",
        b"5 starting delivery 2: msg 5 to local z",
        b"6 running",
        b"7 delivery 2: success: did_1+0+0/",
        b"8 status: local 0/10 remote 0/20",
        b"",
    ]
    out = [engine.line(line) for line in lines]
    assert out[2] == b"?1 2 3 10 <a@b> remote.x@y 7 8 \n"
    assert out[3] is None
    assert out[6] is None
    assert out[7] is None
    assert out[8] == b"? \n"


CHUNKABLE = b"".join(
    (GOLDEN / f"{name}.in").read_bytes()
    for name in ("03-bayour", "01-lwq", "09-asial", "07-glidenote", "02-unwrapped")
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=CHUNKABLE.count(b"\n")), max_size=6))
def test_chunked_runs_equal_one_run(cuts: list[int]) -> None:
    """Cutting the log anywhere and carrying the pending state gives the same output."""
    lines = CHUNKABLE.split(b"\n")
    bounds = sorted({0, *cuts, len(lines) - 1})
    whole, _ = matchup(CHUNKABLE)
    pieces = []
    pending = b""
    for start, end in itertools.pairwise(bounds):
        chunk = b"".join(line + b"\n" for line in lines[start:end])
        out, pending = matchup(pending + chunk)
        pieces.append(out)
    assert b"".join(pieces) == whole


@pytest.mark.parametrize("partial", [b"", b"1795000000.000001 delivery 7: succ"])
def test_a_file_on_standard_input_is_read_in_place(tmp_path: Path, partial: bytes) -> None:
    """``matchup <file`` (read with pread, column-wise past 1 MB) gives what the line engine
    gives on the same bytes, and what a pipe gives: output, and pending state on fd 5 with
    the unterminated last line kept."""
    from logwarden.qmail.simulate import Settings, simulated_bytes

    data = simulated_bytes(Settings(seed=5, max_bytes=3_000_000, style="unix",
                                    restart_hours=0.1, trouble_minutes=0.3, rate=5.0))  # fmt: skip
    data += partial
    want, want_pending = matchup(data)
    log = tmp_path / "log"
    log.write_bytes(data)
    pending = tmp_path / "pending"
    with open(log, "rb") as stdin, open(pending, "wb") as fd5:
        code = (
            "import os, sys; os.dup2(int(sys.argv[1]), 5); "
            "from logwarden.cli.main import run; "
            "sys.exit(run(['matchup'], sys.stdout.buffer, sys.stderr))"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, str(fd5.fileno())], stdin=stdin,
            capture_output=True, check=False, pass_fds=(fd5.fileno(),),
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == want
    assert pending_lines(pending.read_bytes()) == pending_lines(want_pending)
    piped, piped_pending = run_matchup(data, fd5=True)
    assert piped.stdout == want
    assert pending_lines(piped_pending) == pending_lines(want_pending)
