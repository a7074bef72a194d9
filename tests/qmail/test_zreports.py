"""The z reports, the plain helpers, columnt and the x filters against qmailanalog.

Expected tables in tests/qmail/golden/ were printed by qmailanalog's awk scripts (run with
Debian's mawk, sort in the C locale) and its columnt.c, compiled and run in /tmp only, over
the C matchup's output for each real sample; sample 03's tables were also worked out by hand
(e.g. sender 1000/<turbo@bayour.com>: 2 messages, 830+869 = 1699 bytes, xdelay
0.249687 + 2.734579 = 2.984266).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.qmail.awk import divide, f2, f6, g6, number, show
from logwarden.qmail.xfilters import xqp, xrecipient, xsender
from logwarden.qmail.zreports import z
from logwarden.qmail.zreports.columnt import columnt
from logwarden.qmail.zreports.overall import overall, sendmail
from logwarden.qmail.zreports.sortlike import sort_numeric, sort_text

from support.reference import ours

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = sorted(p.stem for p in GOLDEN.glob("*.in"))


def lines_of(name: str) -> list[bytes]:
    data = (GOLDEN / f"{name}.matchup").read_bytes()
    return data.split(b"\n")[:-1]


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("report", sorted(z.REPORTS))
def test_tables_match_qmailanalog(name: str, report: str) -> None:
    """Every z table has qmailanalog's rows, columns and numbers."""
    got = z.table(z.REPORTS[report], lines_of(name))
    assert got == (GOLDEN / f"{name}.{report}").read_bytes()


@pytest.mark.parametrize("name", SAMPLES)
def test_zoverall_numbers(name: str) -> None:
    """zoverall's lines, label by label, as the awk prints them."""
    got = b"".join(line + b"\n" for line in overall(lines_of(name)).lines())
    assert got == (GOLDEN / f"{name}.zoverall").read_bytes()


@pytest.mark.parametrize("name", SAMPLES)
def test_zsendmail(name: str) -> None:
    """zsendmail's sendmail-style lines."""
    got = b"".join(line + b"\n" for line in sendmail(lines_of(name)))
    assert got == (GOLDEN / f"{name}.zsendmail").read_bytes()


def test_zoverall_report_has_title_prose_and_numbers() -> None:
    """The program prints the title, logwarden's explanation, then the numbers."""
    got = ours("zoverall", [], stdin=(GOLDEN / "03-bayour.matchup").read_bytes())
    title, about, numbers = got.stdout.split(b"\n\n", 2)
    assert title == b"Basic statistics"
    assert b"xdelay" in about
    assert numbers == (GOLDEN / "03-bayour.zoverall").read_bytes()


def test_reason_table_shows_spaces() -> None:
    """zfailures shows the reasons with spaces for underscores, as tr _ ' ' does."""
    got = ours("zfailures", [], stdin=(GOLDEN / "03-bayour.matchup").read_bytes())
    assert got.stdout.endswith((GOLDEN / "03-bayour.zfailures").read_bytes())
    assert b"Sorry, no mailbox here by that name. (#5.1.1)/" in got.stdout


def test_columnt_rules() -> None:
    """Right-aligned columns, the last column of the widest line left as it is."""
    assert columnt(b"") == b""
    assert columnt(b"a bb ccc\nxxxx y\n\n  z") == b"   a  bb  ccc\nxxxx   y  \n\n   z  \n"


def test_sort_like_gnu_sort_in_c() -> None:
    """sort -k2 compares from the blank before field 2; -n by the leading number."""
    assert sort_text([b"1 b", b"2  a", b"3 a"], 2) == [b"2  a", b"3 a", b"1 b"]
    assert sort_numeric([b"10 x", b"9 y", b"9.0 a", b"-1 z", b"x"], 1) == [
        b"-1 z", b"x", b"9 y", b"9.0 a", b"10 x"]  # fmt: skip


def test_awk_numbers() -> None:
    """Fields become numbers and numbers print as mawk prints them."""
    assert number(b"1054189746.123151") == 1054189746.123151
    assert number(b"?") == 0.0
    assert number(b"0x1A") == 26.0
    assert number(b"12abc") == 12.0
    assert show(2147483647.0) == b"2147483647"
    assert show(3e9) == b"3e+09"
    assert show(1.0 / 3) == b"0.333333"


def test_division_by_zero_as_mawk_does_it() -> None:
    """mawk divides by zero without stopping: an infinity, or ``-nan`` for 0/0. Expected
    lines printed by qmailanalog's zoverall and rxdelay under Debian's mawk on these
    inputs (malformed matchup lines: the times are not numbers, so they compare as text
    and span nothing)."""
    lines = [b"d z a x b 0 s r 1 1 why"]
    tail = overall(lines).lines()[-2:]
    assert tail == [b"Time span (days): 0", b"Average concurrency: -nan"]
    lines = [b"d z a -5 b 0 s r 1 1 why"]
    assert overall(lines).lines()[-1] == b"Average concurrency: inf"
    recipients = [b"x y 0 0 a@b", b"x y 0 3 c@d", b"x y 0 -3 e@f", b"x y 2 3 g@h"]
    got = ours("rxdelay", [], stdin=b"".join(line + b"\n" for line in recipients))
    assert got.stdout == b"-inf 0 e@f\n-nan 0 a@b\ninf 0 c@d\n1.50 2 g@h\n"
    assert (f2(divide(-1.0, 0.0)), f6(divide(0.0, 0.0)), g6(divide(2.0, 0.0))) == (
        b"-inf", b"-nan", b"inf")  # fmt: skip


def test_x_filters() -> None:
    """xqp, xsender and xrecipient keep the lines awk keeps."""
    lines = lines_of("03-bayour")
    assert list(xqp(lines, b"24150")) == [lines[4], lines[6]]
    assert list(xqp(lines, b"024150")) == [lines[4], lines[6]]
    assert len(list(xsender(lines, b"turbo@bayour.com"))) == 6
    assert list(xrecipient(lines, b"remote.turbo@tripnet.se")) == [lines[0]]
    assert list(xrecipient(lines, b"turbo@tripnet.se")) == []


def test_x_filter_programs_feed_z_reports() -> None:
    """xsender's output goes straight into zoverall."""
    data = (GOLDEN / "03-bayour.matchup").read_bytes()
    picked = ours("xsender", ["baby3@3333.3utilities.com"], stdin=data).stdout
    assert picked.count(b"\n") == 2
    report = ours("zoverall", [], stdin=picked).stdout
    assert b"Completed messages: 1\n" in report


PROGRAMS = [*sorted(z.REPORTS), "zoverall", "zsendmail", *sorted(z.PLAIN), "columnt"]


@pytest.mark.parametrize("name", PROGRAMS)
def test_every_program_runs_under_its_name(name: str) -> None:
    """Each qmailanalog name is a program: matchup output in, its report out."""
    data = (GOLDEN / "03-bayour.matchup").read_bytes()
    if name == "rxdelay":
        data = ours("recipients", [], stdin=data).stdout
    got = ours(name, [], stdin=data)
    assert got.status == 0, got.stderr
    # Sample 03 has no deferral: only "deferrals" has nothing to print.
    assert bool(got.stdout) == (name != "deferrals")
    if name in z.REPORTS:
        assert got.stdout.endswith((GOLDEN / f"03-bayour.{name}").read_bytes())
