"""The legacy statistics tables used up to the 2018 reports: the national form and Fujian's form.

The national form (政府信息公开情况统计表) has one value per row, sometimes after a unit column::

    (一)收到申请数25          ->  stats_legacy.requests.received = 25
    (三)接受培训人员数人次130  ->  stats_legacy.operations.trainees = 130

    >>> result = parse_legacy_table("(一)收到申请数25\\n1.当面申请数0\\n2.传真申请数0\\n3.网络申请数16\\n4.信函申请数9")
    >>> [(v.path.rsplit(".", 1)[-1], v.value) for v in result.values]
    [('received', 25), ('in_person', 0), ('fax', 0), ('online', 16), ('letter', 9)]

Fujian's form prints two value columns, the report year and 历年累计 (cumulative since 2008); only the year's
column is ever taken, whichever side it is printed on:

    >>> text = "指标名称\\n计量单位\\n2017\\n历年累计\\n受理政府信息公开申请总数\\n154\\n1844"
    >>> [(v.path, v.value) for v in parse_fujian_form(text).values]
    [('stats_legacy.requests.received', 154)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from extractor.parsers.reconstruct import reconstruct
from extractor.parsers.rows import Equation, RowSpec, field_values, fuzzy, read_rows
from extractor.records import Number, ParseResult
from extractor.schema import get_path

_L = "stats_legacy."


_MONEY = {"operations.fees_collected", "operations.fees_waived", "operations.budget"}


def _one(key: str, label: str) -> RowSpec:
    return RowSpec(_L + key, label, money=(0,) if key in _MONEY else ())


NATIONAL_ROWS = [
    _one("proactive.total", r"主动公开政府信息数"),
    _one("proactive.normative_docs", r"主动公开规范性文件数"),
    _one("proactive.normative_docs_issued", r"制发规范性文件总数"),
    _one("proactive.channels.gazette", r"政府公报公开政府信息数"),
    _one("proactive.channels.website", r"政府网站公开政府信息数"),
    _one("proactive.channels.weibo", r"政务微博公开政府信息数"),
    _one("proactive.channels.wechat", r"政务微信公开政府信息数"),
    _one("proactive.channels.other", r"其他方式公开政府信息数"),
    _one("responses.hotspots", r"回应公众关注热点或重大舆情数"),
    _one("responses.press_conferences", r"参加或举办新闻发布会总次数"),
    _one("responses.press_conferences_by_leaders", r"主要负责同志参加新闻发布会次数"),
    _one("responses.online_interviews", r"政府网站在线访谈次数"),
    _one("responses.online_interviews_by_leaders", r"主要负责同志参加政府网站在线访谈次数"),
    _one("responses.policy_interpretations", r"政策解读稿件发布数"),
    _one("responses.weibo_wechat", r"微博微信回应事件数"),
    _one("responses.other", r"其他方式回应事件数"),
    _one("requests.received", r"收到申请数"),
    _one("requests.channels.in_person", r"当面申请数"),
    _one("requests.channels.letter_or_fax", r"信函、?传真申请数"),
    _one("requests.channels.fax", r"(?<![函、])传真申请数"),
    _one("requests.channels.online", r"网络申请数"),
    _one("requests.channels.letter", r"信函申请数"),
    _one("requests.channels.email", r"电子邮件申请数"),
    _one("requests.channels.other", r"其他形式申请数"),
    _one("requests.completed", r"申请办结数"),
    _one("requests.completed_on_time", r"按时办结数"),
    _one("requests.completed_extended", r"延期办结数"),
    _one("requests.answered", r"申请答复数"),
    _one("requests.outcomes.already_public", r"属于已主动公开范围数"),
    _one("requests.outcomes.granted", r"(?<!部分)同意公开答复数"),
    _one("requests.outcomes.partially_granted", r"同意部分公开答复数"),
    _one("requests.outcomes.denied", r"不同意公开答复数"),
    _one("requests.outcomes.denied_reasons.state_secret", r"涉及国家秘\(?密\)?"),
    _one("requests.outcomes.denied_reasons.commercial_secret", r"涉及商业秘\(?密\)?"),
    _one("requests.outcomes.denied_reasons.personal_privacy", r"涉及个人隐私"),
    _one("requests.outcomes.denied_reasons.endangers_security", fuzzy("危及国家安全、公共安全、经济安全和社会稳定")),
    _one("requests.outcomes.denied_reasons.not_government_info", r"不是《条例》所指政府信息"),
    _one("requests.outcomes.denied_reasons.other_legal", r"法律法规规定的其他情形"),
    _one("requests.outcomes.not_this_agency", r"不属于本行政机关公开数"),
    _one("requests.outcomes.not_exist", r"申请信息不存在数"),
    _one("requests.outcomes.amend_notice", r"告知作出更改补充数"),
    _one("requests.outcomes.other_channel", r"告知通过其他途径办理数"),
    _one("appeals.reconsideration.total", r"行政复议数量"),
    _one("appeals.reconsideration.upheld", r"维持具体行政行为数"),
    _one("appeals.reconsideration.corrected", r"被依法纠错数"),
    _one("appeals.reconsideration.other", r"其他情形数"),
    _one("appeals.litigation.total", r"行政诉讼数量"),
    _one("appeals.litigation.upheld", r"维[持护]具体行政行为或者驳回原告诉讼请求数"),
    _one("appeals.litigation.corrected", r"被依法纠错数"),
    _one("appeals.litigation.other", r"其他情形数"),
    _one("appeals.complaints", r"举报投诉数量|行政申诉、?举报数"),
    _one("operations.fees_collected", r"依申请公开信息收取的费用"),
    _one("operations.fees_waived", r"收费减免金额|减免(?:的)?费用"),
    _one("operations.dedicated_units", r"政府信息公开工作专门机构数"),
    _one("operations.reading_points", r"设置政府信息公开查阅点数"),
    _one("operations.staff_total", r"从事政府信息公开工作人员数"),
    _one("operations.staff_full_time", fuzzy("专职人员数") + r"(?:\([^()]{0,40}\))?"),
    _one("operations.staff_part_time", r"兼职人员数"),
    _one("operations.budget", fuzzy("政府信息公开专项经费") + r"(?:\([^()]{0,60}\))?"),
    _one("operations.meetings", r"召开政府信息公开工作会议或专题会议数"),
    _one("operations.trainings", r"举办各类培训班数"),
    _one("operations.trainees", r"接受培训人员数"),
]

_ANCHOR = re.compile(r"(?:\(一\)|一、)?\s*主动公开政府信息数|统计指标|收到申请数|行政复议数量")


def parse_legacy_table(text: str) -> ParseResult:
    """Read the national legacy table (one value per row), wherever its first row label appears."""
    anchor = _ANCHOR.search(text)
    if anchor is None:
        return ParseResult()
    readings = read_rows(text, NATIONAL_ROWS, anchor.start(), max_gap=500)
    readings = [r for r in readings if r.candidates or r.problem]
    if len([r for r in readings if r.candidates]) < 5:  # a few labels in prose are not a table
        return ParseResult()
    cells, warnings = reconstruct(readings, [])
    values = tuple(v for v in field_values(text, readings, cells) if not _prose_number(text, v.end))
    return ParseResult(values, tuple(warnings))


def _prose_number(text: str, end: int) -> bool:
    return bool(re.match(r"[年月日%]", text[end : end + 1]))


_FUJIAN_ROWS = [
    ("proactive.total", r"主动公开文件数"),
    ("proactive.channels.website", r"政府网站公开数"),
    ("proactive.channels.gazette", r"政府公报(?:公开)?数"),
    ("requests.received", r"受理(?:政府信息公开申请|依申请公开信息)总数"),
    ("requests.channels.in_person", r"当面申请数"),
    ("requests.channels.online", r"网络申请数"),
    ("requests.channels.letter_or_fax", r"信函、?传真申请数"),
    ("requests.answered", r"对申请的答复总数"),
    ("requests.outcomes.granted", r"(?<!部分)同意公开答复数"),
    ("requests.outcomes.partially_granted", r"同意部分公开答复数"),
    ("requests.outcomes.denied", r"不予公开答复数"),
    ("requests.outcomes.other", r"其他类型答复数"),
    ("appeals.complaints", r"接受行政申诉、?举报数"),
    ("appeals.reconsideration.total", r"行政复议数"),
    ("appeals.litigation.total", r"行政诉讼数"),
]
_CUMULATIVE = re.compile(r"历年累计|累计数?(?=\s*\n)")


def parse_fujian_form(text: str, evidence: Mapping[str, Number] | None = None) -> ParseResult:
    """Read Fujian's two-column form, taking the report year's column and never the cumulative one.

    Scraped flat, a row's unit and both its numbers run together; the split is settled by the form's own
    relations (历年累计 ≥ 本年度, the year's channels add up to the requests received, 其中 parts never exceed
    their total) or by a figure the prose states, never guessed; the cumulative cell never becomes a value:

    >>> flat = ("指标名称计量单位本年度历年累计主动公开文件数条246813579受理依申请公开信息总数条00"
    ...         "其中:1.当面申请数条00 2.网络申请数条00 3.信函、传真申请数条00")
    >>> result = parse_fujian_form(flat)
    >>> [(v.path, v.value) for v in result.values]  # doctest: +NORMALIZE_WHITESPACE
    [('stats_legacy.requests.received', 0), ('stats_legacy.requests.channels.in_person', 0),
     ('stats_legacy.requests.channels.online', 0), ('stats_legacy.requests.channels.letter_or_fax', 0)]
    >>> [(v.path, v.value) for v in parse_fujian_form(flat, {"stats_legacy.proactive.total": 2468}).values][0]
    ('stats_legacy.proactive.total', 2468)
    """
    header = _CUMULATIVE.search(text)
    if header is None or not FUJIAN_ROW.search(text):
        return ParseResult()
    before = text[max(0, header.start() - 40) : header.start()]
    labels = list(re.finditer(r"单位|指标名称|项目", before))
    year_before = labels and re.search(r"(?:19|20)\d\d\s*年?度?|本年度?", before[labels[-1].end() :])
    year_after = re.match(r"\s*\|?\s*(?:(?:19|20)\d\d\s*年?度?|本年度?)", text[header.end() : header.end() + 15])
    if not year_before and not year_after:
        return ParseResult((), ("Fujian form: cannot tell the report year's column from the cumulative one; left null",))
    year, cumulative = (0, 1) if year_before else (1, 0)
    specs = [RowSpec(_L + key, label, printed_columns=2, take=(year,), orders=((cumulative, year),)) for key, label in _FUJIAN_ROWS]
    readings = read_rows(text, specs, max(0, header.start() - 60), max_gap=400)
    cells, warnings = reconstruct(readings, _FUJIAN_RELATIONS, evidence)
    return ParseResult(tuple(field_values(text, readings, cells)), tuple(warnings))


def _year(*keys: str) -> tuple[tuple[str, int], ...]:
    return tuple((_L + key, 0) for key in keys)


FUJIAN_ROW = re.compile(r"受理(?:政府信息公开申请|依申请公开信息)总数|主动公开文件数")
_FUJIAN_RELATIONS = [
    Equation(
        _year("requests.received"), _year("requests.channels.in_person", "requests.channels.online", "requests.channels.letter_or_fax")
    ),
    Equation(
        _year("requests.answered"),
        _year("requests.outcomes.granted", "requests.outcomes.partially_granted", "requests.outcomes.denied", "requests.outcomes.other"),
        at_least=True,
    ),
    Equation(_year("proactive.total"), _year("proactive.channels.website", "proactive.channels.gazette"), at_least=True),
]


_LEGACY_SUMS = [
    (
        "requests.received",
        [
            "requests.channels.in_person",
            "requests.channels.fax",
            "requests.channels.online",
            "requests.channels.letter",
            "requests.channels.letter_or_fax",
            "requests.channels.email",
            "requests.channels.other",
        ],
    ),
    ("requests.completed", ["requests.completed_on_time", "requests.completed_extended"]),
    (
        "requests.outcomes.denied",
        [
            f"requests.outcomes.denied_reasons.{k}"
            for k in ("state_secret", "commercial_secret", "personal_privacy", "endangers_security", "not_government_info", "other_legal")
        ],
    ),
    (
        "appeals.reconsideration.total",
        ["appeals.reconsideration.upheld", "appeals.reconsideration.corrected", "appeals.reconsideration.other"],
    ),
    ("appeals.litigation.total", ["appeals.litigation.upheld", "appeals.litigation.corrected", "appeals.litigation.other"]),
    ("operations.staff_total", ["operations.staff_full_time", "operations.staff_part_time"]),
]
"""The legacy form's totals and the sub-items that add up to them."""

