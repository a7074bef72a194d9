"""The report as one self-contained HTML file: no script, no network, charts drawn as
inline SVG, every word that comes from a log escaped.

The page's Content-Security-Policy forbids loading anything (``default-src 'none'``), so
even a log line crafted to look like markup can neither run nor fetch.
"""

from __future__ import annotations

import contextlib
import html
import math
import os
import re
from collections.abc import Sequence

from logwarden.qmail.report.build import MINUTE, Report
from logwarden.qmail.report.tables import Rows, tables
from logwarden.qmail.when import show_time

W, H = 760, 220
PAD_L, PAD_R, PAD_T, PAD_B = 56, 12, 28, 30
#: Bucket sizes the timeline may use, in minutes.
_STEPS = (1, 5, 15, 60, 180, 360, 720, 1440, 10080)
COLORS = {"success": "#2e7d32", "failure": "#c62828", "deferral": "#f9a825",
          "new": "#1565c0", "local": "#6a1b9a", "remote": "#00838f"}  # fmt: skip


def esc(value: object) -> str:
    """Text for HTML, quotes included."""
    return html.escape(str(value), quote=True)


def _nice(top: float) -> float:
    if top <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(top))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if top <= m * power:
            return m * power
    return 10.0 * power


def _linear(ymax: float) -> list[tuple[float, str]]:
    """Five grid lines from 0 to ``ymax``: (height as a fraction, label)."""
    out = []
    for k in range(5):
        value = ymax * k / 4
        out.append((k / 4, f"{value:g}" if value < 1e6 else f"{value:.3g}"))
    return out


def _frame(
    yticks: Sequence[tuple[float, str]], labels: Sequence[tuple[float, str]], unit: str
) -> list[str]:
    """Horizontal grid lines with their values, x labels at the given fractions (the first
    and last kept inside the picture), and the unit above the values."""
    out = []
    plot_h = H - PAD_T - PAD_B
    for frac, text in yticks:
        y = PAD_T + plot_h * (1 - frac)
        out.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}" '
                   'class="grid"/>')  # fmt: skip
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" class="ylab">{esc(text)}</text>')
    for i, (frac, label) in enumerate(labels):
        x = PAD_L + (W - PAD_L - PAD_R) * frac
        anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
        out.append(f'<text x="{x:.1f}" y="{H - 10}" class="xlab" text-anchor="{anchor}">'
                   f"{esc(label)}</text>")  # fmt: skip
    out.append(f'<text x="{PAD_L}" y="{PAD_T - 12}" class="unit">{esc(unit)}</text>')
    return out


def _svg(title: str, body: list[str], legend: Sequence[str]) -> str:
    keys = "".join(
        f'<span class="key"><i style="background:{COLORS[k]}"></i>{esc(k)}</span>' for k in legend
    )
    return (
        f"<figure><figcaption>{esc(title)} {keys}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{esc(title)}">{"".join(body)}</svg></figure>'
    )


def _time_labels(start: int, end: int) -> list[tuple[float, str]]:
    span = max(end - start, 1)
    fmt = "%H:%M" if span <= 2 * 86400 else "%m-%d"
    out = []
    for k in range(6):
        t = start + span * k / 5
        out.append((k / 5, show_time(int(t) * 1_000_000_000)[5:16] if fmt == "%m-%d"
                    else show_time(int(t) * 1_000_000_000)[11:16]))  # fmt: skip
    return out


