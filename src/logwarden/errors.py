"""The errors a tool reports in one line before it exits non-zero.

Whatever reaches the user is one line on stderr, ``PROG: MESSAGE``: never a traceback. Input
problems name the file and the byte offset or line where they were found.
"""

from __future__ import annotations


class LogwardenError(Exception):
    """A problem to report in one line; ``exit_code`` is the status to exit with."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(LogwardenError):
    """Bad options or operands; the tool's own "Try ... --help" hint goes with it."""


class InputError(LogwardenError):
    """A file that cannot be read as what it claims to be."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        exit_code: int | None = None,
    ) -> None:
        where = path
        if offset is not None:
            where += f": offset {offset}"
        elif line is not None:
            where += f": line {line}"
        super().__init__(f"{where}: {message}", exit_code=exit_code)
        self.path = path
        self.offset = offset
        self.line = line
