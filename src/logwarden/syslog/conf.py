"""Compiling a classic syslog.conf into rules: selector masks plus one action each.

The format is sysklogd's as rsyslog's legacy parser reads it: ``SELECTORS<blanks>ACTION`` per
line (tabs or spaces), ``#`` comments, a backslash at the end of a line continues it on the
next, ``&`` repeats the previous line's selectors for another action, and a few rsyslog
``$Directives``. Everything found wrong is reported with the file, line and column; a faulty
line is skipped, except a selector with an unknown name, which keeps what was decoded before
the name (as rsyslog does).

Deliberate leniency: a ``:`` typed between two selectors where ``;`` was meant (the seed's
table 14 has ``*.info:mail.none;authpriv.none``) is read as ``;`` with a warning; rsyslog
refuses that line.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from logwarden.errors import LogwardenError
from logwarden.syslog import selectors
from logwarden.syslog.actions import (
    DEFAULT_FILE_TEMPLATE,
    TEMPLATES,
    Action,
    ActionError,
    parse_action,
)

BLANKS = " \t"
#: How deep $IncludeConfig may nest before it is taken for a loop.
MAX_INCLUDE_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a configuration file (line and column count from 1)."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """An error or warning about the configuration."""

    level: str  # "error" or "warning"
    position: Position
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One line: the masks of its selectors (indexed by facility) and its action."""

    selector: str
    masks: tuple[int, ...]
    action: Action
    position: Position

    def matches(self, facility: int, severity: int) -> bool:
        """True if a message of this facility and severity is selected."""
        return bool(self.masks[facility] >> severity & 1)


@dataclass
class Config:
    """A compiled configuration: its rules in order, its settings and what was found wrong."""

    path: str
    rules: list[Rule] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    repeated_msg_reduction: bool = False
    file_template: str = DEFAULT_FILE_TEMPLATE
    #: ``$ActionFileEnableSync``: rsyslog's switch for syncing files written without ``-``.
    file_sync: bool = True
    file_create_mode: int = 0o644

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]


