"""Progress for long work, on stderr, only where a person is watching.

A bar is drawn when stderr is a terminal and the output is not going into a pipe (where
another program, not a person, is waiting for it), and only for work big enough to take a
while. rich is imported only then, so that short runs do not pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from logwarden.output.terminal import is_pipe

#: Work smaller than this (in bytes) finishes before a bar would be worth drawing.
THRESHOLD = 64 << 20

Advance = Callable[[int], None]


def wanted(total: int, stdout: BinaryIO | None = None) -> bool:
    """Whether work of ``total`` bytes gets a bar: big enough, a person on stderr, and the
    report not going into a pipe (``stdout``, or the process's standard output)."""
    if total < THRESHOLD or not sys.stderr.isatty():
        return False
    return not is_pipe(stdout if stdout is not None else sys.stdout.buffer)


@contextmanager
def progress(label: str, total: int, stdout: BinaryIO | None = None) -> Iterator[Advance]:
    """``with progress("reading wtmp", size) as advance: ... advance(n)``; a no-op when no
    bar is wanted. The bar is removed when the block ends, before any report is printed."""
    if not wanted(total, stdout):
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
