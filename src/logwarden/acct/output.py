"""Writing the accounting tools' text: as it is to pipes and files, escaped for a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from logwarden.output.terminal import Sanitizer, keep


def write_text(
    stream: BinaryIO, body: bytes | Iterable[bytes | memoryview], clean: Sanitizer
) -> None:
    """``body`` (whole lines, or pieces of them) on ``stream``; on a terminal each line is
    escaped on its own, so that a command name cannot move the cursor or rewrite the screen."""
    if clean is keep:
        for piece in [body] if isinstance(body, bytes) else body:
            stream.write(piece)
        return
    if not isinstance(body, bytes):
        body = b"".join(body)
    lines = body.split(b"\n")
    stream.write(b"\n".join(clean(line) for line in lines))