class ConfigError(LogwardenError):
    """A configuration with errors; the message lists them, one per line."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(slots=True)
class _Logical:
    """A logical line (continuations joined) and where each piece of it came from."""

    text: str
    #: (offset in text, line number, column of that offset) for each physical piece.
    pieces: list[tuple[int, int, int]]
    path: str

    def at(self, offset: int) -> Position:
        line, column = self.pieces[0][1], self.pieces[0][2]
        for start, piece_line, piece_column in self.pieces:
            if start > offset:
                break
            line, column = piece_line, piece_column + (offset - start)
        return Position(self.path, line, column)


def _logical_lines(path: str, text: str) -> Iterator[_Logical]:
    pending: _Logical | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        column = 1
        if pending is not None:
            stripped = line.lstrip(BLANKS)
            column += len(line) - len(stripped)
            line = stripped
        continues = line.endswith("\\") and not line.lstrip(BLANKS).startswith("#")
        if continues:
            line = line[:-1]
        if pending is None:
            pending = _Logical(line, [(0, number, column)], path)
        else:
            pending.pieces.append((len(pending.text), number, column))
            pending.text += line
        if not continues:
            yield pending
            pending = None
    if pending is not None:
        yield pending


def _on_off(word: str) -> bool | None:
    return {"on": True, "off": False, "yes": True, "no": False}.get(word.lower())


class _Compiler:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.last_masks: tuple[int, ...] | None = None
        self.last_selector = ""
        self.skipping_object = False

    def report(self, level: str, where: Position, message: str) -> None:
        self.config.diagnostics.append(Diagnostic(level, where, message))

    def compile_file(self, path: str, depth: int = 0) -> None:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        for logical in _logical_lines(path, text):
            self.compile_line(logical, depth)

    def compile_line(self, logical: _Logical, depth: int) -> None:
        text = logical.text
        start = len(text) - len(text.lstrip(BLANKS))
        body = text[start:].rstrip(BLANKS)
        if self.skipping_object:
            # The rest of an rsyslog object such as module(...) spread over several lines.
            self.skipping_object = ")" not in body
            return
        if not body or body.startswith("#"):
            return
        if body.startswith("$"):
            self.directive(logical, start, body, depth)
            return
        if body.startswith("&"):
            self.repeat(logical, start, body)
            return
        head = body.split("(", 1)[0].strip().lower()
        if "(" in body and head in _RAINERSCRIPT_OBJECTS:
            self.report("warning", logical.at(start), f"rsyslog {head}() statement ignored")
            self.skipping_object = ")" not in body
            return
        self.rule(logical, start, body)

    def rule(self, logical: _Logical, start: int, body: str) -> None:
        match = selectors.SELECTOR_TOKEN.match(body)
        if match is None:
            self.report("error", logical.at(start), "expected a selector such as mail.info")
            return
        selector = match.group()
        end = match.end()
        while end < len(body) and body[end] == ":":
            tail = selectors.SELECTOR_TAIL.match(body, end + 1)
            if tail is None:
                break
            self.report("warning", logical.at(start + end), "':' between selectors read as ';'")
            selector += ";" + tail.group()
            end = tail.end()
        if end < len(body) and body[end] not in BLANKS:
            self.report(
                "error",
                logical.at(start + end),
                f"unexpected {body[end]!r} in the selector; blanks separate it from the action",
            )
            return
        masks, problem = selectors.decode(selector)
        if problem is not None:
            offset = min(problem.offset, match.end())
            self.report("error", logical.at(start + offset), problem.message)
        self.last_masks, self.last_selector = tuple(masks), selector
        self.add_action(logical, start + end, body[end:], selector, tuple(masks))

    def repeat(self, logical: _Logical, start: int, body: str) -> None:
        if self.last_masks is None:
            self.report("error", logical.at(start), "'&' with no rule before it")
            return
        self.add_action(logical, start + 1, body[1:], self.last_selector, self.last_masks)

    def add_action(
        self, logical: _Logical, offset: int, rest: str, selector: str, masks: tuple[int, ...]
    ) -> None:
        lead = len(rest) - len(rest.lstrip(BLANKS))
        words = rest.split(None, 1)
        where = logical.at(offset + lead)
        if not words:
            self.report("error", logical.at(offset), "selector without an action")
            return
        try:
            action = parse_action(words[0])
        except ActionError as e:
            self.report("error", logical.at(offset + lead + e.offset), str(e))
            return
        if len(words) > 1 and not words[1].startswith("#"):
            trailing = offset + lead + len(words[0])
            trailing += len(rest[lead + len(words[0]) :]) - len(words[1])
            self.report("warning", logical.at(trailing), f"ignored after the action: {words[1]!r}")
        self.config.rules.append(Rule(selector, masks, action, where))

    def directive(self, logical: _Logical, start: int, body: str, depth: int) -> None:
        name, _, value = body.partition(" ")
        name, value = name.lower(), value.strip(BLANKS)
        where = logical.at(start)
        config = self.config
        if name in ("$repeatedmsgreduction", "$actionfileenablesync"):
            flag = _on_off(value)
            if flag is None:
                self.report("error", where, f"{body.split()[0]} takes on or off")
            elif name == "$repeatedmsgreduction":
                config.repeated_msg_reduction = flag
            else:
                config.file_sync = flag
        elif name == "$actionfiledefaulttemplate":
            if value not in TEMPLATES:
                self.report("error", where, f"unknown template {value!r}")
            else:
                config.file_template = value
        elif name == "$filecreatemode":
            try:
                config.file_create_mode = int(value, 8)
            except ValueError:
                self.report("error", where, f"$FileCreateMode takes an octal mode, not {value!r}")
        elif name == "$includeconfig":
            self.include(where, value, depth)
        else:
            self.report("warning", where, f"{body.split()[0]} ignored")

    def include(self, where: Position, pattern: str, depth: int) -> None:
        if depth >= MAX_INCLUDE_DEPTH:
            self.report("error", where, "$IncludeConfig nested too deeply (a loop?)")
            return
        base = os.path.dirname(where.path)
        full = pattern if os.path.isabs(pattern) else os.path.join(base, pattern)
        paths = [full] if os.path.isfile(full) else sorted(glob.glob(full))
        if os.path.isdir(full):
            paths = sorted(p for p in glob.glob(os.path.join(full, "*")) if os.path.isfile(p))
        for path in paths:
            try:
                self.compile_file(path, depth + 1)
            except OSError as e:
                self.report("error", where, f"cannot read {path}: {e.strerror}")


_RAINERSCRIPT_OBJECTS = frozenset(
    ("module", "input", "global", "template", "ruleset", "main_queue", "parser", "action")
)


def compile_text(text: str, path: str = "<text>") -> Config:
    """Compile configuration ``text``; ``path`` names it in diagnostics."""
    config = Config(path)
    compiler = _Compiler(config)
    for logical in _logical_lines(path, text):
        compiler.compile_line(logical, 0)
    return config


def compile_file(path: str) -> Config:
    """Compile the configuration file ``path`` (OSError if it cannot be read)."""
    config = Config(path)
    _Compiler(config).compile_file(path)
    return config
