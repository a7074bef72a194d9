"""Finding a host's logs under its root: what each file is, and its place in its rotation set.

Where the classic programs write, by name first (a name says what the file is even when it is
empty), then, for the other files under ``var/log``, by what the first lines look like:

==================================================  ===========================
path under the root                                  read as
==================================================  ===========================
``var/run/utmp``, ``run/utmp``                       utmp (who is on now)
``var/log/wtmp*``, ``var/adm/wtmp*``                 wtmp
``var/log/btmp*``, ``var/adm/btmp*``                 btmp
``var/log/lastlog``                                  lastlog
``var/log/account/pacct*``, ``var/account/pacct*``,  pacct
``var/log/pacct*``, ``var/adm/pacct*``
``var/log/sulog*``, ``var/adm/sulog*``               sulog
``var/log/sudo.log*``, ``var/log/sudo/sudo.log*``    sudo's log file
``var/log/{apache2,httpd,apache}/*access*``          Apache access log
``var/log/{apache2,httpd,apache}/*error*``           Apache error log
a directory holding ``current`` (and ``@*.s``)       multilog (qmail-send's when
anywhere under ``var/log`` or ``service/*/log``      its lines are qmail's)
``var/log/{auth.log,secure,messages,syslog,           syslog
maillog,mail.*,daemon.log,kern.log,cron,...}*``
any other file under ``var/log`` whose lines look    what they look like
like syslog's, sulog's, sudo's or Apache's
==================================================  ===========================

Rotated files (``.1``, ``.2.gz``, ``-20261124``) belong to their live file's set; a set is
listed newest first (the live file, then ``.1``, ...), which is the order year inference
needs. Files that are none of these (binary caches, journald's files) are passed over.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from logwarden.events.source import Found
from logwarden.sources import logset
from logwarden.syslog import proglogs

_ROTATED = re.compile(r"^(?P<base>.*?)(?:\.(?P<num>\d+)|-(?P<date>\d{8,10}))(?:\.(?:gz|bz2|xz))?$")
_FIXED: tuple[tuple[str, str, str], ...] = (
    # (directory under the root, file name pattern, source kind)
    ("var/run", r"utmp", "utmp"),
    ("run", r"utmp", "utmp"),
    ("var/log", r"wtmp.*", "wtmp"),
    ("var/adm", r"wtmpx?.*", "wtmp"),
    ("var/log", r"btmp.*", "btmp"),
    ("var/adm", r"btmpx?.*", "btmp"),
    ("var/log", r"lastlog", "lastlog"),
    ("var/log/account", r"pacct.*", "pacct"),
    ("var/account", r"pacct.*", "pacct"),
    ("var/log", r"pacct.*", "pacct"),
    ("var/adm", r"pacct.*", "pacct"),
    ("var/log", r"sulog.*", "sulog"),
    ("var/adm", r"sulog.*", "sulog"),
    ("var/log", r"sudo\.log.*", "sudo"),
    ("var/log/sudo", r"sudo\.log.*", "sudo"),
)
_APACHE_DIRS = ("var/log/apache2", "var/log/httpd", "var/log/apache")
#: Names syslogd writes under (read as syslog whatever their first lines look like).
_SYSLOG_NAMES = re.compile(
    r"^(auth\.log|secure|messages|syslog|maillog|mail\.(log|info|warn|err)|daemon\.log"
    r"|kern\.log|user\.log|cron(\.log)?|debug)([.-].*)?$"
)
#: Never read as logs: binary state of other programs.
_SKIP_NAMES = re.compile(r"^(faillog|tallylog|lastlog2?\.db|.*\.journal~?|.*\.(db|sqlite))$")
_SKIP_DIRS = ("var/log/journal", "var/log/private")

FAMILY = {
    "utmp": "utmp",
    "wtmp": "utmp",
    "btmp": "utmp",
    "lastlog": "lastlog",
    "pacct": "pacct",
}


def _family(kind: str) -> str:
    return FAMILY.get(kind, "text")


def _rotation(path: str) -> tuple[str, tuple[int, int]]:
    m = _ROTATED.match(path)
    if m is None:
        return path, (2, 0)
    if m.group("date") is not None:
        return m.group("base"), (0, int(m.group("date")))
    return m.group("base"), (1, -int(m.group("num")))


def _sniff(path: str) -> str | None:
    """The kind of text log a file's first lines look like, or None (not a log we read)."""
    try:
        head = b"".join(c.data for c in _first_chunk(path))
    except OSError:
        return None
    if not head:
        return None
    sample = [line for line in head.split(b"\n")[:50] if line]
    if not sample:
        return None
    kind = proglogs.detect(sample)
    matched = sum(
        1 for line in sample
        if proglogs._SYSLOG_3164.match(line) or proglogs._SYSLOG_3339.match(line)
        or proglogs._SUDO.match(line) or proglogs._SULOG.match(line)
        or proglogs._ACCESS.match(line) or proglogs._ERROR.match(line)
    )  # fmt: skip
    if matched * 2 < len(sample):
        return None
    return {"access": "apache_access", "error": "apache_error"}.get(kind, kind)


