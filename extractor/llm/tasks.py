"""The model's tasks: what each one is shown, the small schema it answers in, and how an answer is read back.

Two tasks, each with its own template in `prompts/`. Both let a small model do only what it does well —
decide what a piece of text is — while code copies numbers and quotes out of the text:

- **statistics**: sentences stating figures no parser read, each such figure marked with the quantities it
  could be (found by `candidates` from the words of its clause) or 无. The model answers
  `{"labels": [...]}`, one choice per mark; the schema lists each mark's own choices, so a grammar-bound
  model cannot pick a quantity the words do not suggest. Value and quote come from the text itself.
- **narrative**: the numbered points of a part of the report (`chunking.split_points`), each with the kind of
  item it may be (decided by where it stands). The model answers `{"points": [...]}` with exactly one label per
  point: a topic of the closed vocabulary (`schema.NARRATIVE_TOPICS`), or "none" for a point that is no item.
  It writes labels only: the quote of an item is the point's own text and its summary a span of it, both cut
  by code, so a few tokens per point are all it generates.

The answer schemas fix their own length, so a model that starts to repeat itself is stopped by the grammar
instead of running to its token limit.

    >>> candidates("其中网络申请", "2016年,全市共受理政府信息公开申请14件,其中网络申请", "件")
    ('网络申请数',)
    >>> candidates("维持具体行政行为", "我市共接到行政复议数量2件,其中维持具体行政行为", "件")
    ('行政复议维持数',)
    >>> figure_path("收到申请总数", "legacy"), figure_path("收到申请总数", "gov2021")
    ('stats_legacy.requests.received', 'stats_2019.requests.new_received.total')
    >>> statistics_answer((("网络申请数", "无"), ("无",))).model_validate({"labels": ["网络申请数", "无"]}).labels
    ('网络申请数', '无')
    >>> narrative_answer(("highlight", "problem"), (True, False)).model_validate({"points": ["none", "公开意识"]}).points
    ('none', '公开意识')
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, create_model

from extractor.chunking import Point
from extractor.parsers.formats import block_of
from extractor.schema import NARRATIVE_TOPICS

_L = "stats_legacy."
_M = "stats_2019."
NOT_A_FIGURE = "无"
NOT_AN_ITEM = "none"


@dataclass(frozen=True)
class Figure:
    """A quantity the model may report: its Chinese label, the key it fills in each table family, the words
    (`cue`) that must precede the number in its clause, and words (`context`) its sentence must hold before it."""

    label: str
    legacy_path: str
    modern_path: str | None
    cue: str
    context: str = ""
    money: bool = False
    units: str = ""
    """The units the quantity is counted in (a figure in 人 is never a count of information items)."""
    in_modern: bool = False
    """Offered in 2019/2021-format reports too: their tables hold the rest, which prose rarely restates."""
    not_cue: str = ""
    """Words in the clause that rule the quantity out (兼职人员 are not all the staff)."""
    modern_templates: tuple[str, ...] = ("gov2019", "gov2021")
    """The 2019/2021 forms whose table has `modern_path`'s column; in the others the legacy key holds it."""

    def path(self, template: str) -> str:
        """The key in a report of `template`: 2019/2021 reports use their table's key when their form has the
        column, the legacy key otherwise (the field catalogue's rule for quantities outside the tables).

        >>> published = next(f for f in FIGURES if f.label == "公开规范性文件数")
        >>> published.path("gov2019")
        'stats_2019.proactive.normative_documents.published'
        >>> published.path("gov2021"), published.path("legacy")
        ('stats_legacy.proactive.normative_docs', 'stats_legacy.proactive.normative_docs')
        """
        modern = block_of(template) == "stats_2019" and template in self.modern_templates
        return self.modern_path if modern and self.modern_path else self.legacy_path


def _f(
    label: str,
    legacy: str,
    modern: str | None,
    cue: str,
    context: str = "",
    money: bool = False,
    not_cue: str = "",
    modern_templates: tuple[str, ...] = ("gov2019", "gov2021"),
) -> Figure:
    section = legacy.split(".")[0]
    units = _UNITS.get(legacy, _UNITS.get(section, ""))
    return Figure(
        label,
        _L + legacy,
        _M + modern if modern else None,
        cue,
        context,
        money,
        "元|万元" if money else units,
        legacy in _IN_MODERN
        or legacy.split(".")[:2] == ["appeals", "reconsideration"]
        or legacy.split(".")[:2] == ["appeals", "litigation"],
        not_cue,
        modern_templates,
    )


