"""The utmp codec: every layout and byte order, detection, damage, and a fuzz target."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.targets import UTMP_LAYOUTS, utmp_records
from logwarden.formats import utmp

from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    at,
    dump_line,
    pack,
    utmpdump_restore,
)

T0 = at("2024-03-01 09:00")

HISTORY = [
    Rec(BOOT_TIME, T0, b"reboot", b"~", b"6.1.0-18-amd64", id=b"~~"),
    Rec(RUN_LVL, T0 + 5, b"runlevel", b"~", b"6.1.0-18-amd64", pid=20021, id=b"~~"),
    Rec(USER_PROCESS, T0 + 60, b"alice", b"pts/0", b"192.0.2.7", pid=1000, id=b"ts/0",
        addr="192.0.2.7", usec=123456, session=1000),
    Rec(USER_PROCESS, T0 + 90, b"bob", b"pts/1", b"2001:db8::1", pid=1001, id=b"ts/1",
        addr="2001:db8::1"),
    Rec(DEAD_PROCESS, T0 + 600, b"", b"pts/0", pid=1000, id=b"ts/0", term=0, exit=1),
]  # fmt: skip

LAYOUT_PACKING = {
    "384le": ("384", "<"),
    "384be": ("384", ">"),
    "400le": ("400", "<"),
    "400be": ("400", ">"),
    "382be": ("382", ">"),
}


def _expected(r: Rec) -> tuple[object, ...]:
    return (r.type, r.pid, r.line, r.id, r.user, r.host, r.term, r.exit, r.session, r.sec,
            r.usec, r.addr_bytes())  # fmt: skip


def _got(e: utmp.Entry) -> tuple[object, ...]:
    return (e.type, e.pid, e.line, e.id, e.user, e.host, e.term, e.exit, e.session, e.sec,
            e.usec, e.addr)  # fmt: skip


@pytest.mark.parametrize("name", sorted(LAYOUT_PACKING))
def test_every_layout_is_detected_and_decoded(name: str) -> None:
    """Each layout and byte order is recognised and every field comes back as written."""
    size, order = LAYOUT_PACKING[name]
    data = pack(HISTORY * 7, size, order)
    best = utmp.detect(data)[0]
    assert best.layout.name == name
    assert best.plausible == 1.0
    decoded = utmp.decode(data, best.layout)
    assert decoded.damaged == 0
    assert decoded.trailing == 0
    assert [_got(e) for e in decoded.records.entries()] == [_expected(r) for r in HISTORY * 7]
    assert decoded.records.entries()[3].offset == 3 * best.layout.size


def test_utmpdump_restore_matches_struct_packing() -> None:
    """A file made by util-linux utmpdump -r decodes to the records its text describes."""
    text = "".join(dump_line(r) + "\n" for r in HISTORY)
    data = utmpdump_restore(text)
    assert len(data) == 384 * len(HISTORY)
    decoded = utmp.decode(data, utmp.detect(data)[0].layout)
    got = [(e.type, e.user, e.line, e.host, e.sec, e.pid) for e in decoded.records.entries()]
    assert got == [(r.type, r.user, r.line, r.host, r.sec, r.pid) for r in HISTORY]


def test_sizes_that_fit_both_layouts_are_told_apart() -> None:
    """25 records of 384 bytes are 24 of 400: the record contents decide."""
    as384 = pack((HISTORY * 5)[:25], "384")
    as400 = pack((HISTORY * 5)[:24], "400")
    assert len(as384) == len(as400) == 9600
    assert utmp.detect(as384)[0].layout.name == "384le"
    assert utmp.detect(as400)[0].layout.name == "400le"


@pytest.mark.parametrize("name", sorted(LAYOUT_PACKING))
def test_tiny_files_with_an_odd_record_are_detected(name: str) -> None:
    """Four records, one of them odd (a nameless login): still the right layout."""
    size, order = LAYOUT_PACKING[name]
    odd = Rec(USER_PROCESS, T0 + 100, b"", b"pts/9", pid=77)
    data = pack([*HISTORY[:3], odd], size, order)
    assert utmp.detect(data)[0].layout.name == name


def test_a_400_byte_file_does_not_fit_384() -> None:
    """Read as 384-byte records, a 400-byte file is implausible."""
    data = pack(HISTORY * 48, "400")  # 240 records, also a whole number of 384s
    scores = {s.layout.name: s for s in utmp.detect(data)}
    assert scores["400le"].plausible == 1.0
    assert not scores["384le"].fits


def test_damaged_records_are_skipped_and_counted() -> None:
    """A record whose type no writer uses is skipped; its offset is reported."""
    good = pack(HISTORY, "384")
    bad = bytearray(pack(HISTORY[:1], "384"))
    bad[0:2] = (4242).to_bytes(2, "little")
    data = good[:768] + bytes(bad) + good[768:]
    decoded = utmp.decode(data, utmp.LAYOUTS["384le"])
    assert decoded.damaged == 1
    assert decoded.first_damaged_offset == 768
    assert len(decoded.records) == len(HISTORY)
    assert decoded.records.offsets.tolist() == [0, 384, 1152, 1536, 1920]


def test_trailing_partial_record() -> None:
    """Bytes that do not make a whole record are left over and located."""
    data = pack(HISTORY, "384") + b"\x07" * 100
    decoded = utmp.decode(data, utmp.LAYOUTS["384le"])
    assert len(decoded.records) == len(HISTORY)
    assert decoded.trailing == 100
    assert decoded.trailing_offset == 384 * len(HISTORY)


def test_random_bytes_fit_no_layout() -> None:
    """Noise is not mistaken for utmp records."""
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, 384 * 400, dtype=np.uint8).tobytes()
    assert not utmp.detect(noise)[0].fits


def test_empty_and_zero_files_take_the_native_layout() -> None:
    """With nothing to go on, this machine's own layout is assumed."""
    assert utmp.detect(b"")[0].layout.name == utmp.NATIVE
    assert utmp.detect(bytes(384 * 10))[0].layout.name == utmp.NATIVE


