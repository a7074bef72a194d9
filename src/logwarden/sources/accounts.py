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

    Lines that are not ``name:pw:uid:gid:gecos:home:shell`` with numeric ids are skipped, as
    glibc's files backend skips them. The first entry for a name or uid wins, as with NSS.
    """

    live = False

    def __init__(self, passwd_path: str, group_path: str | None = None) -> None:
        self._users = _read_passwd(passwd_path)
        self._by_name: dict[bytes, User] = {}
        self._by_uid: dict[int, User] = {}
        for user in self._users:
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
    users = []
    for raw in _lines(path):
        fields = raw.split(b":")
        if len(fields) != 7 or not fields[0] or raw.startswith((b"#", b"+", b"-")):
            continue
        try:
            uid, gid = int(fields[2]), int(fields[3])
        except ValueError:
            continue
        users.append(User(fields[0], uid, gid, fields[5], fields[6]))
    return users


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
