"""The text fields of listed lines (user, tty, host) with C string semantics, as bytes arrays.

Only the rows that are printed are touched, and only as many bytes of each field as some row
needs: a host field is 256 bytes, but most hosts end within the first 32.
"""

from __future__ import annotations

import socket

import numpy as np
import numpy.typing as npt

from logwarden.connect.last import analyse as analysis
from logwarden.connect.last import munge
from logwarden.formats import utmp

Strings = npt.NDArray[np.bytes_]
Ints = npt.NDArray[np.int64]

_LABELS = {
    analysis.SYSTEM_BOOT: b"system boot",
    analysis.SYSTEM_DOWN: b"system down",
    analysis.OLD_TIME: b"old time",
    analysis.NEW_TIME: b"new time",
}


def cstring_column(
    records: utmp.Records, name: str, rows: Ints, limit: int, step: int = 32
) -> Strings:
    """Field ``name`` of ``rows`` as C strings of at most ``limit`` bytes, fetching more than
    ``step`` bytes only for the rows whose string is longer."""
    matrix = records.field_bytes(name)
    width = min(step, limit)
    out = _gather(matrix, rows, width)
    longer = np.flatnonzero(np.strings.str_len(out) == width) if width < limit else np.zeros(0, int)
    while len(longer) and width < limit:
        width = min(width + step * 4, limit)
        values = _gather(matrix, rows[longer], width)
        out = out.astype(f"S{width}")
        out[longer] = values
        longer = longer[np.strings.str_len(values) == width]
    return out


def _gather(matrix: npt.NDArray[np.uint8], rows: Ints, width: int) -> Strings:
    """The first ``width`` bytes of ``rows`` of a field as C strings."""
    words = width // 8
    if words and words * 8 == width:
        # Whole words copy faster than bytes.
        block = np.empty((len(rows), words), dtype="<u8")
        block[:] = matrix[:, :width].view("<u8")[rows]
        return _words_cstrings(block).view(f"S{width}").reshape(-1)
    return _cstrings(matrix[rows, :width])


def _words_cstrings(words: munge.U64) -> munge.U64:
    """Rows of consecutive 8-byte words with everything from the first NUL on cleared."""
    block = np.array(words, dtype="<u8", order="C")
    alive = np.ones(len(block), dtype=bool)
    for k in range(block.shape[1]):
        value, ended = munge.until_nul(block[:, k])
        block[:, k] = np.where(alive, value, np.uint64(0))
        alive &= ~ended
    return block


def _cstrings(block: npt.NDArray[np.uint8]) -> Strings:
    """Rows of bytes as C strings: numpy drops trailing NULs, and the rare row with bytes
    after an inner NUL has them cleared first."""
    block = np.ascontiguousarray(block)
    count, width = block.shape
    if width > 1 and count:
        zero = block == 0
        odd = np.flatnonzero((zero[:, :-1] & ~zero[:, 1:]).any(axis=1))
        if len(odd):
            part = block[odd]
            part[np.logical_or.accumulate(part == 0, axis=1)] = 0
            block[odd] = part
    return block.view(f"S{max(width, 1)}").reshape(count) if width else np.zeros(count, "S1")


def users(
    records: utmp.Records,
    rows: Ints,
    cut: npt.NDArray[np.bool_] | None,
    width: int = 32,
    columns: munge.Columns | None = None,
) -> Strings:
    """``ut_user`` (up to ``width`` of its 32 bytes); rows in ``cut`` lose their 32nd byte
    as in util-linux's is_phantom."""
    if width <= 8 and columns is not None:
        return _word_strings(columns.user[rows])[0]
    names = cstring_column(records, "user", rows, width)
    if width > 31 and cut is not None and cut.any():
        names[cut] = names[cut].astype("S31")
    return names


def _word_strings(words: munge.U64) -> tuple[Strings, npt.NDArray[np.bool_]]:
    """8-byte words as C strings (S8), and whether each string ended within its word."""
    value, ended = munge.until_nul(np.ascontiguousarray(words, dtype="<u8"))
    return value.view("S8"), ended


def ttys(
    records: utmp.Records,
    listing: analysis.Listing,
    width: int = 32,
    columns: munge.Columns | None = None,
) -> Strings:
    """The tty column before width limits (the first ``width`` bytes): the record's line
    (``ftp123`` -> ``ftp``, ``uucp12`` -> ``uucp``) or ``system boot``, ``(to lvl 3)``..."""
    size = max(width, 5)
    if columns is not None and width <= 32:
        short, ended = _word_strings(columns.line[listing.rec])
        lines = short.astype(f"S{size}")
        longer = np.flatnonzero(~ended)
        if len(longer) and size > 8:
            lines[longer] = cstring_column(records, "line", listing.rec[longer], size)
    else:
        lines = cstring_column(records, "line", listing.rec, size)
    own = listing.label == analysis.OWN_LINE
    for prefix in (b"ftp", b"uucp"):
        starts = own & np.strings.startswith(lines, prefix)
        if starts.any():
            rows = np.flatnonzero(starts)
            cut = len(prefix)
            next_byte = lines[rows].view(np.uint8).reshape(len(rows), -1)[:, cut]
            digit = (next_byte >= ord("0")) & (next_byte <= ord("9"))
            lines[rows[digit]] = prefix
    if (~own).any():
        lines = lines.astype(f"S{max(lines.dtype.itemsize, 12)}")
        for label, text in _LABELS.items():
            lines[listing.label == label] = text
        runlevel = np.flatnonzero(listing.label == analysis.RUNLEVEL)
        for row, level in zip(runlevel.tolist(), listing.runlevel[runlevel].tolist(), strict=True):
            # "(to lvl %c)": a NUL level ends the C string right there.
            lines[row] = b"(to lvl " + bytes([level]) + b")" if level else b"(to lvl "
    return lines