LEGACY_WHOLES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (_L + whole, tuple(_L + part for part in parts))
    for whole, parts in [
        *_LEGACY_SUMS,
        ("proactive.total", ["proactive.normative_docs"]),
        ("responses.press_conferences", ["responses.press_conferences_by_leaders"]),
        ("responses.online_interviews", ["responses.online_interviews_by_leaders"]),
    ]
)
"""Every whole of the legacy form and its parts (the sums above and the form's 其中 rows): whatever parts a
report states never add up to more than their whole."""


def arithmetic_legacy(data: dict[str, Any]) -> list[str]:
    """Every legacy total whose sub-items (two or more of them stated) add up to something else."""
    warnings = []
    for parent, parts in _LEGACY_SUMS:
        total = get_path(data, _L + parent)
        present = [v for v in (get_path(data, _L + p) for p in parts) if v is not None]
        if total is not None and len(present) >= 2 and sum(present) != total:
            warnings.append(f"arithmetic: {_L}{parent} = {total} but its sub-items add up to {sum(present)}")
    return warnings


def summary_legacy(data: dict[str, Any]) -> dict[str, int | None]:
    """The comparable indicators of a legacy report: requests_granted = 同意公开 + 属于已主动公开 (both are full
    disclosure)."""

    def legacy(path: str) -> Any:
        return get_path(data, _L + path)

    granted, public = legacy("requests.outcomes.granted"), legacy("requests.outcomes.already_public")
    return {
        "requests_received": legacy("requests.received"),
        "requests_granted": None if granted is None and public is None else (granted or 0) + (public or 0),
        "requests_partially_granted": legacy("requests.outcomes.partially_granted"),
        "requests_denied": legacy("requests.outcomes.denied"),
        "reconsiderations": legacy("appeals.reconsideration.total"),
        "lawsuits": legacy("appeals.litigation.total"),
    }
