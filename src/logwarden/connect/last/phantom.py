"""Is a session without logout still open, or gone? (util-linux's ``is_phantom``)

A login with no logout and no later boot is either still going on or a "phantom": its
process died without writing a logout. util-linux asks the machine it runs on:

1. did the login happen before this machine booted?        -> gone
2. is the user unknown to this machine's passwd?             -> gone
3. ``/proc/PID/loginuid`` readable: does it hold the user's uid?  no -> gone
4. otherwise ``/dev/LINE`` must exist and belong to the user;  else gone

(before step 2 the name is cut to 31 bytes, so a 32-byte name never matches, and the line
shows that shorter name). That is right for this machine's own wtmp and meaningless for a
file from another host. With ``--passwd FILE`` logwarden asks that file instead and nothing
else: the user exists there -> "still logged in", otherwise "gone - no logout".
"""

from __future__ import annotations

import os
import re
import time
from typing import Protocol

from logwarden.sources.accounts import Accounts, FileAccounts, LocalAccounts

_LEADING_NUMBER = re.compile(rb"\s*([+-]?)(\d+)")


class PhantomPolicy(Protocol):
    """Decides "still logged in" versus "gone - no logout"."""

    #: Logins at or after this time have their name cut to 31 bytes first (None: never).
    cut_after: int | None

    def is_phantom(self, user: bytes, pid: int, line: bytes, login: int) -> bool: ...


class LiveMachine:
    """util-linux's checks against the running machine (its boot time, passwd, /proc, /dev)."""

    def __init__(self, accounts: Accounts | None = None) -> None:
        self._accounts = accounts or LocalAccounts()
        self.cut_after: int | None = boot_time()

    def is_phantom(self, user: bytes, pid: int, line: bytes, login: int) -> bool:
        if self.cut_after is not None and login < self.cut_after:
            return True
        account = self._accounts.by_name(user[:31])
        if account is None:
            return True
        proc = f"/proc/{pid & 0xFFFFFFFF}/loginuid"
        if os.access(proc, os.R_OK):
            try:
                with open(proc, "rb") as f:
                    text = f.read()
            except OSError:
                return True
            match = _LEADING_NUMBER.match(text)
            if match is None:
                return True
            loginuid = int(match.group(2)) * (-1 if match.group(1) == b"-" else 1)
            return account.uid != loginuid & 0xFFFFFFFF
        try:
            owner = os.stat(b"/dev/" + line).st_uid
        except (OSError, ValueError):
            return True
        return account.uid != owner


class OtherHost:
    """``--passwd FILE``: a session is still open exactly when its user exists on that host."""

    cut_after: int | None = None

    def __init__(self, accounts: FileAccounts) -> None:
        self._accounts = accounts

    def is_phantom(self, user: bytes, pid: int, line: bytes, login: int) -> bool:
        return self._accounts.by_name(user) is None


def boot_time() -> int:
    """When this machine booted, as util-linux computes it: now minus CLOCK_BOOTTIME."""
    now_us = time.time_ns() // 1000
    up_us = time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1000
    return (now_us - up_us) // 1_000_000


def policy_for(passwd: str | None, accounts: Accounts) -> PhantomPolicy:
    """The live checks by default; the other host's passwd with ``--passwd``."""
    if passwd is not None and isinstance(accounts, FileAccounts):
        return OtherHost(accounts)
    return LiveMachine(accounts)
