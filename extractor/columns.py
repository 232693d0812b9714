"""The dictionary of table columns: for each column of reports.csv, its Chinese label as printed in the national
form, its unit and the form's section. Written as `OUT/columns.csv`; `--labels zh` uses the labels as headers.

Labels come from the schema's field descriptions (the form's own row and column wording), with the row's group
in front where the form prints it as a heading, and the numbering and version notes left out:

    >>> info = column_info("stats_2019.requests.new_received.natural_person")
    >>> info.label, info.unit, info.section
    ('本年新收政府信息公开申请数量（自然人）', '件', '2019/2021年格式·三、收到和处理政府信息公开申请情况')
    >>> column_info("stats_2019.requests.denied.state_secret.total").label
    '不予公开：属于国家秘密（总计）'
    >>> column_info("stats_2019.proactive.fees.amount")[1:3]
    ('行政事业性收费：本年收费金额（万元）', '万元')
    >>> column_info("stats_legacy.operations.staff_total")[1:3]
    ('从事政府信息公开工作人员数', '人')

Every label is unique across the columns (a test holds that), so a frame with Chinese headers loads in pandas.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from pydantic import BaseModel

from extractor.schema import STATS_BLOCKS, AnnualReport, Evidence, Meta, NarrativeItem, RunInfo, money_paths, statistic_paths


class ColumnInfo(NamedTuple):
    """One row of columns.csv."""

    column: str
    label: str
    unit: str
    section: str


TEXT_COLUMNS = {
    "file": "文件名",
    "meta.entity": "机关名称（原文）",
    "meta.entity_canonical": "机关全称",
    "meta.level": "机关层级",
    "meta.year": "年度",
    "meta.published_on": "发布日期",
    "meta.template": "报告格式",
    "source": "来源文件",
    "n_warnings": "警告条数",
    "warnings": "警告",
    "llm_used": "是否使用模型",
    "model": "模型",
    "complete": "是否完整读取",
}
"""Labels of the columns that are not statistics (the report's identity and the quality columns)."""

SUMMARY_LABELS = {
    "summary.proactive_total": ("主动公开政府信息数（可比指标）", "条"),
    "summary.requests_received": ("收到政府信息公开申请数（可比指标）", "件"),
    "summary.requests_granted": ("予以公开数（可比指标）", "件"),
    "summary.requests_partially_granted": ("部分公开数（可比指标）", "件"),
    "summary.requests_denied": ("不予公开数（可比指标）", "件"),
    "summary.reconsiderations": ("行政复议数（可比指标）", "件"),
    "summary.lawsuits": ("行政诉讼数（可比指标）", "件"),
}

GROUP_LABELS = {
    # groups the schema describes without the form's wording, or not at all (also the review site's headings)
    "stats_2019.proactive.regulations": "规章",
    "stats_2019.proactive.normative_documents": "规范性文件",
    "stats_2019.proactive.licensing": "行政许可",
    "stats_2019.proactive.other_services": "其他对外管理服务事项",
    "stats_2019.proactive.penalties": "行政处罚",
    "stats_2019.proactive.coercion": "行政强制",
    "stats_2019.proactive.fees": "行政事业性收费",
    "stats_2019.proactive.procurement": "政府集中采购",
    "stats_2019.requests.denied": "不予公开",
    "stats_2019.requests.unable": "无法提供",
    "stats_2019.requests.not_processed": "不予处理",
    "stats_2019.requests.other_detail": "其他处理",
    "stats_2019.requests.total": "办理结果总计",
    "stats_2019.appeals.litigation_direct": "行政诉讼（未经复议直接起诉）",
    "stats_2019.appeals.litigation_after_reconsideration": "行政诉讼（复议后起诉）",
    "stats_legacy.requests.outcomes.denied_reasons": "不同意公开",
    "stats_legacy.appeals.reconsideration": "行政复议",
    "stats_legacy.appeals.litigation": "行政诉讼",
}

_SECTIONS = {
    "stats_legacy.proactive": "2008—2018年格式·主动公开情况",
    "stats_legacy.responses": "2008—2018年格式·回应解读情况",
    "stats_legacy.requests": "2008—2018年格式·依申请公开情况",
    "stats_legacy.appeals": "2008—2018年格式·行政复议、行政诉讼和举报投诉",
    "stats_legacy.operations": "2008—2018年格式·收费、机构、经费和培训",
    "stats_2019.proactive": "2019/2021年格式·二、主动公开政府信息情况",
    "stats_2019.requests": "2019/2021年格式·三、收到和处理政府信息公开申请情况",
    "stats_2019.appeals": "2019/2021年格式·四、政府信息公开行政复议、行政诉讼情况",
}

_UNITS = (
    # (path pattern, unit), first match wins; money is 万元 before any of these
    (r"stats_legacy\.proactive\.normative_docs_issued$", "件"),
    (r"stats_legacy\.proactive\.", "条"),
    (r"stats_legacy\.responses\.policy_interpretations$", "篇"),
    (r"stats_legacy\.responses\.", "次"),
    (r"stats_legacy\.operations\.(?:dedicated_units|reading_points)$", "个"),
    (r"stats_legacy\.operations\.staff_", "人"),
    (r"stats_legacy\.operations\.trainees$", "人次"),
    (r"stats_legacy\.operations\.", "次"),
    (r"stats_2019\.proactive\.[a-z_]+\.(?:previous_year_items|change|items)$", "项"),
    (r"stats_legacy\.|stats_2019\.", "件"),
)

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+\.)+")
_VERSION_NOTE = re.compile(r"\s*[（(](?:2019|2021|福建表)[)）]$")


