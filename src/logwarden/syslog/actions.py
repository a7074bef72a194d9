"""The action half of a syslog.conf line: where a selected message goes.

The legacy forms rsyslog and sysklogd accept:

- ``/path`` append to a file (synced after writing, as sysklogd does), ``-/path`` without
  syncing; ``/dev/console`` and ``/dev/tty*`` are files that happen to be terminals;
- ``|/path`` write to a named pipe (FIFO);
- ``@host[:port]`` forward over UDP (default port 514), ``@@host[:port]`` over TCP,
  ``@[2001:db8::1]:port`` for IPv6 addresses;
- ``user1,user2`` (or ``:omusrmsg:user1,user2``) write to those users' terminals, ``*`` to
  everyone logged in;
- ``~`` or ``stop`` discard: later rules do not see the message.

A file, pipe or forwarding action may name a template after a semicolon
(``/var/log/x;RSYSLOG_TraditionalFileFormat``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The templates rsyslog builds in, by name; logwarden writes each of them.
TEMPLATES = (
    "RSYSLOG_TraditionalFileFormat",
    "RSYSLOG_FileFormat",
    "RSYSLOG_TraditionalForwardFormat",
    "RSYSLOG_ForwardFormat",
    "RSYSLOG_SyslogProtocol23Format",
)
DEFAULT_FILE_TEMPLATE = "RSYSLOG_TraditionalFileFormat"
DEFAULT_FORWARD_TEMPLATE = "RSYSLOG_TraditionalForwardFormat"
DEFAULT_PORT = 514

FILE, PIPE, UDP, TCP, USERS, WALL, DISCARD = (
    "file",
    "pipe",
    "udp",
    "tcp",
    "users",
    "wall",
    "discard",
)

_USER_LIST = re.compile(r"[a-z0-9_][a-z0-9_\-+,]*", re.IGNORECASE | re.ASCII)
_HOST_PORT = re.compile(r"(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<host>[^:\[\];]+))(?::(?P<port>\d+))?$")


@dataclass(frozen=True, slots=True)
class Action:
    """One destination. ``text`` is the action as written in the configuration."""

    kind: str
    text: str
    #: File or pipe path; host for forwarding.
    target: str = ""
    port: int = 0
    #: Files: fsync after writing (no leading ``-``).
    sync: bool = False
    template: str | None = None
    users: tuple[str, ...] = ()

    @property
    def is_terminal(self) -> bool:
        """A console or tty device: written without syncing, never created."""
        return self.kind == FILE and (
            self.target == "/dev/console" or self.target.startswith("/dev/tty")
        )


class ActionError(ValueError):
    """An action that cannot be read; ``offset`` is where, within the action text."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


def _split_template(text: str, start: int) -> tuple[str, str | None]:
    body, semi, template = text.partition(";")
    if not semi:
        return body, None
    if template not in TEMPLATES:
        raise ActionError(f"unknown template {template!r}", start + len(body) + 1)
    return body, template


def _forward(word: str) -> Action:
    tcp = word.startswith("@@")
    skip = 2 if tcp else 1
    body, template = _split_template(word[skip:], skip)
    if body.startswith("("):
        raise ActionError("forwarding options in parentheses are not supported", skip)
    match = _HOST_PORT.match(body)
    if not body or match is None:
        raise ActionError(f"cannot read host[:port] in {word!r}", skip)
    host = match.group("v6") or match.group("host")
    port = int(match.group("port")) if match.group("port") else DEFAULT_PORT
    if not 0 < port < 65536:
        raise ActionError(f"port {port} out of range", skip + body.rfind(":") + 1)
    return Action(TCP if tcp else UDP, word, target=host, port=port, template=template)


def _users(word: str, text: str, offset: int) -> Action:
    body, template = _split_template(text, offset)
    names = tuple(body.split(","))
    if any(not name for name in names):
        raise ActionError(f"empty user name in {word!r}", offset)
    return Action(USERS, word, users=names, template=template)


def parse_action(word: str) -> Action:
    """The action ``word`` (one whitespace-free word of a configuration line)."""
    if word in ("~", "stop"):
        return Action(DISCARD, word)
    if word == "*":
        return Action(WALL, word)
    if word.startswith(("/", "-/")):
        sync = not word.startswith("-")
        start = 0 if sync else 1
        path, template = _split_template(word[start:], start)
        action = Action(FILE, word, target=path, sync=sync, template=template)
        if action.is_terminal:
            return Action(FILE, word, target=path, sync=False, template=template)
        return action
    if word.startswith("|"):
        path, template = _split_template(word[1:], 1)
        if not path.startswith("/"):
            raise ActionError("a pipe action needs an absolute path: |/path/to/fifo", 1)
        return Action(PIPE, word, target=path, template=template)
    if word.startswith("@"):
        return _forward(word)
    if word.lower().startswith(":omusrmsg:"):
        return _users(word, word[10:], 10)
    if word.startswith(":"):
        raise ActionError(f"unsupported output module in {word!r}")
    if _USER_LIST.fullmatch(word.partition(";")[0]):
        return _users(word, word, 0)
    raise ActionError(f"unknown action {word!r}")
