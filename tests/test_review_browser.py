"""The review site opened in a real headless Chromium: what a reviewer sees, clicks and downloads, and that no
page asks for anything outside its folder."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from browser import Browser, launched, screenshot
from review_samples import MULTI_YEAR_BODY, SAMPLE, SOURCES, extracted_folder

from extractor.review.site import body_href, write_review
from extractor.schema import get_path

INCOMPLETE = "11_hebei_gxt_2019"
HUMAN = "stats_2019.proactive.licensing.decisions"
HIGHLIGHT = "进一步规范依申请公开流程"
PROBLEM = "加强区政府门户网站及政务新媒体日常管理"
COMPARE_ROW = {
    "entity_canonical": MULTI_YEAR_BODY,
    "key": "summary.requests_received",
    "label": "收到申请",
    "2013": "1",
    "2018": "1",
    "2021": "37",
    "jump": "x37 2018→2021",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as opened:
        yield opened


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = extracted_folder(tmp_path_factory.mktemp("review"))
    sample = folder / f"{SAMPLE}.json"
    data = json.loads(sample.read_text(encoding="utf-8"))
    data["evidence"]["stats_2019.requests.new_received.total"]["page"] = 2
    data["evidence"][HUMAN]["method"], data["evidence"][HUMAN]["note"] = "human", "checked against the PDF"
    text = (folder / "text" / f"{SAMPLE}.txt").read_text(encoding="utf-8")
    start = text.index(HIGHLIGHT)
    data["highlights"] = [{"topic": "依申请公开", "summary": HIGHLIGHT, "quote": HIGHLIGHT, "start": start, "end": start + len(HIGHLIGHT)}]
    data["problems"] = [{"topic": "平台建设", "summary": PROBLEM, "quote": PROBLEM}]  # no offsets: found by content
    sample.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    unread = folder / f"{INCOMPLETE}.json"
    data = json.loads(unread.read_text(encoding="utf-8"))
    data["run"]["complete"] = False
    unread.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with (folder / "compare.csv").open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(COMPARE_ROW))
        writer.writeheader()
        writer.writerow(COMPARE_ROW)
        writer.writerow({**COMPARE_ROW, "key": "summary.lawsuits", "label": "行政诉讼", "jump": ""})
    write_review(folder)
    return folder


def _sample(out: Path) -> dict:
    return json.loads((out / f"{SAMPLE}.json").read_text(encoding="utf-8"))


def test_index_lists_every_report_and_filters_by_warnings(browser, out):
    site = out / "review"
    with browser.open(site / "index.html", site) as (page, outside):
        names = page.eval_on_selector_all("#reports tbody tr td:first-child a", "links => links.map(a => a.textContent)")
        assert sorted(names) == sorted(Path(name).stem for name in SOURCES)
        warned = sorted(p.stem for p in out.glob("*.json") if json.loads(p.read_text(encoding="utf-8"))["warnings"])
        assert warned and len(warned) < len(SOURCES)

        def visible() -> list[str]:
            return sorted(page.eval_on_selector_all("#reports tbody tr:not([hidden]) td:first-child a", "a => a.map(x => x.textContent)"))

        page.check("#f-warnings")
        shown = page.eval_on_selector_all("#reports tbody tr:not([hidden]) td:first-child a", "a => a.map(x => x.textContent)")
        assert sorted(shown) == warned
        assert page.text_content("#shown") == str(len(warned))
        page.uncheck("#f-warnings")
        page.check("#f-incomplete")
        assert visible() == [INCOMPLETE]
        assert page.text_content("#reports tbody tr:not([hidden]) td.complete") == "NO"
        page.uncheck("#f-incomplete")
        page.select_option("#f-year", "2018")
        assert visible() == ["09_hebei_jyt_2018"]
        page.select_option("#f-year", "")
        page.select_option("#f-template", "legacy")
        legacy = sorted(p.stem for p in out.glob("*.json") if json.loads(p.read_text(encoding="utf-8"))["meta"]["template"] == "legacy")
        assert visible() == legacy
        page.fill("#f-body", "教育厅")
        assert visible() == ["06_hebei_jyt_2013", "09_hebei_jyt_2018"]
        screenshot(page, "index")
        assert outside == []


def test_index_sorts_by_year(browser, out):
    site = out / "review"
    with browser.open(site / "index.html", site) as (page, _):
        page.click('th button[data-column="2"]')
        years = page.eval_on_selector_all("#reports tbody tr td:nth-child(3)", "cells => cells.map(c => c.textContent)")
        assert years == sorted(years, key=lambda y: int(y or 0))
        page.click('th button[data-column="2"]')
        again = page.eval_on_selector_all("#reports tbody tr td:nth-child(3)", "cells => cells.map(c => c.textContent)")
        assert again == sorted(years, key=lambda y: int(y or 0), reverse=True)


def test_every_value_of_the_sample_is_highlighted_in_its_source_text(browser, out):
    data, site = _sample(out), out / "review"
    assert len(data["evidence"]) > 150
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, outside):
        found = page.evaluate(
            """keys => keys.map(key => {
            const cell = document.getElementById("v-" + key);
            const link = cell && cell.querySelector('a[href="#q-' + key + '"]');
            const anchor = document.getElementById("q-" + key);
            const marks = Array.from(document.querySelectorAll("#source mark[data-keys]"))
                .filter(m => m.dataset.keys.split(" ").includes(key));
            return [link ? link.textContent : null, anchor !== null && anchor.closest("#source") !== null,
                    marks.map(m => m.textContent).join(""), marks.length > 0 && marks[0].tagName];
        })""",
            list(data["evidence"]),
        )
        for key, (shown, anchored, marked, tag) in zip(data["evidence"], found):
            value = get_path(data, key)
            assert shown == (str(int(value)) if float(value).is_integer() else str(value)), key
            assert anchored, key
            assert tag == "MARK" and marked == data["evidence"][key]["quote"], key
        assert page.locator("#lost-quotes").count() == 0
        assert page.text_content('[id="v-stats_2019.requests.new_received.total"] sub.page') == "p.2"
        method = page.text_content('[id="v-stats_2019.requests.new_received.total"] sup.method')
        assert method == "R"
        screenshot(page, "report")
        assert outside == []


def test_empty_cells_are_silent_and_zeros_are_stated(browser, out):
    data, site = _sample(out), out / "review"
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, _):
        cells = page.eval_on_selector_all(
            'td[id^="v-"]', "cells => cells.map(c => [c.id.slice(2), c.classList.contains('silent'), c.innerText.trim()])"
        )
    shown = {key: (silent, text) for key, silent, text in cells}
    assert set(data["evidence"]) <= set(shown)
    zeros = [key for key in shown if get_path(data, key) == 0]
    silent = [key for key in shown if get_path(data, key) is None]
    assert zeros and silent
    assert all(shown[key][0] and shown[key][1] == "✎" for key in silent)  # the correction button only
    assert all(not shown[key][0] and shown[key][1].startswith("0") for key in zeros)


def test_method_and_narrative_quotes_are_shown(browser, out):
    data, site = _sample(out), out / "review"
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, _):
        assert page.text_content(f'[id="v-{HUMAN}"] sup.method') == "H"
        assert "checked against the PDF" in page.get_attribute(f'[id="v-{HUMAN}"]', "title")
        for key, quote in (("highlights.0", HIGHLIGHT), ("problems.0", PROBLEM)):
            marked = page.evaluate(
                """key => Array.from(document.querySelectorAll("#source mark[data-keys]"))
                   .filter(m => m.dataset.keys.split(" ").includes(key)).map(m => m.textContent).join("")""",
                key,
            )
            assert marked == quote
            page.click(f'a[href="#q-{key}"]')
            assert page.eval_on_selector_all("#source mark.active", "m => m.map(x => x.textContent).join('')") == quote
        assert "依申请" in page.text_content("ul.narrative")
        assert data["highlights"][0]["summary"] in page.text_content("ul.narrative")


def test_clicking_a_value_brings_its_quote_forward(browser, out):
    site = out / "review"
    key = "stats_2019.requests.new_received.total"
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, _):
        page.click(f'[id="v-{key}"] a')
        active = page.eval_on_selector_all("#source mark.active", "marks => marks.map(m => m.textContent).join('')")
        assert active == _sample(out)["evidence"][key]["quote"]
        assert page.evaluate("location.hash") == f"#q-{key}"


def test_the_samples_warnings_stand_at_their_rows(browser, out):
    data, site = _sample(out), out / "review"
    assert len(data["warnings"]) == 2
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, _):
        listed = page.eval_on_selector_all("#warnings li", "items => items.map(i => i.textContent)")
        for warning in data["warnings"]:
            assert any(warning in item for item in listed)
            row = warning.split(": ")[1]  # arithmetic: stats_2019.appeals.<group>: ...
            at_row = page.evaluate(
                """path => {
                const row = document.getElementById("row-" + path);
                const next = row && row.nextElementSibling;
                return [row && row.classList.contains("warned"), next && next.textContent];
            }""",
                row,
            )
            assert at_row[0] is True and warning in at_row[1]


def test_a_correction_is_downloaded_as_corrections_csv(browser, out):
    site = out / "review"
    key = "stats_2019.appeals.reconsideration.total"
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, outside):
        page.click(f'[id="v-{key}"] button.fix')
        assert page.input_value("#fix-key") == key
        assert page.input_value("#fix-value") == str(get_path(_sample(out), key))
        page.fill("#fix-value", "11")
        page.fill("#fix-note", 'table total misprinted, "0"; results add up to 11')
        page.click("#fix-form button[type=submit]")
        page.click('[id="v-stats_2019.requests.granted.total"] button.fix')
        page.fill("#fix-value", "")
        page.click("#fix-form button[type=submit]")
        assert page.eval_on_selector_all("#fix-list tbody tr", "rows => rows.length") == 2
        href = page.get_attribute("#fix-download", "href")
        assert page.get_attribute("#fix-download", "download") == "corrections.csv"
        assert href.startswith("data:text/csv;charset=utf-8,")
        text = unquote(href.split(",", 1)[1])
        rows = list(csv.reader(io.StringIO(text)))
        assert rows == [
            ["file", "key", "value", "note"],
            [SAMPLE, key, "11", 'table total misprinted, "0"; results add up to 11'],
            [SAMPLE, "stats_2019.requests.granted.total", "", ""],
        ]
        with page.expect_download() as download:
            page.click("#fix-download")
        assert download.value.suggested_filename == "corrections.csv"
        assert Path(download.value.path()).read_text(encoding="utf-8") == text
        page.goto((site / "index.html").as_uri())  # the list is kept for every page of the site
        assert page.text_content("#fix-count") == "2"
        assert page.get_attribute("#fix-download", "href") == href
        page.click("#fix-clear")
        assert page.text_content("#fix-count") == "0"
        assert outside == []


def test_a_body_page_charts_its_years_and_shows_compare_flags(browser, out):
    site = out / "review"
    with browser.open(site / body_href(MULTI_YEAR_BODY), site) as (page, outside):
        assert page.text_content("h1") == MULTI_YEAR_BODY
        charts = page.eval_on_selector_all("#charts svg.chart", "svgs => svgs.map(s => s.getAttribute('aria-label'))")
        assert len(charts) == 5
        assert charts[0] == "收到申请 received: 2013 1, 2018 1, 2021 37"
        assert page.locator("#charts svg.chart").first.bounding_box()["height"] > 50
        flags = page.eval_on_selector_all("#flags tbody tr", "rows => rows.map(r => r.textContent)")
        assert len(flags) == 1 and "x37 2018→2021" in flags[0]
        screenshot(page, "body")
        assert outside == []


def test_pages_read_with_javascript_off(browser, out):
    data, site = _sample(out), out / "review"
    with browser.open(site / "reports" / f"{SAMPLE}.html", site, javascript=False) as (page, _):
        assert page.locator("button.fix").first.is_hidden()
        assert page.locator("#fix-form").is_hidden()
        key = "stats_2019.requests.new_received.total"
        assert page.text_content(f'[id="v-{key}"] a') == str(get_path(data, key))
        assert page.locator("#source mark").count() > 20
        assert "洪泽区" in page.text_content("h1")
    with browser.open(site / "index.html", site, javascript=False) as (page, _):
        assert page.locator("#reports tbody tr").count() == len(SOURCES)
        assert page.locator("#filters").is_hidden()


def test_a_report_without_its_text_shows_the_quotes_alone(browser, out, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"{SAMPLE}.json").write_bytes((out / f"{SAMPLE}.json").read_bytes())
    write_review(folder)
    site = folder / "review"
    with browser.open(site / "reports" / f"{SAMPLE}.html", site) as (page, outside):
        assert "text/02_hongzequ_2023.txt" in page.text_content("#no-text")
        key = "stats_2019.requests.new_received.total"
        page.click(f'[id="v-{key}"] a')
        assert (
            page.eval_on_selector_all("#source mark.active", "m => m.map(x => x.textContent).join('')")
            == _sample(out)["evidence"][key]["quote"]
        )
        assert outside == []


def test_a_request_leaving_the_folder_is_caught(browser, tmp_path):
    page_file = tmp_path / "site" / "page.html"
    page_file.parent.mkdir()
    page_file.write_text('<!DOCTYPE html><img src="http://192.0.2.1:9/x.png"><link rel="stylesheet" href="../up.css">', encoding="utf-8")
    with browser.open(page_file, page_file.parent) as (page, outside):
        page.wait_for_load_state("load")
    assert "http://192.0.2.1:9/x.png" in outside
    assert any(url.endswith("/up.css") for url in outside)
