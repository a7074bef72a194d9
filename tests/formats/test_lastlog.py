"""The lastlog codec: layouts, sparse files, detection, the encoder; and the lastlog2 codec.

Fixtures are packed here with ``struct``, independently of the codec under test.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.targets import lastlog_records
from logwarden.formats import lastlog, lastlog2
from logwarden.sources.lastlogfile import data_extents, open_lastlog

FORMATS = {"292": "i32s256s", "296": "q32s256s"}
T = 1_704_103_200  # 2024-01-01 10:00:00 UTC


def pack(
    entries: dict[int, tuple[int, bytes, bytes]], size: str = "292", order: str = "<"
) -> bytes:
    """A sparse lastlog image: ``uid -> (time, line, host)`` at ``uid * size``."""
    fmt = order + FORMATS[size]
    width = struct.calcsize(fmt)
    out = bytearray((max(entries) + 1) * width if entries else 0)
    for uid, (t, line, host) in entries.items():
        out[uid * width : (uid + 1) * width] = struct.pack(fmt, t, line, host)
    return bytes(out)


SAMPLE = {
    0: (T, b"pts/0", b"192.0.2.7"),
    3: (T + 60, b"tty1", b""),
    7: (T + 3600, b"pts/12", b"a" * 255),
}


@pytest.mark.parametrize("name", list(lastlog.LAYOUTS))
def test_every_layout_detected_and_read(name: str) -> None:
    """Each layout is detected on its own bytes and reads back the same entries."""
    layout = lastlog.LAYOUTS[name]
    data = pack(SAMPLE, name[:3], ">" if layout.big_endian else "<")
    scores = lastlog.detect(data)
    assert scores[0].layout.name == name
    assert scores[0].plausible == 1.0
    entries = lastlog.at_uids(data, layout, [0, 3, 7, 1]).entries()
    assert [(e.uid, e.time, e.line, e.host) for e in entries] == [
        (0, T, b"pts/0", b"192.0.2.7"),
        (3, T + 60, b"tty1", b""),
        (7, T + 3600, b"pts/12", b"a" * 255),
        (1, 0, b"", b""),
    ]
    assert entries[2].offset == 7 * layout.size


def test_uid_beyond_end_and_partial_record_read_as_never() -> None:
    """A uid past the end, or whose record the end cuts short, is never logged in."""
    data = pack({0: (T, b"a", b"b"), 2: (T, b"c", b"d")})[:-100]
    records = lastlog.at_uids(data, lastlog.LAYOUTS["292le"], [2, 99, 0])
    assert records.time.tolist() == [0, 0, T]


def test_repeated_uids_keep_their_order() -> None:
    """Accounts sharing a uid each get the record, in the order asked."""
    data = pack(SAMPLE)
    assert lastlog.at_uids(data, lastlog.LAYOUTS["292le"], [3, 0, 3]).time.tolist() == [
        T + 60,
        T,
        T + 60,
    ]


def test_strings_cut_at_first_nul_and_full_width() -> None:
    """A line filling all 32 bytes has no NUL and keeps them all; bytes after a NUL go."""
    data = pack({0: (T, b"x" * 32, b"host\0junk")})
    entry = lastlog.at_uids(data, lastlog.LAYOUTS["292le"], [0]).entries()[0]
    assert entry.line == b"x" * 32
    assert entry.host == b"host"


def test_time_is_signed_32_bit_in_292() -> None:
    """0xFFFFFFFF reads as -1, as glibc before 2.40 and shadow's lastlog read it."""
    data = struct.pack("<I32s256s", 0xFFFFFFFF, b"", b"")
    assert lastlog.at_uids(data, lastlog.LAYOUTS["292le"], [0]).time.tolist() == [-1]


def test_empty_and_all_zero_files_go_to_native() -> None:
    """With nothing to score, the machine's own layout wins."""
    for data in (b"", bytes(292 * 10)):
        best = lastlog.detect(data)[0]
        assert best.layout.name == lastlog.NATIVE
        assert best.sampled == 0
        assert best.fits


def test_uid0_only_296_file_not_read_as_292() -> None:
    """A 296-byte record at uid 0 reads as 292 with text after padding: rejected."""
    data = pack({0: (T, b"pts/0", b"h")}, "296")
    assert lastlog.detect(data)[0].layout.name == "296le"


def test_random_bytes_fit_no_layout() -> None:
    """Noise is not a lastlog: no layout explains it."""
    rng = np.random.default_rng(7)
    data = rng.integers(1, 256, 292 * 296 * 2, dtype=np.uint8).tobytes()
    assert not lastlog.detect(data)[0].fits


