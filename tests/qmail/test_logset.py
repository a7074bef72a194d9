"""Rotated sets, multilog directories and compressed logs are read oldest first."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.sources.logset import chunks, expand, plain_file, pread_chunks, read_all


def test_logrotate_siblings_oldest_first(tmp_path: Path) -> None:
    """maillog.2.gz, maillog.1, maillog in that order, whatever order they were given in."""
    names = ["maillog", "maillog.1", "maillog.2.gz", "maillog.10.gz", "other"]
    paths = [str(tmp_path / n) for n in names]
    got = expand([paths[0], paths[4], paths[1], paths[3], paths[2]])
    assert [Path(p).name for p in got] == [
        "maillog.10.gz", "maillog.2.gz", "maillog.1", "maillog", "other"]  # fmt: skip


def test_dated_siblings(tmp_path: Path) -> None:
    """Dated rotations come before numbered ones and the live file."""
    got = expand([str(tmp_path / n) for n in ("mail", "mail-20261125", "mail-20261124")])
    assert [Path(p).name for p in got] == ["mail-20261124", "mail-20261125", "mail"]


def test_multilog_directory(tmp_path: Path) -> None:
    """A log directory is its @*.s and @*.u files by name, then current."""
    for name in ("current", "@400000006b06373e29064be4.s", "@400000006b0000000000000a.u",
                 "state", "lock"):  # fmt: skip
        (tmp_path / name).write_bytes(b"x\n")
    assert [Path(p).name for p in expand([str(tmp_path)])] == [
        "@400000006b0000000000000a.u", "@400000006b06373e29064be4.s", "current"]  # fmt: skip


def test_compressed_by_content(tmp_path: Path) -> None:
    """gzip, bzip2 and xz are recognised by their first bytes, whatever the name."""
    data = b"".join(b"%d new msg %d\n" % (i, i) for i in range(5000))
    for name, pack in (("a", gzip.compress), ("b", bz2.compress), ("c", lzma.compress)):
        (tmp_path / name).write_bytes(pack(data))
        assert read_all([str(tmp_path / name)]) == data


def test_chunks_end_at_lines(tmp_path: Path) -> None:
    """Chunks end at a newline and number their first line; a last partial line stays."""
    path = tmp_path / "log"
    path.write_bytes(b"".join(b"line %05d\n" % i for i in range(1000)) + b"tail")
    got = list(chunks([str(path)], size=1000))
    assert all(c.data.endswith(b"\n") for c in got[:-1])
    assert got[-1].data.endswith(b"tail")
    assert b"".join(c.data for c in got) == path.read_bytes()
    assert got[1].first_line == got[0].data.count(b"\n") + 1


def _pread_all(path: Path, size: int, hold: bool, skip: int = 0) -> list[bytes]:
    with open(path, "rb") as f:
        f.seek(skip)
        assert plain_file(f.fileno())
        return list(pread_chunks(f.fileno(), size, hold))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab .:", max_size=40).map(str.encode), max_size=80),
    st.integers(min_value=1, max_value=300),
    st.booleans(),
    st.booleans(),
    st.integers(min_value=0, max_value=50),
)
def test_pread_chunks_cover_the_file_at_line_ends(
    lines: list[bytes], size: int, hold: bool, ended: bool, skip: int
) -> None:
    """Read from any offset, any chunk size: the chunks are the file, each ends at a line
    end (the last may not); holding the last line back, a chunk has at least two lines'
    ends and the next chunk starts with the line after the second last of them."""
    data = b"\n".join(lines) + (b"\n" if ended else b"")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log"
        path.write_bytes(data)
        got = _pread_all(path, size, hold, min(skip, len(data)))
    assert b"".join(got) == data[min(skip, len(data)) :]
    assert all(c for c in got)
    assert all(c.endswith(b"\n") for c in got[:-1])
    if hold:
        # A chunk other than the last ends before the last whole line of what was read.
        assert all(c.count(b"\n") >= 1 for c in got[:-1])


def test_pread_chunks_hold_back_the_last_line(tmp_path: Path) -> None:
    """With hold_last_line, the line that ends last in a chunk's reach starts the next
    chunk (so its continuation pieces stay with it)."""
    path = tmp_path / "log"
    path.write_bytes(b"aaaa\nbbbb\ncccc\ndddd\n")
    assert _pread_all(path, 12, True) == [b"aaaa\n", b"bbbb\n", b"cccc\ndddd\n"]
    assert _pread_all(path, 12, False) == [b"aaaa\nbbbb\n", b"cccc\ndddd\n"]


def test_pread_chunks_take_long_lines_whole(tmp_path: Path) -> None:
    """A line longer than the chunk size makes that chunk longer (it reaches further,
    doubling, until a line ends)."""
    path = tmp_path / "log"
    path.write_bytes(b"x" * 500 + b"\nshort\n" + b"y" * 300)
    got = _pread_all(path, 64, False)
    assert got[0].startswith(b"x" * 500 + b"\n")
    assert got[0].endswith(b"\n")
    assert b"".join(got) == path.read_bytes()


def test_plain_file_refuses_pipes_and_compressed(tmp_path: Path) -> None:
    """Only an uncompressed regular file is read with pread."""
    packed = tmp_path / "log.gz"
    packed.write_bytes(gzip.compress(b"a\n"))
    with open(packed, "rb") as f:
        assert not plain_file(f.fileno())
    r, w = os.pipe()
    try:
        assert not plain_file(r)
    finally:
        os.close(r)
        os.close(w)
