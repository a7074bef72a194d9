"""Fatal and serious problems and warnings in a qmail-send log, grouped and explained.

Lines are grouped by the seed's table row they match (``alert: unable to stat`` with any
file name is one group); an alert or warning no row describes is grouped by its sentence
up to the first ``/`` or ``;`` (file names and counts vary, the problem does not).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from logwarden.qmail.explain import Explanation, explain, unlisted
from logwarden.qmail.grammar import Category, Event, Kind

#: Report order: what stops qmail first.
SEVERITY = (Category.FATAL, Category.SERIOUS, Category.WARNING)


@dataclass
class Alert:
    """One kind of problem: how often, when first and last, an example line."""

    explanation: Explanation
    category: Category
    count: int
    #: Unix ns of the first and last occurrence (None when the log has no stamps).
    first_ns: int | None
    last_ns: int | None
    #: The first line's words and its line number.
    example: bytes
    example_line: int

    @property
    def key(self) -> str:
        return self.explanation.key


_GENERIC = re.compile(rb"[^/;]*")


def _group_key(event: Event, entry: Explanation | None) -> tuple[str, bytes]:
    if entry is not None:
        return entry.key, b""
    sentence = event.report or b""
    m = _GENERIC.match(sentence)
    head = m.group() if m is not None else sentence
    # Unlisted sentences differ by file name (local/12/4567): keep the words only.
    return f"{event.kind}.other", re.sub(rb"\S*\d\S*", b"N", head).strip()


def collect(events: Iterable[tuple[int, int | None, Event]]) -> list[Alert]:
    """Group ``(line number, unix ns, event)`` alerts and warnings; other events are skipped.

    The result is ordered fatal, serious, warning, and by count (most first) within each.
    """
    groups: dict[tuple[str, bytes], Alert] = {}
    for number, ns, event in events:
        if event.kind is not Kind.ALERT and event.kind is not Kind.WARNING:
            continue
        entry = explain(event)
        key = _group_key(event, entry)
        found = groups.get(key)
        if found is None:
            groups[key] = Alert(
                entry or unlisted(event), event.category, 1, ns, ns, event.text, number
            )
            continue
        found.count += 1
        if ns is not None:
            if found.first_ns is None or ns < found.first_ns:
                found.first_ns = ns
            if found.last_ns is None or ns > found.last_ns:
                found.last_ns = ns
    return sorted(
        groups.values(), key=lambda a: (SEVERITY.index(a.category), -a.count, a.example_line)
    )


def worst(alerts: Iterable[Alert]) -> Category | None:
    """The most severe category present (None for a clean log)."""
    present = {a.category for a in alerts}
    for category in SEVERITY:
        if category in present:
            return category
    return None


#: Columns of ``--json``/``--csv`` rows, in order.
FIELDS = (
    "category", "key", "count", "first", "last", "example", "line",
    "meaning", "action", "seed_table", "seed",
)  # fmt: skip


def rows(
    alerts: Iterable[Alert], iso: Callable[[int | None], str | None]
) -> Iterator[dict[str, object]]:
    """One row per alert group, for ``--json`` and ``--csv``."""
    for a in alerts:
        yield {
            "category": str(a.category),
            "key": a.key,
            "count": a.count,
            "first": iso(a.first_ns),
            "last": iso(a.last_ns),
            "example": a.example,
            "line": a.example_line,
            "meaning": a.explanation.meaning,
            "action": a.explanation.action,
            "seed_table": a.explanation.table or None,
            "seed": a.explanation.seed or None,
        }


def render(
    alerts: list[Alert], show: Callable[[int | None], str], clean: Callable[[bytes], bytes]
) -> bytes:
    """The alerts as text: one block per group, most severe first."""
    counts = {c: sum(a.count for a in alerts if a.category is c) for c in SEVERITY}
    out = [
        b"%d fatal, %d serious, %d warning%s"
        % (
            counts[Category.FATAL],
            counts[Category.SERIOUS],
            counts[Category.WARNING],
            b"" if counts[Category.WARNING] == 1 else b"s",
        )
    ]
    if not alerts:
        out.append(b"No fatal or serious problems and no warnings.")
    for a in alerts:
        label = str(a.category).upper().encode()
        out.append(b"")
        out.append(b"%-8s x%d  %s" % (label, a.count, clean(a.example)))
        out.append(
            b"         first %s, last %s (line %d)"
            % (show(a.first_ns).encode(), show(a.last_ns).encode(), a.example_line)
        )
        out.append(b"         means: " + a.explanation.meaning.encode())
        out.append(b"         do:    " + a.explanation.action.encode())
    return b"\n".join(out) + b"\n"
