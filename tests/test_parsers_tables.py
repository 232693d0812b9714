"""The national tables (2019/2021 and legacy) and Fujian's form, read from text as scraped."""

from __future__ import annotations

from samples import COLUMNS, SECTION_3_2021, section_3_text, spaced

from extractor.checks import arithmetic_warnings
from extractor.documents import Document
from extractor.parsers.rows import read_rows
from extractor.parsers.table_2019 import parse_2019_tables, request_rows
from extractor.parsers.table_legacy import parse_fujian_form, parse_legacy_table
from extractor.pipeline import extract_document

R = "stats_2019.requests."


def _row(values: dict, key: str) -> list:
    return [values.get(f"{R}{key}.{c}") for c in COLUMNS]


def _values(result) -> dict:
    return {v.path: v.value for v in result.values}


def _doc(text: str) -> Document:
    return Document(path="mem.txt", format="txt", encoding="utf-8", sha256="0" * 64, text=text)


# ------------------------------------------------------------------------------------------ 2019/2021
def test_run_together_row_is_ambiguous_alone():
    spec = next(s for s in request_rows("gov2021") if s.key == R + "new_received")
    [reading] = read_rows("一、本年新收政府信息公开申请数量121010014", [spec])
    assert len(reading.candidates) == 3


def test_run_together_2021_section_3_is_resolved_by_column_sums():
    result = parse_2019_tables(section_3_text(SECTION_3_2021), "gov2021")
    values = _values(result)
    assert result.warnings == ()
    assert _row(values, "new_received") == [12, 1, 0, 1, 0, 0, 14]
    assert _row(values, "granted") == [10, 1, 0, 1, 0, 0, 12]
    assert _row(values, "unable.not_held") == [2, 0, 0, 0, 0, 0, 2]
    assert _row(values, "total") == [12, 1, 0, 1, 0, 0, 14]
    assert _row(values, "other_detail.overdue_fee") == [0] * 7
    # 2021's （六）其他处理 is a heading with no cells: it stays null, not zero
    assert _row(values, "other") == [None] * 7


def test_every_value_quotes_its_printed_row():
    text = section_3_text(SECTION_3_2021)
    for value in parse_2019_tables(text, "gov2021").values:
        assert text[value.start : value.end] == value.quote
    granted = next(v for v in parse_2019_tables(text, "gov2021").values if v.path == R + "granted.total")
    assert granted.quote == "(一)予以公开101010012"


