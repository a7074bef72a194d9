"""printf-style text for whole columns at once, for the accounting reports.

Each helper returns an (n, w) matrix of bytes, one row per value. A 0 byte is a *hole*: the
row's text is shorter than the matrix is wide, and :class:`Lines` drops holes when it joins the
fields (no field the tools print can contain a NUL: C strings stop at one). So a field may be
right- or left-aligned and of any width per row, and still be laid out by column slices.

Numbers follow glibc's printf exactly: exact decimal expansion of the binary value, rounded
half to even. Where the value is a tick count over 100 (every CPU time of a current kernel) the
digits come straight from the integer; anything else is formatted once per distinct value with
Python's ``%`` (which rounds as glibc does) and spread back.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.uint8]
Ints = npt.NDArray[np.int64]

SPACE = 0x20
_ZERO = 0x30


def literal(count: int, text: bytes) -> Matrix:
    """The same bytes on every row."""
    row = np.frombuffer(text, dtype=np.uint8)
    return np.broadcast_to(row, (count, len(text)))


def strings_matrix(values: npt.NDArray[np.bytes_]) -> Matrix:
    """A bytes array (NUL-padded rows) as a matrix; the padding becomes holes."""
    values = np.ascontiguousarray(values)
    width = values.dtype.itemsize
    if len(values) == 0 or width == 0:
        return np.zeros((len(values), 0), dtype=np.uint8)
    return values.view(np.uint8).reshape(len(values), width)


def cstring(matrix: Matrix, width: int, precision: int | None = None, left: bool = True) -> Matrix:
    """``%-W.Ps`` (``left``) or ``%W.Ps`` of C strings held in ``matrix`` rows, which must be
    clean: text, then only NULs (see :func:`clean_cstrings`). At most ``precision`` bytes,
    blank-padded to ``width``."""
    count = len(matrix)
    if precision is not None and matrix.shape[1] > precision:
        matrix = matrix[:, :precision]
    size = matrix.shape[1]
    total = max(width, size)
    if left:
        out = np.zeros((count, total), dtype=np.uint8)
        out[:, :size] = matrix
        head = out[:, :width]
        head[head == 0] = SPACE
        return out
    # Right-aligned: blanks first, then the text (holes stay at the row's end).
    lengths = np.count_nonzero(matrix, axis=1)
    shift = np.maximum(width - lengths, 0)
    out = np.zeros((count, total), dtype=np.uint8)
    cols = np.arange(total)[None, :]
    out[cols < shift[:, None]] = SPACE
    rows = np.arange(count)[:, None]
    src = np.arange(size)[None, :]
    keep = src < lengths[:, None]
    dest = (shift[:, None] + src)[keep]
    out[np.broadcast_to(rows, (count, size))[keep], dest] = matrix[keep]
    return out


def clean_cstrings(matrix: Matrix) -> Matrix:
    """Rows as C strings: every byte after a row's first NUL zeroed (only rows that need
    it are touched)."""
    width = matrix.shape[1]
    if width < 2 or len(matrix) == 0:
        return matrix
    if width % 8 == 0:
        dirty = _dirty_rows_by_words(np.ascontiguousarray(matrix))
    else:
        filled = np.count_nonzero(matrix, axis=1)
        first_nul = np.argmin(matrix, axis=1)
        dirty = (filled < width) & (first_nul != filled)
    if not dirty.any():
        return matrix
    rows = np.flatnonzero(dirty)
    part = matrix[rows]
    ended = np.cumsum(part == 0, axis=1, dtype=np.int32) > 0
    fixed = matrix.copy()
    fixed[rows] = np.where(ended, 0, part)
    return fixed


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_HIGH = np.uint64(0x8080808080808080)


def _dirty_rows_by_words(matrix: Matrix) -> npt.NDArray[np.bool_]:
    """Rows with a non-NUL byte after a NUL, found with whole-word arithmetic: a zero-byte
    mask per 64-bit word (exact, no borrows), a zero byte followed by a non-zero one inside
    a word, or a word after one holding a NUL not all zero."""
    words = matrix.view(np.uint64)  # little-endian: byte 0 is the low byte
    dirty = np.zeros(len(words), dtype=bool)
    seen_nul = np.zeros(len(words), dtype=bool)
    eight = np.uint64(8)
    for col in range(words.shape[1]):
        word = np.ascontiguousarray(words[:, col])
        zero = ~(((word & _LOW7) + _LOW7) | word | _LOW7)
        dirty |= ((zero << eight) & ~zero & _HIGH) != 0
        dirty |= seen_nul & (word != 0)
        seen_nul |= zero != 0
    return dirty


def _digits_needed(values: Ints) -> Ints:
    """Decimal digits of each non-negative value (0 has one)."""
    digits = np.ones(len(values), dtype=np.int64)
    bound = 10
    while True:
        more = values >= bound
        if not more.any():
            return digits
        digits += more
        bound *= 10


#: "0000" .. "9999" and "   0" .. "9999" as 4-byte words (four ASCII bytes each).
def _four_digits(blank: bool) -> npt.NDArray[np.uint32]:
    """``%04d`` (or ``%4d`` with ``blank``) of 0..9999, each as a 4-byte word (made with
    array arithmetic: formatting ten thousand numbers one by one slows every start-up)."""
    numbers = np.arange(10000)[:, None]
    places = 10 ** np.arange(3, -1, -1)
    digits = (numbers // places % 10 + _ZERO).astype(np.uint8)
    if blank:
        digits[(numbers < places) & (places > 1)] = SPACE
    return np.ascontiguousarray(digits).view("<u4").reshape(-1)


_ZERO_PADDED = _four_digits(blank=False)
_BLANK_PADDED = _four_digits(blank=True)
_BLANKS = np.frombuffer(b"    ", dtype="<u4")[0]


def integers(values: Ints, width: int) -> Matrix:
    """``%Wd`` (right-aligned, ``-`` for negatives) of int64 values, built four digits at a
    time from tables: the leading group blank-padded, the groups after it zero-padded."""
    values = np.asarray(values, dtype=np.int64)
    count = len(values)
    if count and bool((values < 0).any()):
        return _signed_integers(values, width)
    high = int(values.max()) if count else 0
    if count and int(values.min()) == high:  # one value (an all-zero column): format it once
        return literal(count, b"%*d" % (width, high)).copy()
    chunks = max(1, (len(str(high)) + 3) // 4)
    groups = []
    rest = values
    for _ in range(chunks):
        groups.append(rest % 10000)
        rest = rest // 10000
    groups.reverse()  # most significant first
    words = np.empty((count, chunks), dtype="<u4")
    seen = np.zeros(count, dtype=bool)  # a more significant group was non-zero
    for j, group in enumerate(groups):
        last = j == chunks - 1
        lead = ~seen & ((group != 0) | last)
        words[:, j] = np.where(
            seen, _ZERO_PADDED[group], np.where(lead, _BLANK_PADDED[group], _BLANKS)
        )
        seen |= group != 0
    body = words.view(np.uint8).reshape(count, 4 * chunks)
    digits = len(str(high))
    total = max(width, digits)
    if total > 4 * chunks:
        pad = np.full((count, total - 4 * chunks), SPACE, dtype=np.uint8)
        if total > width:
            pad[:, : total - width] = 0
        body = np.concatenate([pad, body], axis=1)
    elif total < 4 * chunks:
        body = body[:, 4 * chunks - total :]
    if total > width:
        head = body[:, : total - width]
        head[head == SPACE] = 0  # beyond the width a short number leaves holes, not blanks
    return np.ascontiguousarray(body)


def _signed_integers(values: Ints, width: int) -> Matrix:
    """:func:`integers` for columns with negative numbers (pids as C ints): per digit."""
    count = len(values)
    negative = values < 0
    magnitude = np.abs(values)
    digits = _digits_needed(magnitude)
    length = digits + negative
    total = max(width, int(length.max()))
    out = np.zeros((count, total), dtype=np.uint8)
    from_right = total - 1 - np.arange(total)
    out[:, from_right < width] = SPACE
    rest = magnitude.copy()
    for k in range(int(digits.max())):
        present = k < digits
        out[present, total - 1 - k] = _ZERO + rest[present] % 10
        rest //= 10
    rows = np.flatnonzero(negative)
    out[rows, total - 1 - digits[rows]] = ord("-")
    return out


#: "00" .. "99" as 2-byte words.
_TWO_DIGITS = np.array([b"%02d" % i for i in range(100)], dtype="S2").view("<u2").copy()


def hundredths(ticks: Ints, width: int) -> Matrix:
    """``%W.2f`` of ``ticks / 100`` for non-negative integer tick counts, exactly as glibc
    prints the double ``ticks / 100.0`` (never a tie: the value is within an ulp of a
    multiple of 0.01)."""
    ticks = np.asarray(ticks, dtype=np.int64)
    whole = integers(ticks // 100, max(width - 3, 0))
    count, size = whole.shape
    out = np.empty((count, size + 3), dtype=np.uint8)
    out[:, :size] = whole
    out[:, size] = ord(".")
    fraction = _TWO_DIGITS[ticks % 100]
    out[:, size + 1 :] = fraction.view(np.uint8).reshape(count, 2)
    return out


_WIDTH = re.compile(r"%(-?)(\d*)")


def formatted(values: npt.NDArray[np.floating], fmt: str) -> Matrix:
    """``fmt % value`` for every value (a printf float conversion such as ``%9.2f``), computed
    once per distinct bit pattern; NaNs print as glibc prints them (``-nan`` with the sign
    bit)."""
    values = np.asarray(values, dtype=np.float64)
    bits, inverse = np.unique(values.view(np.uint64), return_inverse=True)
    texts = [c_float(fmt, v) for v in bits.view(np.float64).tolist()]
    table = np.array(texts or [b""], dtype=np.bytes_)
    return strings_matrix(table[inverse.reshape(-1)])


def c_float(fmt: str, value: float) -> bytes:
    if value != value:  # NaN: Python drops the sign glibc shows
        negative = np.signbit(np.float64(value))
        match = _WIDTH.match(fmt)
        flags, width = (match.group(1), match.group(2)) if match else ("", "")
        return (f"%{flags}{width}s" % ("-nan" if negative else "nan")).encode()
    return (fmt % value).encode()


def round_half_even_ratio(values: Ints, divisor: int) -> Ints:
    """``%.0f`` of the double ``values / divisor`` for non-negative integers and an even
    ``divisor`` that keeps every tie exact (100: a tie is k + 0.5, which a double holds)."""
    values = np.asarray(values, dtype=np.int64)
    quotient = values // divisor
    rest = values % divisor
    half = divisor // 2
    rounded: Ints = quotient + ((rest > half) | ((rest == half) & (quotient % 2 == 1)))
    return rounded


class Lines:
    """Rows under construction: fields appended left to right, joined with a newline each.

    Numbers wider than usual (a CPU time of 1000 seconds in a column of ``%6.2f``) widen
    their field for every row, leaving holes in all the others. So each field keeps its
    full matrix for the few *special* rows (wider, or with holes) and a trimmed one, without
    the columns only they use, for the rest: the common rows go out as one block, the
    special ones are laid out on their own and spliced in.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._parts: list[Matrix] = []
        self._trimmed: list[Matrix] = []
        self._special: npt.NDArray[np.bool_] | None = None

    def add(self, matrix: Matrix, solid: bool = False) -> None:
        """Append a field; ``solid`` promises it has no holes (saves a check)."""
        self._parts.append(matrix)
        if solid or matrix.size == 0:
            self._trimmed.append(matrix)
            return
        text = matrix != 0
        if text.all():
            self._trimmed.append(matrix)
            return
        used = np.count_nonzero(text, axis=0)
        cut = 0
        while cut < matrix.shape[1] and used[cut] * 64 <= self.count:
            cut += 1
        special = ~text[:, cut:].all(axis=1)
        if cut:
            special |= text[:, :cut].any(axis=1)
        self._trimmed.append(matrix[:, cut:])
        self._special = special if self._special is None else self._special | special

    def text(self, value: bytes) -> None:
        lit = literal(self.count, value)
        self._parts.append(lit)
        self._trimmed.append(lit)

    def matrix(self) -> Matrix:
        """The fields so far side by side (holes kept), without newlines."""
        if not self._parts:
            return np.zeros((self.count, 0), dtype=np.uint8)
        return np.concatenate(self._parts, axis=1)

    def finish(self) -> bytes:
        """Every row with its holes dropped, newline-terminated."""
        return b"".join(self.pieces())

    def pieces(self) -> list[bytes | memoryview]:
        """:meth:`finish`'s bytes in pieces (without joining them, which would copy)."""
        if self.count == 0:
            return []
        self.text(b"\n")
        special = self._special
        rows = np.zeros(0, dtype=np.intp) if special is None else np.flatnonzero(special)
        if len(rows) * 6 > self.count:
            joined = _side_by_side(self._parts, self.count)
            flat = joined.reshape(-1)
            return [_buffer(flat[flat != 0])]
        common = _side_by_side(self._trimmed, self.count)
        if len(rows) == 0:
            return [_buffer(common)]
        odd = _side_by_side([part[rows] for part in self._parts], len(rows))
        odd_lengths = np.count_nonzero(odd, axis=1)
        flat = odd.reshape(-1)
        odd_bytes = flat[flat != 0].tobytes()
        bounds = np.concatenate([[0], np.cumsum(odd_lengths)]).tolist()
        pieces: list[bytes | memoryview] = []
        previous = 0
        for i, row in enumerate(rows.tolist()):
            pieces.append(_buffer(common[previous:row]))
            pieces.append(odd_bytes[bounds[i] : bounds[i + 1]])
            previous = row + 1
        pieces.append(_buffer(common[previous:]))
        return pieces


def _side_by_side(parts: list[Matrix], count: int) -> Matrix:
    """Fields joined into one row-major matrix."""
    width = sum(part.shape[1] for part in parts)
    joined = np.empty((count, width), dtype=np.uint8)
    col = 0
    for part in parts:
        joined[:, col : col + part.shape[1]] = part
        col += part.shape[1]
    return joined


def _buffer(matrix: npt.NDArray[np.uint8]) -> memoryview:
    """The bytes of a C-contiguous array, without copying them."""
    return memoryview(np.ascontiguousarray(matrix).reshape(-1).data)
