"""The acct(2) system call: turn kernel process accounting on (to a file) or off.

The kernel appends a record to the file for every process that ends, with the credentials of
whoever turned accounting on; the file must exist and be a regular file; the caller needs
CAP_SYS_PACCT. Accounting is per PID namespace: turned on inside a container (or an
``unshare --pid`` namespace) it records only that namespace's processes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache

#: Debian's default accounting file (GNU accton's ``on``).
DEFAULT_FILE = "/var/log/account/pacct"


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def acct(path: str | None) -> int:
    """Call acct(2); 0 on success, else the errno it failed with."""
    function = _libc().acct
    function.argtypes = [ctypes.c_char_p]
    function.restype = ctypes.c_int
    result = function(os.fsencode(path) if path is not None else None)
    return ctypes.get_errno() if result == -1 else 0
