"""Framing of syslog over a byte stream (RFC 6587): octet counting and LF-terminated lines.

A receiver tells the two apart at the start of each frame, as rsyslog's imtcp does: a digit
starts ``MSG-LEN SP MSG`` (octet counting, also RFC 5425's only framing over TLS); anything
else is a message ended by LF (or by NUL, as Python's SysLogHandler and some other senders
end theirs). Digits not followed by a space are not a length after all: the
frame is then read as a line. A message longer than the size limit is cut to it, and the rest
of that frame is dropped.
"""

from __future__ import annotations

import re

#: What ends a non-transparently framed message: LF, or the NUL some senders use (Python's
#: SysLogHandler ends every message with one).
_TRAILER = re.compile(rb"[\n\x00]")


def octet_counted(message: bytes) -> bytes:
    """``MSG-LEN SP MSG``."""
    return b"%d %s" % (len(message), message)


def lf_terminated(message: bytes) -> bytes:
    """The message and a LF."""
    return message + b"\n"


class FrameDecoder:
    """Cuts a stream into messages; feed it what arrives, in order."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._buffer = bytearray()
        #: Bytes of an octet-counted frame still to skip after cutting it to max_size.
        self._skip = 0
        #: Dropping the rest of an over-long line up to its LF.
        self._skip_line = False
        #: Frames whose length prefix was too long to be one.
        self.framing_errors = 0

    def feed(self, data: bytes) -> list[bytes]:
        """The messages completed by ``data``."""
        buffer = self._buffer
        buffer += data
        # Whole plain lines first, at C speed; what follows the last of them (a partial
        # line, or an octet-counted frame that may be complete) goes the careful way.
        out = self._lines_only(buffer) or []
        if buffer:
            out += self._frames(buffer)
        return out

    def _frames(self, buffer: bytearray) -> list[bytes]:
        """Frames cut one by one from the start of ``buffer`` (which loses them)."""
        out: list[bytes] = []
        pos = 0
        n = len(buffer)
        while pos < n:
            if self._skip:
                take = min(self._skip, n - pos)
                self._skip -= take
                pos += take
                continue
            if self._skip_line:
                end = _TRAILER.search(buffer, pos)
                lf = end.start() if end else -1
                if lf < 0:
                    pos = n
                    break
                self._skip_line = False
                pos = lf + 1
                continue
            first = buffer[pos]
            if 48 <= first <= 57:
                space = pos
                while space < n and 48 <= buffer[space] <= 57 and space - pos < 10:
                    space += 1
                if space == n:
                    break  # the length is not complete yet
                if buffer[space] == 0x20 and space - pos < 10:
                    length = int(buffer[pos:space])
                    start = space + 1
                    if length > self.max_size:
                        if n - start < self.max_size:
                            break
                        out.append(bytes(buffer[start : start + self.max_size]))
                        self._skip = length - self.max_size
                        pos = start + self.max_size
                        continue
                    if n - start < length:
                        break
                    out.append(bytes(buffer[start : start + length]))
                    pos = start + length
                    continue
                self.framing_errors += 1
            end = _TRAILER.search(buffer, pos)
            lf = end.start() if end else -1
            if lf < 0:
                if n - pos > self.max_size:
                    out.append(bytes(buffer[pos : pos + self.max_size]))
                    self._skip_line = True
                    pos = n
                break
            line = bytes(buffer[pos:lf])
            if len(line) > self.max_size:
                line = line[: self.max_size]
            if line:
                out.append(line)
            pos = lf + 1
        del buffer[:pos]
        return out

    def _lines_only(self, buffer: bytearray) -> list[bytes] | None:
        """The common case at C speed: whole LF-terminated lines, none starting with a
        digit (so none octet-counted), no NUL, none too long. None when that is not so."""
        if self._skip or self._skip_line or b"\x00" in buffer:
            return None
        last = buffer.rfind(b"\n")
        if last < 0:
            return None
        lines = bytes(buffer[:last]).split(b"\n")
        if max(map(len, lines)) > self.max_size or any(line[:1].isdigit() for line in lines):
            return None
        del buffer[: last + 1]
        return [line for line in lines if line]

    def finish(self) -> list[bytes]:
        """What is left when the stream ends: an unterminated last line is a message."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        if self._skip or self._skip_line or not rest:
            return []
        return [rest[: self.max_size]]
