"""Rotated sets, multilog directories and compressed logs are read oldest first."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

from logwarden.sources.logset import chunks, expand, read_all


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