def _first_chunk(path: str) -> Iterator[logset.Chunk]:
    for chunk in logset.chunks([path], 1 << 16):
        yield chunk
        return


def _multilog_dir(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "current"))


def _multilog(directory: str) -> list[Found]:
    """A multilog directory's files, newest first: current, then @... by name backwards."""
    files = logset._multilog_files(directory)
    group = os.path.join(directory, "current")
    return [
        Found(path, "qmail" if _qmail_like(path) else "multilog", "text", group, rank)
        for rank, path in enumerate(reversed(files))
    ]


def _qmail_like(path: str) -> bool:
    try:
        head = b"".join(c.data for c in _first_chunk(path))
    except OSError:
        return False
    return any(
        word in head
        for word in (b" new msg ", b" info msg ", b" starting delivery ", b" status: local ")
    )


def discover(root: str) -> list[Found]:
    """Every log under ``root``, grouped by rotation set, each set newest first."""
    found: list[Found] = []
    claimed: set[str] = set()
    for directory, pattern, fixed_kind in _FIXED:
        base = os.path.join(root, directory)
        if not os.path.isdir(base):
            continue
        regex = re.compile(pattern + "$")
        for name in sorted(os.listdir(base)):
            path = os.path.join(base, name)
            if path in claimed or not regex.match(name) or not os.path.isfile(path):
                continue
            claimed.add(path)
            found.append(Found(path, fixed_kind, _family(fixed_kind)))
    for directory in _walk_dirs(root):
        if _multilog_dir(directory):
            for item in _multilog(directory):
                claimed.add(item.path)
                found.append(item)
            continue
        rel = os.path.relpath(directory, root)
        apache = rel in _APACHE_DIRS or any(rel.startswith(d + "/") for d in _APACHE_DIRS)
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if path in claimed or _SKIP_NAMES.match(name) or not os.path.isfile(path):
                continue
            if os.path.islink(path):
                continue
            kind: str | None
            if apache and "access" in name:
                kind = "apache_access"
            elif apache and "error" in name:
                kind = "apache_error"
            else:
                kind = _sniff(path)
                if kind is None and directory == os.path.join(root, "var/log"):
                    kind = "syslog" if _SYSLOG_NAMES.match(name) else None
            if kind is not None:
                claimed.add(path)
                found.append(Found(path, kind, "text"))
    return _grouped(found)


def _walk_dirs(root: str) -> Iterator[str]:
    """``var/log`` and its subdirectories, and every ``service/*/log`` multilog directory."""
    top = os.path.join(root, "var/log")
    skip = {os.path.join(root, d) for d in _SKIP_DIRS}
    if os.path.isdir(top):
        for directory, subdirs, _files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if os.path.join(directory, d) not in skip)
            yield directory
    for services in ("service", "etc/service", "var/service"):
        base = os.path.join(root, services)
        if os.path.isdir(base):
            for name in sorted(os.listdir(base)):
                for sub in ("log/main", "log"):
                    candidate = os.path.join(base, name, sub)
                    if os.path.isdir(candidate) and _multilog_dir(candidate):
                        yield candidate
                        break


def _grouped(found: list[Found]) -> list[Found]:
    """Rotation sets (the live file's path), newest first within each, sets in the order
    they were found."""
    out: list[Found] = []
    keyed: dict[tuple[str, str], list[tuple[tuple[int, int], Found]]] = {}
    order: list[tuple[str, str]] = []
    for item in found:
        if item.group:  # multilog sets are already ranked
            key = (item.source_kind, item.group)
            if key not in keyed:
                keyed[key] = []
                order.append(key)
            keyed[key].append(((0, -item.rank), item))
            continue
        base, rank = _rotation(item.path)
        key = (item.source_kind, base)
        if key not in keyed:
            keyed[key] = []
            order.append(key)
        keyed[key].append((rank, item))
    for key in order:
        members = sorted(keyed[key], key=lambda r: r[0], reverse=True)
        for place, (_, item) in enumerate(members):
            out.append(Found(item.path, item.source_kind, item.family, key[1], place))
    return out
