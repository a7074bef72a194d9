"""Process accounting records (``pacct``): every Linux version, either byte order, decoded in
one call into the columns GNU acct 6.6.4 converts them to.

The kernel appends one 64-byte record per exiting process. Byte 1 says what it is: the low
7 bits are the version, bit 0x80 (``ACCT_BYTEORDER``) marks a big-endian writer.

=======  ==========================================================================
version  layout
=======  ==========================================================================
0        Linux 2.0-2.4 ``struct acct``: 16-bit ids beside 32-bit ones, etime comp_t
1        m68k's variant of v2 (2-byte alignment); GNU reads it in 64-byte steps too
2        binary compatible with v0; ``ac_ahz`` stored, etime a 24-bit comp2_t
3        ``struct acct_v3``: pid, ppid, etime an IEEE float, AHZ always 100
4        first half of a 128-byte record, read like v3 (its AHZ is ``--ahz``)
5        second half of a 128-byte record: skipped without a word
other    not a pacct record: GNU prints ``ERROR: unknown acct file format``
=======  ==========================================================================

A version byte of 0 carries no byte-order bit and is read in the host's order (x86: little).
Every record is converted field by field into one internal set of columns, exactly as GNU's
``convert_acct_record_read`` permutes bytes: fields a version lacks are 0; v0 takes the 16-bit
ids when the 32-bit ones disagree with them; the elapsed time becomes a float32 in every
version. Files of one version and byte order (the usual case) are decoded without copying
the records; mixed files are decoded per group and put back in file order.

The codec is pure: bytes in, arrays out. It never opens a file, prints or reads the clock.

References: Linux ``include/uapi/linux/acct.h`` and ``kernel/acct.c`` (encoders);
GNU acct 6.6.4 ``pacct_rd.c`` (conversion, comp_t/comp2_t); ../shared/spec/unix-tools.md
section 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

RECORD_SIZE = 64
COMM_LEN = 16
#: Ticks per second of every current kernel (and the only value v3 knows).
AHZ = 100

# ac_flag bits.
AFORK = 0x01  # forked, never exec'd
ASU = 0x02  # used superuser privileges
ACOMPAT = 0x04  # VAX compatibility mode (never set on Linux)
ACORE = 0x08  # dumped core
AXSIG = 0x10  # killed by a signal
FLAG_LETTERS = ((ASU, "S"), (AFORK, "F"), (ACOMPAT, "C"), (ACORE, "D"), (AXSIG, "X"))

BIG_ENDIAN_BIT = 0x80
SKIPPED_VERSION = 5
KNOWN_VERSIONS = (0, 1, 2, 3, 4)

U8 = npt.NDArray[np.uint8]
U16 = npt.NDArray[np.uint16]
U32 = npt.NDArray[np.uint32]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: The internal columns, in GNU's ``struct acct`` order. comp_t fields stay encoded.
COMP_FIELDS = ("utime", "stime", "mem", "io", "rw", "minflt", "majflt", "swaps")
COLUMNS: tuple[tuple[str, str], ...] = (
    ("flag", "u1"),
    ("version", "u1"),
    ("tty", "u2"),
    ("exitcode", "u4"),
    ("uid", "u4"),
    ("gid", "u4"),
    ("pid", "u4"),
    ("ppid", "u4"),
    ("btime", "u4"),
    ("etime", "f4"),
    *((name, "u2") for name in COMP_FIELDS),
    ("comm", "S16"),
    ("ahz", "u2"),
)
INTERNAL = np.dtype(list(COLUMNS))

# Offsets in the 64-byte record, per layout; fields a layout lacks are absent. The v0/v2 and
# v1 layouts also carry the 16-bit ids and the old elapsed-time encodings.
_V3 = {
    "flag": 0, "version": 1, "tty": 2, "exitcode": 4, "uid": 8, "gid": 12, "pid": 16,
    "ppid": 20, "btime": 24, "etime": 28, "utime": 32, "stime": 34, "mem": 36, "io": 38,
    "rw": 40, "minflt": 42, "majflt": 44, "swaps": 46, "comm": 48,
}  # fmt: skip
_V2 = {
    "flag": 0, "version": 1, "uid16": 2, "gid16": 4, "tty": 6, "btime": 8, "utime": 12,
    "stime": 14, "etime16": 16, "mem": 18, "io": 20, "rw": 22, "minflt": 24, "majflt": 26,
    "swaps": 28, "ahz": 30, "exitcode": 32, "comm": 36, "etime_hi": 53, "etime_lo": 54,
    "uid": 56, "gid": 60,
}  # fmt: skip
_V1 = {
    "flag": 0, "version": 1, "uid16": 2, "gid16": 4, "tty": 6, "btime": 8, "utime": 12,
    "stime": 14, "etime16": 16, "mem": 18, "io": 20, "rw": 22, "minflt": 24, "majflt": 26,
    "swaps": 28, "exitcode": 30, "comm": 34, "etime_hi": 51, "etime_lo": 52, "uid": 54,
    "gid": 58,
}  # fmt: skip
_TYPES = dict(COLUMNS) | {
    "uid16": "u2", "gid16": "u2", "etime16": "u2", "etime_hi": "u1", "etime_lo": "u2",
}  # fmt: skip
LAYOUTS: dict[int, dict[str, int]] = {0: _V2, 1: _V1, 2: _V2, 3: _V3, 4: _V3}
#: Bytes GNU writes for a record of each version (m68k's v1 is 62 bytes long).
WRITE_SIZE = {0: 64, 1: 62, 2: 64, 3: 64}


def file_dtype(version: int, big_endian: bool) -> np.dtype[np.void]:
    """The 64-byte record of ``version`` in the given byte order, as a numpy dtype."""
    order = ">" if big_endian else "<"
    layout = LAYOUTS[version]
    names = list(layout)
    formats = [_TYPES[n] if _TYPES[n].startswith(("u1", "S")) else order + _TYPES[n] for n in names]
    return np.dtype(
        {"names": names, "formats": formats, "offsets": list(layout.values()), "itemsize": 64}
    )


# ---------------------------------------------------------------------------------------------
# comp_t and comp2_t


_ALL_COMP_T = np.arange(1 << 16, dtype=np.int64)
#: Every comp_t's value (a lookup is cheaper than the shifts on a million values).
COMP_T_TABLE: I64 = (_ALL_COMP_T & 0x1FFF) << (3 * (_ALL_COMP_T >> 13))


def comp_t_value(c: npt.NDArray[np.integer]) -> I64:
    """Decode comp_t: 13-bit mantissa, 3-bit base-8 exponent."""
    return COMP_T_TABLE[np.asarray(c).astype(np.uint16, copy=False)]


def comp2_t_value(c: npt.NDArray[np.integer]) -> I64:
    """Decode comp2_t (v2's 24-bit elapsed time): 19 stored mantissa bits with a hidden
    leading one unless the 5-bit base-2 exponent is 0."""
    c = np.asarray(c).astype(np.int64) & 0xFFFFFF
    mantissa = c & 0x7FFFF
    exponent = c >> 19
    scaled = (mantissa | 0x80000) << np.maximum(exponent - 1, 0)
    return np.where(exponent == 0, mantissa, scaled)


def encode_comp_t(value: int) -> int:
    """The kernel's ``encode_comp_t`` of a non-negative integer (rounding on the bit shifted
    out last; saturating at the largest comp_t)."""
    exponent = 0
    rounding = 0
    while value > 0x1FFF:
        rounding = value & 4
        value >>= 3
        exponent += 1
    if rounding:
        value += 1
        if value > 0x1FFF:
            value >>= 3
            exponent += 1
    if exponent > 7:
        return 0xFFFF
    return (exponent << 13) | value


def encode_comp2_t(value: int) -> int:
    """The kernel's ``encode_comp2_t`` of a non-negative integer (v2's elapsed time)."""
    exponent = 1 if value > (0xFFFFF >> 1) else 0
    rounding = 0
    while value > 0xFFFFF:
        rounding = value & 1
        value >>= 1
        exponent += 1
    if rounding:
        value += 1
        if value > 0xFFFFF:
            value >>= 1
            exponent += 1
    if exponent > 31:
        return (1 << 24) - 1
    return (value & (0xFFFFF >> 1)) | (exponent << 19)


def _c_int(values: F64, bits: int) -> I64:
    """C's ``(unsigned short/int) double`` as gcc compiles it on x86-64 (cvttsd2si, then the
    low bits): truncation toward zero; NaN and out-of-range give INT_MIN's low bits."""
    limit = 2.0**31 if bits == 16 else 2.0**63
    bad = ~np.isfinite(values) | (np.abs(values) >= limit)
    safe = np.where(bad, 0.0, values)
    whole = np.trunc(safe).astype(np.int64)
    whole[bad] = -(2**31) if bits == 16 else -(2**63)
    if bits >= 64:
        return whole
    return whole & ((1 << bits) - 1)


