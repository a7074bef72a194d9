"""The line-prefix patterns, written once for both readers: Python's ``re`` (line by line)
and polars' Rust regex (column-wise). Only ASCII classes are used, so that both engines
agree on every byte (Rust's ``\\s`` and ``\\d`` would also match some non-ASCII letters)."""

from __future__ import annotations

_BLANK = r"[ \t\n\r\f\v]"
_WORD = r"[^ \t\n\r\f\v]"

#: ``@`` + 24 hex digits (multilog t / tai64n); groups: label, text.
MULTILOG = r"^@([0-9a-f]{24}) ?(.*)$"
#: tai64nlocal / tailocal; groups: date, time, fraction, text.
LOCAL = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))? (.*)$"
#: splogger's / accustamp's ``sec.usec``; groups: stamp, seconds, fraction, separator, text.
UNIX = r"^(([0-9]{1,12})(?:\.([0-9]{1,9}))?)([ +])(.*)$"
#: A syslog line from splogger (RFC 3164 or RFC 3339 stamp, ``host tag: `` or the seed's
#: ``tag : ``); groups: host, stamp, seconds, fraction, separator, text.
SYSLOG = (
    r"^(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})) "
    rf"({_WORD}+) [^ \t\n\r\f\v:\[]+(?:\[[0-9]+\])? ?: ?"
    r"(([0-9]{1,12})(?:\.([0-9]{1,9}))?)([ +])(.*)$"
)
#: How qmail-send's sentences start: an unstamped line is one of them only if it starts so.
SENTENCE = (
    r"^(?:status: |new msg |info msg |bounce msg |(?:triple|double) bounce: |end msg "
    r"|starting delivery |delivery [0-9]|alert: |warning: |warn: )"
)
