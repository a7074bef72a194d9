"""Numbering the tty lines and user names of a million records, exactly and fast.

A name or line is a 32-byte field that C reads up to its first NUL. It is read as four
little-endian 8-byte words, one word at a time and only as far as needed:

1. the first words of all rows are numbered as they are (one sort of the words);
2. per *distinct* word (a few hundred, not a million) it is decided whether the string ends
   in it (it holds a NUL byte): then the string is known, bytes after the NUL ignored;
3. the rows whose string goes on get their next word; the pair (number of the string so far,
   number of the word) is numbered exactly, and so on for at most four words.

A word is looked up through a table built over the few distinct words: a multiplicative
hash chosen so that it has no collision on them (a multiply, a shift and a gather per row),
open addressing when there are too many for that, a binary search beyond. Either beats
``np.unique`` with ``return_inverse`` on a million keys several times over. When every
string ends in its first word (tty lines nearly always do), the table maps straight to the
final number, in the narrowest integer type that holds it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
#: Codes, in the narrowest integer type that holds them.
Codes = npt.NDArray[np.integer]

#: ``fetch(word, rows)``: the ``word``-th 8-byte word (0..3) of the field of those rows
#: (``rows`` None: of every row).
WordFetch = Callable[[int, I64 | None], U64]

WORDS = 4
_ONES = np.uint64(0x0101010101010101)
_HIGHS = np.uint64(0x8080808080808080)
_PROBE_MULT = np.uint64(0x9E3779B97F4A7C15)


def has_zero_byte(words: U64) -> npt.NDArray[np.bool_]:
    """Which words hold a zero byte (where a C string ends)."""
    return ((words - _ONES) & ~words & _HIGHS) != 0  # type: ignore[no-any-return]


_MULTIPLIERS = (
    0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
    0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F,
)  # fmt: skip
_PERFECT_BITS = 22


def _perfect_lookup(keys: U64, distinct: U64, values: Codes) -> Codes | None:
    """``values[i]`` for every key equal to ``distinct[i]``, through a multiplicative hash
    that has no collision on ``distinct``.

    With a table of about the square of the number of keys, one of a few multipliers is
    collision-free with high probability; then a lookup is a multiply, a shift and a gather,
    and every key is known to be in ``distinct``, so nothing needs checking.
    """
    bits = max(10, 2 * len(distinct).bit_length() + 1)
    if bits > _PERFECT_BITS:
        return None
    shift = np.uint64(64 - bits)
    for multiplier in _MULTIPLIERS:
        mult = np.uint64(multiplier)
        slots = ((distinct * mult) >> shift).view(np.int64)
        ordered = np.sort(slots)
        if not np.any(ordered[1:] == ordered[:-1]):
            table = np.zeros(1 << bits, dtype=values.dtype)
            table[slots] = values
            found: Codes = table[((keys * mult) >> shift).view(np.int64)]
            return found
    return None


def lookup_u64(keys: U64, distinct: U64, values: Codes) -> Codes:
    """``values[i]`` for every key equal to ``distinct[i]`` (every key must be in it)."""
    if len(distinct) > 50_000:
        found: Codes = values[np.searchsorted(distinct, keys)]
        return found
    perfect = _perfect_lookup(keys, distinct, values)
    if perfect is not None:
        return perfect
    bits = max(6, int(len(distinct) * 4 - 1).bit_length())
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    table_keys = np.zeros(1 << bits, dtype=np.uint64)
    table_values = np.full(1 << bits, -1, dtype=values.dtype)
    table_used = np.zeros(1 << bits, dtype=bool)
    start = ((distinct * _PROBE_MULT) >> shift).astype(np.int64).tolist()
    for key, value, slot in zip(distinct.tolist(), values.tolist(), start, strict=True):
        while table_used[slot]:
            slot = (slot + 1) & mask
        table_keys[slot] = key
        table_values[slot] = value
        table_used[slot] = True
    slots = ((keys * _PROBE_MULT) >> shift).astype(np.int64)
    pending = np.flatnonzero(table_keys[slots] != keys)
    while len(pending):
        slots[pending] = (slots[pending] + 1) & mask
        pending = pending[table_keys[slots[pending]] != keys[pending]]
    result: Codes = table_values[slots]
    return result


def unique_inverse(values: I64) -> tuple[I64, I64]:
    """The distinct values (sorted) and where each value is among them.

    ``np.unique`` does the same, but its first call in a process costs milliseconds of
    set-up, more than the whole job when the arrays are small.
    """
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    new = np.ones(len(ranked), dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ranked[new], inverse


def distinct_u64(keys: U64) -> U64:
    """The distinct keys, sorted."""
    ordered = np.sort(keys)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def factorize_u64(keys: U64) -> tuple[Codes, U64]:
    """Dense codes 0..k-1 for ``keys`` and the distinct keys (sorted)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    distinct = distinct_u64(keys)
    return lookup_u64(keys, distinct, np.arange(len(distinct))), distinct


def _smallest(values: I64) -> Codes:
    """``values`` (codes, not negative) in the narrowest integer type that holds them."""
    top = int(values.max()) if len(values) else 0
    for kind in (np.int16, np.int32):
        if top < np.iinfo(kind).max:  # room left for one more code (the callers' "nobody")
            return values.astype(kind)
    return values