def test_run_together_total_row_left_ambiguous_without_outcome_rows_stays_null():
    rows = [r for r in SECTION_3_2021 if r[0] in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量")]
    result = parse_2019_tables(section_3_text(rows), "gov2021")
    values = _values(result)
    # the three readings agree only on 其他 (0) and 总计 (14)
    assert _row(values, "new_received") == [None, None, None, None, None, 0, 14]
    assert any(w.startswith(f"{R}new_received: 3 readings fit the table") for w in result.warnings)


def test_spaced_2021_table_reads_each_cell_as_printed():
    values = _values(parse_2019_tables(section_3_text(spaced(SECTION_3_2021)), "gov2021"))
    assert _row(values, "new_received") == [12, 1, 0, 1, 0, 0, 14]
    assert len([p for p in values if p.startswith(R)]) == 25 * 7


def test_table_that_dropped_blank_cells_is_placed_by_its_column_sums():
    rows = spaced(
        SECTION_3_2021,
        {
            "4.保护第三方合法权益": " 1 1",
            "6.属于四类过程性信息": " 1 1",
            "(七)总计": " 14 1 0 1 0 0 16",
            "一、本年新收政府信息公开申请数量": " 14 1 0 1 0 0 16",
        },
    )
    result = parse_2019_tables(section_3_text(rows), "gov2021")
    values = _values(result)
    # 自然人 column: 予以公开 10 + 不掌握 2 + these two rows = (七)总计 14, so both 1s are 自然人; blanks stay null
    assert _row(values, "denied.third_party") == [1, None, None, None, None, None, 1]
    assert _row(values, "denied.process_info") == [1, None, None, None, None, None, 1]
    assert _row(values, "denied.state_secret") == [0] * 7
    assert result.warnings == ()


def test_table_that_dropped_blank_cells_leaves_unplaceable_cells_null_with_a_warning():
    rows = spaced(
        SECTION_3_2021,
        {
            "4.保护第三方合法权益": " 1 1",
            "(七)总计": " 13 1 0 1 0 0 15",
            "一、本年新收政府信息公开申请数量": " 13 1 0 1 0 0 15",
            "(一)予以公开": " 10 1 0 1 0 0 12",
            "1.本机关不掌握相关政府信息": " 2 2",
        },
    )
    result = parse_2019_tables(section_3_text(rows), "gov2021")
    values = _values(result)
    # 不掌握 2 and 第三方 1 both sit in a column adding to 自然人 13: 2 + 1 = 3 fits, any other column does not
    assert _row(values, "denied.third_party") == [1, None, None, None, None, None, 1]
    assert _row(values, "unable.not_held") == [2, None, None, None, None, None, 2]


def test_arithmetic_failure_is_kept_as_printed_and_reported():
    rows = spaced(SECTION_3_2021, {"一、本年新收政府信息公开申请数量": " 12 1 0 1 0 0 15"})
    report = extract_document(_doc("某县2021年政府信息公开工作年度报告\n" + section_3_text(rows)))
    assert report.stats_2019.requests.new_received.total == 15
    assert report.stats_2019.requests.new_received.natural_person == 12
    data = report.model_dump()
    found = arithmetic_warnings(data)
    assert f"arithmetic: {R}new_received: the six applicant columns add up to 14, the row total is 15" in found
    assert "arithmetic: stats_2019 section 三 balance (total): 一 + 二 = 15 but (七) + 四 = 14" in found
    assert set(found) <= set(report.warnings)


def test_appeals_row_of_fifteen_cells():
    text = (
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
        "1 0 0 1 2 0 0 0 0 0 1 0 0 0 1\n五、存在的主要问题"
    )
    values = _values(parse_2019_tables(text, "gov2021"))
    assert values["stats_2019.appeals.reconsideration.total"] == 2
    assert values["stats_2019.appeals.reconsideration.pending"] == 1
    assert values["stats_2019.appeals.litigation_direct.total"] == 0
    assert values["stats_2019.appeals.litigation_after_reconsideration.upheld"] == 1


def test_2019_proactive_table_reads_signed_change_column():
    text = (
        "二、主动公开政府信息情况\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n"
        "规范性文件 3 3 41\n行政许可 上一年项目数量 本年增/减 处理决定数量\n行政许可 156 -5 997\n"
        "三、收到和处理政府信息公开申请情况"
    )
    values = _values(parse_2019_tables(text, "gov2019"))
    assert values["stats_2019.proactive.normative_documents.total"] == 41
    assert values["stats_2019.proactive.licensing.change"] == -5
    assert values["stats_2019.proactive.licensing.decisions"] == 997


PROCUREMENT = (
    "二、主动公开政府信息情况\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n"
    "第二十条第(九)项\n信息内容\n采购项目数量\n{header}\n政府集中采购\n\n12\n\n{amount}\n\n"
    "三、收到和处理政府信息公开申请情况"
)


def test_procurement_amount_printed_with_no_unit_is_left_null_and_its_count_kept():
    result = parse_2019_tables(PROCUREMENT.format(header="采购总金额", amount="34567"), "gov2019")
    values = _values(result)
    assert values["stats_2019.proactive.procurement.items"] == 12
    assert "stats_2019.proactive.procurement.amount" not in values
    assert any("procurement.amount: 34567 printed with no unit" in w for w in result.warnings)


def test_procurement_amount_is_read_where_the_row_or_the_header_prints_wan_yuan():
    in_header = _values(parse_2019_tables(PROCUREMENT.format(header="采购总金额(万元)", amount="34567"), "gov2019"))
    in_row = _values(parse_2019_tables(PROCUREMENT.format(header="采购总金额", amount="345.67万元"), "gov2019"))
    assert in_header["stats_2019.proactive.procurement.amount"] == 34567
    assert in_row["stats_2019.proactive.procurement.amount"] == 345.67


# --------------------------------------------------------------------------------------------- legacy
LEGACY_TABLE = """政府信息公开情况统计表
统计指标 单位 统计数
(一)主动公开政府信息数 条 1200
其中:主动公开规范性文件数 条 35
(一)收到申请数 件 25
1.当面申请数 件 3
2.传真申请数 件 0
3.网络申请数 件 16
4.信函申请数 件 9
(一)政府信息公开专项经费 万元 2.5
(三)接受培训人员数 人次 130
"""


def test_legacy_table_with_unit_column_reads_the_values_not_the_units():
    values = _values(parse_legacy_table(LEGACY_TABLE))
    assert values == {
        "stats_legacy.proactive.total": 1200,
        "stats_legacy.proactive.normative_docs": 35,
        "stats_legacy.requests.received": 25,
        "stats_legacy.requests.channels.in_person": 3,
        "stats_legacy.requests.channels.fax": 0,
        "stats_legacy.requests.channels.online": 16,
        "stats_legacy.requests.channels.letter": 9,
        "stats_legacy.operations.budget": 2.5,
        "stats_legacy.operations.trainees": 130,
    }
    assert isinstance(values["stats_legacy.operations.budget"], float)


def test_a_few_legacy_labels_in_prose_are_not_a_table():
    assert parse_legacy_table("今年收到申请数25件,网络申请数16件。").values == ()


def test_legacy_arithmetic_failure_is_kept_as_printed_and_reported():
    text = "某县2016年政府信息公开工作年度报告\n" + LEGACY_TABLE.replace("4.信函申请数 件 9", "4.信函申请数 件 5")
    report = extract_document(_doc(text))
    assert report.stats_legacy.requests.received == 25
    assert report.stats_legacy.requests.channels.letter == 5
    expected = "arithmetic: stats_legacy.requests.received = 25 but its sub-items add up to 24"
    assert expected in arithmetic_warnings(report.model_dump())
    assert expected in report.warnings


FUJIAN = """指标名称 | 计量单位 | 2016年 | 历年累计
主动公开文件数 | 件 | 320 | 5120
受理政府信息公开申请总数 | 件 | 12 | 240
当面申请数 | 件 | 2 | 40
网络申请数 | 件 | 9 | 180
信函、传真申请数 | 件 | 1 | 20
行政复议数 | 件 | 0 | 3
"""
FUJIAN_YEAR = {
    "stats_legacy.proactive.total": 320,
    "stats_legacy.requests.received": 12,
    "stats_legacy.requests.channels.in_person": 2,
    "stats_legacy.requests.channels.online": 9,
    "stats_legacy.requests.channels.letter_or_fax": 1,
    "stats_legacy.appeals.reconsideration.total": 0,
}


def _cumulative_first(text: str) -> str:
    swapped = []
    for line in text.splitlines():
        cells = line.split(" | ")
        swapped.append(" | ".join([*cells[:2], cells[3], cells[2]]))
    return "\n".join(swapped) + "\n"


def test_cumulative_column_is_never_taken_when_the_year_column_comes_first():
    assert _values(parse_fujian_form(FUJIAN)) == FUJIAN_YEAR


def test_cumulative_column_is_never_taken_when_it_comes_first():
    assert _values(parse_fujian_form(_cumulative_first(FUJIAN))) == FUJIAN_YEAR


def test_cumulative_column_is_never_taken_when_a_title_with_the_year_sits_just_above():
    text = "福建省某县2016年政府信息公开统计表\n" + _cumulative_first(FUJIAN)
    assert _values(parse_fujian_form(text)) == FUJIAN_YEAR


def test_fujian_form_in_a_report_goes_through_the_pipeline_with_year_values():
    report = extract_document(_doc("某县2016年政府信息公开工作年度报告\n" + FUJIAN))
    assert report.meta.template == "legacy"
    assert report.stats_legacy.requests.received == 12
    assert report.summary.requests_received == 12
    assert report.stats_legacy.proactive.total == 320


def test_fujian_row_with_one_cell_is_never_split_into_two_numbers():
    text = FUJIAN.replace("受理政府信息公开申请总数 | 件 | 12 | 240", "受理政府信息公开申请总数 | 件 | 12")
    result = parse_fujian_form(text)
    values = _values(result)
    # the year's channels (2 + 9 + 1) fix the year cell at 12, never the split 1|2
    assert values["stats_legacy.requests.received"] == 12
    assert not any("requests.received" in w for w in result.warnings)


def test_fujian_row_with_one_cell_and_no_arithmetic_is_left_null():
    text = FUJIAN.replace("行政复议数 | 件 | 0 | 3", "行政复议数 | 件 | 7")
    result = parse_fujian_form(text)
    assert "stats_legacy.appeals.reconsideration.total" not in _values(result)
    assert result.warnings == (
        "stats_legacy.appeals.reconsideration.total: 2 readings fit the table, which disagree (7 / _); uncertain cells left null",
    )


def test_a_broken_total_row_still_ties_new_requests_to_the_outcome_rows():
    rows = [
        (
            label,
            {
                "一、本年新收政府信息公开申请数量": "220000022",
                "(一)予以公开": "200000020",
                "5.属于三类内部事务信息": "2000002",
                "1.本机关不掌握相关政府信息": "0000000",
                "(七)总计": "30000022",
            }.get(label, cells),
        )
        for label, cells in SECTION_3_2021
    ]
    result = parse_2019_tables(section_3_text(rows), "gov2021")
    values = _values(result)
    assert _row(values, "new_received") == [22, 0, 0, 0, 0, 0, 22]  # not 2|20|0|0|0|0|22
    assert _row(values, "total") == [None] * 7
    assert any(w.startswith(f"{R}total:") for w in result.warnings)
