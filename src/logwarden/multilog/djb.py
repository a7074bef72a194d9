"""How daemontools words its complaints, and how it waits before trying again.

Every message is ``multilog: fatal: ...`` (then exit 111) or ``multilog: warning: ...`` (then
a five-second pause and a retry). The system error at the end is djb's own text
(:func:`logwarden.djb.error_text`), not strerror's.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO, TypeVar

from logwarden.djb import error_text

T = TypeVar("T")

#: Exit status of every fatal error (daemontools: "temporary failure").
EXIT_FATAL = 111
#: Seconds multilog sleeps after a warning before it tries again.
PAUSE_SECONDS = 5.0


class Fatal(Exception):
    """A failure before any input is read: one line on stderr, then exit 111."""

    def __init__(self, message: str, code: int | None = None) -> None:
        text = message if code is None else message + error_text(code)
        super().__init__(text)
        self.text = text


class Complaints:
    """Where warnings go, and how long a pause lasts (daemontools: five seconds)."""

    def __init__(self, program: str, stderr: TextIO | None = None) -> None:
        self.program = program
        self.stderr = stderr if stderr is not None else sys.stderr

    def fatal(self, message: str, error: OSError | None = None) -> Fatal:
        """The exception for ``PROGRAM: fatal: MESSAGE[ERROR]``."""
        return Fatal(f"{self.program}: fatal: {message}", None if error is None else error.errno)

    def say(self, line: str) -> None:
        """Write ``line`` and a newline on stderr at once, as bytes.

        Names from the command line may not be UTF-8; they go out as the bytes they were,
        as the C programs print them.
        """
        data = (line + "\n").encode(sys.getfilesystemencoding(), "surrogateescape")
        try:
            self.stderr.flush()
            buffer = getattr(self.stderr, "buffer", None)
            if buffer is None:
                self.stderr.write(line + "\n")
                self.stderr.flush()
            else:
                buffer.write(data)
                buffer.flush()
        except (OSError, ValueError):
            # stderr itself is gone (its reader died): the log must still be written.
            return

    def warn(self, message: str) -> None:
        """``PROGRAM: warning: MESSAGE`` on stderr."""
        self.say(f"{self.program}: warning: {message}")

    def pause(self, message: str, error: OSError | int | None) -> None:
        """Warn ``MESSAGE`` + the error's words, then sleep before the caller retries."""
        code = error.errno if isinstance(error, OSError) else error
        self.warn(message + error_text(code))
        time.sleep(PAUSE_SECONDS)

    def note(self, message: str) -> None:
        """``PROGRAM: MESSAGE`` on stderr (logwarden's own notices, e.g. crash drills)."""
        self.say(f"{self.program}: {message}")


def retry(complaints: Complaints, message: str, action: Callable[[], T]) -> T:
    """Run ``action()`` until it stops raising OSError, pausing after each failure."""
    while True:
        try:
            return action()
        except OSError as e:
            complaints.pause(message, e)