def timeline_chart(r: Report) -> str:
    """Deliveries per interval, stacked by result, with new messages as a line."""
    if not r.timeline:
        return "<p>No timed deliveries to draw.</p>"
    first, last = min(r.timeline), max(r.timeline)
    minutes = last - first + 1
    step = next((s for s in _STEPS if minutes / s <= 240), _STEPS[-1])
    buckets: dict[int, list[int]] = {}
    for minute, counts in r.timeline.items():
        b = buckets.setdefault((minute - first) // step, [0, 0, 0, 0, 0])
        for i, c in enumerate(counts):
            b[i] += c
    n = (minutes + step - 1) // step
    ymax = _nice(max(max(b[1] + b[2] + b[3], b[0]) for b in buckets.values()))
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    bar = plot_w / n
    body = _frame(_linear(ymax), _time_labels(first * MINUTE, (first + n * step) * MINUTE),
                  f"per {step} min")  # fmt: skip
    points = []
    for i in range(n):
        b = buckets.get(i, [0, 0, 0, 0, 0])
        x = PAD_L + i * bar
        base = 0
        for slot, name in ((1, "success"), (3, "deferral"), (2, "failure")):
            if b[slot]:
                h = plot_h * b[slot] / ymax
                y = PAD_T + plot_h - plot_h * base / ymax - h
                when = show_time((first + i * step) * MINUTE * 1_000_000_000)
                body.append(
                    f'<rect x="{x:.2f}" y="{y:.2f}" width="{max(bar - 0.5, 0.5):.2f}" '
                    f'height="{h:.2f}" fill="{COLORS[name]}"><title>{esc(when)}: '
                    f"{b[slot]} {name}</title></rect>"
                )
                base += b[slot]
        points.append(f"{x + bar / 2:.1f},{PAD_T + plot_h - plot_h * b[0] / ymax:.1f}")
    body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{COLORS["new"]}" '
                'stroke-width="1.5" class="series"/>')  # fmt: skip
    return _svg("Deliveries and new messages over time", body,
                ("success", "deferral", "failure", "new"))  # fmt: skip


