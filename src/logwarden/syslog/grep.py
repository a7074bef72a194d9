"""Searching program logs: a pattern on each record's text, plus filters on its fields.

A record is a line, or one of sudo's wrapped entries. The pattern (a Python regular
expression on the bytes, or a fixed string) is tried on the record as written; the time,
program, host and user filters use the parsed fields, so they also work where the text
alone would be ambiguous (``--user root`` finds sudo's ``USER=root`` entries by whom ran
them, not by the word).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from logwarden.errors import UsageError
from logwarden.sources import logset
from logwarden.syslog import proglogs
from logwarden.syslog.proglogs import Entry

_WHEN = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?(Z|[+-]\d\d:?\d\d)?$")


def parse_when(text: str) -> datetime:
    """``YYYY-MM-DD[ HH:MM[:SS]][zone]`` as an aware datetime (local time without a zone)."""
    m = _WHEN.match(text.strip())
    if m is None:
        raise UsageError(f"cannot read the time {text!r}: use YYYY-MM-DD[ HH:MM[:SS]]", exit_code=2)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    h, mi, s = (int(g) if g else 0 for g in (m.group(4), m.group(5), m.group(6)))
    zone = m.group(7)
    if zone is None:
        return proglogs._local(y, mo, d, h, mi, s)
    iso = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{'+00:00' if zone == 'Z' else zone}"
    return datetime.fromisoformat(iso)


@dataclass
class Criteria:
    """What a record must satisfy."""

    pattern: re.Pattern[bytes] | None = None
    invert: bool = False
    since: datetime | None = None
    until: datetime | None = None
    program: str | None = None
    host: str | None = None
    user: str | None = None
    kind: str = "auto"
    year: int | None = None

    def matches(self, entry: Entry) -> bool:
        if self.pattern is not None:
            found = self.pattern.search(entry.raw) is not None
            if found == self.invert:
                return False
        elif self.invert:
            return False
        if self.since is not None and (entry.time is None or entry.time < self.since):
            return False
        if self.until is not None and (entry.time is None or entry.time >= self.until):
            return False
        if self.program is not None and entry.program != self.program:
            return False
        if self.host is not None and entry.host != self.host:
            return False
        return self.user is None or entry.user == self.user


def compile_pattern(text: str, *, fixed: bool, ignore_case: bool) -> re.Pattern[bytes]:
    """The pattern as bytes regex (UTF-8), escaped when ``fixed``."""
    source = text.encode("utf-8", "surrogateescape")
    if fixed:
        source = re.escape(source)
    try:
        return re.compile(source, re.IGNORECASE if ignore_case else 0)
    except re.error as e:
        raise UsageError(f"bad pattern {text!r}: {e}", exit_code=2) from None


def search(paths: list[str], criteria: Criteria) -> Iterator[Entry]:
    """Matching records of every file in turn (rotated sets oldest first)."""
    for path in logset.expand(paths):
        for entry in proglogs.read(path, criteria.kind, criteria.year):
            if criteria.matches(entry):
                yield entry
