"""Error words as djb's programs print them (``error_str``), for byte-identical messages."""

from __future__ import annotations

import errno
import os

_WORDS = {
    errno.EBADF: "file descriptor not open",
    errno.EPIPE: "broken pipe",
    errno.ENOSPC: "out of disk space",
    errno.EIO: "input/output error",
    errno.EAGAIN: "temporary failure",
    errno.EINTR: "interrupted system call",
    errno.ENOMEM: "out of memory",
    errno.EACCES: "access denied",
    errno.ENOENT: "file does not exist",
    errno.EISDIR: "is a directory",
    errno.EINVAL: "invalid argument",
    errno.EFBIG: "file too big",
    errno.EROFS: "read-only file system",
    errno.EDQUOT: "disk quota exceeded",
}


def error_str(code: int | None) -> str:
    """What djb's ``error_str`` says for ``code``."""
    if code is None:
        return "unknown error"
    return _WORDS.get(code) or os.strerror(code).lower()
