"""qmail-send's lines, word for word (qmail 1.03, netqmail 1.06, notqmail), typed.

qmail-send writes a fixed set of sentences (qmail-log(5)); free text inside them (a
recipient, a sender, a delivery report) has passed through qmail's ``logsafe``, which turns
spaces and control bytes into ``_`` and newlines into ``/``, so it is always one word.
Each line gets one of the seed's six types: status, fatal, serious, message, delivery,
warning; anything else is ``other`` (kept, counted, never an error).

Two widespread variants are read too: IndiMail's trailing queue name (``... queue5``) and
``D.QIDENT`` delivery numbers, and s/qmail's ``double bounce: discarding bounce/M``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Which sentence a line is."""

    STATUS = "status"
    NEW = "new"
    INFO = "info"
    BOUNCE = "bounce"
    TRIPLE = "triple bounce"
    END = "end"
    STARTING = "starting"
    DELIVERY = "delivery"
    ALERT = "alert"
    WARNING = "warning"
    OTHER = "other"


class Category(StrEnum):
    """The seed's six types of qmail log line (and ``other``)."""

    STATUS = "status"
    FATAL = "fatal"
    SERIOUS = "serious"
    MESSAGE = "message"
    DELIVERY = "delivery"
    WARNING = "warning"
    OTHER = "other"


class Result(StrEnum):
    """How a delivery attempt ended."""

    SUCCESS = "success"
    DEFERRAL = "deferral"
    FAILURE = "failure"
    MANGLED = "mangled"


@dataclass(frozen=True, slots=True)
class Event:
    """One qmail-send line, its fields typed. Fields a kind does not have are None."""

    kind: Kind
    category: Category
    #: The words after the stamp, as logged.
    text: bytes
    msg: int | None = None
    delivery: int | None = None
    channel: bytes | None = None
    recipient: bytes | None = None
    result: Result | None = None
    #: Delivery report (logsafe'd, one word) or the alert/warning sentence.
    report: bytes | None = None
    size: int | None = None
    sender: bytes | None = None
    qp: int | None = None
    uid: int | None = None
    local: int | None = None
    local_max: int | None = None
    remote: int | None = None
    remote_max: int | None = None
    exitasap: bool = False


# A trailing word is IndiMail's queue name; D.QIDENT its scheduler's delivery number.
_TAIL = rb"(?: \S+)?$"
_STATUS = re.compile(rb"status: local (\d+)/(\d+) remote (\d+)/(\d+)( exitasap)?" + _TAIL)
_NEW = re.compile(rb"new msg (\d+)" + _TAIL)
_INFO = re.compile(rb"info msg (\d+): bytes (\d+) from (<\S*>) qp (\d+) uid (\d+)" + _TAIL)
_BOUNCE = re.compile(rb"bounce msg (\d+) qp (\d+)" + _TAIL)
_TRIPLE = re.compile(rb"(?:triple|double) bounce: discarding bounce/(\d+)" + _TAIL)
_END = re.compile(rb"end msg (\d+)" + _TAIL)
_STARTING = re.compile(rb"starting delivery (\d+)(?:\.\d+)?: msg (\d+) to (local|remote) (\S+)")
_DELIVERY = re.compile(rb"delivery (\d+)(?:\.\d+)?: (success|deferral|failure): (\S*)")
_MANGLED = re.compile(rb"delivery (\d+)(?:\.\d+)?: report mangled, will defer")

#: Alerts after which qmail-send has stopped (the seed's table 16, first part).
_FATAL = (b"cannot start", b"oh no! lost")


def parse(text: bytes) -> Event:
    """Type the words of one qmail-send line."""
    head = text[:3]
    if head == b"sta":
        if text.startswith(b"status: "):
            m = _STATUS.match(text)
            if m is not None:
                return Event(
                    Kind.STATUS,
                    Category.STATUS,
                    text,
                    local=int(m.group(1)),
                    local_max=int(m.group(2)),
                    remote=int(m.group(3)),
                    remote_max=int(m.group(4)),
                    exitasap=m.group(5) is not None,
                )
            return Event(Kind.STATUS, Category.STATUS, text)
        m = _STARTING.match(text)
        if m is not None:
            return Event(
                Kind.STARTING,
                Category.DELIVERY,
                text,
                delivery=int(m.group(1)),
                msg=int(m.group(2)),
                channel=m.group(3),
                recipient=m.group(4),
            )
    elif head == b"del":
        m = _DELIVERY.match(text)
        if m is not None:
            return Event(
                Kind.DELIVERY,
                Category.DELIVERY,
                text,
                delivery=int(m.group(1)),
                result=Result(m.group(2).decode()),
                report=m.group(3),
            )
        m = _MANGLED.match(text)
        if m is not None:
            return Event(
                Kind.DELIVERY,
                Category.DELIVERY,
                text,
                delivery=int(m.group(1)),
                result=Result.MANGLED,
                report=b"",
            )
    elif head == b"inf":
        m = _INFO.match(text)
        if m is not None:
            return Event(
                Kind.INFO,
                Category.MESSAGE,
                text,
                msg=int(m.group(1)),
                size=int(m.group(2)),
                sender=m.group(3),
                qp=int(m.group(4)),
                uid=int(m.group(5)),
            )
    elif head == b"new":
        m = _NEW.match(text)
        if m is not None:
            return Event(Kind.NEW, Category.MESSAGE, text, msg=int(m.group(1)))
    elif head == b"end":
        m = _END.match(text)
        if m is not None:
            return Event(Kind.END, Category.MESSAGE, text, msg=int(m.group(1)))
    elif head == b"bou":
        m = _BOUNCE.match(text)
        if m is not None:
            return Event(
                Kind.BOUNCE, Category.MESSAGE, text, msg=int(m.group(1)), qp=int(m.group(2))
            )
    elif head in (b"tri", b"dou"):
        m = _TRIPLE.match(text)
        if m is not None:
            return Event(Kind.TRIPLE, Category.MESSAGE, text, msg=int(m.group(1)))
    elif head == b"ale":
        if text.startswith(b"alert: "):
            sentence = text[7:]
            fatal = sentence.startswith(_FATAL)
            category = Category.FATAL if fatal else Category.SERIOUS
            return Event(Kind.ALERT, category, text, report=sentence)
    elif head == b"war":
        if text.startswith(b"warning: "):
            return Event(Kind.WARNING, Category.WARNING, text, report=text[9:])
        # IndiMail writes "warn:" where qmail writes "warning:".
        if text.startswith(b"warn: "):
            return Event(Kind.WARNING, Category.WARNING, text, report=text[6:])
    return Event(Kind.OTHER, Category.OTHER, text)
