"""``tai64nfrac``: multilog's ``@tai64n`` labels as Unix seconds with a fraction.

qmailanalog's scripts subtract timestamps, so a multilog log goes through tai64nfrac before
matchup: a line starting with ``@`` has its label (the lowercase hex digits after the ``@``,
as tai64nlocal reads them) replaced by ``seconds.nanoseconds`` (nine digits, as Russ
Allbery's tai64nfrac 1.4 prints; 1.3 dropped the leading zeros of the nanoseconds). Other
lines pass through unchanged. Like daemontools, no leap seconds: the label minus 2**62+10.
"""

from __future__ import annotations

import re

from logwarden.formats import tai64

_MASK64 = (1 << 64) - 1
_LABELLED = re.compile(rb"^@([0-9a-f]*)", re.MULTILINE)


def convert_label(digits: bytes) -> bytes:
    """``sec.nnnnnnnnn`` for the hex digits of one label (seconds as C's unsigned long)."""
    label = tai64.parse_digits(digits, 0).label
    seconds = (label.seconds - tai64.TAI64_OFFSET) & _MASK64
    return b"%d.%09d" % (seconds, label.nanoseconds)


def tai64nfrac(data: bytes) -> bytes:
    """Convert every labelled line of ``data`` (any number of whole or partial lines)."""
    return _LABELLED.sub(lambda m: convert_label(m.group(1)), data)