def hosts(
    records: utmp.Records, rows: Ints, width: int, columns: munge.Columns | None = None
) -> Strings:
    """``ut_host`` as util-linux copies it (at most 255 bytes), cut to ``width``."""
    if width <= 16 and columns is not None and columns.host is not None:
        first, second = columns.host
        words = np.empty((len(rows), 2), dtype="<u8")
        words[:, 0] = first[rows]
        words[:, 1] = second[rows]
        return _words_cstrings(words).view("S16").reshape(-1)
    return cstring_column(records, "host", rows, min(width, 255))


def addresses(records: utmp.Records, rows: Ints, numeric: bool) -> Strings:
    """``ut_addr_v6`` of ``rows`` rendered as ``last -i`` (numeric) or ``-d`` (looked up)."""
    if len(rows) == 0:
        return np.zeros(0, dtype="S1")
    raw = np.ascontiguousarray(records.addr[rows])
    words = raw.view(">u4")  # (n, 4), network byte order
    mapped = (words[:, 0] == 0) & (words[:, 1] == 0) & (words[:, 2] == 0xFFFF)
    plain_v4 = (words[:, 1] == 0) & (words[:, 2] == 0) & (words[:, 3] == 0)
    out = np.zeros(len(rows), dtype="S46")
    if numeric:
        # IPv4, the common case, in one vectorised pass; IPv6 one distinct address at a time.
        v4 = np.flatnonzero(mapped | plain_v4)
        octets = np.where(mapped[v4, None], raw[v4, 12:16], raw[v4, 0:4])
        out[v4] = _dotted_quads(octets)
        rest = np.flatnonzero(~(mapped | plain_v4))
    else:
        rest = np.arange(len(rows))
    if len(rest) == 0:
        return out
    distinct, inverse = np.unique(raw[rest].view("V16").reshape(-1), return_inverse=True)
    lookup = _numeric if numeric else _resolved
    texts = [lookup(bytes(value)) for value in distinct.tolist()]
    failed = np.array([t is None for t in texts])[inverse.reshape(-1)]
    out[rest] = np.array([t or b"" for t in texts], dtype="S255")[inverse.reshape(-1)]
    if failed.any():
        # getnameinfo failed: util-linux prints the stored host text instead.
        stored = hosts(records, rows[rest[failed]], 255)
        out = out.astype(f"S{max(46, stored.dtype.itemsize)}")
        out[rest[failed]] = stored
    return out


#: "0" .. "255" as three NUL-padded bytes, and their lengths.
_OCTETS = np.array([[*f"{i:<3}".encode().replace(b" ", b"\0")] for i in range(256)], np.uint8)
_OCTET_LENGTHS = np.array([len(str(i)) for i in range(256)], dtype=np.int64)


def _dotted_quads(octets: npt.NDArray[np.uint8]) -> Strings:
    """IPv4 addresses (rows of 4 bytes) as ``a.b.c.d``, as inet_ntop writes them."""
    count = len(octets)
    out = np.zeros((count, 16), dtype=np.uint8)
    base = np.arange(count) * 16
    pos = np.zeros(count, dtype=np.int64)
    flat = out.reshape(-1)
    for k in range(4):
        text = _OCTETS[octets[:, k]]
        for j in range(3):
            flat[base + pos + j] = text[:, j]
        pos += _OCTET_LENGTHS[octets[:, k]]
        if k < 3:
            flat[base + pos] = ord(".")
            pos += 1
    return out.view("S16").reshape(-1)


def _socket_address(addr: bytes) -> tuple[int, str]:
    """The family and text util-linux's dns_lookup builds from the 16 stored bytes."""
    words = [addr[i : i + 4] for i in range(0, 16, 4)]
    zero = b"\0\0\0\0"
    if words[0] == zero and words[1] == zero and words[2] == b"\0\0\xff\xff":
        return socket.AF_INET, socket.inet_ntop(socket.AF_INET, words[3])
    if words[1] == zero and words[2] == zero and words[3] == zero:
        return socket.AF_INET, socket.inet_ntop(socket.AF_INET, words[0])
    return socket.AF_INET6, socket.inet_ntop(socket.AF_INET6, addr)


def _numeric(addr: bytes) -> bytes | None:
    return _socket_address(addr)[1].encode()


def _resolved(addr: bytes) -> bytes | None:
    family, text = _socket_address(addr)
    where: tuple[str, int] | tuple[str, int, int, int] = (
        (text, 0) if family == socket.AF_INET else (text, 0, 0, 0)
    )
    try:
        name, _port = socket.getnameinfo(where, 0)
    except (OSError, UnicodeError):
        return None
    return name.encode("utf-8", "surrogateescape")[:255]
