"""Fixed-size byte fields and log bytes as text columns, the way logwarden shows log bytes.

A field from a binary record (a utmp user, a pacct command) is a C string: it ends at its first
NUL. Its bytes become text as UTF-8, each byte that is not valid UTF-8 written ``\\xNN`` (as
``--json`` does everywhere: a consumer always gets valid text and still sees which bytes were
there). The common case, clean ASCII or UTF-8, goes through polars without a Python loop;
only the rows that are not valid UTF-8 are decoded one by one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl


def text_of(value: bytes) -> str:
    """One field's bytes as text, invalid UTF-8 as ``\\xNN``."""
    return value.decode("utf-8", "backslashreplace")


def binary_to_text(values: pl.Series) -> pl.Series:
    """A Binary column as String (invalid UTF-8 escaped), nulls kept."""
    text = values.cast(pl.String, strict=False)
    bad = text.is_null() & values.is_not_null()
    if bad.any():
        rows = bad.arg_true()
        fixed = [text_of(v) for v in values.gather(rows).to_list()]
        text = text.scatter(rows, fixed)
    return text


def cstring_column(field: npt.NDArray[np.bytes_]) -> pl.Series:
    """A fixed-size ``S`` field (numpy has already dropped the trailing NULs) as text cut at
    its first NUL, as C reads it."""
    values = pl.Series(np.ascontiguousarray(field))
    if values.dtype != pl.Binary:
        values = values.cast(pl.Binary)
    text = binary_to_text(values)
    if text.str.contains("\x00", literal=True).any():
        text = text.str.split_exact("\x00", 1).struct.field("field_0")
    return text


def empty_as_null(column: pl.Expr) -> pl.Expr:
    """An empty string means "none" in a fixed-size field."""
    return pl.when(column == "").then(None).otherwise(column)
