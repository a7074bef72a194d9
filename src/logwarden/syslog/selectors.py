"""The selector half of a syslog.conf line, decoded exactly as rsyslog's legacy parser does.

A rule keeps one mask of accepted severities per facility (bit s = severity s), all empty at
first. The selectors of ``sel;sel;...`` are applied left to right, each changing only the
masks of the facilities it names, so later ones refine earlier ones:

- ``fac.PRI`` sets the bits 0..PRI (PRI or more severe), ``fac.*`` sets all of them;
- ``fac.=PRI`` sets bit PRI only;
- ``fac.!PRI`` clears bits 0..PRI, ``fac.!=PRI`` clears bit PRI, ``fac.!*`` clears all;
- ``fac.none`` clears all (``fac.!none`` sets all);
- ``*`` names every facility, mark included; a comma separates facilities only.

A negation applied to an empty mask leaves it empty (``mail.!info`` alone matches nothing), as
sysklogd and rsyslog up to 8.2604 (Debian 12 ships 8.2302) do.

Like rsyslog, decoding stops at the first unknown name and keeps the masks built so far: the
rule still works for what came before the mistake, and the mistake is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logwarden.syslog.names import (
    ALLPRI,
    NFACILITIES,
    NOPRI,
    SELECTOR_FACILITIES,
    SELECTOR_PRIORITIES,
)

ALL_SEVERITIES = 0xFF

#: What rsyslog's lexer takes as a selector at the start of a line (case-insensitive): a
#: facility name (letters, then digits 0-7), a dot or comma, then selector characters.
SELECTOR_TOKEN = re.compile(r"[*a-z][*a-z]*[0-7]*[.,][,!=;.*a-z0-7]+", re.IGNORECASE | re.ASCII)
#: What may follow a ``:`` typed where a ``;`` was meant (the seed writes ``*.info:mail.none``).
SELECTOR_TAIL = re.compile(r"[,!=;.*a-z0-7]+", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, slots=True)
class SelectorError:
    """The first name decoding could not read: ``offset`` into the selector text."""

    offset: int
    message: str


def _atoi(text: str) -> int:
    digits = re.match(r"\d*", text)
    return int(digits.group()) if digits and digits.group() else 0


def _decode_name(name: str, table: dict[str, int]) -> int:
    """rsyslog's decodeSyslogName: a leading digit means a number (atoi), else a name."""
    if name[:1].isdigit():
        return _atoi(name)
    return table.get(name.lower(), -1)


def _apply(mask: int, pri: int, single: bool, negate: bool) -> int:
    if pri == NOPRI:
        return ALL_SEVERITIES if negate else 0
    if single:
        # Shifting by the pseudo priority's value is what the C code does; on x86 the count
        # wraps at 32 and the bit falls outside the byte, so ``=*`` changes nothing.
        bit = (1 << (pri & 31)) & 0xFF
        return mask & ~bit if negate else mask | bit
    if pri == ALLPRI:
        return 0 if negate else ALL_SEVERITIES
    bits = ((1 << (pri + 1)) - 1) & 0xFF
    return mask & ~bits if negate else mask | bits


def decode(text: str) -> tuple[list[int], SelectorError | None]:
    """The per-facility severity masks of ``text`` (``mail.*;mail.!err``) and the first error."""
    masks = [0] * NFACILITIES
    n = len(text)
    p = 0
    while p < n:
        # The priority follows the first dot; the facility list is what comes before it.
        q = p
        while q < n:
            q += 1
            if text[q - 1] == ".":
                break
        start = q
        while q < n and text[q] not in ",;":
            q += 1
        word = text[start:q]
        while q < n and text[q] in ",;":
            q += 1
        negate = word.startswith("!")
        if negate:
            word = word[1:]
        single = word.startswith("=")
        pri = _decode_name(word[1:] if single else word, SELECTOR_PRIORITIES)
        if pri < 0:
            return masks, SelectorError(start, f'unknown priority name "{word}"')
        while p < n and text[p] not in ".;":
            name_start = p
            while p < n and text[p] not in ",;.":
                p += 1
            name = text[name_start:p]
            if name.startswith("*"):
                facilities: range | tuple[int, ...] = range(NFACILITIES)
            else:
                code = _decode_name(name, SELECTOR_FACILITIES)
                if code < 0:
                    return masks, SelectorError(name_start, f'unknown facility name "{name}"')
                if code >> 3 >= NFACILITIES:
                    return masks, SelectorError(name_start, f"facility number {code} too large")
                facilities = (code >> 3,)
            for facility in facilities:
                masks[facility] = _apply(masks[facility], pri, single, negate)
            while p < n and text[p] == ",":
                p += 1
        p = q
    if text.endswith((",", ";")):
        # rsyslog reads past the end of a selector that ends in a separator and then
        # complains about an empty priority name; the masks stay as decoded.
        return masks, SelectorError(n, 'unknown priority name ""')
    return masks, None
