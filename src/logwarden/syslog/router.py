"""Routing: which rules a message of a given facility and severity reaches.

There are only 25 x 8 facility/severity pairs, so the table is computed once from the rules:
routing a message is one list index. Every matching rule's action runs, in file order; a
discard action (``~``/``stop``) ends the list for the messages it matches.
"""

from __future__ import annotations

from logwarden.syslog.actions import DISCARD
from logwarden.syslog.conf import Rule
from logwarden.syslog.names import FACILITY_NAMES, NFACILITIES, SEVERITIES


class RoutingTable:
    """For each (facility, severity), the rules that take the message, in order."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self._table: list[tuple[int, ...]] = []
        for facility in range(NFACILITIES):
            for severity in range(8):
                chosen: list[int] = []
                for index, rule in enumerate(self.rules):
                    if not rule.matches(facility, severity):
                        continue
                    if rule.action.kind == DISCARD:
                        break
                    chosen.append(index)
                self._table.append(tuple(chosen))

    def route(self, facility: int, severity: int) -> tuple[int, ...]:
        """Indexes into ``rules`` of the rules whose actions run for this message."""
        return self._table[facility * 8 + severity]

    def targets(self, facility: int, severity: int) -> list[Rule]:
        """The rules whose actions run, in order."""
        return [self.rules[i] for i in self.route(facility, severity)]


def _severity_text(mask: int) -> str:
    if mask == 0xFF:
        return "*"
    runs: list[str] = []
    severity = 0
    while severity < 8:
        if not mask >> severity & 1:
            severity += 1
            continue
        end = severity
        while end + 1 < 8 and mask >> (end + 1) & 1:
            end += 1
        first, last = SEVERITIES[severity], SEVERITIES[end]
        runs.append(first if end == severity else f"{first}-{last}")
        severity = end + 1
    return ",".join(runs)


def _facility_text(facilities: list[int]) -> str:
    def name(f: int) -> str:
        return FACILITY_NAMES[f]

    if len(facilities) == NFACILITIES:
        return "*"
    if len(facilities) > NFACILITIES // 2:
        left_out = [f for f in range(NFACILITIES) if f not in facilities]
        return "*!" + ",".join(name(f) for f in left_out)
    return ",".join(name(f) for f in facilities)


def describe_masks(masks: tuple[int, ...]) -> str:
    """What a rule selects, compactly: ``mail.warning-debug``, ``*!mail,authpriv.emerg-info``.

    Facilities with the same mask are grouped; ``*`` stands for every facility slot (invld and
    mark included) and ``*!a,b`` for all but those; severities are ranges from most severe.
    """
    groups: dict[int, list[int]] = {}
    for facility, mask in enumerate(masks):
        if mask:
            groups.setdefault(mask, []).append(facility)
    if not groups:
        return "nothing"
    return "; ".join(
        f"{_facility_text(facilities)}.{_severity_text(mask)}"
        for mask, facilities in groups.items()
    )
