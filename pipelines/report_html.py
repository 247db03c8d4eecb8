"""The run report as ONE self-contained HTML page: inline CSS, an inline SVG chart,
no script and no external asset, so it can be mailed, archived or opened offline.

Every value from the database goes through `_e` (html.escape): a title or an
error message holding markup renders as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape

from .filldrops import DROP_POINTS, SourceFill, is_drop
from .fillrates import FIELDS, FillRate
from .report import COUNTERS, RunReportData, SourceRow

CHART_WIDTH, CHART_HEIGHT, CHART_PAD, MAX_BAR = 760, 260, 40, 56
MissingRecords = Mapping[tuple[str, str], Sequence[tuple[str | None, str]]]
_LINKABLE = ("http://", "https://")

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
margin:0 auto;max-width:1000px;padding:24px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d8dde6}
h3{font-size:16px;margin:16px 0 6px}.meta{color:#5a6475}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid #e5e8ee;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f5f8;font-weight:600}
.status-ok{color:#1b7f3b}.status-partial,.status-stopped{color:#a05a00}
.status-failed,.status-running{color:#b3261e}
tr.drop td{background:#fde8e6;color:#8c1d18;font-weight:600}
.flags{background:#fde8e6;border:1px solid #f2b8b5;border-radius:6px;padding:8px 14px}
.flags li{color:#8c1d18;font-weight:600}.fine{color:#1b7f3b}
ul.examples{margin:2px 0 8px;padding-left:20px;font-size:13px;word-break:break-all}
svg text{font:12px system-ui,sans-serif;fill:#3a4150}.bar{fill:#3869b3}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pct(rate: FillRate | None) -> str:
    return "—" if rate is None or rate.percent is None else f"{rate.percent}%"


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def render_report(data: RunReportData) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Harvest run {data.run_id}</title><style>{STYLE}</style></head><body>",
        f"<h1>Harvest run {data.run_id}: "
        f'<span class="status-{_e(data.status)}">{_e(data.status)}</span></h1>',
        f'<p class="meta">started {_e(_when(data.started_at))} · finished '
        f"{_e(_when(data.finished_at))} · sources: "
        f"{_e(', '.join(s.name for s in data.sources) or 'none')}</p>",
        _flags(data),
        "<h2>Sources</h2>", _counts_table(data.sources),
        "<h2>Failures by reason</h2>", _failures(data.sources),
        "<h2>Field fill rates</h2>", _fill_tables(data.fills, data.missing),
        "<h2>Records per year</h2>", bar_chart_svg(data.years),
        f'<p class="meta">{data.undated} records without a publication date; counts are '
        "the live records of this run's sources now in the database.</p>",
        "</body></html>",
    ]  # fmt: skip
    return "\n".join(parts)


def _flags(data: RunReportData) -> str:
    drops = data.drops
    if not drops:
        return (f'<p class="fine">No field fill rate fell by more than {DROP_POINTS} points '
                "since each source's previous run.</p>")  # fmt: skip
    items = "".join(f"<li>! {_e(d.source)}: {_e(d.describe())} (since run {d.previous_run})</li>"
                    for d in drops)  # fmt: skip
    return (f'<div class="flags" id="flags"><strong>Fill rates that fell by more than '
            f"{DROP_POINTS} points</strong><ul>{items}</ul></div>")  # fmt: skip


def _table(head: Sequence[str], rows: Iterable[str]) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _counts_table(rows: Sequence[SourceRow]) -> str:
    def row(s: SourceRow) -> str:
        status = s.status or "—"
        counts = "".join(f"<td>{'—' if s.counts[k] is None else s.counts[k]}</td>"
                         for k in COUNTERS)  # fmt: skip
        seconds = "—" if s.seconds is None else f"{s.seconds:.1f}"
        return (f'<tr><td>{_e(s.name)}</td><td class="status-{_e(status)}">{_e(status)}</td>'
                f"{counts}<td>{seconds}</td></tr>")  # fmt: skip

    head = ["source", "status", *(c.replace("_", " ") for c in COUNTERS), "seconds"]
    return _table(head, map(row, rows))


def _example(text: str) -> str:
    url, _, message = text.partition(" ")
    if url.startswith(_LINKABLE):
        return f'<li><a href="{_e(url)}">{_e(url)}</a> {_e(message)}</li>'
    return f"<li>{_e(text)}</li>"


def _failures(rows: Sequence[SourceRow]) -> str:
    out = []
    for s in rows:
        if s.fatal:
            out.append(f"<h3>{_e(s.name)}</h3><p class=\"status-failed\">{_e(s.fatal)}</p>")
        if s.failures:
            if not s.fatal:
                out.append(f"<h3>{_e(s.name)}</h3>")
            for f in s.failures:
                examples = "".join(_example(x) for x in f.examples)
                out.append(f"<p><strong>{_e(f.reason)}</strong>: {f.count}</p>"
                           f'<ul class="examples">{examples}</ul>')  # fmt: skip
        if s.skipped:
            skipped = ", ".join(f"{_e(k)}: {v}" for k, v in sorted(s.skipped.items()))
            out.append(f'<p class="meta">{_e(s.name)} skipped (not failures): {skipped}</p>')
    return "".join(out) or '<p class="fine">No page failed.</p>'


def _fill_tables(fills: Sequence[SourceFill], missing: MissingRecords) -> str:
    if not fills:
        return '<p class="meta">No fill rates were recorded for this run.</p>'
    out = []
    for fill in fills:
        since = (f"run {fill.previous_run}" if fill.previous_run is not None
                 else "no earlier run")  # fmt: skip
        rows = []
        for name in FIELDS:
            now = fill.current.get(name)
            before = fill.previous.get(name) if fill.previous else None
            dropped = before is not None and now is not None and is_drop(before, now)
            change = "—"
            if before and now and before.share is not None and now.share is not None:
                points = round((now.share - before.share) * 100)
                change = f"{points:+d} pts" if points else "same"
            opening, mark = ('<tr class="drop">', "! ") if dropped else ("<tr>", "")
            rows.append(f"{opening}<td>{mark}{_e(name)}</td>"
                        f"<td>{_pct(before)}</td><td>{_pct(now)}</td><td>{_e(change)}</td>"
                        f"<td>{now.filled if now else '—'} / {now.records if now else '—'}</td>"
                        "</tr>")  # fmt: skip
        out.append(f"<h3>{_e(fill.source)}</h3>"
                   + _table(["field", since, "this run", "change", "records with it"], rows))
        for drop in fill.drops():
            out.append(_missing_list(drop.source, drop.field,
                                     missing.get((drop.source, drop.field), ())))
    return "".join(out)


def _missing_list(source: str, name: str, records: Sequence[tuple[str | None, str]]) -> str:
    if not records:
        return ""
    items = "".join(_example(f"{url} {title or '(no title)'}") for title, url in records)
    return (f'<p class="meta">{_e(source)}: recently changed records without {_e(name)}</p>'
            f'<ul class="examples">{items}</ul>')


def bar_chart_svg(years: Sequence[tuple[str, int]]) -> str:
    """Records per year as an inline SVG bar chart (one <rect class="bar"> per year)."""
    years = fill_year_gaps(years)
    if not years:
        return '<p class="meta">No dated records.</p>'
    top = max(n for _, n in years) or 1
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    slot = inner_w / len(years)
    label_every = max(1, round(len(years) / 16))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_WIDTH}" '
             f'height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}">'
             "<title>Records per publication year</title>",
             f'<line x1="{CHART_PAD}" y1="{CHART_PAD + inner_h}" x2="{CHART_PAD + inner_w}" '
             f'y2="{CHART_PAD + inner_h}" stroke="#8a93a3"/>',
             f'<text x="{CHART_PAD}" y="{CHART_PAD - 12}">max {top} records a year</text>']
    for i, (year, n) in enumerate(years):
        height = inner_h * n / top
        width = min(slot * 0.8, MAX_BAR)
        x = CHART_PAD + i * slot + (slot - width) / 2
        y = CHART_PAD + inner_h - height
        parts.append(f'<rect class="bar" data-year="{_e(year)}" data-records="{n}" '
                     f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}">'
                     f"<title>{_e(year)}: {n} records</title></rect>")  # fmt: skip
        if i % label_every == 0:
            middle = x + width / 2
            parts.append(f'<text x="{middle:.1f}" y="{CHART_PAD + inner_h + 16}" '
                         f'text-anchor="middle">{_e(year)}</text>')  # fmt: skip
            if slot >= 26:
                parts.append(f'<text x="{middle:.1f}" y="{y - 4:.1f}" '
                             f'text-anchor="middle">{n}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def fill_year_gaps(years: Sequence[tuple[str, int]], span: int = 80) -> list[tuple[str, int]]:
    """Years without records as zero bars, so the axis is even; left alone when a year is
    not a number or the range is wider than `span` (one stray 1066 would flatten it)."""
    if not years or not all(y.isdigit() for y, _ in years):
        return list(years)
    counts = {int(y): n for y, n in years}
    first, last = min(counts), max(counts)
    if last - first > span:
        return list(years)
    return [(str(y).zfill(4), counts.get(y, 0)) for y in range(first, last + 1)]
