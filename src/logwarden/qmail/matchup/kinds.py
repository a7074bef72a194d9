"""matchup's view of a chunk of lines, column-wise: each line sorted by its verb (the word
after the timestamp), and the words matchup reads from it typed, one small query per kind.

A line is ``STAMP WORD WORD ...``, words separated by spaces (``f0`` is the stamp, ``f1`` the
verb...). The verb is looked up once, as a small code (:func:`word_codes`); each kind then
splits only its own lines, and reads only the words it needs. This is the state-free half of
the column engine: it runs ahead of the pairing, in other threads, several chunks at a time.
(polars' CSV reader, splitting every line at once with a space as the separator, costs more
processor time than this, though less wall time on an idle machine.)

Numbers are read the fast way (a cast of the whole word, ``D:`` without its colon) and checked:
where a number word is not plain digits (``12x``, ``+5``, 21 digits, empty), that kind is read
again word by word as C's ``scan_ulong`` reads it, and, unless ``lenient``, the chunk is left to
the line engine (:class:`Unsupported`), which reproduces matchup.c exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

#: The words that start qmail-send's sentences (and matchup's pending lines), coded by
#: position: a line's ``word`` column is the code of its verb, or :data:`OTHER` for any
#: other word (or none).
WORDS = (
    "status:", "starting", "delivery", "new", "end", "info", "extra", "running", "exiting",
    "number", "local", "remote", "warning:", "alert:", "warn:", "bounce", "triple", "double",
)  # fmt: skip
WORD = {w: i for i, w in enumerate(WORDS)}
OTHER = 255

#: matchup's verbs and what each line is to it: Z ignored, S start, R result, K new (a
#: kill), E end, I info, X extra (pending files), C clear (old qmail's restart lines),
#: W copied (alerts, warnings); any other word is Q (printed after ``? ``).
VERBS = {
    "status:": "Z", "starting": "S", "delivery": "R", "new": "K", "end": "E", "info": "I",
    "extra": "X", "running": "C", "exiting": "C", "number": "Z", "local": "Z",
    "remote": "Z", "warning:": "W", "alert:": "W",
}  # fmt: skip


def codes_of(kinds: str) -> list[int]:
    """The word codes of the lines that are one of ``kinds`` to matchup (Q: all others)."""
    if kinds == "Q":
        return [WORD[w] for w in WORDS if w not in VERBS] + [OTHER]
    return [WORD[w] for w, k in VERBS.items() if k in kinds]


#: A column expression applied to the stamps of the lines matchup prints (the report's
#: multilog lines get tai64nfrac's form there, and only there).
Stamp = Callable[[pl.Expr], pl.Expr]


class Unsupported(Exception):
    """A chunk the column engine cannot reproduce exactly (the line engine takes it)."""


@dataclass
class Kinds:
    """A chunk's lines sorted by matchup's verbs, their words read (no state needed yet).

    ``ln`` is the line's position (in the chunk or in the whole input, as the caller says).
    """

    #: ln, D, M, dstart, chan, recip
    starts: pl.DataFrame
    #: ln, M, birth, bytes, sender, qp, uid
    infos: pl.DataFrame
    #: ln, D, ddone, code (0 success, 1 failure, 2 deferral, 3 other), reason
    results: pl.DataFrame
    #: ln, M, is_end, done (new msg and end msg lines)
    kills: pl.DataFrame
    #: ln, M, xk, xz, xd
    extras: pl.DataFrame
    #: the ln of every running/exiting line
    clears: npt.NDArray[np.int64]
    #: ln, kind ("W": copied as it is, "Q": printed after "? "), text (the whole line)
    others: pl.DataFrame


def _word(n: int) -> pl.Expr:
    return pl.col(f"f{n}").fill_null("")


def _fast_num(n: int) -> pl.Expr:
    """Word ``n`` as a number when it is plain digits (a colon after them allowed); null
    otherwise (the word is then read again by :func:`_exact_num`)."""
    word = pl.col(f"f{n}")
    value = word.str.strip_suffix(":").cast(pl.UInt64, strict=False)
    # The cast also takes a sign ("+5"), which scan_ulong does not.
    return pl.when(word.str.starts_with("+")).then(None).otherwise(value)


def _exact_num(n: int, lenient: bool) -> pl.Expr:
    """C's scan_ulong of word ``n``: 0 unless it starts with a digit. ``lenient`` reads the
    leading digits of any word (a number past 2**64 then counts as 0); otherwise a number
    that is not plain digits is null (and the chunk goes to the line engine)."""
    word = _word(n)
    if lenient:
        digits = word.str.extract("^([0-9]+)", 1)
        return digits.cast(pl.UInt64, strict=False).fill_null(0)
    plain = word.str.contains("^[0-9]{1,19}:?$")
    return (
        pl.when(~word.str.contains("^[0-9]"))
        .then(pl.lit(0, pl.UInt64))
        .when(plain)
        .then(word.str.strip_suffix(":").cast(pl.UInt64, strict=False))
        .otherwise(None)
    )


#: Per kind: (name, word number) of its numbers and (name, how) of its other columns.
_LAYOUT: dict[str, tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]] = {
    "S": ((("D", 3), ("M", 5)), (("dstart", "stamp"), ("chan", "7"), ("recip", "8l"))),
    "I": ((("M", 3), ("bytes", 5), ("qp", 9), ("uid", 11)),
          (("birth", "stamp"), ("sender", "7l"))),
    "R": ((("D", 2),), (("ddone", "stamp"), ("code", "result"), ("reason", "reason"))),
    "KE": ((("M", 3),), (("done", "stamp"), ("is_end", "end"))),
    "X": ((("M", 2), ("xk", 3), ("xz", 4), ("xd", 5)), ()),
}  # fmt: skip


def _result_code(word: pl.Expr) -> pl.Expr:
    """0 success, 1 failure, 2 deferral (or a mangled report), 3 anything else; matchup reads
    only the start of the word."""
    return (
        pl.when(word.str.starts_with("succ")).then(pl.lit(0, pl.UInt8))
        .when(word.str.starts_with("fail")).then(pl.lit(1, pl.UInt8))
        .when(word.str.starts_with("defer") | word.str.starts_with("report"))
        .then(pl.lit(2, pl.UInt8))
        .otherwise(pl.lit(3, pl.UInt8))
    )  # fmt: skip


def _other_column(name: str, how: str, stamp: Stamp) -> pl.Expr:
    if how == "stamp":
        return stamp(_word(0)).alias(name)
    if how == "end":
        return (_word(1) == "end").alias(name)
    if how == "result":
        return _result_code(_word(3)).alias(name)
    if how == "reason":
        # The reason printed: the word after the result, none for an unknown result.
        word = _word(3)
        return (
            pl.when(word.str.starts_with("report")).then(pl.lit("report_mangled"))
            .when(_result_code(word) == 3).then(pl.lit(""))
            .otherwise(_word(4)).alias(name)
        )  # fmt: skip
    if how.endswith("l"):
        return _word(int(how[:-1])).str.to_lowercase().alias(name)
    return _word(int(how)).alias(name)


#: How many spaces each kind's lines are split at (the words it reads, and no more).
_SPACES = {"S": 8, "I": 11, "R": 4, "KE": 3, "X": 5}


def _kind_query(
    lines: pl.LazyFrame, kinds: str, stamp: Stamp, exact: bool, lenient: bool
) -> pl.LazyFrame:
    numbers, others = _LAYOUT[kinds]
    nums = [(_exact_num(n, lenient) if exact else _fast_num(n)).alias(name) for name, n in numbers]
    cols = [_other_column(name, how, stamp) for name, how in others]
    spaces = _SPACES[kinds]
    words = pl.col("line").str.split_exact(" ", spaces)
    names = [f"f{i}" for i in range(spaces + 1)]
    return (
        lines.filter(in_kinds(kinds))
        .select("ln", words.struct.rename_fields(names).alias("w"))
        .unnest("w")
        .select("ln", *nums, *cols)
    )


def in_kinds(kinds: str) -> pl.Expr:
    """Rows whose verb is one of ``kinds`` to matchup."""
    codes = codes_of(kinds)
    return pl.col("word").is_in(codes) if len(codes) > 1 else pl.col("word") == codes[0]


def _identity(stamp: pl.Expr) -> pl.Expr:
    return stamp


def word_codes(line: pl.Expr) -> pl.Expr:
    """Each line's verb (word 1) as its code in :data:`WORDS` (or :data:`OTHER`)."""
    verb = line.str.split_exact(" ", 1).struct.field("field_1")
    return verb.replace_strict(WORD, default=OTHER, return_dtype=pl.UInt8).alias("word")


