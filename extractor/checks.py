"""The report's own arithmetic, checked; and `summary`, the indicators comparable across all years.

Values are kept as printed: a failed check is a warning in the output, never a correction.

    >>> data = {"stats_2019": {"requests": {"new_received": {"total": 21}, "carried_over": {"total": 0},
    ...         "total": {"total": 20}, "carried_forward": {"total": 0}}}}
    >>> arithmetic_warnings(data)
    ['arithmetic: stats_2019 section 三 balance (total): 一 + 二 = 21 but (七) + 四 = 20']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from extractor.parsers.rows import COLUMNS_7
from extractor.parsers.table_2019 import OTHER_DETAIL_ROWS, OUTCOME_ROWS
from extractor.records import FieldValue
from extractor.schema import get_path, money_paths

MAX_COUNT = 10**9
"""Past any count a disclosure report states (China's population is 1.4 × 10^9): a larger one is a garbled cell."""
MAX_MONEY = 10**8
"""万元: a trillion yuan, past any fee or budget of a disclosure office."""

_L = "stats_legacy."
_LEGACY_SUMS = [
    ("requests.received", ["requests.channels.in_person", "requests.channels.fax", "requests.channels.online",
                           "requests.channels.letter", "requests.channels.letter_or_fax", "requests.channels.email",
                           "requests.channels.other"]),
    ("requests.completed", ["requests.completed_on_time", "requests.completed_extended"]),
    ("requests.outcomes.denied", [f"requests.outcomes.denied_reasons.{k}" for k in (
        "state_secret", "commercial_secret", "personal_privacy", "endangers_security", "not_government_info",
        "other_legal")]),
    ("appeals.reconsideration.total", ["appeals.reconsideration.upheld", "appeals.reconsideration.corrected",
                                       "appeals.reconsideration.other"]),
    ("appeals.litigation.total", ["appeals.litigation.upheld", "appeals.litigation.corrected",
                                  "appeals.litigation.other"]),
    ("operations.staff_total", ["operations.staff_full_time", "operations.staff_part_time"]),
]


def plausible(values: Iterable[FieldValue]) -> tuple[list[FieldValue], list[str]]:
    """The values that can be real, and a warning for each one that cannot (left null, whoever read it):
    a count past `MAX_COUNT`, an amount past `MAX_MONEY` 万元, or a negative one. The tables' integer
    columns (64 bits in Parquet and pandas) then hold every value.

    >>> kept, warnings = plausible([FieldValue("stats_legacy.proactive.total", 39387, "39387条", 0, 6),
    ...                             FieldValue("stats_legacy.requests.received", 12345678901234567890, "…", 7, 27)])
    >>> [v.value for v in kept], warnings
    ([39387], ['stats_legacy.requests.received: 12345678901234567890 is not a plausible figure (past 1000000000); left null'])
    """
    money = money_paths()
    kept, warnings = [], []
    for value in values:
        limit = MAX_MONEY if value.path in money else MAX_COUNT
        if 0 <= value.value <= limit:
            kept.append(value)
        else:
            warnings.append(f"{value.path}: {value.value} is not a plausible figure "
                            f"({'negative' if value.value < 0 else f'past {limit}'}); left null")
    return kept, warnings


def arithmetic_warnings(data: dict[str, Any]) -> list[str]:
    """Every failed sum in the report's own tables (legacy sub-items, 2019 row totals and balances)."""
    warnings = []
    for parent, parts in _LEGACY_SUMS:
        total = get_path(data, _L + parent)
        values = [get_path(data, _L + p) for p in parts]
        present = [v for v in values if v is not None]
        if total is not None and present and len(present) >= 2 and sum(present) != total:
            warnings.append(f"arithmetic: {_L}{parent} = {total} but its sub-items add up to {sum(present)}")
    requests = "stats_2019.requests."
    rows = ["new_received", "carried_over", *OUTCOME_ROWS, "other", *OTHER_DETAIL_ROWS,
            "total", "carried_forward"]
    for row in rows:
        cells = [get_path(data, f"{requests}{row}.{c}") for c in COLUMNS_7]
        if all(c is not None for c in cells) and sum(cells[:6]) != cells[6]:
            warnings.append(f"arithmetic: {requests}{row}: the six applicant columns add up to {sum(cells[:6])}, "
                            f"the row total is {cells[6]}")
    for column in COLUMNS_7:
        def cell(row: str, col: str = column) -> Any:
            return get_path(data, f"{requests}{row}.{col}")

        balance = [cell("new_received"), cell("carried_over"), cell("total"), cell("carried_forward")]
        if all(v is not None for v in balance) and balance[0] + balance[1] != balance[2] + balance[3]:
            warnings.append(f"arithmetic: stats_2019 section 三 balance ({column}): 一 + 二 = {balance[0] + balance[1]}"
                            f" but (七) + 四 = {balance[2] + balance[3]}")
        other = cell("other")
        if other is None:
            details = [cell(r) for r in OTHER_DETAIL_ROWS]
            other = sum(details) if all(d is not None for d in details) else None
        outcomes = [cell(r) for r in OUTCOME_ROWS] + [other]
        if cell("total") is not None and all(v is not None for v in outcomes) and sum(outcomes) != cell("total"):
            warnings.append(f"arithmetic: stats_2019 section 三 ({column}): outcomes add up to {sum(outcomes)} "
                            f"but (七)总计 is {cell('total')}")
    for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration"):
        cells = [get_path(data, f"stats_2019.appeals.{group}.{c}") for c in ("upheld", "corrected", "other",
                                                                             "pending", "total")]
        if all(c is not None for c in cells) and sum(cells[:4]) != cells[4]:
            warnings.append(f"arithmetic: stats_2019.appeals.{group}: results add up to {sum(cells[:4])}, "
                            f"the total is {cells[4]}")
    return warnings


_STATISTICS_SECTIONS = (
    ("stats_2019.proactive.", "二、主动公开政府信息情况", re.compile(r"二\s*[、.]\s*(?:行政机关)?主动公开政府信息(?:的)?情况")),
    ("stats_2019.requests.", "三、收到和处理政府信息公开申请情况",
     re.compile(r"三\s*[、.]\s*(?:行政机关)?收到和处理政府信息公开申请(?:的)?情况")),
    ("stats_2019.appeals.", "四、政府信息公开行政复议、行政诉讼情况",
     re.compile(r"四\s*[、.][^。\n]{0,20}?行政复议[^。\n]{0,12}?行政诉讼(?:的)?情况")),
)


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
    if template == "legacy":
        if _LEGACY_TABLE.search(text) and not any(path.startswith("stats_legacy.") for path in evidence):
            return ["the statistics table (统计指标 | 单位 | 统计数) is in the report, but no figure of it could be read"]
        return []
    if template not in ("gov2019", "gov2021"):
        return []
    return [f"statistics section {name} is in the report, but no figure of its table could be read"
            for prefix, name, heading in _STATISTICS_SECTIONS
            if heading.search(text) and not any(path.startswith(prefix) for path in evidence)]


def compute_summary(data: dict[str, Any], template: str) -> dict[str, int | None]:
    """Indicators comparable across formats, computed from the blocks (never extracted).

    Legacy reports: requests_granted = 同意公开 + 属于已主动公开 (both are full disclosure); 2019/2021 reports:
    requests_received = 本年新收 total, requests_denied = the eight 不予公开 rows' totals, lawsuits = 直接起诉 +
    复议后起诉. proactive_total is 主动公开政府信息数 in every format (prose figure in 2019/2021 reports).
    """
    def legacy(path: str) -> Any:
        return get_path(data, _L + path)

    def modern(path: str) -> Any:
        return get_path(data, "stats_2019." + path)

    def add(*values: Any) -> int | None:
        return sum(values) if all(v is not None for v in values) else None

    summary: dict[str, int | None] = {"proactive_total": legacy("proactive.total")}
    use_modern = template in ("gov2019", "gov2021")
    if use_modern:
        summary.update(
            requests_received=modern("requests.new_received.total"),
            requests_granted=modern("requests.granted.total"),
            requests_partially_granted=modern("requests.partially_granted.total"),
            requests_denied=add(*(modern(f"requests.{r}.total") for r in OUTCOME_ROWS if r.startswith("denied."))),
            reconsiderations=modern("appeals.reconsideration.total"),
            lawsuits=add(modern("appeals.litigation_direct.total"),
                         modern("appeals.litigation_after_reconsideration.total")),
        )
    else:
        granted = legacy("requests.outcomes.granted")
        public = legacy("requests.outcomes.already_public")
        summary.update(
            requests_received=legacy("requests.received"),
            requests_granted=None if granted is None and public is None else (granted or 0) + (public or 0),
            requests_partially_granted=legacy("requests.outcomes.partially_granted"),
            requests_denied=legacy("requests.outcomes.denied"),
            reconsiderations=legacy("appeals.reconsideration.total"),
            lawsuits=legacy("appeals.litigation.total"),
        )
    return summary
