"""ac: the vectorized engine gives exactly the state machine's report (property tests)."""

from __future__ import annotations

import itertools
import os
import random
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect.ac.histories import NOW, ORIGIN, ZONES, history, wide
from logwarden.connect.ac.compute import FastPathDeclined, connect_time
from logwarden.connect.ac.model import AcOptions
from logwarden.connect.ac.segments import Segment
from logwarden.formats import utmp

from support.utmpbuild import (
    BOOT_TIME,
    DEAD_PROCESS,
    LOGIN_PROCESS,
    NEW_TIME,
    OLD_TIME,
    RUN_LVL,
    USER_PROCESS,
    Rec,
    pack,
)

USERS = [b"al", b"bo", b"cy", b"root", b"a.rather.long.name", b"B" * 32, b"x\0y"]
TTYS = [b"pts/0", b"pts/1", b"pts/2", b"pts/10", b"tty1", b"L" * 32, b"pts/3\0q"]


@pytest.fixture(autouse=True)
def _restore_tz() -> Iterator[None]:
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def _segment(records: list[Rec]) -> Segment:
    return Segment("wtmp", utmp.records_of(pack(records), utmp.LAYOUTS["384le"]))


def _same(segment: Segment, options: AcOptions, now: int, tz: str) -> str:
    """Both engines' reports agree; returns the engine "auto" chose."""
    os.environ["TZ"] = tz
    slow = connect_time([segment], options, now, "sequential")
    fast = connect_time([segment], options, now, "auto")
    assert fast.items == slow.items
    assert fast.fatal == slow.fatal
    assert fast.errors == slow.errors
    return fast.engine


@st.composite
def clean_records(draw: st.DrawFn) -> list[Rec]:
    """A well-ordered history: times never go back, no clock changes."""
    t = ORIGIN + draw(st.integers(-86400, 86400))
    records = []
    for _ in range(draw(st.integers(1, 80))):
        t += draw(st.sampled_from([0, 1, 59, 600, 3600, 20000, 86400, 3 * 86400]))
        kind = draw(st.sampled_from(["in", "in", "in", "out", "out", "boot", "down", "level",
                                     "getty", "nameless"]))  # fmt: skip
        tty = draw(st.sampled_from(TTYS))
        if kind == "in":
            records.append(Rec(USER_PROCESS, t, draw(st.sampled_from(USERS)), tty))
        elif kind == "out":
            records.append(Rec(DEAD_PROCESS, t, b"", tty))
        elif kind == "boot":
            records.append(Rec(BOOT_TIME, t, b"reboot", b"~"))
        elif kind == "down":
            records.append(Rec(RUN_LVL, t, b"shutdown", b"~"))
        elif kind == "level":
            records.append(Rec(RUN_LVL, t, b"runlevel", b"~", pid=draw(st.sampled_from(b"0356"))))
        elif kind == "getty":
            records.append(Rec(LOGIN_PROCESS, t, b"LOGIN", tty))
        else:
            records.append(Rec(USER_PROCESS, t, b"", tty))
    return records


@st.composite
def ac_options(draw: st.DrawFn) -> AcOptions:
    """Any combination of the options that change what ac computes."""
    names = draw(st.sampled_from([None, (b"al",), (b"root", b"bo", b"nosuch")]))
    return AcOptions(
        daily=draw(st.booleans()),
        individual=draw(st.booleans()),
        all_days=draw(st.booleans()),
        reboots=draw(st.booleans()),
        supplants=draw(st.booleans()),
        timewarps=draw(st.booleans()),
        leniency=draw(st.sampled_from([60, 0, 3600])),
        names=names,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=clean_records(), options=ac_options(), tz=st.sampled_from(ZONES),
       later=st.integers(0, 4 * 86400))  # fmt: skip
def test_clean_histories_take_the_fast_engine(
    records: list[Rec], options: AcOptions, tz: str, later: int
) -> None:
    """On well-ordered histories the vectorized engine runs and agrees with the state machine."""
    assert _same(_segment(records), options, records[-1].sec + later, tz) == "fast"


