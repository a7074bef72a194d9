"""``ac --json`` / ``--csv``: the report's lines as rows.

The rows are the lines GNU ac would print, with the same choice of what is shown (zero lines
only with ``-z``):

========  ============================================  =================================
options   one row per                                   fields
========  ============================================  =================================
(none)    the grand total                               hours, seconds
-p        user                                          user, hours, seconds
-d        day with a total                              day, today, hours, seconds
-d -p     user and day                                  day, today, user, hours, seconds
========  ============================================  =================================

``day`` is the ISO date of the day (for the final block, "today" true, the date of "now");
``seconds`` is exact, ``hours`` rounded to two decimals as in the classic report.
"""

from __future__ import annotations

from collections.abc import Iterator

from logwarden.connect.ac.model import AcOptions, Block, Report

ROW_FIELDS: dict[tuple[bool, bool], tuple[str, ...]] = {
    (False, False): ("hours", "seconds"),
    (False, True): ("user", "hours", "seconds"),
    (True, False): ("day", "today", "hours", "seconds"),
    (True, True): ("day", "today", "user", "hours", "seconds"),
}


def _amount(seconds: int) -> dict[str, object]:
    return {"hours": round(seconds / 3600.0, 2), "seconds": seconds}


def _day(block: Block) -> dict[str, object]:
    return {"day": block.day.iso(), "today": block.kind == "final"}


def report_rows(report: Report, options: AcOptions) -> Iterator[dict[str, object]]:
    """The rows of ``report`` for these options."""
    for block in report.blocks:
        if options.individual:
            for user, seconds in block.rows or ():
                if seconds != 0 or options.zeros:
                    head = _day(block) if options.daily else {}
                    yield {**head, "user": user, **_amount(seconds)}
        elif options.daily:
            if block.total != 0 or options.zeros:
                yield {**_day(block), **_amount(block.total)}
        else:
            yield _amount(block.total)
