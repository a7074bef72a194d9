"""The timeline as text (aligned, coloured and escaped on a terminal), JSON Lines or CSV.

Text shows each event in its host's local time (the zone ingest found for the host, or UTC
with ``--utc``); a ``*`` after the time marks a year that was inferred (the stamp had none).
On a terminal the kind is coloured and everything that came from a log is escaped, so an
escape sequence in a user name cannot rewrite the screen; in a pipe the text is as logged.

JSON Lines carries every column, the source's own fields as an object, and the three fields
Timesketch requires to import a timeline: ``message``, ``datetime`` (ISO 8601) and
``timestamp_desc`` (what the time means); ``timestamp`` (microseconds) too.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import BinaryIO, Protocol

import numpy as np
import polars as pl

from logwarden.events import schema
from logwarden.events.zone import UTC_ZONE, HostZone
from logwarden.output.terminal import escape_controls

FORMATS = ("text", "jsonl", "csv")

_RED, _GREEN, _YELLOW, _BLUE, _MAGENTA, _CYAN = "31", "32", "33", "34", "35", "36"
COLOURS = {
    "login": _GREEN, "current_login": _GREEN, "session_open": _GREEN, "lastlog": _GREEN,
    "logout": "2", "session_close": "2", "ssh_disconnect": "2",
    "failed_login": _RED, "invalid_user": _RED, "auth_failure": _RED, "su_failed": _RED,
    "sudo_failed": _RED, "mail_alert": "1;31", "mail_bounce": _RED,
    "su": _YELLOW, "sudo": _YELLOW, "command": _CYAN, "cron": _CYAN,
    "boot": _MAGENTA, "shutdown": _MAGENTA, "runlevel": _MAGENTA, "clock_change": _MAGENTA,
    "mail_warning": _YELLOW,
}  # fmt: skip
_MAIL_COLOUR = _BLUE

#: Widths of the aligned text columns (a longer value pushes the line, never is cut).
WIDTHS = {"host": 12, "kind": 13, "user": 9, "tty": 8, "remote": 15}


class Renderer(Protocol):
    def write(self, events: pl.DataFrame) -> None: ...

    def close(self) -> None: ...


def iso_datetime() -> pl.Expr:
    """``time`` as ISO 8601 in UTC with microseconds."""
    return pl.col("time").dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%S%.6f+00:00")


def timestamp_desc() -> pl.Expr:
    return pl.col("kind").replace_strict(
        dict(schema.TIMESTAMP_DESC), default=schema.DEFAULT_TIMESTAMP_DESC, return_dtype=pl.String
    )


class JsonLines:
    """One JSON object per event."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, events: pl.DataFrame) -> None:
        if events.height == 0:
            return
        columns = [
            pl.col("message"),
            iso_datetime().alias("datetime"),
            timestamp_desc().alias("timestamp_desc"),
            (pl.col("time").dt.epoch("us")).alias("timestamp"),
            *(pl.col(n) for n in schema.NAMES if n not in ("time", "message", "fields")),
        ]
        head = pl.struct(columns).struct.json_encode().str.strip_suffix("}")
        line = pl.concat_str(
            head, pl.lit(',"fields":'), pl.col("fields").fill_null("null"), pl.lit("}\n")
        )
        text = events.select(line.alias("l"))["l"]
        self.out.write("".join(text.to_list()).encode("utf-8"))

    def close(self) -> None:
        self.out.flush()


class Csv:
    """RFC 4180 CSV with a header row; ``fields`` stays a JSON text column."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.header = True

    def write(self, events: pl.DataFrame) -> None:
        if events.height == 0 and not self.header:
            return
        frame = events.select(
            iso_datetime().alias("time"), *(pl.col(n) for n in schema.NAMES if n != "time")
        )
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=self.header)
        self.header = False
        self.out.write(buffer.getvalue())

    def close(self) -> None:
        if self.header:
            self.write(schema.empty())
        self.out.flush()


class Text:
    """Aligned lines, in each host's local time."""

    def __init__(self, out: BinaryIO, zones: Mapping[str, HostZone], *, terminal: bool,
                 show_host: bool) -> None:  # fmt: skip
        self.out = out
        self.zones = zones
        self.terminal = terminal
        self.show_host = show_host

    def _times(self, events: pl.DataFrame) -> list[str]:
        micros = events["time"].dt.epoch("us").to_numpy().astype(np.int64)
        seconds = micros // 1_000_000
        offsets = np.zeros(len(seconds), dtype=np.int64)
        hosts = events["host"].to_numpy()
        for host in np.unique(hosts).tolist():
            rows = np.flatnonzero(hosts == host)
            zone = self.zones.get(host, UTC_ZONE)
            offsets[rows] = zone.offsets(seconds[rows])
        local = pl.Series((seconds + offsets) * 1_000_000).cast(pl.Datetime("us"))
        stamp = local.dt.to_string("%Y-%m-%d %H:%M:%S")
        sign = np.where(offsets < 0, "-", "+")
        mag = np.abs(offsets)
        parts = zip(sign.tolist(), (mag // 3600).tolist(), (mag // 60 % 60).tolist(), strict=True)
        zone_text = [f"{s}{h:02d}{m:02d}" for s, h, m in parts]
        return [f"{a} {b}" for a, b in zip(stamp.to_list(), zone_text, strict=True)]

    def _field(self, value: str | None, width: int = 0) -> str:
        text = "-" if value is None or value == "" else value
        if self.terminal:
            text = escape_controls(text.encode("utf-8", "surrogateescape")).decode(
                "utf-8", "surrogateescape"
            )
        return text.ljust(width)

    def write(self, events: pl.DataFrame) -> None:
        if events.height == 0:
            return
        times = self._times(events)
        out = []
        rows = events.select("host", "kind", "user", "tty", "remote", "message", "year_guessed")
        for when, (host, kind, user, tty, remote, message, guessed) in zip(
            times, rows.iter_rows(), strict=True
        ):
            parts = [when + ("*" if guessed else " ")]
            if self.show_host:
                parts.append(self._field(host, WIDTHS["host"]))
            kind_text = kind.ljust(WIDTHS["kind"])
            if self.terminal:
                colour = COLOURS.get(kind, _MAIL_COLOUR if kind.startswith("mail_") else "")
                if colour:
                    kind_text = f"\x1b[{colour}m{kind}\x1b[0m" + " " * max(
                        WIDTHS["kind"] - len(kind), 0
                    )
            parts.append(kind_text)
            parts.append(self._field(user, WIDTHS["user"]))
            parts.append(self._field(tty, WIDTHS["tty"]))
            parts.append(self._field(remote, WIDTHS["remote"]))
            parts.append(self._field(message))
            out.append(" ".join(parts).rstrip() + "\n")
        self.out.write("".join(out).encode("utf-8", "surrogateescape"))

    def close(self) -> None:
        self.out.flush()
