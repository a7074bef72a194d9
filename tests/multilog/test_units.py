"""multilog's parts on their own: patterns, the script, lines, the buffer replay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.multilog.bulk import BulkSelector, compile_bulk, parse_bulk
from logwarden.multilog.lines import Carry, Selector, parse, parse_plain
from logwarden.multilog.match import compile_pattern, matches, to_regex
from logwarden.multilog.replay import PUT, RUN, flush_points, replay
from logwarden.multilog.script import (
    DEFAULT_COUNT,
    DEFAULT_SIZE,
    Kind,
    compile_script,
    scan_ulong,
)

SMALL = st.binary(min_size=0, max_size=12).map(lambda b: bytes(b"ab*"[x % 3] for x in b))


@given(SMALL, st.binary(max_size=12).map(lambda b: bytes(b"ab*c"[x % 4] for x in b)))
@settings(max_examples=3000)
def test_compiled_patterns_agree_with_the_reference_algorithm(pattern: bytes, line: bytes) -> None:
    """The fast matcher and daemontools' loop agree on every pattern over a small alphabet."""
    assert compile_pattern(pattern)(line) == matches(pattern, line)


@given(SMALL, st.lists(st.binary(max_size=8).map(lambda b: bytes(b"ab*c"[x % 4] for x in b))))
@settings(max_examples=1500)
def test_bulk_matchers_agree_with_the_reference_algorithm(
    pattern: bytes, lines: list[bytes]
) -> None:
    """Matching many lines at once gives each line the reference's answer."""
    assert compile_bulk(pattern)(lines).tolist() == [matches(pattern, line) for line in lines]


def test_star_stops_at_the_first_occurrence() -> None:
    """``*x`` never backtracks: in ``*ab`` the star stops at the first ``a`` of ``aab``."""
    assert not matches(b"*ab", b"aab")
    assert matches(b"*ab", b"cab")
    assert matches(b"**x", b"a*bx")
    assert not matches(b"**x", b"ax")
    assert to_regex(b"x*") == b"x.*"


def test_script_defaults_and_limits() -> None:
    """s and n clamp as daemontools does; settings apply to the directories after them."""
    script = compile_script(["./a", "s1", "n1", "./b", "s99999999", "n7", "!gzip", "./c"])
    assert [(d.size, d.count, d.processor) for d in script.dirs] == [
        (DEFAULT_SIZE, DEFAULT_COUNT, None),
        (4096, 2, None),
        (16777215, 7, "gzip"),
    ]
    assert not script.timestamp
    assert compile_script(["tx", "./a"]).timestamp
    assert not compile_script(["./a", "t"]).timestamp


def test_script_reads_numbers_as_scan_ulong() -> None:
    """Leading digits only; none is 0; unsigned wrap-around."""
    assert scan_ulong("123abc") == 123
    assert scan_ulong("") == 0
    assert scan_ulong("18446744073709551617") == 1
    assert compile_script(["sabc", "./d"]).dirs[0].size == 4096


def test_script_ignores_what_it_does_not_know() -> None:
    """Empty arguments and unknown letters are no actions at all."""
    script = compile_script(["", "x", "y./z", "e", "=f", "-a", "+b", "./d"])
    assert [a.kind for a in script.actions] == [
        Kind.STDERR,
        Kind.STATUS,
        Kind.DESELECT,
        Kind.SELECT,
        Kind.DIRECTORY,
    ]
    assert script.status_files == ("f",)
    assert not script.every_line_everywhere
    assert compile_script(["t", "s5000", "./a", "./b"]).every_line_everywhere


LINES = st.lists(
    st.sampled_from([0, 1, 3, 25, 973, 974, 975, 999, 1000, 1001, 2000]), max_size=12
).map(lambda sizes: b"".join(b"q" * n + b"\n" for n in sizes))


