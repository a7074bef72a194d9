"""The common message, written without being parsed field by field.

Most messages are already in the shape the traditional file format writes: a valid PRI, a
canonical ``Mmm dd hh:mm:ss`` (English month, day padded with a space), from the network a
hostname, a TAG followed by a space, and no control characters. For such a message the line
rsyslog's RSYSLOG_TraditionalFileFormat produces is the received text itself after the PRI
(from the network), or the reception time and local hostname followed by the text after the
timestamp (from the unix socket, whose timestamps are replaced). One regular expression
recognises the shape (a first word that is not a hostname is the TAG, and the sender's name
is written instead); everything else goes through message.parse, and the tests check that
both ways give the same line.
"""

from __future__ import annotations

import re

_STAMP = (
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?: [1-9]|[12]\d|3[01]) "
    rb"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60) "
)
_TAG_AND_TEXT = rb"[^: \x00-\x1f]{0,510}:? [^\x00-\x1f]*"
_HOST = rb"[A-Za-z0-9._-]*[A-Za-z0-9] "
#: With a hostname (group 3), or with a first word that cannot be one: then the sender's.
_NETWORK = re.compile(
    rb"<(\d{1,3})>("
    + _STAMP
    + rb")(?:("
    + _HOST
    + rb")|(?!"
    + _HOST
    + rb"))("
    + _TAG_AND_TEXT
    + rb")"
)
_LOCAL = re.compile(rb"<(\d{1,3})>" + _STAMP + rb"(" + _TAG_AND_TEXT + rb")")

#: The highest valid PRI.
_MAX_PRI = 191


def network_line(raw: bytes, sender: bytes) -> tuple[int, bytes] | None:
    """(PRI, the line without its newline) for a canonical message from the network;
    ``sender`` is the name of the host it came from, for messages that do not name one."""
    m = _NETWORK.fullmatch(raw)
    if m is None:
        return None
    pri = int(m.group(1))
    if pri > _MAX_PRI:
        return None
    return pri, m.group(2) + (m.group(3) or sender + b" ") + m.group(4)


def local_text(raw: bytes) -> tuple[int, bytes] | None:
    """(PRI, TAG and text) for a canonical message from the unix socket."""
    m = _LOCAL.fullmatch(raw)
    if m is None:
        return None
    pri = int(m.group(1))
    return (pri, m.group(2)) if pri <= _MAX_PRI else None
