"""The fast path writes exactly the line the full parser and the traditional format write."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.syslog import fastpath, templates
from logwarden.syslog.message import Clock, parse

NOW = Clock().stamp(1795568523.5)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
          "jan", "NOV", "Foo"]  # fmt: skip

stamps = st.builds(
    lambda mon, day, h, m, s, pad: (
        f"{mon} {day:>2} {h:02d}:{m:02d}:{s:02d}"
        if pad
        else f"{mon} {day:02d} {h:02d}:{m:02d}:{s:02d}"
    ),
    st.sampled_from(MONTHS),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 60),
    st.integers(0, 61),
    st.booleans(),
).map(str.encode)
words = st.from_regex(rb"\A[A-Za-z0-9._\-\[\]:/]{0,12}\Z")
texts = st.binary(max_size=40)
pris = st.integers(0, 999).map(lambda p: b"<%d>" % p) | st.sampled_from([b"<013>", b"<>", b"<1"])
spaces = st.sampled_from([b" ", b"", b"  "])


@settings(max_examples=1500, deadline=None)
@given(pris, stamps, spaces, words, spaces, words, spaces, texts)
def test_network_lines_agree(
    pri: bytes, stamp: bytes, s1: bytes, host: bytes, s2: bytes, tag: bytes, s3: bytes, text: bytes
) -> None:
    """From the network: same PRI and same traditional line, whenever the fast path applies."""
    raw = pri + stamp + s1 + host + s2 + tag + s3 + text
    fast = fastpath.network_line(raw, b"sender")
    if fast is None:
        return
    message = parse(raw, NOW, b"sender", local=False)
    assert fast[0] == message.pri
    assert message.pri_valid
    assert fast[1] + b"\n" == templates.traditional_file(message)


@settings(max_examples=1500, deadline=None)
@given(pris, stamps, spaces, words, spaces, texts)
def test_local_lines_agree(
    pri: bytes, stamp: bytes, s1: bytes, tag: bytes, s2: bytes, text: bytes
) -> None:
    """From the unix socket: the fast line is the parser's after the reception time and host."""
    raw = pri + stamp + s1 + tag + s2 + text
    fast = fastpath.local_text(raw)
    if fast is None:
        return
    message = parse(raw, NOW, b"vm", local=True)
    assert fast[0] == message.pri
    assert message.pri_valid
    line = templates.traditional_time(NOW) + b" vm " + fast[1] + b"\n"
    assert line == templates.traditional_file(message)


def test_common_shapes_take_the_fast_path() -> None:
    """logger's local messages and forwarded lines with or without a host are recognised."""
    assert fastpath.local_text(b"<13>Nov 25 01:02:03 root: hello world") == (
        13,
        b"root: hello world",
    )
    assert fastpath.network_line(b"<14>Nov  5 01:02:03 vm app[7]: x", b"h") == (
        14,
        b"Nov  5 01:02:03 vm app[7]: x",
    )
    assert fastpath.network_line(b"<14>Nov 25 01:02:03 app[7]: x", b"h") == (
        14,
        b"Nov 25 01:02:03 h app[7]: x",
    )
    assert fastpath.network_line(b"<192>Nov 25 01:02:03 vm app: x", b"h") is None
