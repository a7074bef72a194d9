"""User and group names for the ids in pacct records, as GNU acct's ``uid_hash.c`` gives them.

GNU asks ``getpwuid``/``getgrgid`` once per distinct id and, for an id with no entry, prints
the id as a C ``int`` (so 4294967295 shows as ``-1``). With ``--passwd``/``--group`` the names
come from another host's files instead of this machine's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from logwarden.acct.codes import distinct_codes
from logwarden.sources.accounts import Accounts


def _as_int(value: int) -> bytes:
    return b"%d" % (value - (1 << 32) if value >= 1 << 31 else value)


def user_name(accounts: Accounts, uid: int) -> bytes:
    """GNU's ``uid_name``."""
    user = accounts.by_uid(uid)
    return user.name if user is not None else _as_int(uid)


def group_name(accounts: Accounts, gid: int) -> bytes:
    """GNU's ``gid_name``."""
    name = accounts.group_name(gid)
    return name if name is not None else _as_int(gid)


def _column(ids: npt.NDArray[np.integer], name: Callable[[int], bytes]) -> npt.NDArray[np.bytes_]:
    distinct, inverse = distinct_codes(ids)
    table = np.array([name(i) for i in distinct.tolist()] or [b""], dtype=np.bytes_)
    named: npt.NDArray[np.bytes_] = table[inverse]
    return named


def user_codes(
    accounts: Accounts, uids: npt.NDArray[np.integer]
) -> tuple[npt.NDArray[np.bytes_], npt.NDArray[np.intp]]:
    """(names of the distinct uids, each record's index among them)."""
    distinct, inverse = distinct_codes(uids)
    names = [user_name(accounts, uid) for uid in distinct.tolist()]
    return np.array(names or [b""], dtype=np.bytes_)[: len(names)], inverse


def group_codes(
    accounts: Accounts, gids: npt.NDArray[np.integer]
) -> tuple[npt.NDArray[np.bytes_], npt.NDArray[np.intp]]:
    """(names of the distinct gids, each record's index among them)."""
    distinct, inverse = distinct_codes(gids)
    names = [group_name(accounts, gid) for gid in distinct.tolist()]
    return np.array(names or [b""], dtype=np.bytes_)[: len(names)], inverse


def user_names(accounts: Accounts, uids: npt.NDArray[np.integer]) -> npt.NDArray[np.bytes_]:
    """The name of every uid, looked up once per distinct uid."""
    return _column(uids, lambda uid: user_name(accounts, uid))


def group_names(accounts: Accounts, gids: npt.NDArray[np.integer]) -> npt.NDArray[np.bytes_]:
    """The name of every gid, looked up once per distinct gid."""
    return _column(gids, lambda gid: group_name(accounts, gid))
