"""Reading utmp the way coreutils does: entries in file order, stale logins dropped.

coreutils' ``read_utmp`` (with READ_UTMP_CHECK_PIDS, used when no file is named) drops a user
process whose pid no longer exists on this machine. With a file named on the command line the
check is skipped: the file may well come from another machine.
"""

from __future__ import annotations

import errno
import os

from logwarden.formats import utmp
from logwarden.sources.utmpfile import UtmpFile, open_utmp


def is_user_process(entry: utmp.Entry) -> bool:
    """coreutils' IS_USER_PROCESS: a USER_PROCESS record with a non-empty name."""
    return entry.type == utmp.USER_PROCESS and entry.user != b""


def process_exists(pid: int) -> bool:
    """False only when ``kill(pid, 0)`` says there is no such process (ESRCH)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError as e:
        return e.errno != errno.ESRCH
    return True


def read_entries(
    path: str, *, check_pids: bool, layout: utmp.Layout | None = None
) -> tuple[list[utmp.Entry], UtmpFile]:
    """Every entry of ``path`` in file order, minus stale user processes if ``check_pids``."""
    source = open_utmp(path, layout)
    entries = source.records.entries()
    if check_pids:
        entries = [
            e
            for e in entries
            if not (is_user_process(e) and e.pid > 0 and not process_exists(e.pid))
        ]
    return entries, source
