"""rsyslog's repeated-message reduction (``$RepeatedMsgReduction on``), per input source.

Two messages are the same when MSG, HOSTNAME, PROCID and APP-NAME are. Repeats are held
back; when a different message arrives, one held repeat is simply let through, and two or
more become one copy of the last of them whose MSG reads
`` message repeated N times: [MSG]`` (the original MSG, at most 800 bytes). At shutdown
what is held is let out the same way, so nothing accepted is lost.
"""

from __future__ import annotations

import dataclasses

from logwarden.syslog.message import Message

_MAX_QUOTED = 800


def _same(a: Message, b: Message) -> bool:
    return (
        a.msg == b.msg
        and a.hostname == b.hostname
        and a.procid == b.procid
        and (a.app_name == b.app_name)
    )


class RepeatReducer:
    """Holds back repeats of the last message from one source."""

    __slots__ = ("_count", "_last", "_last_repeat")

    def __init__(self) -> None:
        self._last: Message | None = None
        self._last_repeat: Message | None = None
        self._count = 0

    def _held(self) -> list[Message]:
        if self._count == 0 or self._last_repeat is None or self._last is None:
            return []
        if self._count == 1:
            return [self._last_repeat]
        text = b" message repeated %d times: [%s]" % (self._count, self._last.msg[:_MAX_QUOTED])
        return [dataclasses.replace(self._last_repeat, msg=text)]

    def push(self, message: Message) -> list[Message]:
        """The messages to write now that ``message`` has arrived (maybe none)."""
        last = self._last
        if last is not None and _same(message, last):
            self._count += 1
            self._last_repeat = message
            return []
        out = self._held()
        out.append(message)
        self._last, self._last_repeat, self._count = message, None, 0
        return out

    def flush(self) -> list[Message]:
        """What is held back, to write before stopping."""
        out = self._held()
        self._last_repeat, self._count = None, 0
        return out