@given(LINES, st.binary(max_size=1500), st.lists(st.integers(1, 2500), max_size=4), st.booleans())
@settings(max_examples=300, deadline=None)
def test_fast_path_cuts_blocks_like_the_line_loop(
    body: bytes, tail: bytes, cuts: list[int], stamped: bool
) -> None:
    """parse_plain gives the same bytes, carry and commit point as parse, however the input
    is cut into blocks."""
    data = body + tail.replace(b"\n", b"")
    stamp = b"@" + b"0" * 24 + b" " if stamped else b""
    script = compile_script(["./a", "./b"])
    select = Selector(script)
    slow, fast = Carry(), Carry()
    positions = sorted({min(c, len(data)) for c in cuts} | {len(data)})
    start = 0
    for index, end in enumerate(positions):
        block = data[start:end]
        eof = index == len(positions) - 1
        a = parse(select, 2, block, start, slow, stamp, eof)
        b = parse_plain(select.everything, 2, block, start, fast, stamp, eof)
        assert a.streams == b.streams
        assert a.carry == b.carry
        assert a.commit == b.commit
        slow, fast = a.carry, b.carry
        start = end


BULK_SCRIPTS = [
    ["-*", "+q*", "./a", "e", "=s", "+*", "./b"],
    ["-qq", "e", "-*q", "./a", "=s1", "+*q*q*", "=s2", "./b"],
    ["e", "e", "-*", "./a", "./b"],
]


@given(
    LINES,
    st.binary(max_size=1500),
    st.lists(st.integers(1, 2500), max_size=4),
    st.booleans(),
    st.sampled_from(range(len(BULK_SCRIPTS))),
)
@settings(max_examples=300, deadline=None)
def test_bulk_actions_equal_the_line_loop(
    body: bytes, tail: bytes, cuts: list[int], stamped: bool, which: int
) -> None:
    """Patterns, ``e`` and ``=file`` over whole blocks give what the per-line loop gives."""
    data = body.replace(b"q\n", b"x\n") + tail.replace(b"\n", b"")
    stamp = b"@" + b"0" * 24 + b" " if stamped else b""
    script = compile_script(BULK_SCRIPTS[which])
    select = Selector(script)
    bulk = BulkSelector(script, select)
    slow, fast = Carry(), Carry()
    positions = sorted({min(c, len(data)) for c in cuts} | {len(data)})
    start = 0
    for index, end in enumerate(positions):
        block = data[start:end]
        eof = index == len(positions) - 1
        a = parse(select, 2, block, start, slow, stamp, eof)
        b = parse_bulk(bulk, block, start, fast, stamp, eof)
        assert (a.streams, a.stderr, a.status) == (b.streams, b.stderr, b.status)
        assert (a.carry, a.commit) == (b.carry, b.commit)
        slow, fast = a.carry, b.carry
        start = end


def test_long_lines_are_whole_on_disk_and_cut_for_patterns() -> None:
    """The first 1000 bytes (stamp included) decide; the rest of the line still goes out."""
    seen: list[bytes] = []
    script = compile_script(["-*", "+y*", "e", "./d"])
    select = Selector(script)
    line = b"y" + b"z" * 1500 + b"\n"
    parsed = parse(select, 1, line, 0, Carry(), b"", True)
    assert parsed.streams == [line]
    seen.append(parsed.stderr)
    assert seen == [b"y" + b"z" * 199 + b"...\n"]


def test_replay_finishes_files_at_newlines_near_the_limit() -> None:
    """Within 2000 bytes of the size, a write is cut after its last newline and ends the file."""
    stream = (b"x" * 99 + b"\n") * 30
    ops = [(100 * (i + 1), PUT, 99) for i in range(30)]
    ops = sorted([*ops, *((100 * (i + 1), RUN, 1) for i in range(30))])
    state = replay(4096, 1000, stream, ops, flush_points(0, len(stream)))
    assert state.cuts
    assert all(stream[cut - 1] == 10 for cut in state.cuts)
    assert 1000 + state.cuts[0] >= 4096 - 2000


@pytest.mark.parametrize(("start", "end", "points"), [(0, 3000, [1024, 2048, 3000])])
def test_flush_points_follow_1024_byte_reads(start: int, end: int, points: list[int]) -> None:
    """The reference reads 1024 bytes at a time, then once more at the block's end."""
    assert list(flush_points(start, end)) == points