def test_nonzero_uids_only_looks_at_extents() -> None:
    """Records outside the given data ranges are not scanned."""
    data = pack({1: (T, b"a", b""), 900: (T, b"b", b"")})
    everything = lastlog.nonzero_uids(data, 292)
    assert everything.tolist() == [1, 900]
    assert lastlog.nonzero_uids(data, 292, [(900 * 292, 901 * 292)]).tolist() == [900]
    assert lastlog.nonzero_uids(data, 292, limit=1).tolist() == [1]


def test_huge_sparse_file_detected_from_its_data_extents(tmp_path: Path) -> None:
    """A record at uid 4294967294 (1.25 TB in) is found without reading the holes."""
    path = tmp_path / "lastlog"
    uid = 4294967294
    with open(path, "wb") as f:
        f.write(struct.pack(">i32s256s", T, b"pts/1", b"far"))
        f.seek(uid * 292)
        f.write(struct.pack(">i32s256s", T + 5, b"pts/2", b"farther"))
    extents = data_extents(str(path), path.stat().st_size)
    assert extents is not None
    assert sum(end - start for start, end in extents) < 1 << 20
    source = open_lastlog(str(path))
    assert source.layout.name == "292be"
    entries = source.records_for([uid, 0, 5]).entries()
    assert [(e.time, e.line) for e in entries] == [(T + 5, b"pts/2"), (T, b"pts/1"), (0, b"")]


@pytest.mark.parametrize("name", list(lastlog.LAYOUTS))
def test_encode_matches_struct(name: str) -> None:
    """encode() writes exactly what the C struct holds, time wrapped as C stores it."""
    layout = lastlog.LAYOUTS[name]
    fmt = (">" if layout.big_endian else "<") + FORMATS[name[:3]]
    assert lastlog.encode(layout, T, b"lastlog", b"localhost") == struct.pack(
        fmt, T, b"lastlog", b"localhost"
    )
    assert lastlog.encode(layout, 0) == bytes(layout.size)
    assert lastlog.encode(layout, 1, b"l" * 40, b"h" * 300)[-1:] == b"h"


def test_wrap_time_like_c() -> None:
    """A time past 2038 wraps negative in the 32-bit field, not in the 64-bit one."""
    assert lastlog.wrap_time(2**31, lastlog.LAYOUTS["292le"]) == -(2**31)
    assert lastlog.wrap_time(2**31, lastlog.LAYOUTS["296le"]) == 2**31


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000), st.lists(st.integers(-5, 50), max_size=8))
def test_fuzz_never_crashes(data: bytes, uids: list[int]) -> None:
    """Any bytes: detection and gathering give answers, never exceptions (the atheris
    target's checks: tests/fuzz/targets.py)."""
    lastlog_records(bytes([len(uids)]) + bytes(u + 8 for u in uids) + data)


def _db(rows: list[tuple[object, ...]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, "
        "RemoteHost TEXT, Service TEXT)"
    )
    db.executemany("INSERT INTO Lastlog2 VALUES(?,?,?,?,?)", rows)
    return db


def test_lastlog2_read_all_sorted_with_time_errors() -> None:
    """Rows come in binary name order; a time that is not a whole number is flagged."""
    db = _db(
        [
            ("zoe", T, "pts/1", "h", "sshd"),
            ("Bob", 0, None, None, None),
            ("amy", "12abc", "tty1", "", "login"),
            ("eve", 1.5, "", None, None),
        ]
    )
    got = lastlog2.read_all(db)
    assert [e.name for e in got] == [b"Bob", b"amy", b"eve", b"zoe"]
    assert got[0] == lastlog2.Entry(b"Bob", 0, None, None, None, None)
    assert got[1].time == 12
    assert got[1].error == "Invalid numeric time entry for 'amy': '12abc'\n"
    assert got[2].error == "Invalid numeric time entry for 'eve': '1.5'\n"
    assert got[3] == lastlog2.Entry(b"zoe", T, b"pts/1", b"h", b"sshd", None)


def test_lastlog2_read_entry_empty_strings_are_null() -> None:
    """The one-user lookup reads the time as an integer and empty text as NULL."""
    db = _db([("amy", "12abc", "", "host", "")])
    assert lastlog2.read_entry(db, b"amy") == lastlog2.Entry(b"amy", 12, None, b"host", None, None)
    assert lastlog2.read_entry(db, b"nobody") is None


def test_lastlog2_write_then_read_from_bytes(tmp_path: Path) -> None:
    """write_entry makes util-linux's table; a copy in memory reads the same."""
    path = tmp_path / "ll2.db"
    db = sqlite3.connect(path)
    lastlog2.write_entry(db, b"r\xe9mi", T, b"pts/0", None, b"sshd")
    db.close()
    copy = lastlog2.from_bytes(path.read_bytes())
    assert lastlog2.read_all(copy) == [lastlog2.Entry(b"r\xe9mi", T, b"pts/0", None, b"sshd", None)]
