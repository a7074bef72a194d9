"""Contributions numbered by the key of GNU sa's table they go to, without sorting them.

The command table's key is GNU's ``struct command_key``: the command as a C string of at most
16 bytes (zero-padded) and the fork-without-exec flag as a ``short``. The user table's key is
a name. A million records have a few hundred distinct keys, so records are numbered with a
hash of their raw 16 command bytes (two 64-bit words) and GNU's key is made once per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.acct.codes import Numbering, first_uses

Codes = npt.NDArray[np.intp]
Words = npt.NDArray[np.uint64]
Strings = npt.NDArray[np.bytes_]

#: Records per chunk: their columns stay in the CPU cache while they are read.
CHUNK = 1 << 14
_WORDS = np.dtype([("lo", "<u8"), ("hi", "<u8")])
# Odd multipliers: multiplying by one is a bijection of the 64-bit words.
_MIX_LOW = np.uint64(0x9E3779B97F4A7C15)
_MIX_ALL = np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass
class Groups:
    """Contributions numbered by key: group ``codes[i]`` for contribution i; each group's
    first contribution and GNU key."""

    codes: Codes
    first: Codes
    keys: list[bytes]


def command_key(comm: bytes, fork: int) -> bytes:
    """GNU's ``struct command_key``: comm zero-padded to 16 bytes, ``short fork_flag``."""
    return comm[:16].ljust(16, b"\0") + (fork & 0xFFFF).to_bytes(2, "little")


def command_groups(comm: Strings, fork: npt.NDArray[np.integer]) -> Groups:
    """Contributions numbered by command key; ``comm`` holds raw 16-byte fields, whose bytes
    after a NUL are ignored (GNU copies the field as a C string)."""
    comm = np.asarray(comm)
    if comm.dtype != np.dtype("S16"):
        comm = comm.astype("S16")
    fork = np.asarray(fork)
    words = comm.view(_WORDS)  # the same bytes; works on a strided column too
    groups = _numbered(words["lo"], words["hi"], fork)
    if groups is None:
        groups = _sorted(comm, _short(fork))
    firsts = zip(comm[groups.first].tolist(), _short(fork[groups.first]).tolist(), strict=True)
    keys = [command_key(raw.split(b"\0", 1)[0], flag) for raw, flag in firsts]
    return _merged(Groups(groups.codes, groups.first, keys))


def _short(fork: npt.NDArray[np.integer]) -> Words:
    """Fork flags as GNU's ``short`` keeps them (its low 16 bits), in 64-bit words."""
    return np.asarray(fork).astype(np.uint64) & np.uint64(0xFFFF)


def _mixed(low: Words, high: Words, fork: Words) -> Words:
    """A 64-bit hash of (low, high, fork) from which, given high and fork, low comes back:
    every step is a bijection of the word it changes."""
    with np.errstate(over="ignore"):
        mixed = low * _MIX_LOW
        mixed ^= high
        mixed ^= fork
        mixed *= _MIX_ALL  # last, so that every input bit reaches the top bits
    return mixed


def _numbered(low: Words, high: Words, fork: npt.NDArray[np.integer]) -> Groups | None:
    """Records numbered by the hash of their key, a chunk at a time (each chunk's columns are
    read while in cache). Equal hashes, high words and fork flags prove equal keys, so each
    record is checked against its group's first record; None on a collision or too many keys."""
    count = len(low)
    numbering = Numbering()
    codes = np.empty(count, dtype=np.intp)
    first_high = first_fork = np.zeros(0, dtype=np.uint64)
    for start in range(0, count, CHUNK):
        end = min(start + CHUNK, count)
        chunk_high = high[start:end]
        chunk_fork = _short(fork[start:end])
        numbers = numbering.number(_mixed(low[start:end], chunk_high, chunk_fork), start)
        if numbers is None:
            return None
        if len(numbering.first) > len(first_high):
            first = np.array(numbering.first, dtype=np.intp)
            first_high, first_fork = high[first], _short(fork[first])
        if not (first_high.take(numbers) == chunk_high).all():
            return None
        if not (first_fork.take(numbers) == chunk_fork).all():
            return None
        codes[start:end] = numbers
    return Groups(codes, np.array(numbering.first, dtype=np.intp), [])


def _sorted(comm: Strings, fork: Words) -> Groups:
    """Records numbered by their exact key bytes, by sorting them."""
    exact = np.empty(len(comm), dtype=[("comm", "S16"), ("fork", "<u8")])
    exact["comm"], exact["fork"] = comm, fork
    _, first, codes = np.unique(exact.view(np.void), return_index=True, return_inverse=True)
    return Groups(codes.reshape(-1), first, [])


def name_groups(parts: list[tuple[Strings, Codes]], width: int) -> Groups:
    """Contributions numbered by name. ``parts`` are (names, codes) pairs in the order the
    contributions come: contribution i of a part is named ``names[codes[i]]``; names are cut
    to ``width`` bytes."""
    tables = [np.asarray(names).astype(f"S{width}") for names, _ in parts]
    offsets = np.cumsum([0] + [len(t) for t in tables])
    codes = np.concatenate(
        [np.asarray(c, dtype=np.intp) + offsets[i] for i, (_, c) in enumerate(parts)]
    ) if parts else np.zeros(0, dtype=np.intp)  # fmt: skip
    combined = np.concatenate(tables) if tables else np.zeros(0, dtype=f"S{width}")
    distinct, name_of_code = np.unique(combined, return_inverse=True)
    index = name_of_code.reshape(-1)[codes] if len(codes) else codes
    listed: list[bytes] = distinct.tolist()
    first = first_uses(index, len(listed))
    return Groups(index, first, listed)


def _merged(groups: Groups) -> Groups:
    """Groups whose keys are equal made one (raw fields that differ only after a NUL)."""
    number: dict[bytes, int] = {}
    renumbered = [number.setdefault(key, len(number)) for key in groups.keys]
    if len(number) == len(groups.keys):
        return groups
    remap = np.array(renumbered, dtype=np.intp)
    first = np.full(len(number), len(groups.codes), dtype=np.intp)
    np.minimum.at(first, remap, groups.first)
    return Groups(remap.take(groups.codes), first, list(number))
