"""The national tables of 2019 (国办公开办函〔2019〕60号) and of the 2021 revision (〔2021〕30号).

Three tables: section 二 (主动公开, rows 规章 … 政府集中采购), section 三 (申请: 7 applicant columns per row) and
section 四 (复议/诉讼: one row of 15 cells). The two versions differ in section 二's columns and in section 三's
（六）其他处理, which 2021 splits into three rows. Which version a table is comes from its own header words:

    >>> version_of("信息内容 本年制发件数 本年废止件数 现行有效件数")
    'gov2021'
    >>> version_of("信息内容 本年新制作数量 本年新公开数量 对外公开总数量")
    'gov2019'

Run-together rows are split with the table's own arithmetic: each row's 总计 is the sum of its six applicant
columns; per column, 一 + 二 = (七) + 四 and (七) is the sum of the outcome rows (一)…(六); each section-四 group's
总计 is the sum of its four results.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from extractor.parsers.reconstruct import reconstruct
from extractor.parsers.rows import COLUMNS_7, Equation, RowReading, RowSpec, field_values, fuzzy, read_rows
from extractor.records import FieldValue, Number, ParseResult
from extractor.schema import get_path
from extractor.textrules import speaks_of_another_period

SUM_7 = ((6, (0, 1, 2, 3, 4, 5)),)
APPEAL_RESULTS = ("upheld", "corrected", "other", "pending", "total")
APPEAL_COLUMNS = tuple(
    f"{group}.{col}" for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration") for col in APPEAL_RESULTS
)
APPEAL_SUMS = ((4, (0, 1, 2, 3)), (9, (5, 6, 7, 8)), (14, (10, 11, 12, 13)))

_R = "stats_2019.requests."


def _row(key: str, label: str, marker: str = "") -> RowSpec:
    """A section-三 row; `marker` is its list number ("一、", "(一)", "1."), optional in the printed label."""
    prefix = ""
    if marker:
        number = re.escape(marker.strip("、.()"))
        prefix = rf"(?:[(]?{number}[)、.,]?\s*)?" if marker.startswith("(") else rf"(?:{number}\s*[、.,]\s*)?"
    return RowSpec(_R + key, prefix + fuzzy(label), COLUMNS_7, sums=SUM_7)


@functools.cache
def request_rows(version: str) -> tuple[RowSpec, ...]:
    rows = [
        _row("new_received", "本年新收政府信息公开申请数量", "一、"),
        _row("carried_over", "上年结转政府信息公开申请数量", "二、"),
        _row("granted", "予以公开", "(一)"),
        _row("partially_granted", "部分公开", "(二)"),
        _row("denied.state_secret", "属于国家秘密", "1."),
        RowSpec(
            _R + "denied.prohibited_by_law",
            r"(?:2\s*[、.,]\s*)?其他\s*法\s*律\s*行\s*政\s*(?:法\s*规\s*)?(?:禁\s*)?止\s*公\s*开",
            COLUMNS_7,
            sums=SUM_7,
        ),
        _row("denied.three_safeties", "危及“三安全一稳定”", "3."),
        _row("denied.third_party", "保护第三方合法权益", "4."),
        _row("denied.internal_affairs", "属于三类内部事务信息", "5."),
        _row("denied.process_info", "属于四类过程性信息", "6."),
        _row("denied.enforcement_files", "属于行政执法案卷", "7."),
        _row("denied.query_matters", "属于行政查询事项", "8."),
        _row("unable.not_held", "本机关不掌握相关政府信息", "1."),
        _row("unable.needs_creation", "没有现成信息需要另行制作", "2."),
        _row("unable.unclear", "补正后申请内容仍不明确", "3."),
        _row("not_processed.petition", "信访举报投诉类申请", "1."),
        _row("not_processed.duplicate", "重复申请", "2."),
        _row("not_processed.publication", "要求提供公开出版物", "3."),
        _row("not_processed.mass_repeated", "无正当理由大量反复申请", "4."),
        _row("not_processed.confirm_or_reissue", "要求行政机关确认或重新出具已获取信息", "5."),
        RowSpec(
            _R + "other",
            r"\(六\)\s*其\s*他\s*处\s*理|(?<![\u4e00-\u9fff])其他处理",
            COLUMNS_7,
            sums=SUM_7,
            may_be_blank=version == "gov2021",
        ),
    ]
    if version == "gov2021":
        rows += [
            _row("other_detail.overdue_amendment", "申请人无正当理由逾期不补正", "1."),
            _row("other_detail.overdue_fee", "申请人逾期未按收费通知要求缴纳费用", "2."),
            RowSpec(_R + "other_detail.other", r"3\s*[、.,]\s*其\s*他(?!\s*[\u4e00-\u9fff]{2})", COLUMNS_7, sums=SUM_7),
        ]
    rows += [
        RowSpec(_R + "total", r"(?:\(七\)\s*)?总\s*计(?=[\s|]*\d)", COLUMNS_7, sums=SUM_7),
        _row("carried_forward", "结转下年度继续办理", "四、"),
    ]
    return tuple(rows)


OUTCOME_ROWS = (
    ["granted", "partially_granted"]
    + [
        f"denied.{k}"
        for k in (
            "state_secret",
            "prohibited_by_law",
            "three_safeties",
            "third_party",
            "internal_affairs",
            "process_info",
            "enforcement_files",
            "query_matters",
        )
    ]
    + [f"unable.{k}" for k in ("not_held", "needs_creation", "unclear")]
    + [f"not_processed.{k}" for k in ("petition", "duplicate", "publication", "mass_repeated", "confirm_or_reissue")]
)
OTHER_DETAIL_ROWS = [f"other_detail.{k}" for k in ("overdue_amendment", "overdue_fee", "other")]


def request_equations(version: str, present: set[str]) -> list[Equation]:
    """Section 三's column arithmetic, over the rows that were found."""

    def cell(key: str, column: int) -> tuple[str, int]:
        return (_R + key, column)

    equations = []
    other_rows = ["other"] if "stats_2019.requests.other" in present or version != "gov2021" else OTHER_DETAIL_ROWS
    for column in range(7):
        equations.append(
            Equation((cell("new_received", column), cell("carried_over", column)), (cell("total", column), cell("carried_forward", column)))
        )
        equations.append(Equation(tuple(cell(k, column) for k in OUTCOME_ROWS + other_rows), (cell("total", column),)))
        if version == "gov2021":
            equations.append(Equation(tuple(cell(k, column) for k in OTHER_DETAIL_ROWS), (cell("other", column),)))
    return equations


