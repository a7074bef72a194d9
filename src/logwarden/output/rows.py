"""Row writers for ``--json`` (JSON Lines) and ``--csv``.

A report that has rows hands each one to a RowWriter as a mapping of field name to value. Bytes
from a log are decoded as UTF-8 with undecodable bytes shown as ``\\xNN``, so that a JSON or CSV
consumer always gets valid text and a forensic reader still sees which bytes were there.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import BinaryIO, Protocol


class RowWriter(Protocol):
    """Where rows go: ``write`` each, then ``close`` once."""

    def write(self, row: Mapping[str, object]) -> None: ...

    def close(self) -> None: ...


def text_of(value: bytes) -> str:
    """A log field's bytes as text, undecodable bytes as ``\\xNN``."""
    return value.decode("utf-8", "backslashreplace")


def _plain(value: object) -> object:
    if isinstance(value, bytes):
        return text_of(value)
    return value


class JsonLinesWriter:
    """One JSON object per line (JSON Lines), keys in the order the report gives them."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, row: Mapping[str, object]) -> None:
        data = {key: _plain(value) for key, value in row.items()}
        line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self._stream.write(line.encode("utf-8", "surrogateescape") + b"\n")

    def close(self) -> None:
        self._stream.flush()


class CsvWriter:
    """RFC 4180 CSV with a header row; ``fields`` fixes the columns and their order."""

    def __init__(self, stream: BinaryIO, fields: Sequence[str]) -> None:
        self._text = io.TextIOWrapper(
            stream, encoding="utf-8", errors="surrogateescape", newline="", write_through=True
        )
        self._csv = csv.DictWriter(self._text, fieldnames=list(fields), extrasaction="ignore")
        self._csv.writeheader()

    def write(self, row: Mapping[str, object]) -> None:
        self._csv.writerow({key: "" if v is None else _plain(v) for key, v in row.items()})

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


def row_writer(kind: str, stream: BinaryIO, fields: Sequence[str]) -> RowWriter:
    """The writer for ``--json`` (``kind="json"``) or ``--csv`` (``kind="csv"``)."""
    if kind == "json":
        return JsonLinesWriter(stream)
    if kind == "csv":
        return CsvWriter(stream, fields)
    raise ValueError(f"unknown row format {kind!r}")
