"""User and group names: this host's (through NSS, as the classic tools do) or another host's.

A forensic analyst holding ``/etc/passwd`` and ``/etc/group`` copied off the host the logs came
from passes them with ``--passwd FILE`` and ``--group FILE``; the names then come from those
files, never from the machine doing the analysis.
"""

from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass
from typing import Protocol

from logwarden.cnum import strtoul
from logwarden.errors import InputError


@dataclass(frozen=True, slots=True)
class User:
    """One passwd entry; ``name`` is bytes, as utmp and lastlog store names."""

    name: bytes
    uid: int
    gid: int
    home: bytes
    shell: bytes


class Accounts(Protocol):
    """Where names come from."""

    #: True for this machine's live accounts, False for files of another host.
    live: bool

    def users(self) -> list[User]: ...

    def by_name(self, name: bytes) -> User | None: ...

    def by_uid(self, uid: int) -> User | None: ...

    def group_name(self, gid: int) -> bytes | None: ...


class LocalAccounts:
    """This machine's accounts through NSS (``getpwnam``/``getpwent``), like the C tools."""

    live = True

    def users(self) -> list[User]:
        return [_user(p) for p in pwd.getpwall()]

    def by_name(self, name: bytes) -> User | None:
        try:
            return _user(pwd.getpwnam(os.fsdecode(name)))
        except (KeyError, ValueError):
            return None

    def by_uid(self, uid: int) -> User | None:
        try:
            return _user(pwd.getpwuid(uid))
        except (KeyError, OverflowError):
            return None

    def group_name(self, gid: int) -> bytes | None:
        try:
            return os.fsencode(grp.getgrgid(gid).gr_name)
        except (KeyError, OverflowError):
            return None


def _user(p: pwd.struct_passwd) -> User:
    return User(
        os.fsencode(p.pw_name),
        p.pw_uid,
        p.pw_gid,
        os.fsencode(p.pw_dir),
        os.fsencode(p.pw_shell),
    )


class FileAccounts:
    """Accounts read from a passwd file (and optionally a group file) of another host.

    Lines are parsed as glibc's files backend parses them (:func:`parse_passwd_line`), so
    that the entries, their order and their ids are those ``getpwent`` gives on the host the
    file came from. The first entry for a name or uid wins, as with NSS.
    """

    live = False

    def __init__(self, passwd_path: str, group_path: str | None = None) -> None:
        self._users = _read_passwd(passwd_path)
        self._by_name: dict[bytes, User] = {}
        self._by_uid: dict[int, User] = {}
        for user in self._users:
            if user.name[:1] in (b"+", b"-"):
                continue  # glibc's getpwnam/getpwuid never return NIS compat entries
            self._by_name.setdefault(user.name, user)
            self._by_uid.setdefault(user.uid, user)
        self._groups = _read_group(group_path) if group_path else {}

    def users(self) -> list[User]:
        return list(self._users)

    def by_name(self, name: bytes) -> User | None:
        return self._by_name.get(name)

    def by_uid(self, uid: int) -> User | None:
        return self._by_uid.get(uid)

    def group_name(self, gid: int) -> bytes | None:
        return self._groups.get(gid)


def _lines(path: str) -> list[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read().splitlines()
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None


def _read_passwd(path: str) -> list[User]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None
    # Lines end at "\n" only: a "\r" stays in the last field, as glibc leaves it.
    parsed = (parse_passwd_line(raw) for raw in data.split(b"\n"))
    return [user for user in parsed if user is not None]


def _id_field(text: bytes, *, may_be_empty: bool) -> tuple[int, bytes] | None:
    """A numeric field and what follows its colon, as glibc's INT_FIELD reads it: strtoul,
    then a colon or the end; more than 32 bits (or a negative number) is refused."""
    if may_be_empty and not text:
        return None
    value, end, _ = strtoul(text.decode("latin-1"))
    if end == 0 and not may_be_empty:
        return None
    if value > 0xFFFFFFFF:
        return None
    rest = text[end:]
    if rest.startswith(b":"):
        return value, rest[1:]
    return (value, b"") if not rest else None


def parse_passwd_line(raw: bytes) -> User | None:
    """One passwd line as glibc's files backend parses it, or None where it skips the line.

    Leading white space is skipped, empty and ``#`` lines are ignored, missing trailing
    fields are empty, a last field keeps any further colons, and ``+``/``-`` (NIS compat)
    entries are kept with ids that may be empty (0) and, alone on a line, uid 0.
    """
    line = raw.partition(b"\0")[0].lstrip(b" \t\n\v\f\r")
    if not line or line.startswith(b"#"):
        return None
    name, _, rest = line.partition(b":")
    compat = name[:1] in (b"+", b"-")
    if compat and not rest:
        return User(name, 0, 0, b"", b"")
    rest = rest.partition(b":")[2]  # the password field
    uid_field = _id_field(rest, may_be_empty=compat)
    if uid_field is None:
        return None
    uid, rest = uid_field
    gid_field = _id_field(rest, may_be_empty=compat)
    if gid_field is None:
        return None
    gid, rest = gid_field
    rest = rest.partition(b":")[2]  # gecos
    home, _, shell = rest.partition(b":")
    return User(name, uid, gid, home, shell)


def _read_group(path: str) -> dict[int, bytes]:
    groups: dict[int, bytes] = {}
    for raw in _lines(path):
        fields = raw.split(b":")
        if len(fields) != 4 or not fields[0] or raw.startswith((b"#", b"+", b"-")):
            continue
        try:
            groups.setdefault(int(fields[2]), fields[0])
        except ValueError:
            continue
    return groups


def accounts_for(passwd: str | None, group: str | None = None) -> Accounts:
    """``--passwd``/``--group`` files when given, this machine's accounts otherwise."""
    if passwd is None and group is None:
        return LocalAccounts()
    if passwd is None:
        raise InputError(group or "", "--group needs --passwd from the same host")
    return FileAccounts(passwd, group)
