"""Mapping a whole file into memory without copying it into Python objects.

A regular file is mapped read-only (``mmap``): numpy views the records in place and the page
cache does the reading, so a 400 MB wtmp costs no Python memory. Anything else (a pipe, a
character device, an empty file, which cannot be mapped) is read into one bytes object.
"""

from __future__ import annotations

import mmap
import os
import stat
import sys
from dataclasses import dataclass

import numpy as np

from logwarden.progress import progress, wanted


@dataclass(frozen=True)
class FileBytes:
    """A file's whole content and what ``stat`` said of it when it was opened."""

    path: str
    data: bytes | mmap.mmap
    stat: os.stat_result

    def __len__(self) -> int:
        return len(self.data)


def _load_with_progress(path: str, mapping: mmap.mmap) -> None:
    """For a big file, bring it into memory chunk by chunk under a progress bar.

    Reading a file that is not in the page cache is what takes long (the analysis of a
    million records takes well under a second); touching one byte per page makes the kernel
    read it, so the bar moves with the disk. Nothing happens when no bar is wanted.
    """
    size = len(mapping)
    if not wanted(size):
        return
    with progress(f"reading {os.path.basename(path)}", size) as advance:
        pages = np.frombuffer(mapping, dtype=np.uint8)
        page = mmap.PAGESIZE
        for start in range(0, size, _CHUNK):
            end = min(start + _CHUNK, size)
            int(pages[start:end:page].sum())
            advance(end - start)
        del pages


_CHUNK = 16 << 20


def read_file(path: str) -> FileBytes:
    """Map (or read) ``path``; ``-`` is standard input. Raises OSError as ``open`` does."""
    if path == "-":
        fd = os.dup(sys.stdin.fileno())
    else:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, os.strerror(21), path)
        if stat.S_ISREG(st.st_mode) and st.st_size > 0:
            # The mapping outlives the descriptor; it is released with the last view on it.
            mapping = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            _load_with_progress(path, mapping)
            data: bytes | mmap.mmap = mapping
        else:
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return FileBytes(path, data, st)
    finally:
        os.close(fd)
