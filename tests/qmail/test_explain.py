"""The seed's tables 16 to 19, matched and explained."""

from __future__ import annotations

import pytest

from logwarden.qmail.explain import ALERTS, LINES, WARNINGS, explain
from logwarden.qmail.grammar import Kind, parse

# Every alert and warning qmail-send 1.03 can print (qmail-tools.md 1.3), with the file
# names filled in.
ALL_ALERTS = [
    b"cannot start: unable to switch to home directory",
    b"cannot start: unable to read controls",
    b"cannot start: unable to switch to queue directory",
    b"cannot start: unable to open mutex",
    b"cannot start: qmail-send is already running",
    b"cannot start: hath the daemon spawn no fire?",
    b"oh no! lost qmail-clean connection! dying...",
    b"oh no! lost spawn connection! dying...",
    b"unable to append to bounce message; HELP! sleeping...",
    b"out of memory, sleeping...",
    b"unable to opendir todo, sleeping...",
    b"unable to switch back to queue directory; HELP! sleeping...",
    b"unable to reread controls: unable to switch to home directory",
    b"unable to reread control/locals",
    b"unable to reread control/virtualdomains",
]
ALL_WARNINGS = [
    b"qmail-clean unable to clean up local/1/2",
    b"unable to stat mess/1/2; will try again later",
    b"unable to stat mess/1/2",
    b"unable to utime info/1/2; message will be retried too soon",
    b"unable to unlink todo/2; will try again later",
    b"unable to unlink todo/2",
    b"unable to start qmail-queue, will try later",
    b"trouble injecting bounce message, will try later",
    b"trouble marking local/1/2; message will be delivered twice!",
    b"internal error: delivery report out of range",
    b"trouble reading info/1/2; will try again later",
    b"trouble reading info/1/2",
    b"unknown record type in info/1/2!",
    b"unknown record type in info/1/2",
    b"trouble opening local/1/2; will try again later",
    b"unable to open todo/2",
    b"unable to create bounce/2",
    b"trouble writing to bounce/2",
    b"trouble fsyncing bounce/2",
    b"trouble in select",
]


@pytest.mark.parametrize("sentence", ALL_ALERTS)
def test_every_alert_is_explained(sentence: bytes) -> None:
    """Each of qmail-send's alerts maps to a row of the seed's table 16."""
    entry = explain(parse(b"alert: " + sentence))
    assert entry is not None
    assert entry.table == 16
    assert entry.seed
    assert entry.meaning
    assert entry.action


@pytest.mark.parametrize("sentence", ALL_WARNINGS)
def test_every_warning_is_explained(sentence: bytes) -> None:
    """Each of qmail-send's warnings maps to a row of the seed's table 19."""
    entry = explain(parse(b"warning: " + sentence))
    assert entry is not None
    assert entry.table == 19
    assert entry.seed
    assert entry.meaning
    assert entry.action


def test_tables_keep_the_seed_rows() -> None:
    """All rows of tables 16, 17, 18 and 19 are there, in Chinese, as data."""
    assert len(ALERTS) == 7
    assert len(WARNINGS) == 16
    assert set(LINES) >= {Kind.NEW, Kind.INFO, Kind.BOUNCE, Kind.TRIPLE, Kind.END,
                                  Kind.STARTING, Kind.DELIVERY, Kind.STATUS}  # fmt: skip
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.seed) for e in (*ALERTS, *WARNINGS))


def test_an_unknown_warning_has_no_row() -> None:
    """A sentence the seed does not list is not forced onto a row."""
    assert explain(parse(b"warning: frobnication failed")) is None
