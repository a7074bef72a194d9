"""util-linux's ``fputs_careful``: how ``last`` prints the bytes of a line safely.

Debian's util-linux 2.38.1 carries the fix for CVE-2024-28085, which replaced the byte-wise
``fputc_careful`` with a multibyte-aware ``fputs_careful(line, stdout, '*', false)``:

* printable ASCII, BEL, TAB, CR and LF are written as they are;
* other ASCII bytes (control characters, DEL) become ``*`` and the byte XOR 0x40 (``\\x01`` ->
  ``*A``, DEL -> ``*?``);
* a byte >= 0x80 starts a character when the locale decodes one there (``mbtowc``) and it
  is printable (``iswprint``): the whole character is written; otherwise that single byte
  is written as ``\\ooo`` and decoding resumes at the next byte.

In the C locale nothing above 0x7F decodes, so every such byte is octal. The locale is the
one the C library runs in (set from LC_ALL / LC_CTYPE / LANG when the program started).
"""

from __future__ import annotations

import locale
import os
import re
import sys
from collections.abc import Callable
from functools import cache

import numpy as np
import numpy.typing as npt

_SAFE = bytes(range(0x20, 0x7F)) + b"\a\t\r\n"
_UNSAFE = re.compile(rb"[^\x20-\x7e\a\t\r\n]")

#: True for the bytes that fputs_careful does not write as they are.
UNSAFE_BYTES = np.ones(256, dtype=bool)
UNSAFE_BYTES[np.frombuffer(_SAFE, dtype=np.uint8)] = False


def needs_care(matrix: npt.NDArray[np.uint8]) -> bool:
    """Whether any byte of ``matrix`` (NUL padding aside) would not be written as it is."""
    if matrix.size == 0:
        return False
    flagged = UNSAFE_BYTES[matrix]
    return bool((flagged & (matrix != 0)).any())


def multibyte_locale() -> bool:
    """True when the C library's character set is UTF-8 (LC_CTYPE of the environment)."""
    if _coerced_by_python():
        return False
    return locale.nl_langinfo(locale.CODESET).upper().replace("-", "") == "UTF8"


def _coerced_by_python() -> bool:
    """Whether Python switched itself to C.UTF-8 because the environment named no locale
    (PEP 538: it then sets LC_CTYPE and its UTF-8 mode); a C program started with the same
    environment runs in the C locale."""
    env = os.environ
    return (
        sys.flags.utf8_mode == 1
        and "LC_ALL" not in env
        and env.get("LC_CTYPE") in ("C.UTF-8", "C.utf8", "UTF-8")
        and env.get("LANG", "C") in ("C", "POSIX", "")
    )


@cache
def _iswprint() -> Callable[[int], int]:
    """The C library's ``iswprint`` (in the current LC_CTYPE), loaded on first use."""
    import ctypes

    libc = ctypes.CDLL(None)
    function = libc.iswprint
    function.argtypes = [ctypes.c_uint32]
    function.restype = ctypes.c_int
    return function


def careful(data: bytes, multibyte: bool | None = None) -> bytes:
    """``fputs_careful`` over ``data`` (whole lines); ``multibyte`` defaults to the locale's."""
    if not data.translate(None, _SAFE):
        return data
    if multibyte is None:
        multibyte = multibyte_locale()
    out = bytearray()
    pos = 0
    while (match := _UNSAFE.search(data, pos)) is not None:
        start = match.start()
        out += data[pos:start]
        byte = data[start]
        if byte < 0x80:
            out += bytes((42, byte ^ 0x40))
            pos = start + 1
            continue
        length = _printable_character(data, start) if multibyte else 0
        if length:
            out += data[start : start + length]
            pos = start + length
        else:
            out += b"\\%3o" % byte
            pos = start + 1
    out += data[pos:]
    return bytes(out)


def _printable_character(data: bytes, start: int) -> int:
    """Length of the printable UTF-8 character at ``start``, or 0 (invalid or unprintable)."""
    lead = data[start]
    length = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    chunk = data[start : start + length]
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return 0
    if len(text) != 1 or not _iswprint()(ord(text)):
        return 0
    return length
