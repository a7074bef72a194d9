"""Terminal names: GNU's live /dev lookup and the static table for foreign files."""

from __future__ import annotations

import os
import stat

import numpy as np

from logwarden.acct.ttys import LiveTtys, StaticTtys, names_of, unknown


def test_static_table() -> None:
    """Consoles, serial ports, console and pseudo-terminals past 255."""
    ttys = StaticTtys()
    assert ttys.name(0) == b"__"
    assert ttys.name((4 << 8) | 1) == b"tty1"
    assert ttys.name((4 << 8) | 64) == b"ttyS0"
    assert ttys.name((5 << 8) | 1) == b"console"
    assert ttys.name((136 << 8) | 7) == b"pts/7"
    assert ttys.name((137 << 8) | 1) == b"pts/257"
    assert ttys.name((143 << 8) | 255) == b"pts/2047"
    assert ttys.name((200 << 8) | 9) == b"[200,9]"
    assert unknown(0xFFFF) == b"[255,255]"


def test_live_table_names_this_hosts_devices() -> None:
    """A character device directly in /dev is found by its number."""
    ttys = LiveTtys()
    for name in ("null", "tty", "console", "zero"):
        path = f"/dev/{name}"
        if os.path.exists(path) and stat.S_ISCHR(os.stat(path).st_mode):
            rdev = os.stat(path).st_rdev
            if rdev < 65536:
                assert ttys.name(rdev) in set(os.listdir(b"/dev"))
    assert ttys.name((136 << 8) | 3) == b"pts/3"


def test_names_of_looks_up_each_number_once() -> None:
    """A column of numbers becomes a column of names."""
    names = names_of(StaticTtys(), np.array([0, 1025, 0, 34816], dtype=np.uint16))
    assert names.tolist() == [b"__", b"tty1", b"__", b"pts/0"]
