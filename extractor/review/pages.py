"""The review site's pages as HTML: the index of reports, one page per report, one page per body across years.

Every page is one self-contained file (style and script inline, charts as inline SVG, a Content-Security-Policy
that forbids loading anything) and reads with JavaScript off; sorting, filtering and the corrections list need it.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib.resources import files
from string import Template
from typing import Any
from urllib.parse import quote

from extractor.review.charts import line_chart
from extractor.review.folder import CompareTable, ReviewedReport
from extractor.review.layout import Row, Table, block_for, sections, stated_only
from extractor.review.source import NARRATIVE_SECTIONS, marked_text, quote_spans, quotes_only
from extractor.schema import STATS_BLOCKS, get_path
from extractor.version import __version__

SERIES = (
    ("requests_received", "收到申请 received"),
    ("requests_granted", "予以公开 granted"),
    ("requests_denied", "不予公开 denied"),
    ("reconsiderations", "行政复议 reconsiderations"),
    ("lawsuits", "行政诉讼 lawsuits"),
)
"""The summary figures shown in the index and charted on a body's page (`summary.<name>`)."""
METHOD_MARKS = {"rules": "R", "llm": "M", "human": "H"}
NARRATIVE_TITLES = {"highlights": "亮点 highlights", "problems": "问题 problems", "improvements": "改进 improvements"}
_PATH = re.compile(r"stats_(?:2019|legacy)(?:\.[a-z_]+)+")
_OUTSIDE_NOTE = '<p class="legend" id="outside-template">Figures this report states outside its template\'s table:</p>'
_BALANCE_ROWS = ("new_received", "carried_over", "total", "carried_forward")


# ------------------------------------------------------------------------------------------------ shared
@cache
def _asset(name: str) -> str:
    return (files("extractor.review") / "templates" / name).read_text(encoding="utf-8")


def render_page(kind: str, title: str, body: str, file: str = "") -> str:
    """A whole HTML page around `body`, with the site's style and script inline."""
    return Template(_asset("page.html")).substitute(
        version=__version__,
        title=escape(title),
        style=_asset("review.css"),
        kind=kind,
        file=escape(file),
        body=body,
        script=_asset("review.js"),
    )


