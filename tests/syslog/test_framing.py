"""RFC 6587 framing: octet counting and LF (or NUL) terminated messages, cut anywhere."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.syslog.framing import FrameDecoder, lf_terminated, octet_counted


def decode_all(stream: bytes, cuts: list[int], max_size: int = 8096) -> list[bytes]:
    decoder = FrameDecoder(max_size)
    out: list[bytes] = []
    start = 0
    for cut in sorted(c % (len(stream) + 1) for c in cuts):
        out += decoder.feed(stream[start:cut])
        start = max(start, cut)
    out += decoder.feed(stream[start:])
    return out + decoder.finish()


def test_both_framings_in_one_stream() -> None:
    """A digit starts an octet count, anything else a line; both may be mixed."""
    stream = octet_counted(b"<13>a b\nc") + lf_terminated(b"<13>plain") + b"<13>nul\x00"
    assert decode_all(stream, []) == [b"<13>a b\nc", b"<13>plain", b"<13>nul"]


def test_digits_without_space_are_a_line() -> None:
    """``123abc`` is not a length: the frame is read as a line."""
    assert decode_all(b"123abc\n", []) == [b"123abc"]


def test_oversize_frames_are_cut() -> None:
    """A frame longer than the limit keeps its first bytes; the next frame is intact."""
    stream = octet_counted(b"x" * 100) + b"y" * 50 + b"\n" + lf_terminated(b"<13>next")
    assert decode_all(stream, [3, 40, 130], max_size=20) == [b"x" * 20, b"y" * 20, b"<13>next"]


def test_unterminated_last_line_counts_at_the_end() -> None:
    """A line without its LF when the connection closes is still a message."""
    assert decode_all(b"<13>one\n<13>two", []) == [b"<13>one", b"<13>two"]


def test_a_frame_after_the_last_line_of_a_read_comes_out_at_once() -> None:
    """Lines, then a whole octet-counted frame in the same read: both come out now, and a
    connection closed right after leaves nothing half read (found by tests/fuzz)."""
    decoder = FrameDecoder(99)
    assert decoder.feed(b"<13>r\n6 <13>ab") == [b"<13>r", b"<13>ab"]
    assert decoder.finish() == []
    assert FrameDecoder(99).feed(b"r\n1 2") == [b"r", b"2"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.binary(min_size=1, max_size=60).filter(lambda m: not m[:1].isdigit()), max_size=20),
    st.lists(st.integers(min_value=0, max_value=5000), max_size=10),
    st.booleans(),
)
def test_any_cut_gives_the_same_messages(
    messages: list[bytes], cuts: list[int], octets: bool
) -> None:
    """However the stream is split into reads, the same messages come out."""
    if octets:
        stream = b"".join(octet_counted(m) for m in messages)
        expected = messages
    else:
        clean = [m.replace(b"\n", b"").replace(b"\x00", b"") for m in messages]
        expected = [m for m in clean if m and not m[:1].isdigit()]
        stream = b"".join(lf_terminated(m) for m in expected)
    assert decode_all(stream, cuts) == expected
