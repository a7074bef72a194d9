"""Random records (hypothesis) of every version and byte order, every comp_t exponent:
lastcomm, sa and dump-acct against GNU acct on the same file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acct.helpers import compare_here as compare

from support.pacctbuild import Proc, pack

comp_values = st.one_of(
    st.integers(0, 8191),
    st.integers(0, 8191 << 21),  # every exponent up to 7
    st.sampled_from([0, 1, 8191, 8192, 65535, 100_000, 360_000, 8191 << 21]),
)
procs = st.builds(
    Proc,
    comm=st.binary(min_size=0, max_size=18),
    flag=st.integers(0, 0x3F),
    uid=st.sampled_from([0, 1000, 65534, 4242, 2**31 + 3, 2**32 - 1]),
    gid=st.sampled_from([0, 1000, 65534, 4242, 7]),
    tty=st.sampled_from(
        [
            0,
            (136 << 8),
            (136 << 8) | 5,
            (139 << 8) | 255,
            (4 << 8) | 1,
            (4 << 8) | 70,
            (5 << 8) | 1,
            (200 << 8) | 200,
            0xFFFF,
        ]
    ),
    btime=st.integers(0, 2**32 - 1),
    etime=st.integers(0, 2**30),
    utime=comp_values,
    stime=comp_values,
    mem=comp_values,
    io=comp_values,
    minflt=comp_values,
    majflt=comp_values,
    swaps=comp_values,
    exitcode=st.integers(0, 2**32 - 1),
    pid=st.integers(0, 2**32 - 1),
    ppid=st.integers(0, 2**32 - 1),
    ahz=st.sampled_from([100, 100, 0, 64, 1000]),
)
records = st.lists(
    st.tuples(procs, st.sampled_from([3, 3, 2, 0, 1]), st.booleans()), min_size=1, max_size=12
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_random_records(chosen: list[tuple[Proc, int, bool]]) -> None:
    """Whatever the fields, the three tools print what GNU prints."""
    data = b"".join(pack(proc, version, big) for proc, version, big in chosen)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pacct"
        path.write_bytes(data)
        compare("lastcomm", ["--pid", "-f", str(path)])
        compare("lastcomm", ["-p", "--print-controls", "-f", str(path)])
        compare("dump-acct", [str(path)])
        compare("dump-acct", ["-R", "--format", "2", "--byteswap", str(path)])
        compare("sa", ["-i", "-a", "-l", "-c", str(path)])
        compare("sa", ["-i", "-u", str(path)])
        compare("sa", ["-i", "-m", "-P", str(path)])
