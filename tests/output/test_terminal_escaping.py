"""Log text on a terminal: escape sequences from a log are shown, never obeyed.

The filters that copy log text through (matchup, the qmailanalog reports and filters,
tai64n, tai64nlocal, tai64nfrac) keep the reference's bytes in a pipe, and escape their
output on a real pseudo-terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.output.terminal import LineEscaper, escape_text

from support.reference import ours
from support.terminal import on_terminal

# A hostile message: colour, a window-title change ending in BEL, a screen clear.
LOG = (
    b"1795000001.000001 info msg 9: bytes 10 from <a\x1b[31mred@x> qp 1 uid 2\n"
    b"1795000001.000002 starting delivery 1: msg 9 to remote x\x1b]0;title\x07@y\n"
    b"1795000001.000003 delivery 1: failure: bad\x1b[2Jstuff/\n"
    b"1795000001.000004 end msg 9\n"
)
LABELLED = b"@400000006b0701f6064ed094 alert: oops \x1b[5m\tend\n"
CONTROLS = (b"\x1b", b"\x07")


def matched() -> bytes:
    """matchup's output for LOG, as a pipe receives it."""
    got = ours("matchup", [], stdin=LOG)
    assert got.status == 0
    assert b"\x1b[31m" in got.stdout  # a pipe gets the bytes the C matchup writes
    return got.stdout


@pytest.mark.parametrize(
    "args",
    [["zsenders"], ["zrecipients"], ["zfailures"], ["zsendmail"], ["zrxdelay"], ["senders"],
     ["failures"], ["columnt"], ["xqp", "1"], ["xsender", "a\x1b[31mred@x"]],
)  # fmt: skip
def test_matchup_readers_escape_on_a_terminal(args: list[str]) -> None:
    piped = ours(args[0], args[1:], stdin=matched())
    assert any(c in piped.stdout for c in CONTROLS), "the pipe keeps the log's bytes"
    status, shown = on_terminal(args, matched())
    assert status == 0
    assert not any(c in shown for c in CONTROLS)
    assert b"\\e" in shown
    assert shown == escape_text(piped.stdout)  # the same output, only escaped


@pytest.mark.parametrize(
    ("args", "data", "lines"),
    [(["matchup"], LOG, 2), (["tai64nfrac"], LABELLED, 1), (["tai64nlocal"], LABELLED, 1),
     (["tai64n"], LOG, 4)],
)  # fmt: skip
def test_log_filters_escape_on_a_terminal(args: list[str], data: bytes, lines: int) -> None:
    status, shown = on_terminal(args, data)
    assert status == 0
    assert not any(c in shown for c in CONTROLS)
    assert b"\\e[" in shown
    assert shown.count(b"\n") == lines  # a line stays one line
    if args[0] != "tai64n":  # (tai64n's labels are the moment of reading)
        assert shown == escape_text(ours(args[0], [], stdin=data).stdout)


def test_multilog_e_escapes_on_a_terminal(tmp_path: Path) -> None:
    """multilog's ``e`` copies lines to stderr: escaped there when it is a terminal."""
    status, shown = on_terminal(["multilog", "e", "./log"], LOG, stderr=True, cwd=str(tmp_path))
    assert status == 0
    assert not any(c in shown for c in CONTROLS)
    assert shown.count(b"\\e") == 3
    assert shown.count(b"\n") == 4
    assert (tmp_path / "log" / "current").read_bytes() == LOG  # the log keeps its bytes


def test_tabs_and_newlines_stay() -> None:
    assert escape_text(b"a\tb\nc\x1b[0m\n") == b"a\tb\nc\\e[0m\n"
    assert escape_text(b"plain\n") == b"plain\n"
    assert escape_text(b"caf\xc3\xa9 \xff\n") == b"caf\xc3\xa9 \\xff\n"


def test_a_character_split_between_writes_stays_whole() -> None:
    escaper = LineEscaper()
    assert escaper.feed(b"caf\xc3") == b""
    assert escaper.feed(b"\xa9\nnext") == b"caf\xc3\xa9\n"
    assert escaper.finish() == b"next"
    assert escaper.finish() == b""
