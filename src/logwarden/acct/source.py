"""Reading pacct files the way GNU acct's file reader does, and saying what was wrong.

GNU takes a list of files and reads them one after the other, each forwards or (lastcomm's
default) backwards. A file it cannot open is reported with ``perror`` and skipped; the program
goes on with the next. logwarden does the same, and adds what GNU does not say: records of
an unknown format and a partial record at the end are skipped and *counted* (GNU prints one
``ERROR: unknown acct file format`` per record and, reading backwards, misaligns every record
of a file whose size is not a multiple of 64 and then crashes).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from logwarden.formats import acct
from logwarden.sources.files import read_file

#: GNU sa, dump-acct and accton's default; lastcomm's too.
PACCT = "/var/log/account/pacct"
SAVACCT = "/var/log/account/savacct"
USRACCT = "/var/log/account/usracct"


@dataclass
class PacctFile:
    """One file's records (in reading order) and the complaints about it."""

    path: str
    records: acct.Records
    errors: list[str] = field(default_factory=list)
    """perror-style lines GNU prints too (the file could not be opened)."""
    warnings: list[str] = field(default_factory=list)
    """logwarden's own notes: skipped records, trailing bytes."""
    unreadable: bool = False
    """Not one record has a version GNU acct reads: not a pacct file at all."""


def open_message(path: str, error: OSError) -> str:
    """GNU's ``perror("couldn't open file 'NAME'")``."""
    return f"couldn't open file '{path}': {error.strerror or error}"


def read_pacct(path: str, *, backwards: bool = False, ahz: int = acct.AHZ) -> PacctFile:
    """Decode ``path`` (``-`` is standard input). Errors opening it are reported, not raised."""
    try:
        data = read_file(path)
    except IsADirectoryError:
        # fopen() opens a directory; the first fread() fails and GNU takes that as the end.
        return PacctFile(path, acct.empty_records())
    except OSError as e:
        return PacctFile(path, acct.empty_records(), errors=[open_message(path, e)])
    decoded = acct.decode(memoryview(data.data), ahz)
    result = PacctFile(path, decoded.records)
    if decoded.unknown > 3 * len(decoded.records):
        # Three records in four have no version GNU acct knows: random bytes pass the
        # version test about one time in twenty, so the few that do are noise too. GNU
        # would print an error line per record and whatever the rest decode to, and exit
        # 0; one line that says what the file is not, nothing decoded from it, and a
        # failing exit status serve better.
        result.unreadable = True
        result.records = acct.empty_records()
        total = (len(data) - decoded.trailing) // acct.RECORD_SIZE
        result.warnings.append(
            f"{path}: not a process accounting file: {decoded.unknown} of its {total} "
            "records have no version GNU acct reads"
        )
    elif decoded.unknown:
        plural = "s" if decoded.unknown != 1 else ""
        result.warnings.append(
            f"{path}: skipped {decoded.unknown} record{plural} of unknown format "
            f"(first at offset {decoded.first_unknown})"
        )
    if decoded.trailing:
        offset = len(data) - decoded.trailing
        plural = "s" if decoded.trailing != 1 else ""
        result.warnings.append(
            f"{path}: offset {offset}: ignored {decoded.trailing} trailing byte{plural} "
            f"that are not a whole {acct.RECORD_SIZE}-byte record"
        )
    if backwards:
        result.records = result.records.reversed()
    return result


def read_all(
    paths: Sequence[str], *, backwards: bool = False, ahz: int = acct.AHZ
) -> Iterator[PacctFile]:
    """Every file in order; each is read when the previous one is done."""
    for path in paths:
        yield read_pacct(path, backwards=backwards, ahz=ahz)


def concatenate(files: Sequence[PacctFile]) -> acct.Records:
    """The records of several files as one set, in reading order."""
    parts = [f.records for f in files if len(f.records)]
    if not parts:
        return acct.empty_records()
    if len(parts) == 1:
        return parts[0]
    columns = {name: np.concatenate([p.columns[name] for p in parts]) for name in parts[0].columns}
    return acct.Records(columns, np.concatenate([p.position for p in parts]))
