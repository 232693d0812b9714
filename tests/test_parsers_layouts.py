"""The layouts scraping and PDF text really produce, read from real files through the whole parser path."""

from __future__ import annotations

from pathlib import Path

from samples import COLUMNS, SECTION_3_2021, SPLIT, section_3_text, write_pdf

from extractor.documents import load_document
from extractor.merge import prefer
from extractor.parsers import parse_document

R = "stats_2019.requests."
A = "stats_2019.appeals."
P = "stats_2019.proactive."
L = "stats_legacy."


def _parsed(path: Path) -> tuple[dict, tuple[str, ...]]:
    _, tables, prose = parse_document(load_document(path).text)
    result = prefer(tables, prose, "table", "prose")
    return {v.path: v.value for v in result.values}, result.warnings


def _row(values: dict, key: str) -> list:
    return [values.get(f"{R}{key}.{c}") for c in COLUMNS]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


TITLE = "某区2022年政府信息公开工作年度报告\n"


# ------------------------------------------------------------------------------------- 2019/2021 requests
def test_pdf_table_with_wrapped_header_and_numbers_on_their_own_lines_is_read(tmp_path):
    lines = [
        TITLE.strip(),
        "三、收到和处理政府信息公开申请情况",
        "申请人情况",
        "(本列数据的勾稽关系为:第一项加第二项之和,",
        "等于第三项加第四项之和)  自然人  法人或其他组织  总计",
        "商业  科研  社会公益  法律服务  其他",
        "企业  机构  组织  机构  ",
    ]
    for label, cells in SECTION_3_2021:
        spaced = SPLIT.get(cells, " ".join(cells))
        if label.startswith("1.本机关不掌握相关政府信息"):
            lines += [label]  # its numbers merge into the next row's line: 14 cells for 7 columns
        elif label.startswith("2.没有现成信息需要另行制作"):
            lines += [f"{label} 2 0 0 0 0 0 2 {' '.join(['0'] * 7)}"]
        elif label.startswith(("一、", "(一)")):
            lines += [label, spaced]  # label and numbers on different lines
        else:
            lines += [f"{label} {spaced}" if cells else label]
    lines += ["四、政府信息公开行政复议、行政诉讼情况"]
    values, warnings = _parsed(write_pdf(tmp_path / "r.pdf", lines))
    assert _row(values, "new_received") == [12, 1, 0, 1, 0, 0, 14]
    assert _row(values, "granted") == [10, 1, 0, 1, 0, 0, 12]
    assert _row(values, "unable.not_held") == [2, 0, 0, 0, 0, 0, 2]
    assert _row(values, "unable.needs_creation") == [0] * 7
    assert _row(values, "total") == [12, 1, 0, 1, 0, 0, 14]
    assert len([p for p in values if p.startswith(R)]) == 25 * 7
    assert warnings == ()


def test_table_printed_one_digit_per_cell_that_dropped_its_blank_rows_is_read(tmp_path):
    rows = {
        "一、本年新收政府信息公开申请数量": "3000003",
        "(一)予以公开": "2000002",
        "1.本机关不掌握相关政府信息": "1000001",
        "(七)总计": "3000003",
    }
    text = section_3_text([(label, rows.get(label, "")) for label, _ in SECTION_3_2021])
    values, warnings = _parsed(_write(tmp_path / "r.txt", TITLE + text))
    assert _row(values, "new_received") == [3, 0, 0, 0, 0, 0, 3]
    assert _row(values, "granted") == [2, 0, 0, 0, 0, 0, 2]
    assert _row(values, "unable.not_held") == [1, 0, 0, 0, 0, 0, 1]
    assert _row(values, "total") == [3, 0, 0, 0, 0, 0, 3]
    assert _row(values, "carried_over") == [None] * 7  # printed blank: never a 0
    assert warnings == ()


def test_rows_that_lost_their_separators_in_part_are_read(tmp_path):
    rows = {
        "一、本年新收政府信息公开申请数量": "121 01 0 0 14",
        "(一)予以公开": "10 1 0 1 0 012",
        "二、上年结转政府信息公开申请数量": "0 0 0 0 0 00",
    }
    text = section_3_text(
        [(label, " " + rows.get(label, SPLIT.get(c, " ".join(c)))) if c or label in rows else (label, c) for label, c in SECTION_3_2021]
    )
    values, _ = _parsed(_write(tmp_path / "r.txt", TITLE + text))
    assert _row(values, "new_received") == [12, 1, 0, 1, 0, 0, 14]
    assert _row(values, "granted") == [10, 1, 0, 1, 0, 0, 12]
    assert _row(values, "carried_over") == [0] * 7


