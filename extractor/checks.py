"""The report's own arithmetic, checked; and `summary`, the indicators comparable across all years.

Values are kept as printed: a failed check is a warning in the output, never a correction. Each table format
of the registry (`extractor.parsers.formats`) brings its own checks and summary.

    >>> data = {"stats_2019": {"requests": {"new_received": {"total": 21}, "carried_over": {"total": 0},
    ...         "total": {"total": 20}, "carried_forward": {"total": 0}}}}
    >>> arithmetic_warnings(data)
    ['arithmetic: stats_2019 section 三 balance (total): 一 + 二 = 21 but (七) + 四 = 20']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from extractor.parsers.formats import arithmetic_warnings, block_of, summary_of, wholes_of
from extractor.records import FieldValue
from extractor.schema import get_path, money_paths

__all__ = ["arithmetic_warnings", "compute_summary", "model_within_wholes", "plausible", "unreadable_sections"]

MAX_COUNT = 10**9
"""Past any count a disclosure report states (China's population is 1.4 × 10^9): a larger one is a garbled cell."""
MAX_MONEY = 10**8
"""万元: a trillion yuan, past any fee or budget of a disclosure office."""


def plausible(values: Iterable[FieldValue]) -> tuple[list[FieldValue], list[str]]:
    """The values that can be real, and a warning for each one that cannot (left null, whoever read it):
    a count past `MAX_COUNT`, an amount past `MAX_MONEY` 万元, or a negative one other than a change (the 2019
    form's 本年增/减 column, `….change`, is signed). The tables' integer columns (64 bits in Parquet and pandas)
    then hold every value.

    >>> kept, warnings = plausible([FieldValue("stats_legacy.proactive.total", 39387, "39387条", 0, 6),
    ...                             FieldValue("stats_legacy.requests.received", 12345678901234567890, "…", 7, 27)])
    >>> [v.value for v in kept], warnings
    ([39387], ['stats_legacy.requests.received: 12345678901234567890 is not a plausible figure (past 1000000000); left null'])

    >>> kept, warnings = plausible([FieldValue("stats_2019.proactive.penalties.change", -3, "行政处罚5-32", 0, 8),
    ...                             FieldValue("stats_2019.proactive.penalties.decisions", -2, "行政处罚5-32", 0, 8)])
    >>> [(v.path, v.value) for v in kept]
    [('stats_2019.proactive.penalties.change', -3)]
    >>> warnings
    ['stats_2019.proactive.penalties.decisions: -2 is not a plausible figure (negative); left null']
    """
    money = money_paths()
    kept, warnings = [], []
    for value in values:
        limit = MAX_MONEY if value.path in money else MAX_COUNT
        if (-limit if value.path.endswith(".change") else 0) <= value.value <= limit:
            kept.append(value)
        else:
            warnings.append(
                f"{value.path}: {value.value} is not a plausible figure ({'negative' if value.value < 0 else f'past {limit}'}); left null"
            )
    return kept, warnings


def model_within_wholes(values: Iterable[FieldValue], template: str) -> tuple[list[FieldValue], list[str]]:
    """The values, less every figure the model read (`method="llm"`) that takes part in a whole-and-parts
    relation of the report's form that the values break: the parts stated add up to more than their whole.
    Null beats wrong: one side is wrong and the model's is the weaker reading, so it is left null with a
    warning. When the parsers read both sides, nothing is dropped (`arithmetic_warnings` reports it).

    >>> received = FieldValue("stats_legacy.requests.received", 12, "受理申请12件", 0, 8)
    >>> online = FieldValue("stats_legacy.requests.channels.online", 30, "网上申请30件", 9, 16, method="llm")
    >>> kept, warnings = model_within_wholes([received, online], "legacy")
    >>> [v.path for v in kept]
    ['stats_legacy.requests.received']
    >>> warnings  # doctest: +NORMALIZE_WHITESPACE
    ["stats_legacy.requests.channels.online: the model's 30 ('网上申请30件') is left null: the parts of
      stats_legacy.requests.received would add up to 30, more than its 12"]
    >>> model_within_wholes([received, FieldValue(online.path, 5, "网上申请5件", 9, 15, method="llm")], "legacy")[1]
    []
    """
    values = list(values)
    by_path = {value.path: value for value in values}
    dropped: dict[str, str] = {}
    for whole_path, part_paths in wholes_of(template):
        whole = by_path.get(whole_path)
        parts = [by_path[path] for path in part_paths if path in by_path]
        added = sum(part.value for part in parts)
        if whole is None or not parts or added <= whole.value:
            continue
        for value in (whole, *parts):
            if value.method == "llm" and value.path not in dropped:
                dropped[value.path] = (
                    f"{value.path}: the model's {value.value} ('{value.quote}') is left null: the parts of {whole_path} "
                    f"would add up to {added}, more than its {whole.value}"
                )
    return [value for value in values if value.path not in dropped], list(dropped.values())


_STATISTICS_SECTIONS = (
    ("stats_2019.proactive.", "二、主动公开政府信息情况", re.compile(r"二\s*[、.]\s*(?:行政机关)?主动公开政府信息(?:的)?情况")),
    (
        "stats_2019.requests.",
        "三、收到和处理政府信息公开申请情况",
        re.compile(r"三\s*[、.]\s*(?:行政机关)?收到和处理政府信息公开申请(?:的)?情况"),
    ),
    (
        "stats_2019.appeals.",
        "四、政府信息公开行政复议、行政诉讼情况",
        re.compile(r"四\s*[、.][^。\n]{0,20}?行政复议[^。\n]{0,12}?行政诉讼(?:的)?情况"),
    ),
)


UNREADABLE = "is in the report, but no figure of"
"""What every warning of `unreadable_sections` says: a statistics table present that no parser could read."""

_LEGACY_TABLE = re.compile(r"统计指标[\s|]*单位[\s|]*统计数")
"""The header of the statistics table of the reports up to 2018."""


def unreadable_sections(text: str, template: str, evidence: dict[str, Any]) -> list[str]:
    """A warning for each statistics section of a 2019/2021 report that is present (its numbered heading is
    in the text) but of whose table not one figure could be read: a table lost in scraping, an image, or a
    layout no parser reads; for a report up to 2018, its statistics table present (its header row) with no
    figure read at all. Such a report is incomplete (`run.complete` false), whatever else was read.

    >>> text = "二、主动公开政府信息情况\\n(图片)\\n三、收到和处理政府信息公开申请情况\\n一、本年新收… 3 0 0 0 0 0 3"
    >>> unreadable_sections(text, "gov2021", {"stats_2019.requests.new_received.total": {}})
    ['statistics section 二、主动公开政府信息情况 is in the report, but no figure of its table could be read']
    >>> unreadable_sections(text, "legacy", {})
    []
    >>> unreadable_sections("统计指标 | 单位 | 统计数\\n(表格为图片)", "legacy", {})
    ['the statistics table (统计指标 | 单位 | 统计数) is in the report, but no figure of it could be read']
    """
    if block_of(template) == "stats_legacy":
        if _LEGACY_TABLE.search(text) and not any(path.startswith("stats_legacy.") for path in evidence):
            return [f"the statistics table (统计指标 | 单位 | 统计数) {UNREADABLE} it could be read"]
        return []
    return [
        f"statistics section {name} {UNREADABLE} its table could be read"
        for prefix, name, heading in _STATISTICS_SECTIONS
        if heading.search(text) and not any(path.startswith(prefix) for path in evidence)
    ]


def compute_summary(data: dict[str, Any], template: str) -> dict[str, int | None]:
    """Indicators comparable across formats, computed from the blocks (never extracted).

    proactive_total is 主动公开政府信息数 in every format (a prose figure in 2019/2021 reports); the rest comes
    from the report's format (`TableFormat.summary`).
    """
    return {"proactive_total": get_path(data, "stats_legacy.proactive.total"), **summary_of(data, template)}