@cache
def column_info(column: str) -> ColumnInfo:
    """Label, unit and section of one column of reports.csv (any column `output.csv_columns` lists)."""
    if column in TEXT_COLUMNS:
        section = "报告信息" if column.startswith(("file", "meta.")) else "数据质量"
        return ColumnInfo(column, TEXT_COLUMNS[column], "", section)
    if column in SUMMARY_LABELS:
        label, unit = SUMMARY_LABELS[column]
        return ColumnInfo(column, label, unit, "可比指标（由各格式计算）")
    descriptions = _statistic_descriptions()
    if column not in descriptions:
        raise KeyError(column)
    section = next(name for prefix, name in _SECTIONS.items() if column.startswith(prefix + "."))
    return ColumnInfo(column, _label(column, descriptions), _unit(column), section)


def _label(column: str, descriptions: dict[str, str]) -> str:
    parts = column.split(".")
    leaf = _clean(descriptions[column])
    groups = [GROUP_LABELS.get(".".join(parts[:i])) or _clean(descriptions.get(".".join(parts[:i]), "")) for i in range(3, len(parts))]
    groups = [g for g in groups if g]
    if column.startswith("stats_2019.requests."):  # a row of section 三 by applicant column: 行（列）
        row = "：".join(groups)
        return f"{row}（{leaf}）"
    return "：".join([*groups, leaf])


def _clean(description: str) -> str:
    """The form's wording of a description: no numbering, no version note, the first of two alternatives.

    >>> _clean("（六）1.申请人无正当理由逾期不补正"), _clean("上一年项目数量 (2019)"), _clean("（本年）处理决定数量")
    ('申请人无正当理由逾期不补正', '上一年项目数量', '本年处理决定数量')
    """
    return _NUMBERING.sub("", _VERSION_NOTE.sub("", description.strip())).replace("（本年）", "本年").strip()


def _unit(column: str) -> str:
    if column in _money():
        return "万元"
    return next(unit for pattern, unit in _UNITS if re.match(pattern, column))


@cache
def _money() -> frozenset[str]:
    return money_paths()


@cache
def _statistic_descriptions() -> dict[str, str]:
    """Every statistic path and every group path below the blocks, with its schema description ("" when none)."""
    found: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            path = f"{prefix}{name}"
            found[path] = field.description or ""
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, path + ".")

    for block in STATS_BLOCKS:
        walk(AnnualReport.model_fields[block].annotation, f"{block}.")  # type: ignore[arg-type]
    return found


_RECORDS: tuple[tuple[str, str, type[BaseModel]], ...] = (
    ("meta", "meta: who, which year, which format", Meta),
    ("evidence.<key>", "evidence: the source of every value, keyed by the statistic's dotted key", Evidence),
    ("highlights[] / problems[] / improvements[]", "narrative: the report's points, read by the model", NarrativeItem),
    ("run", "run: how the output was made", RunInfo),
)


def field_catalogue() -> str:
    """The field catalogue as Markdown: every field of `AnnualReport` with its description, and every table
    column with its label, unit and section. Made from the schema's own descriptions (`extractor schema
    --catalogue`), so the shipped copy, extractor/FIELDS.md, cannot drift from the schema (a test holds that).

    >>> "| stats_2019.requests.new_received.natural_person | 本年新收政府信息公开申请数量（自然人） | 件 |" in field_catalogue()
    True
    """
    lines = [
        "# Field catalogue",
        "",
        "Generated by `extractor schema --catalogue` from the field descriptions of",
        "`extractor/schema.py`; do not edit by hand.",
        "",
    ]
    for prefix, title, model in _RECORDS:
        lines += [f"## {title}", "", "| field | type | description |", "|---|---|---|"]
        for name, field in model.model_fields.items():
            kind = field.annotation.__name__ if isinstance(field.annotation, type) else repr(field.annotation)
            cells = (f"{prefix}.{name}", kind.replace("typing.", ""), field.description or "")
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    lines += [
        "## statistics and table columns",
        "",
        "Every statistic is a count (a float for money, always in 万元) or null when the report is silent; 0 is a",
        "value the report states. These are also the columns of reports.csv (and of OUT/columns.csv).",
        "",
        "| column | label | unit | section |",
        "|---|---|---|---|",
    ]
    columns = [*TEXT_COLUMNS, *statistic_paths(), *SUMMARY_LABELS]
    lines += [f"| {info.column} | {info.label} | {info.unit} | {info.section} |" for info in map(column_info, columns)]
    return "\n".join(lines) + "\n"
