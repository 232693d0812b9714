"""Checks on a whole report: a statistics section whose table could not be read makes the report incomplete."""

from __future__ import annotations

from pathlib import Path

from samples import GOV2021_REPORT

from extractor.checks import plausible
from extractor.documents import load_document
from extractor.pipeline import extract_document
from extractor.records import FieldValue

DOCS = Path(__file__).resolve().parent.parent / "evals" / "docs"

TABLES_AS_IMAGES = """某县2021年政府信息公开工作年度报告
一、总体情况
2021年,全县主动公开政府信息1136条。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
"""


def _extract(tmp_path: Path, text: str):
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    return extract_document(load_document(path))


def test_sections_present_with_no_figure_read_are_warned_and_the_report_is_incomplete(tmp_path):
    report = _extract(tmp_path, TABLES_AS_IMAGES)
    unreadable = [w for w in report.warnings if w.startswith("statistics section")]
    assert [w.split()[2] for w in unreadable] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    assert report.run.complete is False


def test_report_whose_tables_were_read_is_complete(tmp_path):
    report = _extract(tmp_path, GOV2021_REPORT)
    assert not [w for w in report.warnings if w.startswith("statistics section")]
    assert report.run.complete is True


def test_corpus_report_with_its_tables_lost_says_so():
    """004 (长兴县 2019) kept its section headings but its tables were images on the page."""
    report = extract_document(load_document(DOCS / "004_bc36cf730a6aa635.txt"))
    assert report.run.complete is False
    assert any("四、政府信息公开行政复议、行政诉讼情况" in w for w in report.warnings)


def test_legacy_report_is_not_held_to_the_2019_sections(tmp_path):
    report = _extract(tmp_path, "灵山县2017年政府信息公开工作年度报告\n二、主动公开政府信息情况\n全年主动公开政府信息39387条。")
    assert report.meta.template == "legacy" and report.run.complete is True


def test_legacy_statistics_table_with_nothing_read_is_incomplete(tmp_path):
    report = _extract(tmp_path, "某县2017年政府信息公开工作年度报告\n附表:\n统计指标 | 单位 | 统计数\n(附表为扫描图片)\n")
    assert report.meta.template == "legacy" and report.run.complete is False
    assert report.warnings[-1].startswith("the statistics table (统计指标 | 单位 | 统计数) is in the report")


def test_legacy_statistics_table_that_was_read_is_complete():
    report = extract_document(load_document(DOCS / "10_hebei_jyt_2018_tongjibiao.txt"))
    assert report.run.complete is True and report.stats_legacy.proactive.total is not None


def test_a_negative_change_is_kept_and_a_negative_count_left_null():
    kept, warnings = plausible(
        [
            FieldValue("stats_2019.proactive.licensing.change", -5, "行政许可156-5997", 0, 12),
            FieldValue("stats_2019.proactive.licensing.decisions", -1, "行政许可-1", 0, 6),
        ]
    )
    assert [(v.path, v.value) for v in kept] == [("stats_2019.proactive.licensing.change", -5)]
    assert warnings == ["stats_2019.proactive.licensing.decisions: -1 is not a plausible figure (negative); left null"]


def test_a_model_total_smaller_than_the_parts_the_parsers_read_is_dropped_and_parser_values_never_are() -> None:
    from extractor.checks import model_within_wholes
    from extractor.records import FieldValue

    staff = FieldValue("stats_legacy.operations.staff_total", 2, "工作人员2人", 0, 6, method="llm")
    full = FieldValue("stats_legacy.operations.staff_full_time", 3, "专职人员3人", 7, 13)
    part = FieldValue("stats_legacy.operations.staff_part_time", 4, "兼职人员4人", 14, 20)
    kept, warnings = model_within_wholes([staff, full, part], "legacy")
    assert [v.path for v in kept] == [full.path, part.path]
    assert warnings == [
        "stats_legacy.operations.staff_total: the model's 2 ('工作人员2人') is left null: the parts of "
        "stats_legacy.operations.staff_total would add up to 7, more than its 2"
    ]
    parsers_only = [FieldValue(staff.path, 2, staff.quote, 0, 6), full, part]
    assert model_within_wholes(parsers_only, "legacy") == (parsers_only, [])
    leaders = FieldValue("stats_legacy.responses.press_conferences_by_leaders", 5, "主要负责同志出席5次", 0, 9, method="llm")
    conferences = FieldValue("stats_legacy.responses.press_conferences", 3, "举办新闻发布会3次", 10, 19)
    assert model_within_wholes([leaders, conferences], "legacy")[0] == [conferences]
    assert model_within_wholes([leaders, conferences], "gov2021")[0] == [leaders, conferences]  # the 2019 forms have no such pairs here