_P = "stats_2019.proactive."


@functools.cache
def proactive_rows(version: str) -> tuple[RowSpec, ...]:
    if version == "gov2021":
        documents = ("issued", "repealed", "in_force")
        return (
            RowSpec(_P + "regulations", r"规\s*章", documents),
            RowSpec(_P + "normative_documents", r"(?:行\s*政\s*)?规\s*范\s*性\s*文\s*件", documents),
            RowSpec(_P + "licensing", fuzzy("行政许可"), ("decisions",)),
            RowSpec(_P + "penalties", fuzzy("行政处罚"), ("decisions",)),
            RowSpec(_P + "coercion", fuzzy("行政强制"), ("decisions",)),
            RowSpec(_P + "fees", fuzzy("行政事业性收费"), ("amount",), money=(0,)),
        )
    # 对外公开总数量 (all published so far) >= 本年新公开数量; 上一年项目数量 + 本年增/减 is a count, never negative
    documents_2019 = ("issued", "published", "total")
    items = ("previous_year_items", "change", "decisions")
    count = ((0, 1),)
    return (
        RowSpec(_P + "regulations", r"规\s*章", documents_2019, orders=((2, 1),)),
        RowSpec(_P + "normative_documents", r"(?:行\s*政\s*)?规\s*范\s*性\s*文\s*件", documents_2019, orders=((2, 1),)),
        RowSpec(_P + "licensing", fuzzy("行政许可"), items, signed=(1,), not_negative=count),
        RowSpec(_P + "other_services", fuzzy("其他对外管理服务事项"), items, signed=(1,), not_negative=count),
        RowSpec(_P + "penalties", fuzzy("行政处罚"), items, signed=(1,), not_negative=count),
        RowSpec(_P + "coercion", fuzzy("行政强制"), items, signed=(1,), not_negative=count),
        RowSpec(_P + "fees", fuzzy("行政事业性收费"), ("previous_year_items", "change"), signed=(1,), not_negative=count),
        RowSpec(_P + "procurement", fuzzy("政府集中采购"), ("items", "amount"), money=(1,)),
    )