def _decide(
    value: U64,
    before: I64,
    word: int,
    prefixes: list[bytes],
    known: dict[bytes, int],
    strings: list[bytes],
) -> tuple[I64, npt.NDArray[np.bool_], list[bytes]]:
    """For each distinct (bytes so far, next word): does the string end in this word? Its
    final code if so (new strings are appended to ``strings``), else its prefix number."""
    ends = has_zero_byte(value) | (word == WORDS - 1)
    target = np.empty(len(value), dtype=np.int64)
    next_prefixes: list[bytes] = []
    for code, (word_value, head, done) in enumerate(
        zip(value.tolist(), before.tolist(), ends.tolist(), strict=True)
    ):
        text = prefixes[head] + word_value.to_bytes(8, "little")
        if done:
            text = text.partition(b"\0")[0]
            target[code] = known.setdefault(text, len(known))
            if target[code] == len(strings):
                strings.append(text)
        else:
            target[code] = len(next_prefixes)
            next_prefixes.append(text)
    return target, ends, next_prefixes


def _pairs(prefix: I64, word_codes: Codes, words: int) -> tuple[Codes, I64]:
    """Dense codes for the pairs (prefix, word code), and the pair value of every code."""
    pair = prefix * words + word_codes
    span = (int(prefix.max()) + 1) * words
    if span > 1 << 24:
        codes, values = factorize_u64(pair.astype(np.uint64))
        return codes, values.astype(np.int64)
    used = np.zeros(span, dtype=bool)
    used[pair] = True
    return (np.cumsum(used) - 1)[pair], np.flatnonzero(used)


def factorize_field(count: int, fetch: WordFetch) -> tuple[Codes, list[bytes]]:
    """Number the C strings of ``count`` 32-byte fields read through ``fetch``.

    Returns a code per row and the string of every code. Each level numbers the pairs
    (number of the string so far, next word) exactly, so no hashing is involved.
    """
    strings: list[bytes] = []
    known: dict[bytes, int] = {}
    codes: I64 | None = None
    active: I64 | None = None  # the rows still being read; None: all of them
    prefix = np.zeros(0, dtype=np.int64)  # per active row: number of its bytes so far
    prefixes = [b""]
    for word in range(WORDS):
        raw = fetch(word, active)
        if active is None:
            # The first word: the string of each distinct word is decided before any row
            # is looked up, so that rows whose strings all end here need a single lookup.
            words = distinct_u64(raw) if len(raw) else np.zeros(0, dtype=np.uint64)
            value, before = words, np.zeros(len(words), np.int64)
            target, ends, next_prefixes = _decide(value, before, word, prefixes, known, strings)
            if ends.all():
                return lookup_u64(raw, words, _smallest(target)), strings
            level_codes = lookup_u64(raw, words, np.arange(len(words)))
        else:
            word_codes, words = factorize_u64(raw)
            level_codes, pairs = _pairs(prefix, word_codes, len(words))
            before, value = pairs // len(words), words[pairs % len(words)]
            target, ends, next_prefixes = _decide(value, before, word, prefixes, known, strings)
        row_codes = target[level_codes]
        if active is None:
            codes = np.full(count, -1, dtype=np.int64)
            active = np.arange(count, dtype=np.int64)
        assert codes is not None
        finished = ends[level_codes]
        codes[active[finished]] = row_codes[finished]
        going = ~finished
        if not going.any():
            break
        prefix, active, prefixes = row_codes[going], active[going], next_prefixes
    assert codes is not None
    return codes, strings


def factorize_two_words(count: int, fetch: WordFetch) -> tuple[Codes, list[bytes]]:
    """:func:`factorize_field` for names: most end within 16 bytes, so both first words
    are numbered at once, and only the rare longer strings go through the word-by-word
    procedure."""
    if count == 0:
        return np.zeros(0, dtype=np.int64), []
    first, second = fetch(0, None), fetch(1, None)
    words0, words1 = distinct_u64(first), distinct_u64(second)
    span = len(words0) * len(words1)
    if span > 1 << 24:
        return factorize_field(count, fetch)
    pair = lookup_u64(first, words0, np.arange(len(words0))) * len(words1)
    pair += lookup_u64(second, words1, np.arange(len(words1)))
    used = np.zeros(span, dtype=bool)
    used[pair] = True
    present = np.flatnonzero(used)
    code_of_pair = np.cumsum(used) - 1
    known: dict[bytes, int] = {}
    target = np.empty(len(present), dtype=np.int64)
    longer = np.zeros(len(present), dtype=bool)
    heads = words0[present // len(words1)].tolist()
    tails = words1[present % len(words1)].tolist()
    for code, (head, tail) in enumerate(zip(heads, tails, strict=True)):
        text = head.to_bytes(8, "little") + tail.to_bytes(8, "little")
        end = text.find(b"\0")
        if end < 0:
            longer[code] = True  # decided below, with the later words
            target[code] = -1
        else:
            target[code] = known.setdefault(text[:end], len(known))
    codes = target[code_of_pair[pair]]
    strings = list(known)
    if longer.any():
        rows = np.flatnonzero(longer[code_of_pair[pair]])
        sub_codes, sub_strings = factorize_field(
            len(rows), lambda word, sub: fetch(word, rows if sub is None else rows[sub])
        )
        renumber = np.array([known.setdefault(s, len(known)) for s in sub_strings], np.int64)
        codes[rows] = renumber[sub_codes]
        strings = list(known)
    return _smallest(codes), strings