@st.composite
def messy_records(draw: st.DrawFn) -> list[Rec]:
    """Clean histories with steps back, jumps, clock changes and odd types spliced in."""
    records = draw(clean_records())
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(records)))
        base = records[min(at, len(records) - 1)].sec
        odd = draw(st.sampled_from(["back", "far", "clock", "type"]))
        if odd == "back":
            rec = Rec(DEAD_PROCESS, base - draw(st.sampled_from([30, 61, 7200])), b"", b"pts/0")
        elif odd == "far":
            rec = Rec(USER_PROCESS, base + 31_536_001, b"al", b"pts/1")
        elif odd == "clock":
            kind = draw(st.sampled_from([OLD_TIME, NEW_TIME]))
            rec = Rec(kind, base + 5, b"", b"|" if kind == OLD_TIME else b"{")
        else:
            rec = Rec(draw(st.sampled_from([0, 9, 10, -1])), base, b"al", b"pts/2")
        records.insert(at, rec)
    return records


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=messy_records(), options=ac_options(), tz=st.sampled_from(ZONES),
       later=st.integers(-3600, 4 * 86400))  # fmt: skip
def test_messy_histories_agree(records: list[Rec], options: AcOptions, tz: str, later: int) -> None:
    """On anything else the engines still agree: the fast one declines what it cannot do."""
    _same(_segment(records), options, max(records[-1].sec + later, 0), tz)


@pytest.mark.parametrize("seed", range(40))
def test_generated_histories_agree(seed: int) -> None:
    """The seeded histories of the differential tests (clean, messy, wide), every option."""
    rng = random.Random(seed)
    maker = (lambda: history(rng, rng.randint(1, 400), messy=False),
             lambda: history(rng, rng.randint(1, 400), messy=True),
             lambda: wide(rng))[seed % 3]  # fmt: skip
    records = maker()
    if not records:
        return
    options = AcOptions(daily=rng.random() < 0.5, individual=True, all_days=rng.random() < 0.3,
                        reboots=rng.random() < 0.3, supplants=rng.random() < 0.3)  # fmt: skip
    engine = _same(_segment(records), options, records[-1].sec + rng.randint(0, 86400),
                   rng.choice(ZONES))  # fmt: skip
    if seed % 3 != 1:
        assert engine == "fast"


def test_fast_engine_declines_clock_changes() -> None:
    """engine="fast" refuses a history with a clock change instead of guessing."""
    records = [Rec(USER_PROCESS, NOW - 100, b"al", b"pts/0"), Rec(OLD_TIME, NOW - 50, b"", b"|"),
               Rec(NEW_TIME, NOW, b"", b"{")]  # fmt: skip
    with pytest.raises(FastPathDeclined):
        connect_time([_segment(records)], AcOptions(), NOW, "fast")


def test_diagnostics_use_the_state_machine() -> None:
    """--complain and --debug output comes from the record-by-record engine."""
    os.environ["TZ"] = "UTC"
    records = [Rec(USER_PROCESS, NOW - 100, b"al", b"pts/0")]
    report = connect_time([_segment(records)], AcOptions(complain=True), NOW)
    assert report.engine == "sequential"
    assert report.items[0] == b"wtmp:1: problem: time warp (Thu Jan  1 00:00:00 1970 -> %s)\n" % (
        time.ctime(NOW - 100).encode()
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=clean_records(), options=ac_options(), cuts=st.lists(st.integers(0, 80), max_size=3))
def test_files_read_as_one_stream(records: list[Rec], options: AcOptions, cuts: list[int]) -> None:
    """A history split over several files (some empty) gives the report of the whole one."""
    os.environ["TZ"] = "UTC"
    bounds = [0, *sorted(min(c, len(records)) for c in cuts), len(records)]
    parts = [_segment(records[a:b]) for a, b in itertools.pairwise(bounds)]
    now = records[-1].sec + 3600
    whole = connect_time([_segment(records)], options, now, "sequential")
    for engine in ("sequential", "auto"):
        split = connect_time(parts, options, now, engine)  # type: ignore[arg-type]
        assert split.items == whole.items
