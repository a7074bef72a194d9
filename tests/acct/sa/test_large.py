"""sa on files large enough for its chunked paths: records read and numbered in chunks, ``-u``
text from per-code tables, keys first met late, fallbacks; differential against GNU acct."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from acct.helpers import compare_here
from logwarden.acct import codes
from logwarden.acct.sa import perrecord as sa_perrecord

from support.pacctbuild import AFORK, ASU, Proc, pack

RECORDS = 150_000  # past sa_perrecord's table threshold, many chunks of every kind
NAMES = [
    b"bash", b"sh", b"ls", b"cat", b"grep", b"cron", b"sshd", b"make", b"cc1",
    b"a-very-long-cmd!", b"sixteen-bytes-ok", b"\xffsigned", b"with space", b"",
    b"kworker/0:1", b"qmail-remote", b"x",
] + [b"tool%03d" % i for i in range(150)]  # fmt: skip
LATE = [b"late%02d" % i for i in range(20)] + [b"bash\0junk", b"cat\0\x01", b"zz\0early"]


def _template(comm: bytes, index: int, **fields: int) -> bytes:
    """One v3 record whose numbers vary with ``index`` (and reach comp_t's exponents)."""
    proc = Proc(
        comm,
        flag=AFORK if index % 7 == 3 else (ASU if index % 11 == 5 else 0),
        uid=(0, 1000, 65534, 4242, 33)[index % 5],
        utime=(index * 37) % 5000,
        stime=(index * 11) % 700,
        mem=1000 + (index * 7919) % 900_000,
        etime=(index * 13) % 90_000 + 0.25,
        minflt=index % 300,
        pid=index,
    )
    for name, value in fields.items():
        setattr(proc, name, value)
    return pack(proc)


def _write(path: Path, templates: list[bytes], picks: np.ndarray) -> Path:
    table = np.frombuffer(b"".join(templates), dtype=np.uint8).reshape(-1, 64)
    path.write_bytes(table[picks].tobytes())
    return path


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150,000 records: common commands with a long tail, keys first met in the last chunks
    (new commands, raw fields that differ from known ones only after a NUL), a raw field met
    before its C string, numbers too wide for their columns, I/O counts in a few records."""
    rng = np.random.default_rng(3)
    early = [_template(name, i) for i, name in enumerate(NAMES * 2)]
    early.append(_template(b"zz\0early", 1))
    late = [_template(name, 500 + i) for i, name in enumerate(LATE)]
    late += [
        _template(b"hog", 1, utime=200_000),  # 2000.00 cpu: wider than %6.2f
        _template(b"huge", 2, mem=900_000_000),  # wider than %8.0fk
        _template(b"io", 3, io=123_456_789),  # wider than %6.0f
        _template(b"io", 4, io=250),
        _template(b"zz", 5),
    ]
    templates = early + late
    weights = 1.0 / np.arange(1, len(early) + 1) ** 1.1
    picks = rng.choice(len(early), size=RECORDS, p=weights / weights.sum())
    picks[5] = len(early) - 1  # zz\0early long before zz
    tail = np.arange(RECORDS - 40_000, RECORDS, 997)
    picks[tail] = len(early) + np.arange(len(tail)) % len(late)
    return _write(tmp_path_factory.mktemp("large") / "pacct", templates, picks)


@pytest.mark.parametrize(
    "options",
    [[], ["-u"], ["-a", "-l", "-c"], ["-m"], ["-D", "-j"], ["-p", "-a"], ["-b", "-r"]],
)
def test_large_file(large: Path, options: list[str]) -> None:
    """Every chunked path prints what GNU prints on a large file."""
    assert RECORDS >= sa_perrecord._TABLES_FROM
    compare_here("sa", ["-i", *options, str(large)])


def test_many_commands(tmp_path: Path) -> None:
    """More distinct commands than the numbering's slot table takes: numbered by sorting."""
    count = 3000
    assert 2 * count * count > 1 << codes.Numbering.MAX_BITS
    templates = [_template(b"c%05d" % i, i) for i in range(count)]
    picks = np.concatenate([np.arange(count), np.arange(count)[::-1], np.arange(0, count, 3)])
    path = _write(tmp_path / "many", templates, picks)
    for options in ([], ["-a"], ["-a", "-n"]):
        compare_here("sa", ["-i", *options, str(path)])


def test_other_tick_rate_in_chunks(tmp_path: Path) -> None:
    """v2 records at 1024 ticks a second over several chunks: numbers formatted per chunk."""
    procs = [
        Proc(
            NAMES[i % 20],
            flag=AFORK if i % 5 == 0 else 0,
            uid=(0, 1000)[i % 2],
            utime=(i * 31) % 3000 + (2_000_000 if i == 9_000 else 0),
            stime=i % 100,
            mem=5000 + i,
            io=i % 3 * 1000,
            etime=i * 3,
            ahz=1024,
        )
        for i in range(3 * sa_perrecord.CHUNK + 17)
    ]
    path = tmp_path / "v2"
    path.write_bytes(b"".join(pack(p, 2) for p in procs))
    for options in ([], ["-u"], ["-a", "-l"]):
        compare_here("sa", ["-i", *options, str(path)])


def test_sums_in_record_order(tmp_path: Path) -> None:
    """Per command and in the totals, doubles are added record by record, across chunks: a
    huge elapsed time first swallows every later 0.01 s one by one (summed per command
    first, they would show)."""
    huge = pack(Proc(b"a", etime=1e17))
    small_a, small_b = pack(Proc(b"a", etime=1)), pack(Proc(b"b", etime=1))
    path = tmp_path / "order"
    path.write_bytes(huge + (small_b * 9 + small_a) * 4000)
    for options in ([], ["-a", "-j"], ["-m"]):
        compare_here("sa", ["-i", *options, str(path)])
