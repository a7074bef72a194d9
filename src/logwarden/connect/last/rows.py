"""``last --json`` / ``--csv``: one row per line the classic text would print.

Fields: ``user``, ``tty``, ``host`` (never cut to a column width), ``login`` and ``logout`` in
ISO 8601 with the local UTC offset (``logout`` is null when the session has none), ``status``
and ``duration`` (seconds, logout minus login; null without a logout).

Status is one of ``normal``, ``crash`` (ended by the next boot), ``down`` (ended by a
shutdown), ``still-logged-in``, ``gone`` (no logout, and the session is not open any more),
``still-running`` (a boot with no shutdown since), ``time-change`` (``-x``: the clock was set)
and, for ``lastb``, ``failed``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from logwarden.connect.last import analyse as analysis
from logwarden.connect.last import fields
from logwarden.connect.last.clock import iso, utc_offsets
from logwarden.connect.last.selection import Selection
from logwarden.connect.last.text import BLOCK, TextOptions
from logwarden.formats import utmp

FIELDS = ("user", "tty", "host", "login", "logout", "status", "duration")

_STATUS = {
    analysis.CRASH: "crash",
    analysis.DOWN: "down",
    analysis.NOW: "still-logged-in",
    analysis.PHANTOM: "gone",
    analysis.TIMECHANGE: "time-change",
}
_WITHOUT_LOGOUT = ("still-logged-in", "gone", "time-change", "still-running", "failed")


def rows(
    records: utmp.Records,
    selection: Selection,
    options: TextOptions,
    now: int,
    lastb: bool,
) -> Iterator[dict[str, object]]:
    """The rows of ``selection``, newest first."""
    listing = selection.listing
    for start in range(0, len(listing), BLOCK):
        part = np.arange(start, min(start + BLOCK, len(listing)))
        rec = listing.rec[part]
        sub = analysis.Listing(
            rec, listing.kind[part], listing.logout[part], listing.label[part],
            listing.runlevel[part], listing.unknown_rec, listing.unknown_type,
        )  # fmt: skip
        names = fields.users(records, rec, None)
        ttys = fields.ttys(records, sub)
        if options.dns or options.ip:
            hosts = fields.addresses(records, rec, numeric=options.ip)
        else:
            hosts = fields.hosts(records, rec, 255)
        login = records.raw["sec"][rec].astype(np.int64)
        logout = sub.logout
        both = np.concatenate([login, logout])
        stamps = iso(both, utc_offsets(both))
        texts = [row.tobytes().decode("ascii") for row in stamps]
        for i in range(len(rec)):
            kind = int(sub.kind[i])
            status = "failed" if lastb else _STATUS.get(kind, "normal")
            if status == "normal" and logout[i] == now:
                status = "still-running"
            ended = status not in _WITHOUT_LOGOUT
            yield {
                "user": names[i],
                "tty": ttys[i],
                "host": hosts[i],
                "login": texts[i],
                "logout": texts[len(rec) + i] if ended else None,
                "status": status,
                "duration": int(logout[i] - login[i]) if ended else None,
            }
