"""The HTML report in a real browser (Debian's headless chromium over the DevTools
protocol): it draws its charts, logs no console error, makes no network request, and shows
a hostile sender or warning as text. A screenshot is kept in tests/artifacts/."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from logwarden.qmail.report.build import Reader
from logwarden.qmail.report.html import page, write_html
from logwarden.qmail.simulate import Settings, simulated_bytes

from support.reference import ours

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
HOSTILE_SENDER = "<script>alert(1)</script>@evil.example"
HOSTILE = (
    b"".join(
        b"1795000%03d.000001 info msg %d: bytes 10 from <%s> qp 1 uid 2\n"
        b"1795000%03d.000002 starting delivery %d: msg %d to remote x@y\n"
        b"1795000%03d.000003 delivery %d: failure: <img_src=x_onerror=alert(2)>/\n"
        b"1795000%03d.000004 end msg %d\n"
        % (
            i,
            90000 + i,
            HOSTILE_SENDER.encode(),
            i,
            90000 + i,
            90000 + i,
            i,
            90000 + i,
            i,
            90000 + i,
        )
        for i in range(60)
    )
    + b"1795000999.000000 warning: <script>alert(3)</script>\n"
)


def report_html(tmp_path: Path) -> Path:
    log = simulated_bytes(Settings(seed=6, max_messages=3000, style="unix", rate=3.0,
                                   restart_hours=0.3, trouble_minutes=3.0))  # fmt: skip
    reader = Reader()
    reader.add(HOSTILE + log)
    target = tmp_path / "report.html"
    write_html(reader.report, str(target), top=10)
    return target


def test_page_is_self_contained_and_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No script element, no external reference, every log word escaped."""
    monkeypatch.setenv("TZ", "UTC")  # the page shows local times
    time.tzset()
    try:
        text = report_html(tmp_path).read_text()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "<script" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@evil.example" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text  # a reason: "_" shown as " "
    # Nothing is loaded: no element has a src or href, no style uses url().
    assert re.search(r"<[^>]*\s(src|href)\s*=", text) is None
    assert "url(" not in text
    assert "default-src 'none'" in text
    # The warning's time: to the second in the table, the whole stamp on hover.
    when = (
        '<td class="when" title="2026-11-18T11:23:19.000000+00:00">2026-11-18 11:23:19+00:00</td>'
    )
    assert when in text


def test_empty_report_renders() -> None:
    """A report of nothing is still a page."""
    assert "No successful deliveries to draw." in page(Reader().report)


def test_unwritable_page_is_one_line_naming_it(tmp_path: Path) -> None:
    """A page that cannot be written: one line naming the file asked for, status 1, and no
    temporary file left behind."""
    log = tmp_path / "current"
    log.write_bytes(HOSTILE)
    target = tmp_path / "gone" / "report.html"
    got = ours("qmail", ["report", "-o", str(target), str(log)])
    assert got.status == 1
    assert got.stderr == f"qmail: {target}: No such file or directory\n".encode()
    assert not (tmp_path / "gone").exists()
    (tmp_path / "page").mkdir()
    got = ours("qmail", ["report", "-o", str(tmp_path / "page"), str(log)])
    assert got.status == 1
    assert got.stderr.startswith(f"qmail: {tmp_path / 'page'}: ".encode())
    assert list((tmp_path / "page").iterdir()) == []


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_in_headless_chromium(tmp_path: Path) -> None:
    """Charts drawn, no console errors, no requests, hostile text shown as text."""
    from support.cdp import Browser

    target = report_html(tmp_path)
    browser = Browser()
    try:
        browser.open(target.as_uri())
        svgs = browser.evaluate(
            "Array.from(document.querySelectorAll('svg')).map(s => ["
            "s.getBoundingClientRect().width, s.getBoundingClientRect().height,"
            "s.querySelectorAll('rect, polyline').length])"
        )
        # Every label of every chart: its box, and the box of its chart.
        labels = browser.evaluate(
            "Array.from(document.querySelectorAll('svg')).map(s => {"
            " const b = s.getBoundingClientRect();"
            " return [[b.left, b.top, b.right, b.bottom],"
            "  Array.from(s.querySelectorAll('text')).map(t => {"
            "   const r = t.getBoundingClientRect();"
            "   return [r.left, r.top, r.right, r.bottom, t.textContent]; })]; })"
        )
        text = browser.evaluate("document.body.innerText")
        scripts = browser.evaluate("document.querySelectorAll('script').length")
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(str(ARTIFACTS / "qmail-report.png"))
        errors = [
            e for e in browser.messages("Runtime.consoleAPICalled", "Runtime.exceptionThrown",
                                        "Log.entryAdded")
            if e["method"] == "Runtime.exceptionThrown"
            or e["params"].get("type") == "error"
            or e["params"].get("entry", {}).get("level") == "error"
        ]  # fmt: skip
        requests = [
            e["params"]["request"]["url"]
            for e in browser.messages("Network.requestWillBeSent")
            if e["params"]["request"]["url"] != target.as_uri()
        ]
    finally:
        browser.close()
    assert len(svgs) == 3
    assert all(w > 300 and h > 50 and n >= 1 for w, h, n in svgs), svgs
    for (left, top, right, bottom), boxes in labels:
        for x0, y0, x1, y1, words in boxes:
            inside = left - 1 <= x0 <= x1 <= right + 1 and top - 1 <= y0 <= y1 <= bottom + 1
            assert inside, f"{words!r} sticks out of its chart"
        for i, (ax0, ay0, ax1, ay1, a) in enumerate(boxes):
            for bx0, by0, bx1, by1, b in boxes[i + 1 :]:
                apart = ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0
                assert apart, f"labels {a!r} and {b!r} overlap"
    assert errors == []
    assert requests == []
    assert scripts == 0
    assert "<script>alert(3)</script>" in text
    assert HOSTILE_SENDER in text
    assert (ARTIFACTS / "qmail-report.png").stat().st_size > 10_000