_ISSUED_IN_PROSE = {
    _P + "regulations.issued": re.compile(r"(?<!性)规章\s*(\d+)\s*件"),
    _P + "normative_documents.issued": re.compile(r"规范性文件\s*(\d+)\s*件"),
}
_ISSUING = re.compile(r"制发|出台|印发|制定|主动公开")
_VERB = re.compile(rf"{_ISSUING.pattern}|起草|清理|审查|审核|备案|修订|修改|评估|报送|征求")
_KIND = re.compile(r"(?<!性)规章|规范性文件")
_REPEALED = re.compile(r"(?<!拟)(?<!建议)废止(?:了)?\s*(\d+)\s*件|(\d+)\s*件(?:予以|被)?废止")
_REPEALED_PATHS = {"规章": _P + "regulations.repealed", "规范性文件": _P + "normative_documents.repealed"}


def proactive_evidence(text: str, year: int | None) -> dict[str, Number]:
    """2021-format documents issued and repealed in the year as the prose states them, evidence for the 第二十条
    table.

    Only a figure stated once, in a clause of the report year, counts. An issued figure counts when the verb
    nearest before it issues (制发, 印发, 主动公开…; not 起草 or 清理); a repealed one belongs to the kind of
    document named last before it:

    >>> proactive_evidence("全年主动公开市政府规章 8 件、行政规范性文件 3 件。现行有效规章 120 件。", 2024)
    {'stats_2019.proactive.regulations.issued': 8, 'stats_2019.proactive.normative_documents.issued': 3}
    >>> proactive_evidence("牵头起草省政府规章4件、省政府规范性文件5件,全年制发厅规范性文件2件、废止1件。", 2024)
    {'stats_2019.proactive.normative_documents.issued': 2, 'stats_2019.proactive.normative_documents.repealed': 1}
    >>> proactive_evidence("对60件规范性文件进行清理,其中55件保留、3件修改、2件予以废止。", 2024)
    {'stats_2019.proactive.normative_documents.repealed': 2}
    """
    found: dict[str, set[int]] = {}
    for clause in re.findall(r"[^。;]+", text):
        if ("规章" not in clause and "规范性文件" not in clause) or speaks_of_another_period(clause, year) or "现行有效" in clause:
            continue
        for path, pattern in _ISSUED_IN_PROSE.items():
            for match in pattern.finditer(clause):
                verbs = _VERB.findall(clause, 0, match.start())
                if verbs and _ISSUING.fullmatch(verbs[-1]):
                    found.setdefault(path, set()).add(int(match.group(1)))
        for match in _REPEALED.finditer(clause):
            kinds = _KIND.findall(clause, 0, match.start())
            if kinds:
                found.setdefault(_REPEALED_PATHS[kinds[-1]], set()).add(int(match.group(1) or match.group(2)))
    return {path: next(iter(values)) for path, values in found.items() if len(values) == 1}