def test_table_that_dropped_blanks_reads_totals_and_leaves_the_unplaceable_columns_null_with_a_warning(tmp_path):
    rows = {"一、本年新收政府信息公开申请数量": "22", "(一)予以公开": "22", "(七)总计": "22"}
    text = section_3_text([(label, rows.get(label, "")) for label, _ in SECTION_3_2021])
    values, warnings = _parsed(_write(tmp_path / "r.txt", TITLE + text))
    assert _row(values, "new_received") == [None] * 6 + [2]
    assert _row(values, "total") == [None] * 6 + [2]
    named = [w for w in warnings if w.startswith(f"{R}new_received: 6 readings fit the table")]
    assert named and "2|_|_|_|_|_|2 / _|2|_|_|_|_|2" in named[0]


# ---------------------------------------------------------------------------------------------- appeals
APPEALS_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n"
APPEALS = [3, 1, 0, 0, 4, 1, 0, 0, 0, 1, 0, 0, 2, 0, 2]


def _appeals(values: dict) -> list:
    return [
        values.get(f"{A}{group}.{c}")
        for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]


def test_markdown_appeals_row_with_more_cells_than_its_wrapped_header_is_read(tmp_path):
    markdown = (
        TITLE + APPEALS_HEAD + "| 行政复议 | 行政诉讼 |\n|---|---|\n"
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |\n"
        "|---|---|---|---|---|---|---|\n| " + " | ".join(map(str, APPEALS)) + " |\n\n五、存在的主要问题\n"
    )
    values, _ = _parsed(_write(tmp_path / "r.md", markdown))
    assert _appeals(values) == APPEALS


def test_appeals_header_words_then_fifteen_numbers_spaced_or_run_together_are_read(tmp_path):
    head = TITLE + APPEALS_HEAD + "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n未经复议直接起诉 复议后起诉\n"
    for row in (" ".join(map(str, APPEALS)), "".join(map(str, APPEALS))):
        values, _ = _parsed(_write(tmp_path / "r.txt", head + row + "\n五、存在的主要问题\n"))
        assert _appeals(values) == APPEALS


def test_appeals_run_together_with_two_digit_cells_are_split_by_their_sums(tmp_path):
    head = TITLE + APPEALS_HEAD + "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
    values, _ = _parsed(_write(tmp_path / "r.txt", head + "12003151000100000\n五、存在的主要问题\n"))
    assert _appeals(values) == [12, 0, 0, 3, 15, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]


# ------------------------------------------------------------------------------------- 第二十条 proactive
PROACTIVE_2021 = (
    "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容本年制发件数本年废止件数现行有效件数\n"
    "规章302\n行政规范性文件12345\n第二十条第(五)项\n信息内容本年处理决定数量\n行政许可15\n"
    "三、收到和处理政府信息公开申请情况\n"
)


def test_run_together_proactive_table_reads_only_unique_readings(tmp_path):
    values, warnings = _parsed(_write(tmp_path / "r.txt", TITLE + PROACTIVE_2021))
    assert [values.get(f"{P}regulations.{c}") for c in ("issued", "repealed", "in_force")] == [3, 0, 2]
    assert values[f"{P}licensing.decisions"] == 15
    assert not any(p.startswith(f"{P}normative_documents") for p in values)
    assert any(w.startswith(f"{P}normative_documents: 6 readings fit the table") and "12|3|45" in w for w in warnings)


def test_prose_restating_a_proactive_cell_settles_its_reading(tmp_path):
    text = TITLE + "一、总体情况\n全年制发行政规范性文件12件。\n" + PROACTIVE_2021
    values, _ = _parsed(_write(tmp_path / "r.txt", text))
    assert values[f"{P}normative_documents.issued"] == 12
    assert f"{P}normative_documents.repealed" not in values  # 12|3|45 or 12|34|5: still uncertain