def extract(lines: pl.DataFrame, stamp: Stamp = _identity, lenient: bool = False) -> Kinds:
    """Sort ``lines`` (``ln``, ``line``, ``word``: see :func:`word_codes`) by verb and read
    their words; the lines matchup copies or marks keep their text.

    A number that is not plain digits raises :class:`Unsupported`, unless ``lenient`` (the
    report's case), where its leading digits are read as such.
    """
    source = lines.lazy()
    names = ("S", "I", "R", "KE", "X")
    frames = pl.collect_all(
        [
            *(_kind_query(source, c, stamp, exact=False, lenient=lenient) for c in names),
            source.filter(in_kinds("C")).select("ln"),
            source.filter(in_kinds("W") | in_kinds("Q")).select("ln", "word", "line"),
        ]
    )
    read = dict(zip(names, frames, strict=False))
    for kinds in names:
        frame = read[kinds]
        numbers = [name for name, _ in _LAYOUT[kinds][0]]
        if frame.height and _any_null(frame, numbers):
            frame = _kind_query(source, kinds, stamp, exact=True, lenient=lenient).collect()
            if not lenient and _any_null(frame, numbers):
                raise Unsupported("a number that is not plain digits")
            read[kinds] = frame
    clears = frames[5]["ln"].cast(pl.Int64).to_numpy()
    rest = frames[6]
    others = pl.DataFrame({
        "ln": rest["ln"],
        "kind": rest.select(pl.when(in_kinds("W")).then(pl.lit("W")).otherwise(pl.lit("Q")))
        .to_series(),
        "text": rest["line"],
    })  # fmt: skip
    return Kinds(read["S"], read["I"], read["R"], read["KE"], read["X"], clears, others)


def _any_null(frame: pl.DataFrame, columns: list[str]) -> bool:
    return bool(frame.select(pl.any_horizontal(pl.col(columns).is_null()).any()).item())
