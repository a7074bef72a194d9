"""What every reader needs to know about the host it reads: its name, root, zone and accounts,
and where to tell what was wrong with its files.

Everything comes from the root itself (``ROOT/etc/hostname``, ``ROOT/etc/passwd``,
``ROOT/etc/group``, ``ROOT/etc/localtime``) or from the command line; nothing from the machine
doing the reading, which for a forensic copy is the wrong machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from logwarden.acct.ttys import StaticTtys
from logwarden.events.zone import HostZone
from logwarden.events.zone import for_root as zone_of_root
from logwarden.sources.accounts import Accounts, FileAccounts, User


class NoAccounts:
    """A host whose passwd file is missing: ids stay numbers, names have no ids."""

    live = False

    def users(self) -> list[User]:
        return []

    def by_name(self, name: bytes) -> User | None:
        return None

    def by_uid(self, uid: int) -> User | None:
        return None

    def group_name(self, gid: int) -> bytes | None:
        return None


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file: where, and what (one line, no log text in it)."""

    #: The file on this machine, and as the host names it (``/var/log/wtmp``).
    path: str
    shown: str
    offset: int | None
    message: str
    #: How many records or lines it concerns (0: the whole file).
    count: int = 0

    def __str__(self) -> str:
        where = self.path if self.offset is None else f"{self.path}: offset {self.offset}"
        return f"{where}: {self.message}"


@dataclass
class HostContext:
    """One host's root and what its readers share."""

    root: str
    host: str
    zone: HostZone
    accounts: Accounts
    ttys: StaticTtys = field(default_factory=StaticTtys)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def shown(self, path: str) -> str:
        """``path`` as the host names it (``/var/log/wtmp``), for events and messages."""
        rel = os.path.relpath(path, self.root)
        return "/" + rel if not rel.startswith("..") else path

    def problem(self, path: str, offset: int | None, message: str, count: int = 0) -> None:
        self.problems.append(Problem(path, self.shown(path), offset, message, count))


def host_name(root: str) -> str:
    """The host's name from ``ROOT/etc/hostname``, else the root directory's name."""
    try:
        with open(os.path.join(root, "etc/hostname"), encoding="utf-8", errors="replace") as f:
            name = f.readline().strip()
            if name:
                return name
    except OSError:
        pass
    base = os.path.basename(os.path.abspath(root).rstrip("/"))
    return base or "localhost"


def accounts_of(root: str) -> Accounts:
    """The root's own passwd and group files (never this machine's NSS)."""
    passwd = os.path.join(root, "etc/passwd")
    group = os.path.join(root, "etc/group")
    if not os.path.isfile(passwd):
        return NoAccounts()
    return FileAccounts(passwd, group if os.path.isfile(group) else None)


def open_host(root: str, host: str | None = None, zone: HostZone | None = None) -> HostContext:
    """The context of the host under ``root`` (``--host`` and ``--tz`` override)."""
    notes: list[str] = []
    if zone is None:
        zone, note = zone_of_root(root)
        if note:
            notes.append(note)
    return HostContext(
        root=root,
        host=host or host_name(root),
        zone=zone,
        accounts=accounts_of(root),
        notes=notes,
    )
