"""users: the login names of everyone logged in, sorted, once per session (coreutils 9.1)."""

from __future__ import annotations

from collections.abc import Iterable

from logwarden.connect.current import is_user_process
from logwarden.formats import utmp


def trimmed_name(entry: utmp.Entry) -> bytes:
    """The name as coreutils extracts it: the field up to its NUL, trailing spaces removed."""
    return entry.user.rstrip(b" ")


def session_names(entries: Iterable[utmp.Entry]) -> list[bytes]:
    """One name per user-process entry, sorted byte-wise as ``strcmp`` sorts them."""
    return sorted(trimmed_name(e) for e in entries if is_user_process(e))


def render(names: list[bytes]) -> bytes:
    """The classic line: names separated by spaces; nothing at all when nobody is on."""
    return b" ".join(names) + b"\n" if names else b""
