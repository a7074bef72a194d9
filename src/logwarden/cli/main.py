"""The ``logwarden`` program: dispatch to a tool, by subcommand or by the name it was run as.

Every tool reports failures the same way: one line on stderr, ``NAME: MESSAGE``, and a non-zero
exit status. A traceback is never shown unless ``LOGWARDEN_DEBUG`` is set in the environment.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, TextIO, cast

from logwarden import __version__
from logwarden.cli.registry import TOOLS
from logwarden.errors import LogwardenError
from logwarden.output.terminal import EscapingWriter, is_terminal

#: Exit status for a bug in logwarden itself (as opposed to bad input or usage).
EXIT_INTERNAL = 101


@dataclass
class Invocation:
    """How a tool was called: its name, the argv[0] glibc would print, and the arguments."""

    name: str
    argv0: str
    args: list[str]
    stdout: BinaryIO
    stderr: TextIO

    def warn(self, message: str) -> None:
        """One line on stderr, prefixed with the tool's name."""
        self.stderr.write(f"{self.name}: {message}\n")


def _usage(out: TextIO) -> None:
    out.write("usage: logwarden TOOL [ARGS...]    (or run a tool under its own name)\n")
    width = max(len(name) for name in TOOLS)
    families: dict[str, list[str]] = {}
    for tool in TOOLS.values():
        families.setdefault(tool.family, []).append(tool.name)
    for family, names in families.items():
        out.write(f"\n{family}:\n")
        for name in names:
            out.write(f"  {name:<{width}}  {TOOLS[name].summary}\n")
    out.write("\n'logwarden TOOL --help' describes a tool; docs/tools/TOOL.md has its manual.\n")


def run(argv: Sequence[str], stdout: BinaryIO, stderr: TextIO) -> int:
    """Run the command line ``argv`` (argv[0] included) and return the exit status."""
    argv0 = argv[0] if argv else "logwarden"
    invoked = os.path.basename(argv0)
    args = list(argv[1:])
    if invoked in TOOLS and TOOLS[invoked].classic:
        return _run_tool(invoked, argv0, args, stdout, stderr)
    if not args or args[0] in ("-h", "--help", "help"):
        _usage(sys.stdout if args else stderr)
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        stdout.write(f"logwarden {__version__}\n".encode())
        return 0
    name = args[0]
    if name not in TOOLS:
        stderr.write(f"logwarden: unknown tool '{name}'; 'logwarden --help' lists them\n")
        return 2
    return _run_tool(name, name, args[1:], stdout, stderr)


def _run_tool(name: str, argv0: str, args: list[str], stdout: BinaryIO, stderr: TextIO) -> int:
    inv = Invocation(name, argv0, args, stdout, stderr)
    try:
        module = importlib.import_module(TOOLS[name].module)
        if getattr(module, "COPIES_LOG_TEXT", False) and is_terminal(stdout):
            # A filter passes log text through as it is, escape sequences included: on a
            # terminal its whole output is escaped (in a pipe it stays the reference's).
            stdout = inv.stdout = cast(BinaryIO, EscapingWriter(stdout))
        status: int = module.main(inv)
        stdout.flush()
        return status
    except LogwardenError as e:
        _flush_quietly(stdout)
        inv.warn(str(e))
        return e.exit_code
    except OSError as e:
        _flush_quietly(stdout)
        where = f"{e.filename}: " if e.filename else ""
        inv.warn(f"{where}{e.strerror or e}")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        if os.environ.get("LOGWARDEN_DEBUG"):
            raise
        _flush_quietly(stdout)
        inv.warn(f"internal error: {type(e).__name__}: {e} (LOGWARDEN_DEBUG=1 shows where)")
        return EXIT_INTERNAL


def _flush_quietly(stream: BinaryIO) -> None:
    # The output that was made before a failure still goes out; if even that cannot be
    # written, the failure being reported is the one that matters.
    with contextlib.suppress(OSError):
        stream.flush()


def entry() -> None:
    """Console-script entry point."""
    # Like the C tools: a closed pipe (``last | head``) ends the program silently.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # No tool does linear algebra; without this, loading numpy starts OpenBLAS's thread pool,
    # which costs a short command about 40 ms and spins a core on a busy machine.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    out = os.fdopen(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False)
    sys.exit(run(sys.argv, out, sys.stderr))