def test_prose_restating_issued_and_repealed_counts_settles_the_whole_row(tmp_path):
    text = TITLE + "一、总体情况\n全年制发行政规范性文件12件、废止3件。\n" + PROACTIVE_2021
    values, _ = _parsed(_write(tmp_path / "r.txt", text))
    assert [values.get(f"{P}normative_documents.{c}") for c in ("issued", "repealed", "in_force")] == [12, 3, 45]


def test_a_cleanup_that_repealed_documents_settles_the_repealed_cell(tmp_path):
    text = TITLE + "一、总体情况\n对50件规范性文件进行清理,其中15件保留、34件予以废止。\n" + PROACTIVE_2021
    values, _ = _parsed(_write(tmp_path / "r.txt", text))
    assert [values.get(f"{P}normative_documents.{c}") for c in ("issued", "repealed", "in_force")] == [12, 34, 5]


def test_documents_drafted_for_another_body_are_no_evidence_of_those_issued(tmp_path):
    text = TITLE + "一、总体情况\n牵头起草省政府规范性文件12件,全年制发厅规范性文件1件。\n" + PROACTIVE_2021
    values, _ = _parsed(_write(tmp_path / "r.txt", text))
    assert values[f"{P}normative_documents.issued"] == 1  # 1|2|345, 1|23|45 or 1|234|5: never 12|3|45
    assert f"{P}normative_documents.repealed" not in values


# ------------------------------------------------------------------------------------------------ Fujian
FUJIAN_FLAT = (
    "指标名称计量单位本年度历年累计主动公开文件数条246813579其中:1.政府网站公开数条246813579"
    "受理依申请公开信息总数条00其中:1.当面申请数条00 2.网络申请数条00 3.信函、传真申请数条00"
    "行政复议数件03\n"
)
CUMULATIVE_PARTS = {13579, 3579, 813579, 6813579, 46813579, 3}


def test_flat_fujian_rows_with_unit_and_both_numbers_run_together_are_read(tmp_path):
    values, warnings = _parsed(_write(tmp_path / "r.txt", "某县2016年政府信息公开工作年度报告\n" + FUJIAN_FLAT))
    assert values[f"{L}requests.received"] == 0
    assert values[f"{L}requests.channels.online"] == 0
    assert values[f"{L}appeals.reconsideration.total"] == 0  # 0|3: the cumulative 3 is never taken
    assert f"{L}proactive.total" not in values
    assert any(w.startswith(f"{L}proactive.total: 4 readings fit the table") and "2468" in w for w in warnings)


def test_cumulative_column_never_leaks_into_a_value(tmp_path):
    for prose in ("", "全年主动公开政府信息2468条。\n"):
        values, _ = _parsed(_write(tmp_path / "r.txt", "某县2016年政府信息公开工作年度报告\n" + prose + FUJIAN_FLAT))
        assert not CUMULATIVE_PARTS.intersection(v for p, v in values.items() if p.startswith(L))


def test_prose_figure_settles_a_flat_fujian_row(tmp_path):
    text = "某县2016年政府信息公开工作年度报告\n全年主动公开政府信息2468条。\n" + FUJIAN_FLAT
    values, _ = _parsed(_write(tmp_path / "r.txt", text))
    assert values[f"{L}proactive.total"] == 2468
    # the website row may still be 2, 24, 246 or 2468, all within its total: left null
    assert f"{L}proactive.channels.website" not in values


def test_fujian_html_table_takes_the_year_column(tmp_path):
    rows = [
        ("指标名称", "计量单位", "2016年", "历年累计"),
        ("主动公开文件数", "条", "320", "5120"),
        ("受理政府信息公开申请总数", "件", "12", "240"),
        ("当面申请数", "件", "", "40"),
        ("网络申请数", "件", "11", "180"),
        ("信函、传真申请数", "件", "1", "20"),
    ]
    html = (
        "<html><body><h1>某县2016年政府信息公开工作年度报告</h1><table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        + "</table></body></html>"
    )
    values, _ = _parsed(_write(tmp_path / "r.html", html))
    assert values[f"{L}proactive.total"] == 320
    assert values[f"{L}requests.received"] == 12
    assert values[f"{L}requests.channels.online"] == 11
    assert f"{L}requests.channels.in_person" not in values  # a blank year cell: 40 is the cumulative