def version_of(text: str) -> str | None:
    """'gov2021' or 'gov2019' from the table header words in `text`, None when neither appears."""
    if re.search(r"本年制发件数|本年废止件数|现行有效件数|本年处理决定数量|本年收费金额|逾期不补正", text):
        return "gov2021"
    if re.search(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|采购项目数量", text):
        return "gov2019"
    return None


_SECTION_2 = re.compile(r"第\s*二\s*十\s*条\s*第\s*\(\s*一\s*\)\s*项|信\s*息\s*内\s*容")
_SECTION_3 = re.compile(r"本\s*年\s*新\s*收\s*政\s*府\s*信\s*息\s*公\s*开\s*申\s*请\s*数\s*量")
_SECTION_4 = re.compile(r"行政复议[、,]?\s*(?:行政诉讼|提起行政诉讼)情况|行政复议[^。\n]{0,12}行政诉讼情况")


def parse_2019_tables(text: str, version: str, evidence: Mapping[str, Number] | None = None, year: int | None = None) -> ParseResult:
    """Read sections 二, 三 and 四 of a 2019- or 2021-format report (`version` is 'gov2019' or 'gov2021').

    `evidence`: figures the report states elsewhere (its prose), used to choose among a table's readings.
    """
    evidence = dict(evidence or {})
    result = ParseResult()
    start_3 = _SECTION_3.search(text)
    start_2 = _SECTION_2.search(text)
    if start_2 and (start_3 is None or start_2.start() < start_3.start()):
        end_2 = start_3.start() if start_3 else len(text)
        readings = read_rows(text, proactive_rows(version), start_2.start(), end_2, max_gap=400, any_order=True)
        stated = {**proactive_evidence(text, year), **evidence} if version == "gov2021" else evidence
        cells, warnings = reconstruct(readings, [], stated)
        result += _amounts_in_a_stated_unit(text, readings, field_values(text, readings, cells), tuple(warnings))
    section_4 = _SECTION_4.search(text, start_3.start() if start_3 else 0)
    if start_3:
        # the request table starts at its first row label; its heading may sit a line above
        begin = max(0, start_3.start() - 12)
        end_3 = section_4.start() if section_4 else len(text)
        specs = request_rows(version)
        readings = read_rows(text, specs, begin, end_3, max_gap=600)
        present = {r.spec.key for r in readings if r.candidates}
        cells, warnings = reconstruct(readings, request_equations(version, present), evidence)
        result += ParseResult(tuple(field_values(text, readings, cells)), tuple(warnings))
    if section_4:
        result += _parse_appeals(text, section_4.end(), evidence)
    return result


_SUB_TABLE = re.compile(r"信\s*息\s*内\s*容")
_UNIT_LOOK_AHEAD = 4


def _amounts_in_a_stated_unit(text: str, readings: list[RowReading], values: list[FieldValue], warnings: tuple[str, ...]) -> ParseResult:
    """The section-二 values, with an amount left null when neither its sub-table's header nor its row prints 万元.

    The form's amounts are in 万元 only where the report says so ("采购总金额(万元)", "102339.45万元"); an amount
    printed bare may be in 元, and null beats a figure ten thousand times too large:

    >>> found = parse_2019_tables("第二十条第(九)项 信息内容 采购项目数量 采购总金额 政府集中采购 12 34567", "gov2019")
    >>> [(v.path, v.value) for v in found.values], found.warnings
    ... # doctest: +NORMALIZE_WHITESPACE
    ([('stats_2019.proactive.procurement.items', 12)],
     ('stats_2019.proactive.procurement.amount: 34567 printed with no unit (no 万元 in its row or header); left null',))
    >>> found = parse_2019_tables("第二十条第(九)项 信息内容 采购项目数量 采购总金额(万元) 政府集中采购 12 34567", "gov2019")
    >>> [v.value for v in found.values]
    [12, 34567.0]
    """
    money = {r.spec.path(i): r for r in readings for i in r.spec.money}
    kept, dropped = [], []
    for value in values:
        row = money.get(value.path)
        if row is not None:
            header = max((m.start() for m in _SUB_TABLE.finditer(text, 0, row.start)), default=row.start)
            if "万元" not in text[header : row.end + _UNIT_LOOK_AHEAD]:
                dropped.append(f"{value.path}: {value.value:g} printed with no unit (no 万元 in its row or header); left null")
                continue
        kept.append(value)
    return ParseResult(tuple(kept), warnings + tuple(dropped))


def _parse_appeals(text: str, start: int, evidence: Mapping[str, Number]) -> ParseResult:
    """Section 四: one row of 15 cells after the header's last 总计, or three 5-cell tables, one per group, or,
    when the header wrapped so that words follow its last 总计, the first line of nothing but numbers.

    The header words then one line of 15 numbers, spaced or run together (15 digits are 15 cells), or a
    Markdown table whose data row has more cells than its wrapped header row, all read the same:

    >>> text = "四、政府信息公开行政复议、行政诉讼情况\\n行政复议 行政诉讼\\n结果维持 结果纠正 其他结果 尚未审结 总计\\n"
    >>> wrapped = "未经复议直接起诉 复议后起诉\\n"
    >>> for row in ("3 1 0 0 4 1 0 0 0 1 0 0 2 0 2", "310041000100202", "| 3 | 1 | 0 | 0 | 4 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 2 | 0 | 2 |"):
    ...     values = parse_2019_tables(text + wrapped + row + "\\n五、存在的主要问题", "gov2021").values
    ...     print([v.value for v in values])
    [3, 1, 0, 0, 4, 1, 0, 0, 0, 1, 0, 0, 2, 0, 2]
    [3, 1, 0, 0, 4, 1, 0, 0, 0, 1, 0, 0, 2, 0, 2]
    [3, 1, 0, 0, 4, 1, 0, 0, 0, 1, 0, 0, 2, 0, 2]
    """
    end = min(len(text), start + 900)
    last_total = r"总\s*计(?=[\s|]*\d)"
    readings = read_rows(text, [RowSpec("stats_2019.appeals", last_total, APPEAL_COLUMNS, sums=APPEAL_SUMS)], start, end)
    if not any(r.candidates for r in readings):
        groups = [
            RowSpec(f"stats_2019.appeals.{group}", last_total, APPEAL_RESULTS, sums=APPEAL_SUMS[:1])
            for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
        ]
        grouped = read_rows(text, groups, start, end)
        if len(grouped) == 3 and all(r.candidates for r in grouped):
            readings = grouped
    if not any(r.candidates for r in readings):
        numbers_line = read_rows(text, [RowSpec("stats_2019.appeals", _NUMBERS_LINE, APPEAL_COLUMNS, sums=APPEAL_SUMS)], start, end)
        if any(r.candidates for r in numbers_line):
            readings = numbers_line
    cells, warnings = reconstruct(readings, [], evidence)
    return ParseResult(tuple(field_values(text, readings, cells)), tuple(warnings))


_NUMBERS_LINE = r"(?m)^(?=[ \t|]*\d[\d \t|]*$)"


def arithmetic_2019(data: dict[str, Any]) -> list[str]:
    """Every failed sum of a filled 2019/2021 report: row totals, section 三's balance and outcome sums, appeals.

    >>> arithmetic_2019({"stats_2019": {"appeals": {"reconsideration": {
    ...     "upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 2}}}})
    ['arithmetic: stats_2019.appeals.reconsideration: results add up to 1, the total is 2']
    """
    warnings = []
    rows = ["new_received", "carried_over", *OUTCOME_ROWS, "other", *OTHER_DETAIL_ROWS, "total", "carried_forward"]
    for row in rows:
        cells = [get_path(data, f"{_R}{row}.{c}") for c in COLUMNS_7]
        if all(c is not None for c in cells) and sum(cells[:6]) != cells[6]:
            warnings.append(f"arithmetic: {_R}{row}: the six applicant columns add up to {sum(cells[:6])}, the row total is {cells[6]}")
    for column in COLUMNS_7:

        def cell(row: str, col: str = column) -> Any:
            return get_path(data, f"{_R}{row}.{col}")

        balance = [cell("new_received"), cell("carried_over"), cell("total"), cell("carried_forward")]
        if all(v is not None for v in balance) and balance[0] + balance[1] != balance[2] + balance[3]:
            warnings.append(
                f"arithmetic: stats_2019 section 三 balance ({column}): 一 + 二 = {balance[0] + balance[1]}"
                f" but (七) + 四 = {balance[2] + balance[3]}"
            )
        other = cell("other")
        if other is None:
            details = [cell(r) for r in OTHER_DETAIL_ROWS]
            other = sum(details) if all(d is not None for d in details) else None
        outcomes = [cell(r) for r in OUTCOME_ROWS] + [other]
        if cell("total") is not None and all(v is not None for v in outcomes) and sum(outcomes) != cell("total"):
            warnings.append(
                f"arithmetic: stats_2019 section 三 ({column}): outcomes add up to {sum(outcomes)} but (七)总计 is {cell('total')}"
            )
    for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration"):
        cells = [get_path(data, f"stats_2019.appeals.{group}.{c}") for c in APPEAL_RESULTS]
        if all(c is not None for c in cells) and sum(cells[:4]) != cells[4]:
            warnings.append(f"arithmetic: stats_2019.appeals.{group}: results add up to {sum(cells[:4])}, the total is {cells[4]}")
    return warnings


def summary_2019(data: dict[str, Any]) -> dict[str, int | None]:
    """The comparable indicators of a 2019/2021 report: requests_received = 本年新收 total, requests_denied = the
    eight 不予公开 rows' totals, lawsuits = 直接起诉 + 复议后起诉."""

    def modern(path: str) -> Any:
        return get_path(data, "stats_2019." + path)

    return {
        "requests_received": modern("requests.new_received.total"),
        "requests_granted": modern("requests.granted.total"),
        "requests_partially_granted": modern("requests.partially_granted.total"),
        "requests_denied": _sum_or_none(modern(f"requests.{r}.total") for r in OUTCOME_ROWS if r.startswith("denied.")),
        "reconsiderations": modern("appeals.reconsideration.total"),
        "lawsuits": _sum_or_none((modern("appeals.litigation_direct.total"), modern("appeals.litigation_after_reconsideration.total"))),
    }


def _sum_or_none(values: Iterable[Any]) -> int | None:
    values = list(values)
    return sum(values) if all(v is not None for v in values) else None