def double_to_comp_t(values: F64) -> U16:
    """GNU acct's ``double_2_comp_t`` (dump-acct --raw): frexp, round half up, saturate."""
    values = np.asarray(values, dtype=np.float64)
    mantissa, exponent = np.frexp(values)
    exponent = exponent.astype(np.int64)
    exp = np.where(exponent < 13, 0, (exponent - 13 + 2) // 3)
    mant = _c_int(np.ldexp(mantissa, (exponent - exp * 3).astype(np.int32)) + 0.5, 16)
    over = mant > 0x1FFF
    mant = np.where(over, mant >> 3, mant)
    exp = exp + over
    out = np.where(exp > 7, 0xFFFF, (mant | (exp << 13)) & 0xFFFF)
    return out.astype(np.uint16)


def double_to_comp2_t(values: F64) -> U32:
    """GNU acct's ``double_2_comp2_t`` (dump-acct --raw writing v0-v2 elapsed times)."""
    values = np.asarray(values, dtype=np.float64)
    mantissa, exponent = np.frexp(values)
    exponent = exponent.astype(np.int64)
    exp = np.where(exponent <= 20, 0, exponent - 20)
    mant = _c_int(np.ldexp(mantissa, (exponent - exp).astype(np.int32)) + 0.5, 64) & 0xFFFFFFFF
    over = mant > 0xFFFFF
    mant = np.where(over, mant >> 1, mant)
    exp = exp + over
    saturated = exp >= 31
    leading = mant > (0xFFFFF // 2)
    mant = np.where(leading, mant & (0xFFFFF >> 1), mant)
    exp = exp + leading
    out = np.where(saturated, 0xFFFFF | (31 << 19), (mant | (exp << 19)) & 0xFFFFFFFF)
    return out.astype(np.uint32)


# ---------------------------------------------------------------------------------------------
# Decoding


@dataclass
class Records:
    """Decoded records as columns (GNU's internal ``struct acct``), in file order.

    ``position`` is each record's index in the file (records skipped are missing from it).
    The comp_t columns are still encoded; :func:`comp_t_value` expands them.
    """

    columns: dict[str, npt.NDArray[Any]]
    position: I64

    def __len__(self) -> int:
        return len(self.position)

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.columns[name]

    def take(self, rows: npt.NDArray[np.integer]) -> Records:
        """The records at ``rows`` (indexes into this set), in that order."""
        return Records({k: v[rows] for k, v in self.columns.items()}, self.position[rows])

    def slice(self, start: int, end: int) -> Records:
        """Records ``start`` to ``end`` (views, no copy)."""
        return Records({k: v[start:end] for k, v in self.columns.items()}, self.position[start:end])

    def reversed(self) -> Records:
        """The same records, last first."""
        return Records({k: v[::-1] for k, v in self.columns.items()}, self.position[::-1])

    @property
    def comm_bytes(self) -> U8:
        """The raw 16 bytes of every ``ac_comm`` as an (n, 16) matrix."""
        comm = np.ascontiguousarray(self.columns["comm"])
        return comm.view(np.uint8).reshape(len(comm), COMM_LEN)


@dataclass
class Decoded:
    """What :func:`decode` found in a file."""

    records: Records
    unknown: int = 0
    """Records whose version byte no pacct writer uses (GNU: ``unknown acct file format``)."""
    first_unknown: int = -1
    """File offset of the first of them."""
    second_halves: int = 0
    """v5 records (second halves of 128-byte records), skipped as GNU skips them."""
    trailing: int = 0
    """Bytes at the end that are not a whole record."""
    versions: dict[int, int] = field(default_factory=dict)
    """How many records of each version (with 0x80 for big-endian) were decoded."""


def empty_records() -> Records:
    """No records."""
    return Records(
        {name: np.zeros(0, dtype=kind) for name, kind in COLUMNS}, np.zeros(0, dtype=np.int64)
    )


def decode(data: bytes | memoryview, ahz: int = AHZ) -> Decoded:
    """Decode every whole 64-byte record of ``data``.

    ``ahz`` is what GNU's ``--ahz`` sets: the tick rate of records that do not store one
    (v0/v2 with ``ac_ahz`` 0, v1, v4).
    """
    count = len(data) // RECORD_SIZE
    trailing = len(data) - count * RECORD_SIZE
    raw = np.frombuffer(data, dtype=np.uint8, count=count * RECORD_SIZE).reshape(count, RECORD_SIZE)
    byte = raw[:, 1]
    if count and (byte == byte[0]).all():  # one version and byte order: the usual file
        first = int(byte[0])
        if first & 0x7F <= 4:
            key = (first & 0x7F) * 2 + (1 if first & BIG_ENDIAN_BIT else 0)
            view = np.frombuffer(data, dtype=file_dtype(key // 2, bool(key % 2)), count=count)
            records = Records(_convert(view, key // 2, ahz), np.arange(count, dtype=np.int64))
            return Decoded(records, trailing=trailing, versions={first: count})
    version = byte & 0x7F
    big = (byte & BIG_ENDIAN_BIT) != 0  # a 0x80 byte is v0 from a big-endian writer
    known = version <= 4
    unknown_rows = np.flatnonzero(~known & (version != SKIPPED_VERSION))
    group_key = np.where(known, version.astype(np.int64) * 2 + big, -1)
    groups = np.unique(group_key) if count else np.zeros(0, dtype=group_key.dtype)
    groups = groups[groups >= 0]
    decoded = Decoded(
        empty_records(),
        unknown=len(unknown_rows),
        first_unknown=int(unknown_rows[0]) * RECORD_SIZE if len(unknown_rows) else -1,
        second_halves=int(np.count_nonzero(version == SKIPPED_VERSION)),
        trailing=trailing,
    )
    if len(groups) == 0:
        return decoded
    rows = np.flatnonzero(known)
    columns = {name: np.zeros(len(rows), dtype=kind) for name, kind in COLUMNS}
    slot = np.full(count, -1, dtype=np.int64)
    slot[rows] = np.arange(len(rows))
    for key in groups.tolist():
        members = np.flatnonzero(group_key == key)
        block = np.ascontiguousarray(raw[members]).view(file_dtype(key // 2, bool(key % 2)))
        converted = _convert(block.reshape(-1), key // 2, ahz)
        for name, values in converted.items():
            columns[name][slot[members]] = values
        decoded.versions[(key // 2) | (0x80 if key % 2 else 0)] = len(members)
    decoded.records = Records(columns, rows.astype(np.int64))
    return decoded


def _native(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    if values.dtype.byteorder == ">":
        return values.astype(values.dtype.newbyteorder("="))
    return values


def _convert(view: npt.NDArray[np.void], version: int, ahz: int) -> dict[str, np.ndarray]:
    """Internal columns of records of one version (``view`` in that version's dtype)."""
    n = len(view)
    names = view.dtype.names or ()
    out: dict[str, np.ndarray] = {}
    for name, kind in COLUMNS:
        if name in names:
            out[name] = _native(view[name])
        elif name == "ahz":
            continue
        else:
            out[name] = np.zeros(n, dtype=kind)
    if "ahz" in names:
        stored = _native(view["ahz"])
        out["ahz"] = np.where(stored == 0, np.uint16(ahz & 0xFFFF), stored).astype(np.uint16)
    else:
        out["ahz"] = np.full(n, AHZ if version == 3 else ahz & 0xFFFF, dtype=np.uint16)
    if version == 0:
        uid16 = _native(view["uid16"])
        gid16 = _native(view["gid16"])
        wrong = (uid16 != (out["uid"] & 0xFFFF)) | (gid16 != (out["gid"] & 0xFFFF))
        out["uid"] = np.where(wrong, uid16, out["uid"]).astype(np.uint32)
        out["gid"] = np.where(wrong, gid16, out["gid"]).astype(np.uint32)
    if version in (0, 1):
        out["etime"] = comp_t_value(_native(view["etime16"])).astype(np.float32)
    elif version == 2:
        packed = _native(view["etime_lo"]).astype(np.int64) | (
            view["etime_hi"].astype(np.int64) << 16
        )
        out["etime"] = comp2_t_value(packed).astype(np.float32)
    return out


# ---------------------------------------------------------------------------------------------
# Encoding


def encode(
    columns: dict[str, npt.NDArray[np.generic]],
    version: int,
    big_endian: bool,
) -> bytes:
    """Records of ``version`` (0-3) from internal columns, as GNU's writer lays them out.

    The derived v0-v2 fields (16-bit ids, comp_t and comp2_t elapsed times) are computed
    from ``uid``, ``gid`` and ``etime`` with GNU's double-to-comp encoders; ``ahz`` is written
    where the layout has it. v1 records are 62 bytes long.
    """
    n = len(columns["flag"])
    dtype = file_dtype(version, big_endian)
    out = np.zeros(n, dtype=dtype)
    for name in dtype.names or ():
        if name in columns:
            out[name] = columns[name]
    if version in (0, 1, 2):
        etime = np.asarray(columns["etime"], dtype=np.float32).astype(np.float64)
        out["etime16"] = double_to_comp_t(etime)
        packed = double_to_comp2_t(etime)
        out["etime_hi"] = (packed >> 16) & 0xFF
        out["etime_lo"] = packed & 0xFFFF
        out["uid16"] = np.asarray(columns["uid"]).astype(np.uint32) & 0xFFFF
        out["gid16"] = np.asarray(columns["gid"]).astype(np.uint32) & 0xFFFF
    out["version"] = version | (BIG_ENDIAN_BIT if big_endian else 0)
    size = WRITE_SIZE[version]
    raw = out.view(np.uint8).reshape(n, RECORD_SIZE)
    return raw[:, :size].tobytes()


def pack_one(values: dict[str, object], version: int = 3, big_endian: bool = False) -> bytes:
    """One record from plain values (missing fields are 0): for tests and fixtures."""
    columns = {
        name: np.array([values.get(name, 0)], dtype=kind)
        for name, kind in COLUMNS
        if name != "ahz" or version in (0, 2)
    }
    if "ahz" in columns and "ahz" not in values:
        columns["ahz"][:] = AHZ
    return encode(columns, version, big_endian)


def flags_text(flags: Sequence[int] | npt.NDArray[np.integer]) -> list[str]:
    """The letters of each flag byte, in lastcomm's order (``SF``, ``DX``...)."""
    return ["".join(ch for bit, ch in FLAG_LETTERS if f & bit) for f in np.asarray(flags).tolist()]