_IN_MODERN = {
    "proactive.total",
    "responses.policy_interpretations",
    "responses.hotspots",
    "responses.press_conferences",
    "responses.online_interviews",
    "requests.received",
    "operations.fees_collected",
    "operations.spending",
}
"""The quantities a 2019/2021 report's prose may state that the model is asked about (the field catalogue:
requests and appeals under stats_2019; proactive totals, responses and money under stats_legacy)."""


_UNITS = {
    "proactive": "条|篇|件|个",
    "responses": "条|篇|次|场|期|件|个",
    "responses.policy_interpretations": "条|篇|次|期|件|个",  # articles: 场 counts meetings
    "requests": "件|条|个|份|宗|次",
    "appeals": "件|起|宗|个|次",
    "operations.staff_total": "人|名",
    "operations.staff_full_time": "人|名",
    "operations.staff_part_time": "人|名",
    "operations.reading_points": "个|处",
    "operations.trainings": "期|次|场|个",
    "operations.trainees": "人|人次|名",
    "operations.meetings": "次|场|个",
}


_NOT_APPEAL = r"^(?!.*(?:复议|诉讼))"
"""Cues read the clause up to the number: a clause naming both 复议 and 诉讼 counts them together, so neither."""
FIGURES = (
    _f("主动公开政府信息总数", "proactive.total", None, r"主动公开(?:各类|各种)?(?:政府)?信息|公开(?:各类|各种)?政府信息"),
    _f("政府网站公开信息数", "proactive.channels.website", None, r"网站|门户", r"公开|发布|推送|刊登|刊发|信息"),
    _f("政府公报公开信息数", "proactive.channels.gazette", None, r"公报", r"公开|发布|推送|刊登|刊发|信息"),
    _f("政务微博公开信息数", "proactive.channels.weibo", None, r"微博", r"公开|发布|推送|刊登|刊发|信息"),
    _f("政务微信公开信息数", "proactive.channels.wechat", None, r"微信|公众号", r"公开|发布|推送|刊登|刊发|信息"),
    # 本年新公开数量 is a column of the 2019 form only; the 2021 form counts 制发/废止/现行有效
    _f(
        "公开规范性文件数",
        "proactive.normative_docs",
        "proactive.normative_documents.published",
        r"规范性文件",
        modern_templates=("gov2019",),
    ),
    _f("政策解读数", "responses.policy_interpretations", None, r"解读"),
    _f("回应热点舆情数", "responses.hotspots", None, r"热点|舆情|关切"),
    _f("新闻发布会次数", "responses.press_conferences", None, r"发布会"),
    _f("在线访谈次数", "responses.online_interviews", None, r"访谈"),
    _f("收到申请总数", "requests.received", "requests.new_received.total", _NOT_APPEAL + r".*(?:受理|收到|接收|接到|新收)", r"申请"),
    _f("当面申请数", "requests.channels.in_person", None, r"当面|现场", r"申请"),
    _f("网络申请数", "requests.channels.online", None, r"网络|网上|在线", r"申请"),
    _f("信函申请数", "requests.channels.letter", None, r"信函", r"申请"),
    _f("传真申请数", "requests.channels.fax", None, r"传真", r"申请"),
    _f("电子邮件申请数", "requests.channels.email", None, r"邮件", r"申请"),
    _f("申请办结数", "requests.completed", None, r"办结", r"申请|答复"),
    _f("同意公开数", "requests.outcomes.granted", "requests.granted.total", r"(?<!部分)(?:同意|予以)公开", r"申请|答复"),
    _f("部分公开数", "requests.outcomes.partially_granted", "requests.partially_granted.total", r"部分公开", r"申请|答复"),
    _f("不予公开数", "requests.outcomes.denied", None, r"不予公开|不同意公开", r"申请|答复"),
    _f("属于已主动公开数", "requests.outcomes.already_public", None, r"已主动公开", r"申请|答复"),
    _f("信息不存在数", "requests.outcomes.not_exist", None, r"不存在", r"申请|答复"),
    _f("非本机关信息数", "requests.outcomes.not_this_agency", None, r"不属于本|非本", r"申请|答复"),
    _f("告知其他途径办理数", "requests.outcomes.other_channel", None, r"其他途径", r"申请|答复"),
    _f("行政复议总数", "appeals.reconsideration.total", "appeals.reconsideration.total", r"^(?!.*诉讼).*复议"),
    _f("行政复议维持数", "appeals.reconsideration.upheld", "appeals.reconsideration.upheld", r"维持", r"复议(?!.*诉讼)"),
    _f("行政复议纠错数", "appeals.reconsideration.corrected", "appeals.reconsideration.corrected", r"纠错|纠正", r"复议(?!.*诉讼)"),
    _f("行政复议其他情形数", "appeals.reconsideration.other", "appeals.reconsideration.other", r"其他情形", r"复议(?!.*诉讼)"),
    _f("行政诉讼总数", "appeals.litigation.total", "appeals.litigation_direct.total", r"^(?!.*复议).*诉讼"),
    _f("行政诉讼维持数", "appeals.litigation.upheld", "appeals.litigation_direct.upheld", r"维持|驳回", r"诉讼"),
    _f("行政诉讼纠错数", "appeals.litigation.corrected", "appeals.litigation_direct.corrected", r"纠错|纠正|败诉", r"诉讼"),
    _f("行政诉讼其他情形数", "appeals.litigation.other", "appeals.litigation_direct.other", r"其他情形", r"诉讼"),
    _f("举报投诉数", "appeals.complaints", None, r"举报|投诉|申诉", r"公开"),
    _f("收取费用(万元)", "operations.fees_collected", None, r"收取|收费|费用", r"公开|申请", money=True),
    _f("减免费用(万元)", "operations.fees_waived", None, r"减免", r"公开|申请", money=True),
    _f("工作支出(万元)", "operations.spending", None, r"支出|经费|投入", r"公开", money=True),
    _f("专项经费(万元)", "operations.budget", None, r"专项经费|专项资金", r"公开", money=True),
    _f("工作人员数", "operations.staff_total", None, r"工作人员|人员", r"公开", not_cue=r"(?<!专)兼职|专职(?!.*兼职)"),
    _f("专职人员数", "operations.staff_full_time", None, r"专职", r"公开"),
    _f("兼职人员数", "operations.staff_part_time", None, r"(?<!专)兼职", r"公开"),
    _f("查阅点数", "operations.reading_points", None, r"查阅(?:点|场所|室)"),
    _f("培训班次数", "operations.trainings", None, r"培训", r"公开"),
    _f("培训人数", "operations.trainees", None, r"培训", r"公开"),
)
_BY_LABEL = {f.label: f for f in FIGURES}
SAME_QUANTITY = {"stats_legacy.requests.channels.letter_or_fax": ("信函申请数", "传真申请数")}
"""A key the parsers may hold that counts, split another way, what these labels count: when the parsers hold
it, the model is not offered them."""
MAX_CANDIDATES = 4
POINT_CHARS = 100
"""Characters of a point the model is shown: enough to tell what it is and sum it up."""


