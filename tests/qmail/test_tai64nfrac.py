"""tai64nfrac: labels to seconds.nanoseconds, as Russ Allbery's tai64nfrac 1.4 prints."""

from __future__ import annotations

from logwarden.qmail.tai64nfrac import tai64nfrac

from .helpers import sample
from support.reference import ours


def test_known_label() -> None:
    """The spec's example label and a label with small nanoseconds (zero padded)."""
    assert tai64nfrac(b"@4000000038c3eeb027f41c7c new msg 93869\n") == (
        b"952364710.670309500 new msg 93869\n")  # fmt: skip
    assert tai64nfrac(b"@4000000038c3eeb000000001 x\n") == b"952364710.000000001 x\n"


def test_other_lines_pass() -> None:
    """Lines without a label, and a label elsewhere in the line, are left alone."""
    data = b"plain line\n x @4000000038c3eeb027f41c7c\n"
    assert tai64nfrac(data) == data


def test_short_and_odd_labels() -> None:
    """Digits are read up to the first non-hex byte, as tai64nlocal reads them."""
    assert tai64nfrac(b"@\n") == b"13835058055282163702.000000000\n"
    assert tai64nfrac(b"@4000000038c3eeb027f41c7cZ\n") == b"952364710.670309500Z\n"


def test_program_on_a_sample() -> None:
    """The program converts a real multilog sample line by line."""
    raw = sample("01-lwq").read_bytes()
    got = ours("tai64nfrac", [], stdin=raw)
    assert got.status == 0
    assert got.stdout.splitlines()[0] == b"952364710.670309500 new msg 93869"
    assert got.stdout.count(b"\n") == raw.count(b"\n")
