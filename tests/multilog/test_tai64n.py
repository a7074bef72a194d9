"""tai64n and tai64nlocal: byte-identical to daemontools 0.76."""

from __future__ import annotations

import random

import pytest

from logwarden.formats.tai64 import TAI64_OFFSET, encode, from_unix, label_for_unix_ns

from support.reference import compare, ours

pytestmark = pytest.mark.reference

EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC

STAMP_INPUTS = {
    "empty": b"",
    "newline": b"\n",
    "lines": b"one\ntwo\n\nfour\n",
    "partial": b"one\nno newline",
    "binary": bytes(range(256)) + b"\n\0\0\n",
    "long": b"x" * 100_000 + b"\ny\n",
    "many": b"".join(b"line %d\n" % i for i in range(50_000)),
}


@pytest.mark.parametrize("name", sorted(STAMP_INPUTS))
def test_tai64n_matches_under_a_frozen_clock(name: str) -> None:
    """Same bytes as daemontools' tai64n, clock frozen by faketime for both."""
    ref, _ = compare("tai64n", [], stdin=STAMP_INPUTS[name], at=EPOCH)
    if STAMP_INPUTS[name]:
        assert ref.stdout.startswith(encode(from_unix(EPOCH, 0)) + b" ")


def test_tai64n_label_is_the_clock() -> None:
    """The label is Unix time + 2**62 + 10 and microseconds * 1000 + 500 nanoseconds."""
    got = ours("tai64n", [], stdin=b"x\n", at=EPOCH)
    assert got.stdout == b"@%016x%08x x\n" % (EPOCH + TAI64_OFFSET, 500)


def labelled(seconds: list[int], tails: list[bytes], seed: int = 0) -> bytes:
    """Lines starting with the label of each time (random nanoseconds) and a tail."""
    rng = random.Random(seed)
    out = []
    for i, second in enumerate(seconds):
        label = label_for_unix_ns(second * 1_000_000_000 + rng.randrange(1_000_000_000))
        out.append(label + tails[i % len(tails)])
    return b"".join(out)


#: Around DST changes and zone quirks, plus the far past and future.
MOMENTS = [
    0,
    1,
    EPOCH,
    1_710_054_000,  # 2024-03-10 America/New_York spring forward
    1_730_613_600,  # 2024-11-03 America/New_York fall back
    1_711_846_800,  # 2024-03-31 Europe/London
    1_712_419_200,  # 2024-04-07 Australia/Lord_Howe (half-hour DST)
    -2_208_988_800,  # 1900-01-01
    -1,
    253_402_300_799,  # 9999-12-31 23:59:59
    253_402_300_800,  # 10000-01-01: past the bulk path
    -30_610_224_000,  # year 1000
    -50_000_000_000,  # year 385: printed without padding
    -62_200_000_000,  # year 0 / -1
    4_102_444_800,  # 2100-01-01
]

TAILS = [b" text\n", b"\n", b"gx\n", b"\tTAB\n", b" \xff\x00 binary\n", b"Xy z\n"]


@pytest.mark.parametrize(
    "tz",
    ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"],
)
def test_tai64nlocal_matches_in_every_zone(tz: str) -> None:
    """Labels around DST changes, far past and future, every kind of tail: identical."""
    spread = [m + d for m in MOMENTS for d in (-3600, -1, 0, 1, 1800)]
    data = labelled(spread, TAILS) + b"plain line\n\n"
    compare("tai64nlocal", [], stdin=data, env={"TZ": tz})


def test_tai64nlocal_bulk_and_exact_paths_agree_on_a_large_input() -> None:
    """A million-odd bytes of multilog-style lines (block boundaries inside lines)."""
    rng = random.Random(3)
    seconds = sorted(rng.randrange(-100_000_000, 4_000_000_000) for _ in range(30_000))
    data = labelled(seconds, [b" delivery %d: success\n" % i for i in range(7)], seed=3)
    data += b"no label\n" * 100 + labelled([EPOCH], [b" last, no newline"])
    compare("tai64nlocal", [], stdin=data, env={"TZ": "Europe/London"})


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"@",  # input ends inside a label: nothing printed for it
        b"x\n@4000000065",
        b"@%016x%08x" % (EPOCH + TAI64_OFFSET, 5),  # label alone, no newline
        b"@%016x%08x\n" % (EPOCH + TAI64_OFFSET, 5),
        b"@%016x%08x rest" % (EPOCH + TAI64_OFFSET, 5),
        b"@%016x%08x" % (EPOCH + TAI64_OFFSET, 0xFFFFFFFF) + b" ns above 1e9\n",
        b"no newline at the end",
        b"\n\n",
    ],
)
def test_tai64nlocal_ends_of_input(data: bytes) -> None:
    """Input that stops inside a label, after one, or inside a plain line: as daemontools."""
    compare("tai64nlocal", [], stdin=data, env={"TZ": "America/New_York"})


@pytest.mark.parametrize(
    "line",
    [b"@\n", b"@abc\n", b"@0000000000000000 hi\n", b"@ffffffffffffffffffffffff\n"],
)
def test_labels_localtime_cannot_place_are_left_alone(line: bytes) -> None:
    """daemontools crashes on these (localtime fails); logwarden passes the line through."""
    got = ours("tai64nlocal", [], stdin=b"before\n" + line + b"after\n")
    assert got.status == 0
    assert got.stdout == b"before\n" + line + b"after\n"
