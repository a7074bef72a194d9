"""Opening a utmp, wtmp or btmp file: find its layout, decode it, say what was wrong with it.

Detection is by scoring (see :func:`logwarden.formats.utmp.detect`); ``--layout`` overrides
it. A file that no layout explains is refused with one line that says so; damaged records and
a partial record at the end are skipped and reported as warnings, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logwarden.errors import InputError, UsageError
from logwarden.formats import utmp
from logwarden.sources.files import FileBytes, read_file

LAYOUT_CHOICES = ("auto", *utmp.LAYOUTS)


@dataclass
class UtmpFile:
    """A decoded utmp-family file."""

    path: str
    file: FileBytes
    decoded: utmp.Decoded
    warnings: list[str] = field(default_factory=list)

    @property
    def records(self) -> utmp.Records:
        return self.decoded.records

    @property
    def layout(self) -> utmp.Layout:
        return self.decoded.records.layout


def layout_named(name: str | None) -> utmp.Layout | None:
    """The layout for a ``--layout`` value (None for automatic detection)."""
    if name is None or name == "auto":
        return None
    try:
        return utmp.LAYOUTS[name]
    except KeyError:
        choices = ", ".join(LAYOUT_CHOICES)
        raise UsageError(f"unknown layout '{name}' (choose from {choices})") from None


def choose_layout(path: str, data: bytes | memoryview, forced: utmp.Layout | None) -> utmp.Layout:
    """The layout to read ``data`` with, or an InputError saying why there is none."""
    if forced is not None:
        return forced
    if data[:16] == utmp.SQLITE_MAGIC:
        raise InputError(
            path, "is an SQLite database (wtmpdb or lastlog2?), not a utmp/wtmp/btmp file"
        )
    scores = utmp.detect(data)
    best = scores[0]
    if best.fits:
        return best.layout
    raise InputError(
        path,
        "not a utmp/wtmp/btmp file: no known record layout fits "
        f"(best: {best.layout.name}, {best.plausible:.0%} of sampled records plausible); "
        "--layout forces one",
    )


def open_utmp(
    path: str, layout: utmp.Layout | None = None, *, skip_damaged: bool = True
) -> UtmpFile:
    """Read ``path`` as utmp records. OSError propagates for the caller to word.

    ``skip_damaged=False`` keeps records whose type no utmp writer uses (see ``decode``).
    """
    file = read_file(path)
    view = memoryview(file.data)
    chosen = choose_layout(path, view, layout)
    decoded = utmp.decode(view, chosen, skip_damaged=skip_damaged)
    result = UtmpFile(path, file, decoded)
    if decoded.damaged:
        plural = "s" if decoded.damaged != 1 else ""
        result.warnings.append(
            f"{path}: skipped {decoded.damaged} damaged record{plural} "
            f"(first at offset {decoded.first_damaged_offset})"
        )
    if decoded.trailing:
        result.warnings.append(
            f"{path}: offset {decoded.trailing_offset}: ignored {decoded.trailing} trailing "
            f"byte{'s' if decoded.trailing != 1 else ''} that are not a whole "
            f"{chosen.size}-byte record"
        )
    return result
