"""Which file is which, from one ingest to the next, across rotation.

A file is known by its device and inode, its size, and a hash of its first block (of its
decompressed content, so that ``auth.log.2.gz`` is recognised as the ``auth.log.1`` it was).
What happens to a log between two ingests, and how each case is recognised:

==========================  ================================================================
what happened               how it is seen, and what is read
==========================  ================================================================
lines appended              same inode, same first block, bigger: the rest from the offset
renamed (logrotate's        ``auth.log.1`` has the inode and first block ``auth.log`` had:
``create``, multilog's      read on from the offset (what was appended before the rename);
``current`` -> ``@...s``)   the new ``auth.log`` is new: read whole
copied then truncated       ``auth.log.1`` is a new inode with the old first block: read on
(``copytruncate``)          from the old offset; ``auth.log`` has a new first block (or is
                            shorter than the offset): new content, read whole
compressed (``.2.gz``)      a new inode whose decompressed first block is known: only what
                            lies past the known offset is read (usually nothing)
rewritten in place (utmp,   same inode: the reader keeps its own record of what it loaded
lastlog)
==========================  ================================================================

A first block that is empty matches nothing but its own inode. Two files with the same first
block continue one state in turn, so a copy of a log next to the log loads nothing twice.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from logwarden.sources import logset

#: Bytes of a file's (decompressed) start that identify it.
HEAD = 4096


@dataclass(frozen=True)
class Identity:
    """What identifies a file's content now."""

    dev: int
    inode: int
    #: Bytes on disk.
    size: int
    #: The first up-to-HEAD bytes of its decompressed content.
    head: bytes

    def head_hash(self, length: int | None = None) -> str:
        """Hash of the first ``length`` bytes (all of :attr:`head` by default)."""
        part = self.head if length is None else self.head[:length]
        return hashlib.sha256(part).hexdigest()


def identify(path: str) -> Identity:
    """The identity of ``path``. OSError as ``open`` raises it."""
    stream, raw, _ = logset._open(path)
    with raw, stream:
        st = os.fstat(raw.fileno())
        head = stream.read(HEAD)
    return Identity(st.st_dev, st.st_ino, st.st_size, head)
