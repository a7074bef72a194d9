"""One file's run of ``last``: open it, analyse as much of its tail as the line limit needs,
select the printed lines, and note when the file begins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from logwarden.connect.last import munge
from logwarden.connect.last.analyse import Settings, analyse
from logwarden.connect.last.phantom import PhantomPolicy
from logwarden.connect.last.selection import Criteria, Selection, select
from logwarden.errors import LogwardenError
from logwarden.formats import utmp
from logwarden.sources.utmpfile import open_utmp

#: Records analysed first when a line limit is given; the tail grows 8-fold until enough
#: lines are found. Analysing a tail is exact: the state at a record depends only on the
#: records after it.
FIRST_TAIL = 4096


@dataclass
class FileRun:
    """What ``last`` has for one file."""

    path: str
    now: int
    begins: int
    """Time of the file's first record, or its ctime when it has none (util-linux)."""
    records: utmp.Records | None = None
    """The records analysed (the file's tail when a limit allowed stopping early)."""
    columns: munge.Columns | None = None
    selection: Selection | None = None
    warnings: list[str] = field(default_factory=list)


def read_listing(
    path: str,
    settings: Settings,
    criteria: Criteria,
    limit: int | None,
    policy: PhantomPolicy,
    layout: utmp.Layout | None,
    now: int,
    *,
    host_column: bool = False,
) -> FileRun:
    """Run ``last`` over ``path``. Raises LogwardenError worded as util-linux words it.

    ``host_column``: the first 16 bytes of every host will be printed (read them along).
    """
    # util-linux opens the name as given: "-" is a file called "-", not standard input.
    opened = os.path.join(".", path) if path == "-" else path
    try:
        source = open_utmp(opened, layout, skip_damaged=False)
    except IsADirectoryError as e:
        # fopen() succeeds on a directory and the first read fails: util-linux warns and
        # still prints the begins line, with the directory's ctime.
        run = FileRun(path, now, int(os.stat(opened).st_ctime))
        run.warnings.append(f"cannot read {path}: {e.strerror}")
        return run
    except OSError as e:
        raise LogwardenError(f"cannot open {path}: {e.strerror or e}") from None
    records = source.records
    # The first record only: the whole column would read the whole file.
    first = int(records.raw["sec"][0]) if len(records) else int(source.file.stat.st_ctime)
    run = FileRun(path, now, first, warnings=list(source.warnings))
    run.records, run.columns, run.selection = _select_tail(
        records, settings, criteria, limit, policy, now, host_column
    )
    return run


def _select_tail(
    records: utmp.Records,
    settings: Settings,
    criteria: Criteria,
    limit: int | None,
    policy: PhantomPolicy,
    now: int,
    host_column: bool,
) -> tuple[utmp.Records, munge.Columns, Selection]:
    """The selection, from the shortest tail of ``records`` that holds ``limit`` lines."""
    count = len(records)
    tail = count if limit is None else max(FIRST_TAIL, 16 * limit)
    while True:
        start = max(0, count - tail)
        part = records if start == 0 else utmp.Records(records.raw[start:], records.layout)
        columns = munge.read_columns(part, host=host_column)
        listing = analyse(part, settings, now, columns)
        selection = select(listing, part, criteria, limit, policy, columns)
        if start == 0 or selection.limited:
            return part, columns, selection
        tail *= 8
