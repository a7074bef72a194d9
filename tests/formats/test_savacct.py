"""savacct/usracct: GNU sa's record layout, read and written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from logwarden.formats import savacct

from support.pacctbuild import pack_all, sample
from support.reference import need


def test_record_sizes_and_offsets() -> None:
    """96- and 104-byte records, stats at offsets 24 and 32, as on x86-64."""
    assert savacct.SAVACCT.itemsize == 96
    assert savacct.USRACCT.itemsize == 104
    assert savacct.SAVACCT.fields["calls"][1] == 24
    assert savacct.SAVACCT.fields["fork"][1] == 16
    assert savacct.USRACCT.fields["calls"][1] == 32
    assert savacct.USRACCT.fields["swaps"][1] == 96


def test_write_then_read() -> None:
    """What the writers produce, the readers read back (padding zeroed)."""
    stats = {name: np.array([3, 4], dtype=np.float64) for name in savacct.STAT_FIELDS}
    stats["calls"] = np.array([3, 4], dtype=np.uint64)
    data = savacct.write_savacct(np.array([b"ls", b"x" * 16], dtype="S16"), np.array([0, 1]), stats)
    read = savacct.read_savacct(data + b"abc")
    assert read.trailing == 3
    assert read.records["comm"].tolist() == [b"ls", b"x" * 16]
    assert read.records["fork"].tolist() == [0, 1]
    assert all(data[i] == 0 for i in savacct.SAVACCT_PADDING)
    users = savacct.write_usracct(
        np.array([b"root"], dtype="S32"), {k: v[:1] for k, v in stats.items()}
    )
    assert savacct.read_usracct(users).records["name"].tolist() == [b"root"]


def test_reads_what_gnu_sa_writes(tmp_path: Path) -> None:
    """GNU sa -s's files read as the counts of the pacct folded into them."""
    need("sa")
    pacct = tmp_path / "pacct"
    pacct.write_bytes(pack_all(sample()))
    sav, usr = tmp_path / "sav", tmp_path / "usr"
    subprocess.run(
        [
            "sa",
            "-s",
            "--other-savacct-file",
            str(sav),
            "--other-usracct-file",
            str(usr),
            str(pacct),
        ],
        check=True,
        capture_output=True,
    )
    commands = savacct.read_savacct(sav.read_bytes()).records
    assert int(commands["calls"].sum()) == len(sample())
    users = savacct.read_usracct(usr.read_bytes()).records
    assert int(users["calls"].sum()) == len(sample())
    assert b"root" in users["name"].tolist()