def queue_chart(r: Report) -> str:
    """Peak deliveries in progress per interval against the concurrency limits."""
    minutes = r.status.minutes
    if not minutes:
        return "<p>No timed status lines to draw.</p>"
    first, last = min(minutes), max(minutes)
    span = last - first + 1
    step = next((s for s in _STEPS if span / s <= 300), _STEPS[-1])
    buckets: dict[int, list[int]] = {}
    for minute, (lp, rp, ll, rl) in minutes.items():
        b = buckets.setdefault((minute - first) // step, [0, 0, ll, rl])
        b[0], b[1], b[2], b[3] = max(b[0], lp), max(b[1], rp), ll, rl
    n = (span + step - 1) // step
    ymax = _nice(max(max(b) for b in buckets.values()))
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    body = _frame(_linear(ymax), _time_labels(first * MINUTE, (first + n * step) * MINUTE),
                  "deliveries in progress")  # fmt: skip
    for col, limit_col, name in ((0, 2, "local"), (1, 3, "remote")):
        peak, limit = [], []
        for i in sorted(buckets):
            x = PAD_L + plot_w * (i + 0.5) / n
            peak.append(f"{x:.1f},{PAD_T + plot_h * (1 - buckets[i][col] / ymax):.1f}")
            limit.append(f"{x:.1f},{PAD_T + plot_h * (1 - buckets[i][limit_col] / ymax):.1f}")
        body.append(f'<polyline points="{" ".join(peak)}" fill="none" stroke="{COLORS[name]}" '
                    'stroke-width="1.5" class="series"/>')  # fmt: skip
        body.append(f'<polyline points="{" ".join(limit)}" fill="none" '
                    f'stroke="{COLORS[name]}" stroke-dasharray="5 4" class="limit"/>')  # fmt: skip
    return _svg("Queue: peak deliveries in progress (dashed: the limit)", body,
                ("local", "remote"))  # fmt: skip


def delay_chart(rows: Rows) -> str:
    """zddist as a curve: the share of successful deliveries done within a delay. The
    delays span seconds to days (retries), so the scale is logarithmic."""
    if not rows.rows:
        return "<p>No successful deliveries to draw.</p>"
    points = [(float(str(pct)), float(str(doneby))) for doneby, _avg, pct in rows.rows]
    positive = [y for _, y in points if y > 0]
    low = math.floor(math.log10(min(positive))) if positive else 0
    high = max(math.ceil(math.log10(max(positive))) if positive else 1, low + 1)

    def height(y: float) -> float:
        return (math.log10(max(y, 10.0**low)) - low) / (high - low)

    decades = range(low, high + 1)
    yticks = [((d - low) / (high - low), f"{10.0**d:g}") for d in decades]
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    body = _frame(yticks, [(k / 5, f"{k * 20}%") for k in range(6)], "seconds (log scale)")
    path = " ".join(f"{PAD_L + plot_w * p / 100:.1f},{PAD_T + plot_h * (1 - height(y)):.1f}"
                    for p, y in points)  # fmt: skip
    body.append(f'<polyline points="{path}" fill="none" stroke="{COLORS["success"]}" '
                'stroke-width="2" class="series"/>')  # fmt: skip
    return _svg("Delivery delay: share of successful deliveries done within (seconds)", body,
                ("success",))  # fmt: skip


def _when(iso: object) -> str:
    """A time cell: to the second on one line, the full stamp when the pointer rests on it."""
    text = str(iso)
    short = re.sub(r"T(\d\d:\d\d:\d\d)\.\d+", r" \1", text).replace("T", " ", 1)
    return f'<td class="when" title="{esc(text)}">{esc(short)}</td>'


def _table(rows: Rows) -> str:
    if not rows.rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{esc(f)}</th>" for f in rows.fields)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:66em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.4em 0;font-size:13px}
td,th{border:1px solid #ddd;padding:2px 7px;text-align:right;vertical-align:top}
td:last-child,th:last-child{text-align:left;overflow-wrap:anywhere;max-width:40em}
.alerts td:last-child{min-width:20em}.when{white-space:nowrap}
th{background:#f4f4f4}figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}
svg{width:100%;height:auto;background:#fcfcfc;border:1px solid #eee}
.grid{stroke:#e3e3e3;stroke-width:1}.ylab{font-size:11px;text-anchor:end;fill:#555}
.xlab{font-size:11px;fill:#555}.unit{font-size:11px;fill:#777}
.key{font-weight:400;font-size:12px;margin-left:1em}
.key i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-1px}
.advice{background:#fff8e1;padding:.5em .8em;border-left:3px solid #f9a825}
.meaning{color:#555}
"""


def page(r: Report, top: int = 10) -> str:
    """The report's HTML."""
    t = tables(r, top)
    advice = "".join(f'<p class="advice">{esc(a)}</p>' for a in r.queue().advice)
    alerts = "".join(
        f"<tr><td>{esc(c)}</td><td>{esc(n)}</td>{_when(f)}{_when(last)}"
        f"<td><code>{esc(ex)}</code><div class=\"meaning\">{esc(mean)} {esc(act)}</div></td></tr>"
        for c, _k, n, f, last, ex, mean, act in t["alerts"].rows
    )  # fmt: skip
    alert_table = (
        '<table class="alerts"><thead><tr><th>type</th><th>count</th><th>first</th><th>last</th>'
        f"<th>line, meaning and what to do</th></tr></thead><tbody>{alerts}</tbody></table>"
        if alerts else "<p>No fatal or serious problems and no warnings.</p>"
    )  # fmt: skip
    overall = "".join(
        f"<tr><td>{esc(line.decode().rpartition(': ')[0])}</td>"
        f"<td>{esc(line.decode().rpartition(': ')[2])}</td></tr>"
        for line in r.overall.lines() if line
    )  # fmt: skip
    styles = ", ".join(f"{esc(k)} {v}" for k, v in sorted(r.counts.styles.items()))
    sections = [
        ("Lines by type (the seed's six types)", _table(t["types"])),
        ("Top senders", _table(t["senders"])),
        ("Top recipients", _table(t["recipients"])),
        ("Top recipient hosts", _table(t["hosts"])),
        ("Reasons for deferral", _table(t["deferrals"])),
        ("Reasons for failure", _table(t["failures"])),
        ("Delivery delay distribution", _table(t["ddist"])),
        ("Queue concurrency", _table(t["queue"]) + advice),
        ("Alerts and warnings", alert_table),
    ]
    body = "".join(f"<h2>{esc(title)}</h2>{content}" for title, content in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>qmail report</title><style>{STYLE}</style></head><body>"
        f"<h1>qmail report</h1><p>{esc(show_time(r.first_ns))} to {esc(show_time(r.last_ns))}"
        f" &middot; {r.lines} lines ({styles}; {r.foreign} foreign) &middot; still queued at"
        f" the end: {r.open_messages} messages</p>"
        f"<h2>Overall (the numbers of matchup | zoverall)</h2><table>{overall}</table>"
        f"{timeline_chart(r)}{queue_chart(r)}{delay_chart(t['ddist'])}"
        f'{body}<p class="meaning">Made by logwarden.</p></body></html>\n'
    )


def write_html(r: Report, path: str, top: int = 10) -> None:
    """Write the page to ``path`` (through a temporary file, then renamed, so a reader never
    sees half a page). An error names ``path``, which is what the user gave."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(page(r, top))
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OSError(error.errno, error.strerror, path) from None