def number(value: Any) -> str:
    """A value as the tables print it: counts as integers, money without a trailing .0.

    >>> number(12), number(3.0), number(0.25), number(None)
    ('12', '3', '0.25', '')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def report_href(name: str) -> str:
    return f"reports/{quote(name)}.html"


def _corrections_panel(with_form: bool) -> str:
    form = (
        '<form id="fix-form" class="fix-form js-only">'
        '<label>key <input id="fix-key" readonly placeholder="press ✎ beside a value"></label>'
        '<label>value <input id="fix-value" placeholder="empty: not stated"></label>'
        '<label>note <input id="fix-note"></label> <button type="submit">add correction</button></form>'
        if with_form
        else ""
    )
    return (
        '<section class="corrections" id="corrections"><h2>Corrections '
        '<span class="muted">(<span id="fix-count">0</span> kept in this browser)</span></h2>'
        '<noscript><p class="muted">Adding corrections needs JavaScript; everything else works without it.</p></noscript>'
        f"{form}"
        '<div class="js-only"><table id="fix-list"><thead><tr><th>file</th><th>key</th><th>value</th><th>note</th>'
        "<th></th></tr></thead><tbody></tbody></table>"
        '<p><a id="fix-download" download="corrections.csv" href="#">download corrections.csv</a> '
        '<button type="button" id="fix-clear">clear the list</button> <span class="muted">Save it as '
        "OUT/corrections.csv: the next <code>extractor extract</code> applies it.</span></p></div></section>"
    )


# ------------------------------------------------------------------------------------------------ report page
def rows_concerned(warning: str, row_paths: list[str]) -> list[str]:
    """The table rows a warning speaks of: the rows whose path it names (or a cell of), and for section 三's
    balance and outcome sums the rows they add up.

    >>> paths = ["stats_2019.requests.new_received", "stats_2019.requests.total", "stats_2019.appeals.reconsideration"]
    >>> rows_concerned("arithmetic: stats_2019.appeals.reconsideration: results add up to 11, the total is 0", paths)
    ['stats_2019.appeals.reconsideration']
    >>> rows_concerned("arithmetic: stats_2019 section 三 balance (total): 一 + 二 = 21 but (七) + 四 = 20", paths)
    ['stats_2019.requests.new_received', 'stats_2019.requests.total']
    """
    named = _PATH.findall(warning)
    if "stats_2019 section 三 balance" in warning:
        named = [f"stats_2019.requests.{row}" for row in _BALANCE_ROWS]
    elif "stats_2019 section 三 (" in warning:
        named = ["stats_2019.requests.total"]
    return [path for path in row_paths if any(name == path or name.startswith(path + ".") for name in named)]


def _cell(key: str, data: dict[str, Any]) -> str:
    value = get_path(data, key)
    evidence = data["evidence"].get(key)
    fix = f'<button type="button" class="fix" data-key="{key}" data-value="{escape(number(value))}" title="correct {key}">✎</button>'
    if value is None:
        return f'<td class="v silent" id="v-{key}" title="{key}: not stated in the report">{fix}</td>'
    if evidence is None:
        return f'<td class="v" id="v-{key}" title="{key}: no quote">{number(value)}{fix}</td>'
    method = evidence["method"]
    page = f'<sub class="page">p.{evidence["page"]}</sub>' if evidence.get("page") else ""
    where = f" · page {evidence['page']}" if evidence.get("page") else ""
    note = f" · note: {evidence['note']}" if evidence.get("note") else ""
    title = escape(f"{key} · {method}{where}{note} · 「{evidence['quote']}」")
    return (
        f'<td class="v m-{method}" id="v-{key}" title="{title}"><a href="#q-{key}">{number(value)}</a>'
        f'<sup class="method">{METHOD_MARKS.get(method, "?")}</sup>{page}{fix}</td>'
    )


def _table_html(table: Table, data: dict[str, Any], warnings_by_row: dict[str, list[str]]) -> str:
    width = len(table.columns) + 1
    head = "<tr><th></th>" + "".join(f"<th>{escape(c.label)}</th>" for c in table.columns) + "</tr>"
    lines = []
    for row in table.rows:
        lines.append(_row_html(row, data, warnings_by_row.get(row.path, []), width))
    return f'<table class="stats"><thead>{head}</thead><tbody>{"".join(lines)}</tbody></table>'


def _row_html(row: Row, data: dict[str, Any], warnings: list[str], width: int) -> str:
    depth = f" depth-{min(row.depth, 2)}" if row.depth else ""
    if row.is_heading:
        return f'<tr class="heading{depth}" id="row-{row.path}"><td colspan="{width}">{escape(row.label)}</td></tr>'
    warned = " warned" if warnings else ""
    cells = "".join(_cell(key, data) if key else "<td></td>" for key in row.keys)
    html = f'<tr class="row{depth}{warned}" id="row-{row.path}"><td class="label">{escape(row.label)}</td>{cells}</tr>'
    for warning in warnings:
        html += f'<tr class="row-warning"><td colspan="{width}">⚠ {escape(warning)}</td></tr>'
    return html


def _narrative_html(data: dict[str, Any]) -> str:
    parts = []
    for section in NARRATIVE_SECTIONS:
        items = data.get(section) or []
        if not items:
            continue
        entries = "".join(
            f'<li><b>{escape(item["topic"])}</b> {escape(item["summary"])} <sup class="method">M</sup>'
            f'<blockquote><a href="#q-{section}.{index}"><mark>{escape(item["quote"])}</mark></a></blockquote></li>'
            for index, item in enumerate(items)
        )
        parts.append(f'<h3>{NARRATIVE_TITLES[section]}</h3><ul class="narrative m-llm">{entries}</ul>')
    if not parts:
        return (
            '<h2>Narrative</h2><p class="muted">No narrative items: they are read by the model, and this run '
            "had none (parsers only) or the report states none.</p>"
        )
    return "<h2>Narrative</h2>" + "".join(parts)


def _source_html(report: ReviewedReport, text: str | None) -> str:
    if text is None:
        return (
            f'<aside class="source" id="source"><h2>Source text</h2><p class="warning" id="no-text">'
            f"The normalized text (text/{escape(report.name)}.txt) is not in this output folder: showing the "
            f'quotes alone.</p><div class="text quotes">{quotes_only(report.data)}</div></aside>'
        )
    spans, missing = quote_spans(report.data, text)
    lost = "".join(f"<li>{escape(key)}: {escape(_quote_of(report.data, key))}</li>" for key in missing)
    lost_html = f'<p class="warning">Quotes not found in this text:</p><ul class="warning" id="lost-quotes">{lost}</ul>' if missing else ""
    return (
        f'<aside class="source" id="source"><h2>Source text <span class="muted">text/{escape(report.name)}.txt'
        f'</span></h2>{lost_html}<div class="text">{marked_text(text, spans)}</div></aside>'
    )


def _quote_of(data: dict[str, Any], key: str) -> str:
    if key in data["evidence"]:
        return str(data["evidence"][key]["quote"])
    section, index = key.split(".")
    return str(data[section][int(index)]["quote"])


def report_page(report: ReviewedReport, body_href: str | None) -> str:
    """One report: meta, warnings, its template's tables with every value linked to its quote, the narrative,
    the corrections list, and the source text with every quote marked."""
    data, meta, run = report.data, report.data["meta"], report.data["run"]
    blocks = block_for(report.template)
    all_sections = [s for block in blocks for s in sections(block, report.template, data)]
    outside = [s for block in STATS_BLOCKS if block not in blocks for s in stated_only(sections(block, report.template), data)]
    all_sections += outside
    first_outside = outside[0].path if outside else None
    row_paths = [row.path for s in all_sections for t in s.tables for row in t.rows]
    warnings_by_row: dict[str, list[str]] = {}
    warning_items = []
    for warning in report.warnings:
        concerned = rows_concerned(warning, row_paths)
        for path in concerned:
            warnings_by_row.setdefault(path, []).append(warning)
        link = f' <a href="#row-{concerned[0]}">at the row</a>' if concerned else ""
        warning_items.append(f"<li>{escape(warning)}{link}</li>")
    warnings_html = (
        f'<ul class="warnings" id="warnings">{"".join(warning_items)}</ul>'
        if warning_items
        else '<p class="muted" id="warnings">No warnings.</p>'
    )
    body_link = f'<a href="../{body_href}">{escape(report.body or "")}: all years</a>' if body_href else ""
    fields = [
        ("file", report.name),
        ("body", report.body),
        ("entity as written", meta.get("entity")),
        ("level", meta.get("level")),
        ("year", meta.get("year")),
        ("published", meta.get("published_on")),
        ("template", report.template),
        ("complete", "yes" if report.complete else "NO"),
        ("source", run.get("source")),
        ("model", run.get("model") if run.get("llm_used") else "none (parsers only)"),
    ]
    meta_html = "".join(f"<dt>{label}</dt><dd>{escape(str(value)) if value is not None else '—'}</dd>" for label, value in fields)
    tables = "".join(
        (_OUTSIDE_NOTE if s.path == first_outside else "")
        + f'<h2 id="section-{s.path}">{escape(s.title)}</h2>'
        + "".join(_table_html(t, data, warnings_by_row) for t in s.tables)
        for s in all_sections
    )
    legend = (
        '<p class="legend">Each value links to its quote in the source text. Method: <sup class="method m-rules">R'
        '</sup> parsers (rules), <sup class="method m-llm">M</sup> model (llm), <sup class="method m-human">H</sup> '
        "corrected by a person (human); p.N the PDF page. An empty grey cell: the report does not state it; "
        "0: the report states zero.</p>"
    )
    title = f"{report.body or report.name} {meta.get('year') or ''}".strip()
    body = (
        f'<header class="top"><nav><a href="../index.html">← all reports</a>{body_link}</nav></header>'
        f'<main><h1>{escape(title)} <span class="muted">{escape(report.name)}</span></h1>'
        f'<dl class="meta">{meta_html}</dl><h2>Warnings ({len(report.warnings)})</h2>{warnings_html}'
        f'<div class="split"><div class="tables">{_corrections_panel(True)}{legend}{tables}'
        f"{_narrative_html(data)}</div>{_source_html(report, report.read_text())}</div></main>"
    )
    return render_page("report", f"{title} · review", body, file=report.name)


# ------------------------------------------------------------------------------------------------ index
def index_page(reports: list[ReviewedReport], body_hrefs: dict[str, str]) -> str:
    """Every report in one sortable, filterable table, and the bodies with several years."""
    years = sorted({str(r.year) for r in reports if r.year is not None})
    templates = sorted({r.template for r in reports})
    head = ["file", "body", "year", "template", "complete", "warnings", *(label for _, label in SERIES)]
    header = "".join(f'<th><button type="button" data-column="{i}">{escape(h)}</button></th>' for i, h in enumerate(head))
    rows = []
    for report in reports:
        body = report.body or ""
        body_cell = f'<a href="{body_hrefs[body]}">{escape(body)}</a>' if body in body_hrefs else escape(body)
        figures = "".join(
            f'<td class="n" data-sort="{number(report.data["summary"].get(name))}">{number(report.data["summary"].get(name))}</td>'
            for name, _ in SERIES
        )
        complete = "true" if report.complete else "false"
        incomplete = "" if report.complete else ' class="incomplete"'
        rows.append(
            f'<tr data-body="{escape(body)}" data-year="{report.year or ""}" data-template="{report.template}" '
            f'data-warnings="{len(report.warnings)}" data-complete="{complete}"'
            f"{incomplete}>"
            f'<td><a href="{report_href(report.name)}">{escape(report.name)}</a></td><td>{body_cell}</td>'
            f'<td class="n" data-sort="{report.year or ""}">{report.year or ""}</td><td>{report.template}</td>'
            f'<td class="complete">{"yes" if report.complete else "NO"}</td>'
            f'<td class="n" data-sort="{len(report.warnings)}">{len(report.warnings)}</td>{figures}</tr>'
        )
    filters = (
        '<form class="filters js-only" id="filters" onsubmit="return false">'
        '<label>body <input id="f-body" list="bodies" placeholder="part of a name"></label>'
        f'<datalist id="bodies">{_options(sorted({r.body for r in reports if r.body}))}</datalist>'
        f'<label>year <select id="f-year"><option value="">all</option>{_options(years)}</select></label>'
        f'<label>template <select id="f-template"><option value="">all</option>{_options(templates)}</select></label>'
        '<label><input type="checkbox" id="f-warnings"> has warnings</label>'
        '<label><input type="checkbox" id="f-incomplete"> incomplete</label>'
        f' <span class="muted">showing <span id="shown">{len(reports)}</span> of {len(reports)}</span></form>'
    )
    bodies = "".join(f'<li><a href="{href}">{escape(name)}</a></li>' for name, href in sorted(body_hrefs.items()))
    bodies_html = f'<h2>Bodies across years ({len(body_hrefs)})</h2><ul class="bodies">{bodies}</ul>' if body_hrefs else ""
    body = (
        f'<header class="top"><b>extractor review</b> <span class="muted">{len(reports)} reports</span></header>'
        f'<main><h1>Reports</h1>{filters}<table class="reports" id="reports"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{bodies_html}{_corrections_panel(False)}</main>"
    )
    return render_page("index", "extractor review", body)


def _options(values: Any) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)


# ------------------------------------------------------------------------------------------------ body page
def series(reports: list[ReviewedReport], name: str) -> list[tuple[int, float | None]]:
    """One summary figure across the years of a body's reports; a year with several reports takes the first
    that states it.

    >>> from pathlib import Path
    >>> def r(year, value): return ReviewedReport("x", {"meta": {"year": year}, "summary": {"lawsuits": value}}, Path())
    >>> series([r(2023, None), r(2021, 4), r(2023, 7)], "lawsuits")
    [(2021, 4), (2023, 7)]
    """
    by_year: dict[int, float | None] = {}
    for report in reports:
        if report.year is None:
            continue
        value = report.data["summary"].get(name)
        if by_year.get(report.year) is None:
            by_year[report.year] = value
    return sorted(by_year.items())


def body_page(body: str, reports: list[ReviewedReport], compare: CompareTable | None) -> str:
    """One body across its years: its reports, a chart per key series, and compare.csv's flags for it."""
    reports = sorted(reports, key=lambda r: (r.year or 0, r.name))
    listing = "".join(
        f'<tr><td>{r.year or ""}</td><td><a href="../{report_href(r.name)}">{escape(r.name)}</a></td>'
        f"<td>{escape(r.data['meta'].get('entity') or '')}</td><td>{r.template}</td>"
        f'<td>{"yes" if r.complete else "NO"}</td><td class="n">{len(r.warnings)}</td></tr>'
        for r in reports
    )
    charts = "".join(
        f"<figure>{line_chart(label, series(reports, name))}<figcaption>{escape(label)}</figcaption></figure>" for name, label in SERIES
    )
    years = [year for year, _ in series(reports, SERIES[0][0])]
    table_head = "<tr><th></th>" + "".join(f"<th>{year}</th>" for year in years) + "</tr>"
    table_rows = "".join(
        f"<tr><td>{escape(label)}</td>" + "".join(f'<td class="v">{number(v)}</td>' for _, v in series(reports, name)) + "</tr>"
        for name, label in SERIES
    )
    body_html = (
        f'<header class="top"><nav><a href="../index.html">← all reports</a></nav></header>'
        f"<main><h1>{escape(body)}</h1><table><thead><tr><th>year</th><th>file</th><th>entity as written</th>"
        f"<th>template</th><th>complete</th><th>warnings</th></tr></thead><tbody>{listing}</tbody></table>"
        f'<h2>Key series</h2><div class="charts" id="charts">{charts}</div>'
        f'<table class="series"><thead>{table_head}</thead><tbody>{table_rows}</tbody></table>'
        f"{_compare_html(body, compare)}</main>"
    )
    return render_page("body", f"{body} · review", body_html)


def _compare_html(body: str, compare: CompareTable | None) -> str:
    if compare is None:
        return (
            '<h2>Year-over-year flags</h2><p class="muted" id="flags">compare.csv is not in this output folder: '
            "run <code>extractor compare OUT</code>, then <code>extractor review OUT</code> again.</p>"
        )
    flagged = compare.flagged(body)
    if not flagged:
        return f'<h2>Year-over-year flags</h2><p class="muted" id="flags">compare.csv flags no series of {escape(body)}.</p>'
    columns = ["key", "label", *compare.years, *compare.flags]
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    rows = "".join("<tr>" + "".join(f"<td>{escape(row.get(c) or '')}</td>" for c in columns) + "</tr>" for row in flagged)
    return (
        f'<h2>Year-over-year flags ({len(flagged)})</h2><table id="flags" class="flags"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