def candidates(clause: str, sentence: str, unit: str, modern: str = "") -> tuple[str, ...]:
    """The quantities a figure counted in `unit` could be, from the words of its clause up to the number
    (`clause`) and of its sentence up to the number (`sentence`): most specific cue first, at most
    `MAX_CANDIDATES`. In a 2019/2021-format report (`modern`) only those its prose may state: "tables" when
    its tables were read (they hold the rest), "prose" when they were not (their quantities may be in prose).

    >>> candidates("网站注册用户", "网站注册用户", "人"), candidates("在门户网站发布信息", "在门户网站发布信息", "条", "tables")
    ((), ())

    People counted as part-time (兼职) or full-time (专职) staff are not all the staff; 专兼职 are:

    >>> candidates("政务公开兼职人员", "政务公开兼职人员", "人"), candidates("专兼职工作人员", "政务公开专兼职工作人员", "人")
    (('兼职人员数',), ('工作人员数',))
    """
    offered = [f for f in FIGURES if not modern or f.in_modern or (modern == "prose" and f.modern_path)]
    if counts_several(clause, offered):
        return ()
    found = [
        f
        for f in offered
        if re.fullmatch(f.units, unit)
        and re.search(f.cue, clause)
        and (not f.context or re.search(f.context, sentence))
        and not (f.not_cue and re.search(f.not_cue, clause))
    ]
    specific = [f for f in found if f.context] or found
    return tuple(f.label for f in specific[:MAX_CANDIDATES])


