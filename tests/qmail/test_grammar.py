"""qmail-send's sentences typed into the seed's six types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwarden.qmail.grammar import Category, Kind, Result, parse


@pytest.mark.parametrize(
    ("text", "kind", "category"),
    [
        (b"status: local 0/10 remote 1/20", Kind.STATUS, Category.STATUS),
        (b"status: local 0/10 remote 1/20 exitasap", Kind.STATUS, Category.STATUS),
        (b"status: exiting", Kind.STATUS, Category.STATUS),
        (b"new msg 93869", Kind.NEW, Category.MESSAGE),
        (b"info msg 93869: bytes 2343 from <dave@sill.org> qp 18695 uid 49491", Kind.INFO,
         Category.MESSAGE),
        (b"bounce msg 161214 qp 24162", Kind.BOUNCE, Category.MESSAGE),
        (b"triple bounce: discarding bounce/161216", Kind.TRIPLE, Category.MESSAGE),
        (b"end msg 93869", Kind.END, Category.MESSAGE),
        (b"starting delivery 2392: msg 93869 to remote lwq@w3.to", Kind.STARTING,
         Category.DELIVERY),
        (b"delivery 2392: success: did_0+0+1/", Kind.DELIVERY, Category.DELIVERY),
        (b"delivery 12: report mangled, will defer", Kind.DELIVERY, Category.DELIVERY),
        (b"alert: cannot start: unable to read controls", Kind.ALERT, Category.FATAL),
        (b"alert: oh no! lost spawn connection! dying...", Kind.ALERT, Category.FATAL),
        (b"alert: out of memory, sleeping...", Kind.ALERT, Category.SERIOUS),
        (b"alert: unable to reread control/locals", Kind.ALERT, Category.SERIOUS),
        (b"warning: trouble in select", Kind.WARNING, Category.WARNING),
        (b"qmail-daemon: pid 187, queue /var/indimail/queue/queue1 started", Kind.OTHER,
         Category.OTHER),
        (b"new msg 100926020 queue5", Kind.NEW, Category.MESSAGE),
        (b"starting delivery", Kind.OTHER, Category.OTHER),
    ],
)  # fmt: skip
def test_sentences_get_their_type(text: bytes, kind: Kind, category: Category) -> None:
    """Every sentence of qmail-log(5) gets its kind and the seed's type."""
    event = parse(text)
    assert (event.kind, event.category) == (kind, category)


def test_fields_are_read() -> None:
    """The numbers and words of each sentence land in typed fields."""
    info = parse(b"info msg 7: bytes 830 from <Turbo@Bayour.com> qp 6190 uid 1000")
    assert (info.msg, info.size, info.sender, info.qp, info.uid) == (
        7, 830, b"<Turbo@Bayour.com>", 6190, 1000)  # fmt: skip
    start = parse(b"starting delivery 119: msg 161214 to remote turbo@tripnet.se")
    assert (start.delivery, start.msg, start.channel, start.recipient) == (
        119, 161214, b"remote", b"turbo@tripnet.se")  # fmt: skip
    done = parse(b"delivery 183: failure: 213.242.147.30_does_not_like_recipient./")
    assert (done.delivery, done.result, done.report) == (
        183, Result.FAILURE, b"213.242.147.30_does_not_like_recipient./")  # fmt: skip
    status = parse(b"status: local 1/120 remote 60/60 exitasap")
    assert (status.local, status.local_max, status.remote, status.remote_max) == (1, 120, 60, 60)
    assert status.exitasap


@given(st.binary(max_size=120))
def test_any_text_is_typed(text: bytes) -> None:
    """Fuzzed text never breaks the parser; unknown text is 'other'."""
    event = parse(text)
    assert event.text == text
