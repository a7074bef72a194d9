"""GNU getopt_long, as glibc implements it, so that every tool parses its arguments the way
the classic program does: combined short flags, argument permutation, ``--opt=value``,
unique abbreviations of long options, ``--`` and the exact wording of glibc's complaints.

A tool declares its short-option string and its long-option table in the reference
program's order (the order shows in "is ambiguous; possibilities:" messages) and gets
back the options in command-line order, each as the ``val`` the C table would return.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class Arg(IntEnum):
    """Whether a long option takes an argument (glibc's no_argument, ...)."""

    NONE = 0
    REQUIRED = 1
    OPTIONAL = 2


@dataclass(frozen=True, slots=True)
class LongOpt:
    """One row of a ``struct option`` table: ``--name`` returns ``val``."""

    name: str
    arg: Arg
    val: str


class GetoptError(Exception):
    """A complaint in glibc's words, without the trailing newline.

    ``options`` holds what was parsed before the bad option: a C tool has already acted on
    those when getopt complains (``last -h -z`` prints its help).
    """

    options: list[tuple[str, str | None]]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.options = []


@dataclass(frozen=True, slots=True)
class Parsed:
    """Options in command-line order as ``(val, argument)`` pairs, then the operands."""

    options: list[tuple[str, str | None]]
    operands: list[str]


def getopt_long(
    prog: str,
    argv: Sequence[str],
    shortopts: str,
    longopts: Sequence[LongOpt] = (),
    *,
    long_only: bool = False,
    additions: Sequence[LongOpt] = (),
) -> Parsed:
    """Parse ``argv`` (without the program name) like glibc's getopt_long.

    ``prog`` is the argv[0] that glibc would print in front of its complaints.
    Raises GetoptError with glibc's message at the first bad option, as the classic
    tools stop there.

    ``additions`` are logwarden's own long options: they are tried only when no classic
    option matches, so every abbreviation the classic tool accepts keeps its meaning
    (``last --p`` stays ``--present`` next to logwarden's ``--passwd``).
    """
    options: list[tuple[str, str | None]] = []
    try:
        return _parse(prog, argv, shortopts, longopts, long_only, additions, options)
    except GetoptError as e:
        e.options = options
        raise


def _parse(
    prog: str,
    argv: Sequence[str],
    shortopts: str,
    longopts: Sequence[LongOpt],
    long_only: bool,
    additions: Sequence[LongOpt],
    options: list[tuple[str, str | None]],
) -> Parsed:
    in_order = False
    if shortopts.startswith(("+", "-")):
        in_order = shortopts[0] == "+"
        shortopts = shortopts[1:]
    if os.environ.get("POSIXLY_CORRECT") is not None:
        in_order = True
    shortopts = shortopts.removeprefix(":")
    short_table = _short_table(shortopts)

    operands: list[str] = []
    i = 0
    args = list(argv)
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            operands.extend(args[i:])
            break
        if arg == "-" or not arg.startswith("-"):
            if in_order:
                operands.append(arg)
                operands.extend(args[i:])
                break
            operands.append(arg)
            continue
        if arg.startswith("--") or (long_only and len(arg) > 1 and arg[1] not in short_table):
            prefix = "--" if arg.startswith("--") else "-"
            body = arg[len(prefix) :]
            val, value, i = _long_option(prog, prefix, body, args, i, longopts, additions)
            options.append((val, value))
            continue
        # A cluster of short options: -abc, -n5, -n 5.
        pos = 1
        while pos < len(arg):
            ch = arg[pos]
            pos += 1
            spec = short_table.get(ch)
            if spec is None:
                raise GetoptError(f"{prog}: invalid option -- '{ch}'")
            if spec is Arg.NONE:
                options.append((ch, None))
                continue
            rest = arg[pos:]
            if rest:
                options.append((ch, rest))
            elif spec is Arg.OPTIONAL:
                options.append((ch, None))
            elif i < len(args):
                options.append((ch, args[i]))
                i += 1
            else:
                raise GetoptError(f"{prog}: option requires an argument -- '{ch}'")
            break
    return Parsed(options, operands)


def _short_table(shortopts: str) -> dict[str, Arg]:
    table: dict[str, Arg] = {}
    pos = 0
    while pos < len(shortopts):
        ch = shortopts[pos]
        pos += 1
        if shortopts.startswith("::", pos):
            table[ch] = Arg.OPTIONAL
            pos += 2
        elif shortopts.startswith(":", pos):
            table[ch] = Arg.REQUIRED
            pos += 1
        else:
            table[ch] = Arg.NONE
    return table


def _long_option(
    prog: str,
    prefix: str,
    body: str,
    args: list[str],
    i: int,
    longopts: Sequence[LongOpt],
    additions: Sequence[LongOpt] = (),
) -> tuple[str, str | None, int]:
    name, eq, value = body.partition("=")
    if additions and not any(opt.name.startswith(name) for opt in longopts):
        found = _match_long(prog, prefix, body, name, additions)
    else:
        found = _match_long(prog, prefix, body, name, longopts)
    if eq:
        if found.arg is Arg.NONE:
            raise GetoptError(f"{prog}: option '{prefix}{found.name}' doesn't allow an argument")
        return found.val, value, i
    if found.arg is Arg.REQUIRED:
        if i < len(args):
            return found.val, args[i], i + 1
        raise GetoptError(f"{prog}: option '{prefix}{found.name}' requires an argument")
    return found.val, None, i


def _match_long(
    prog: str, prefix: str, body: str, name: str, longopts: Sequence[LongOpt]
) -> LongOpt:
    for opt in longopts:
        if opt.name == name:
            return opt
    first: LongOpt | None = None
    ambiguous: list[LongOpt] = []
    for opt in longopts:
        if not opt.name.startswith(name):
            continue
        if first is None:
            first = opt
        elif (opt.arg, opt.val) != (first.arg, first.val):
            if not ambiguous:
                ambiguous.append(first)
            ambiguous.append(opt)
    if first is None or not name:
        raise GetoptError(f"{prog}: unrecognized option '{prefix}{body}'")
    if ambiguous:
        names = "".join(f" '{prefix}{opt.name}'" for opt in ambiguous)
        raise GetoptError(f"{prog}: option '{prefix}{body}' is ambiguous; possibilities:{names}")
    return first