def test_cstrings_cut_at_the_first_nul() -> None:
    """Garbage after a NUL inside a field is invisible, as to C's string functions."""
    rec = Rec(USER_PROCESS, T0, b"al\0ice", b"pts/0\0junk", b"host\0\x01\x02", pid=1)
    records = utmp.decode(pack([rec]), utmp.LAYOUTS["384le"]).records
    assert records.cstrings("user").tolist() == [b"al"]
    assert records.cstrings("line").tolist() == [b"pts/0"]
    assert records.cstrings("host", width=16).tolist() == [b"host"]
    assert records.entries()[0].host == b"host"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(sorted(utmp.LAYOUTS)))
def test_fuzz_any_bytes_decode_without_error(data: bytes, name: str) -> None:
    """Any bytes under any layout decode or score without raising (the atheris target's
    checks: tests/fuzz/targets.py)."""
    utmp_records(bytes([UTMP_LAYOUTS.index(name)]) + data)


@pytest.mark.parametrize("name", sorted(LAYOUT_PACKING))
def test_encode_writes_what_decode_reads(name: str) -> None:
    """Encoding decoded records gives back the very bytes, in every layout."""
    size, order = LAYOUT_PACKING[name]
    data = pack(HISTORY, size, order)
    layout = utmp.LAYOUTS[name]
    assert utmp.encode(utmp.decode(data, layout).records.entries(), layout) == data


@pytest.mark.parametrize("name", sorted(LAYOUT_PACKING))
def test_escape_sequences_in_names_do_not_hide_a_file(name: str) -> None:
    """One record whose user and host hold escape sequences: still read, in its layout."""
    size, order = LAYOUT_PACKING[name]
    evil = Rec(USER_PROCESS, T0, b"ev\x1b[2Kil", b"pts/0", b"h\x07ost", pid=5)
    best = utmp.detect(pack([evil], size, order))[0]
    assert best.layout.name == name
    assert best.records == 1


def test_a_layout_with_no_whole_record_never_wins() -> None:
    """A 384-byte file is not an empty 400-byte file with bytes left over."""
    data = pack([Rec(USER_PROCESS, T0, b"x" * 32, b"pts/0", pid=5)])
    assert utmp.detect(data)[0].layout.name == "384le"
