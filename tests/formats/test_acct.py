"""The pacct codec: every version and byte order, comp_t/comp2_t, damaged input."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.targets import acct_records
from logwarden.formats import acct

from support.pacctbuild import ACORE, AXSIG, Proc, comp2_t, comp_t, pack, pack_all, sample


@given(st.integers(min_value=0, max_value=(1 << 34)))
def test_encode_comp_t_is_the_kernels(value: int) -> None:
    """The codec's comp_t encoder gives the kernel's encoding for any value."""
    assert acct.encode_comp_t(value) == comp_t(value)


@given(st.integers(min_value=0, max_value=0xFFFF))
def test_comp_t_decode(code: int) -> None:
    """Decoding is mantissa << 3*exponent, for every 16-bit code."""
    expected = (code & 0x1FFF) << (3 * (code >> 13))
    assert int(acct.comp_t_value(np.array([code], dtype=np.uint16))[0]) == expected


@given(st.integers(min_value=0, max_value=(1 << 40)))
def test_comp_t_round_trip_error_is_bounded(value: int) -> None:
    """Encoding then decoding loses at most the rounding of the dropped bits."""
    decoded = int(acct.comp_t_value(np.array([comp_t(value)], dtype=np.uint16))[0])
    if value <= 8191 << 21:
        assert abs(decoded - value) <= max(1, value >> 9)


@given(st.integers(min_value=0, max_value=(1 << 45)))
def test_comp2_t_round_trip(value: int) -> None:
    """comp2_t keeps 20 significant bits: the kernel's encoding decodes close to the value."""
    code = comp2_t(value)
    assert acct.encode_comp2_t(value) == code
    decoded = int(acct.comp2_t_value(np.array([code]))[0])
    assert abs(decoded - value) <= max(1, value >> 19)


def test_known_encodings() -> None:
    """The spec's worked examples."""
    assert [acct.encode_comp_t(v) for v in (12, 8191, 8192, 100000, 360000)] == [
        0xC, 0x1FFF, 0x2400, 0x461B, 0x55F9,
    ]  # fmt: skip
    assert acct.encode_comp2_t(360000) == 0x57E40


def _check(records: acct.Records, procs: list[Proc], version: int) -> None:
    assert len(records) == len(procs)
    assert records["uid"].tolist() == [p.uid for p in procs]
    assert records["btime"].tolist() == [p.btime for p in procs]
    assert records["tty"].tolist() == [p.tty for p in procs]
    assert records["flag"].tolist() == [p.flag for p in procs]
    assert [bytes(c) for c in records["comm"].tolist()] == [p.comm[:16] for p in procs]
    utime = acct.comp_t_value(records["utime"]).tolist()
    assert utime == [int(acct.comp_t_value(np.array([comp_t(p.utime)]))[0]) for p in procs]
    if version == 3:
        assert records["pid"].tolist() == [p.pid for p in procs]
        assert records["etime"].tolist() == [np.float32(p.etime) for p in procs]
    else:
        assert records["pid"].tolist() == [0] * len(procs)


def test_every_version_and_byte_order() -> None:
    """v0-v3, little- and big-endian, decode to the same values."""
    procs = sample()
    for version in (0, 1, 2, 3):
        for big in (False, True):
            decoded = acct.decode(pack_all(procs, version, big))
            _check(decoded.records, procs, version)
            assert decoded.versions == {version | (0x80 if big else 0): len(procs)}


def test_mixed_file_keeps_file_order() -> None:
    """Records of several versions and orders interleaved come back in file order."""
    procs = sample()
    data = b"".join(pack(p, (3, 2, 0, 1)[i % 4], i % 3 == 0) for i, p in enumerate(procs))
    decoded = acct.decode(data)
    assert decoded.records["btime"].tolist() == [p.btime for p in procs]
    assert decoded.records.position.tolist() == list(range(len(procs)))


def test_v0_takes_16_bit_ids_when_they_disagree() -> None:
    """A v0 record whose 32-bit ids do not match its 16-bit ones uses the 16-bit ones."""
    data = bytearray(pack(Proc(uid=70000, gid=5), version=0))
    assert acct.decode(bytes(data)).records["uid"].tolist() == [70000]  # they agree
    data[56:60] = (5).to_bytes(4, "little")  # the 32-bit uid no longer matches uid16
    assert acct.decode(bytes(data)).records["uid"].tolist() == [70000 & 0xFFFF]


def test_ahz_of_versions_without_one() -> None:
    """v3 is always 100 Hz; v2 keeps its stored AHZ, or takes --ahz when it is 0."""
    v2 = pack(Proc(ahz=0), version=2)
    assert acct.decode(v2, ahz=1000).records["ahz"].tolist() == [1000]
    assert acct.decode(pack(Proc(ahz=64), version=2), ahz=1000).records["ahz"].tolist() == [64]
    assert acct.decode(pack(Proc(), version=3), ahz=1000).records["ahz"].tolist() == [100]


def test_unknown_versions_are_counted_and_skipped() -> None:
    """Version bytes 6..127 are counted; v5 (a 128-byte record's second half) is skipped."""
    good = pack(Proc(comm=b"ok"))
    bad = bytearray(good)
    bad[1] = 9
    half = bytearray(good)
    half[1] = 5
    decoded = acct.decode(good + bytes(bad) + bytes(half) + good + b"xyz")
    assert len(decoded.records) == 2
    assert decoded.unknown == 1
    assert decoded.first_unknown == 64
    assert decoded.second_halves == 1
    assert decoded.trailing == 3
    assert decoded.records.position.tolist() == [0, 3]


def test_flags_text() -> None:
    """Flag letters in lastcomm's order."""
    assert acct.flags_text([ACORE | AXSIG, 0, 0x1F]) == ["DX", "", "SFCDX"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64 * 6 + 63), st.integers(min_value=1, max_value=65536))
def test_fuzz_decode_never_fails(data: bytes, ahz: int) -> None:
    """Any bytes decode without an exception, and every 64-byte slot is accounted for
    (the atheris target's checks: tests/fuzz/targets.py)."""
    acct_records((ahz - 1).to_bytes(2, "little") + data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), max_size=20))
def test_fuzz_double_to_comp_never_fails(values: list[float]) -> None:
    """GNU's double-to-comp encoders accept any float (NaN, infinities, negatives)."""
    array = np.array(values, dtype=np.float64)
    assert acct.double_to_comp_t(array).dtype == np.uint16
    assert acct.double_to_comp2_t(array).dtype == np.uint32


def test_encode_round_trips_through_decode() -> None:
    """The codec's writer and reader agree for v0-v3 in both orders."""
    decoded = acct.decode(pack_all(sample())).records
    for version in (0, 2, 3):
        for big in (False, True):
            again = acct.decode(acct.encode(decoded.columns, version, big)).records
            assert again["uid"].tolist() == decoded["uid"].tolist()
            assert again["utime"].tolist() == decoded["utime"].tolist()