_LIST_TAIL = re.compile(r"[^,;:]*$")
_LISTED = re.compile(r"[、和及与]")


def counts_several(clause: str, figures: Sequence[Figure] = FIGURES) -> bool:
    """Whether the number after `clause` counts several things at once: a list of quantities counted together
    (the words since the last comma name two of them joined by 、/和/及: 召开新闻发布会、政策解读会10场), or each of
    several subjects (分别: 新浪、腾讯微博分别发布信息420条 is 420 on each, so no one quantity is 420). Such a figure
    is offered as none of them.

    >>> counts_several("围绕重点工作召开新闻发布会、政策解读会"), counts_several("全年召开新闻发布会")
    (True, False)
    >>> counts_several("新浪、腾讯“科技河北”微博分别发布信息")
    True
    """
    tail = _LIST_TAIL.search(clause).group(0)  # type: ignore[union-attr]
    if "分别" in tail:
        return True
    return bool(_LISTED.search(tail)) and len({f.label for f in figures if re.search(f.cue, tail)}) >= 2


def figure_path(label: str, template: str) -> str:
    """The key a figure fills in a report of `template`."""
    return _BY_LABEL[label].path(template)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StatisticsAnswer(_Answer):
    labels: tuple[str, ...] = Field(description="one choice per mark, in order")


class NarrativeAnswer(_Answer):
    points: tuple[str, ...] = Field(description="one label per point, in order: its topic, or none")


def _one_of(values: tuple[str, ...]) -> Any:
    """`Literal[values]`, built at run time."""
    return cast(Any, Literal)[values]


@functools.cache
def statistics_answer(choices: tuple[tuple[str, ...], ...]) -> type[StatisticsAnswer]:
    """The statistics answer for marks with these `choices` (each mark: its candidates, then 无)."""
    options = tuple(_one_of(tuple(dict.fromkeys((*c, NOT_A_FIGURE)))) for c in choices)
    labels: Any = tuple.__class_getitem__(options)
    return create_model("StatisticsAnswer", __base__=StatisticsAnswer, labels=(labels, Field(description="one choice per mark, in order")))


@functools.cache
def narrative_answer(kinds: tuple[str, ...], optional: tuple[bool, ...] | None = None) -> type[NarrativeAnswer]:
    """The narrative answer for points that may each be an item (of its own kind in `kinds`): a topic of the
    vocabulary each, or none where `optional` says so (by default everywhere)."""
    optional = optional or (True,) * len(kinds)
    labels = {True: _one_of((*NARRATIVE_TOPICS, NOT_AN_ITEM)), False: _one_of(NARRATIVE_TOPICS)}
    entries: Any = tuple.__class_getitem__(tuple(labels[o] for o in optional))
    return create_model(
        "NarrativeAnswer",
        __base__=NarrativeAnswer,
        points=(entries, Field(description="one label per point, in order: its topic, or none")),
    )


@functools.cache
def schema_hash(model: type[BaseModel]) -> str:
    """A short hash of an answer model's JSON Schema; it enters the cache key."""
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()[:16]


def render_points(points: list[Point], kinds: list[str], max_chars: int = POINT_CHARS) -> str:
    """Points as the model sees them: numbered from 1 with the kind each may be, each cut to `max_chars`.

    >>> render_points([Point(0, 6, "一是意识不强;"), Point(6, 14, "二是更新不及时。")], ["problem", "problem"])
    '[1 problem] 一是意识不强;\\n[2 problem] 二是更新不及时。'
    """
    lines = []
    for number, (point, kind) in enumerate(zip(points, kinds), 1):
        text = point.text.replace("\n", " ")
        lines.append(f"[{number} {kind}] {text[:max_chars]}{'…' if len(text) > max_chars else ''}")
    return "\n".join(lines)
