"""last: the pieces in-process (escaping, lengths, tail analysis, policies) and a
property-based differential run over random histories."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect.last.histories import NOW, compare_all, rich_history
from logwarden.connect.last import analyse as analysis
from logwarden.connect.last.careful import careful
from logwarden.connect.last.phantom import OtherHost
from logwarden.connect.last.text import duration
from logwarden.formats import utmp
from logwarden.sources.accounts import FileAccounts

from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    LOGIN_PROCESS,
    NEW_TIME,
    OLD_TIME,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    at,
    pack,
)


@pytest.mark.parametrize(
    ("data", "multibyte", "expected"),
    [
        (b"plain text\n", False, b"plain text\n"),
        (b"a\x01b\x7f\tc\r\a\n", False, b"a*Ab*?\tc\r\a\n"),
        (b"caf\xc3\xa9\n", False, b"caf\\303\\251\n"),
        (b"caf\xc3\xa9\n", True, b"caf\xc3\xa9\n"),
        (b"\xc2\x85x\n", True, b"\\302\\205x\n"),
        (b"\xe2\x82\n", True, b"\\342\\202\n"),
        (b"\xf0\x9f\x98\x80\xff\n", True, b"\xf0\x9f\x98\x80\\377\n"),
    ],
)
def test_careful(data: bytes, multibyte: bool, expected: bytes) -> None:
    """fputs_careful: controls as *X, bytes above 0x7f as octal unless a printable character."""
    assert careful(data, multibyte) == expected


@pytest.mark.parametrize(
    ("secs", "text"),
    [
        (0, b" (00:00)"),
        (4530, b" (01:15)"),
        (180300, b"(2+02:05)"),
        (-2400, b" (-00:40)"),
        (-3700, b" (-1:01)"),
        (-90000, b"(-1+01:00)"),
        (-1709275800, b"(-19783+06:50)"),
    ],
)
def test_duration(secs: int, text: bytes) -> None:
    """The length column, with C's truncating division and its odd signs."""
    assert duration(secs) == text


def test_tail_analysis_is_exact() -> None:
    """Analysing the last records alone gives the lines the whole file gives for them."""
    data = pack(rich_history())
    records = utmp.records_of(data, utmp.LAYOUTS["384le"])
    settings = analysis.Settings(extended=True)
    whole = analysis.analyse(records, settings, NOW)
    for start in (1, 17, 60, len(records) // 2, len(records) - 3):
        tail = utmp.Records(records.raw[start:], records.layout)
        part = analysis.analyse(tail, settings, NOW)
        mine = whole.rec >= start
        assert np.array_equal(part.rec + start, whole.rec[mine])
        assert np.array_equal(part.kind, whole.kind[mine])
        assert np.array_equal(part.logout, whole.logout[mine])
        assert np.array_equal(part.label, whole.label[mine])


def test_other_host_policy(tmp_path: Path) -> None:
    """--passwd: the user's existence on that host decides, nothing about this machine."""
    passwd = tmp_path / "passwd"
    passwd.write_text("dave:x:1000:1000::/home/dave:/bin/sh\n")
    policy = OtherHost(FileAccounts(str(passwd)))
    assert policy.cut_after is None
    assert not policy.is_phantom(b"dave", 1, b"no-such-tty", 0)
    assert policy.is_phantom(b"root", 1, b"tty1", NOW)


# Random histories: a few ttys, boots, shutdowns, run levels, clock changes and odd
# records in any order, so that every path of the pairing meets every other.
_T0 = at("2024-03-01 00:00")
_LINES = [b"pts/0", b"pts/1", b"tty1", b"", b"ftp7"]
_record = st.one_of(
    st.builds(
        lambda dt, user, line: Rec(USER_PROCESS, _T0 + dt, user, line, b"host"),
        st.integers(0, 10**6),
        st.sampled_from([b"alice", b"bob", b"", b"LOGIN", b"date", b"root"]),
        st.sampled_from(_LINES),
    ),
    st.builds(
        lambda dt, line: Rec(DEAD_PROCESS, _T0 + dt, b"", line),
        st.integers(0, 10**6),
        st.sampled_from(_LINES),
    ),
    st.builds(
        lambda dt, user: Rec(LOGIN_PROCESS, _T0 + dt, user, b"tty1"),
        st.integers(0, 10**6),
        st.sampled_from([b"LOGIN", b"getty"]),
    ),
    st.builds(lambda dt: Rec(BOOT_TIME, _T0 + dt, b"reboot", b"~"), st.integers(0, 10**6)),
    st.builds(lambda dt: Rec(RUN_LVL, _T0 + dt, b"shutdown", b"~"), st.integers(0, 10**6)),
    st.builds(
        lambda dt, level: Rec(RUN_LVL, _T0 + dt, b"runlevel", b"~", pid=ord(level)),
        st.integers(0, 10**6),
        st.sampled_from("0356"),
    ),
    st.builds(
        lambda dt, kind: Rec(kind, _T0 + dt, b"date", b"|" if kind == OLD_TIME else b"{"),
        st.integers(0, 10**6),
        st.sampled_from([OLD_TIME, NEW_TIME]),
    ),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(_record, min_size=8, max_size=40))
def test_random_histories(tmp_path: Path, history: list[Rec]) -> None:
    """Any sequence of records pairs up as util-linux pairs it."""
    path = tmp_path / "wtmp"
    path.write_bytes(pack(history))
    compare_all("last", path, [["-x"], ["-n", "4", "pts/0", "reboot"]], at_time=_T0 + 2 * 10**6)
