"""``tai64n``: put the TAI64N label of the moment each line was read in front of it.

As daemontools' tai64n: ``@`` + 24 hex digits + a space before every line, the label taken
when the line's first byte arrives; a last line without a newline is passed on without one;
a read or write error ends the program with status 111.

Input is read in blocks and every line that starts in a block gets the label of the moment
that block was read: the moment its first byte was read, as the reference's label is (the
reference looks at the clock again for each line while working through its buffer, which
only adds its own processing time).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from logwarden.formats.tai64 import label_for_unix_ns
from logwarden.output.terminal import LineEscaper

#: Bytes read at a time.
BLOCK = 1 << 16
#: Exit status after a read or write error (daemontools).
EXIT_IO = 111


class Stamper:
    """Labels lines across blocks: a block may end in the middle of a line."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self.clock = clock
        self.at_line_start = True

    def stamp(self, block: bytes) -> bytes:
        """``block`` with a label before every line that starts in it."""
        if not block:
            return b""
        label = label_for_unix_ns(self.clock()) + b" "
        if block[-1] == 10:
            body = block[:-1].replace(b"\n", b"\n" + label) + b"\n"
        else:
            body = block.replace(b"\n", b"\n" + label)
        if self.at_line_start:
            body = label + body
        self.at_line_start = block[-1] == 10
        return body


def run(stdin: int, stdout: int, escaper: LineEscaper | None = None) -> int:
    """Copy ``stdin`` to ``stdout`` with labels (escaped for a terminal by ``escaper``);
    the exit status."""
    stamper = Stamper()
    while True:
        try:
            block = os.read(stdin, BLOCK)
        except OSError:
            return EXIT_IO
        if not block:
            return 0 if escaper is None or write_all(stdout, escaper.finish()) else EXIT_IO
        out = stamper.stamp(block)
        if not write_all(stdout, out if escaper is None else escaper.feed(out)):
            return EXIT_IO


def write_all(fd: int, data: bytes) -> bool:
    """Write all of ``data``; False on an error."""
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except InterruptedError:
            continue
        except OSError:
            return False
    return True
