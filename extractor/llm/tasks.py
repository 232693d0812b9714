"""The model's tasks: what each one is shown, the small schema it answers in, and how an answer is read back.

Two tasks, each with its own template in `prompts/`:

- **statistics**: the sentences of a section that state figures no parser read. The model answers with
  `{"figures": [{"field": label, "value": number, "quote": words}]}`, where `field` is one label of
  `FIGURES` (a grammar-constrained enum, so a small model cannot invent a key) and `quote` must be the
  report's own words containing the number (checked by `extractor.grounding`).
- **narrative**: the numbered points of a section (`chunking.split_points`). The model answers with
  `{"items": [{"ids": [n], "kind": "problem", "topic": …, "summary": …}]}`; the quote of an item is cut
  from the text by code from the points it names, so it is verbatim by construction.

    >>> render_points([Point(0, 6, "一是意识不强;"), Point(6, 14, "二是更新不及时。")])
    '[1] 一是意识不强;\\n[2] 二是更新不及时。'
    >>> figure_path("收到申请总数", "legacy"), figure_path("收到申请总数", "gov2021")
    ('stats_legacy.requests.received', 'stats_2019.requests.new_received.total')
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.chunking import Point

_L = "stats_legacy."
_M = "stats_2019."


@dataclass(frozen=True)
class Figure:
    """A quantity the model may report, by its Chinese label, and the key it fills in each table family."""

    label: str
    legacy_path: str
    modern_path: str | None = None
    """The key in a 2019/2021-format report; None means the legacy key is used there too (no 2019 cell)."""


FIGURES = (
    Figure("主动公开政府信息总数", _L + "proactive.total"),
    Figure("政府网站公开信息数", _L + "proactive.channels.website"),
    Figure("政府公报公开信息数", _L + "proactive.channels.gazette"),
    Figure("政务微博公开信息数", _L + "proactive.channels.weibo"),
    Figure("政务微信公开信息数", _L + "proactive.channels.wechat"),
    Figure("其他渠道公开信息数", _L + "proactive.channels.other"),
    Figure("公开规范性文件数", _L + "proactive.normative_docs", _M + "proactive.normative_documents.published"),
    Figure("政策解读数", _L + "responses.policy_interpretations"),
    Figure("回应热点舆情数", _L + "responses.hotspots"),
    Figure("新闻发布会次数", _L + "responses.press_conferences"),
    Figure("在线访谈次数", _L + "responses.online_interviews"),
    Figure("收到申请总数", _L + "requests.received", _M + "requests.new_received.total"),
    Figure("当面申请数", _L + "requests.channels.in_person"),
    Figure("网络申请数", _L + "requests.channels.online"),
    Figure("信函申请数", _L + "requests.channels.letter"),
    Figure("传真申请数", _L + "requests.channels.fax"),
    Figure("电子邮件申请数", _L + "requests.channels.email"),
    Figure("申请办结数", _L + "requests.completed"),
    Figure("同意公开数", _L + "requests.outcomes.granted", _M + "requests.granted.total"),
    Figure("部分公开数", _L + "requests.outcomes.partially_granted", _M + "requests.partially_granted.total"),
    Figure("不予公开数", _L + "requests.outcomes.denied"),
    Figure("属于已主动公开数", _L + "requests.outcomes.already_public"),
    Figure("信息不存在数", _L + "requests.outcomes.not_exist"),
    Figure("非本机关信息数", _L + "requests.outcomes.not_this_agency"),
    Figure("告知其他途径办理数", _L + "requests.outcomes.other_channel"),
    Figure("行政复议总数", _L + "appeals.reconsideration.total", _M + "appeals.reconsideration.total"),
    Figure("行政复议维持数", _L + "appeals.reconsideration.upheld", _M + "appeals.reconsideration.upheld"),
    Figure("行政复议纠错数", _L + "appeals.reconsideration.corrected", _M + "appeals.reconsideration.corrected"),
    Figure("行政复议其他情形数", _L + "appeals.reconsideration.other", _M + "appeals.reconsideration.other"),
    Figure("行政诉讼总数", _L + "appeals.litigation.total", _M + "appeals.litigation_direct.total"),
    Figure("行政诉讼维持数", _L + "appeals.litigation.upheld", _M + "appeals.litigation_direct.upheld"),
    Figure("行政诉讼纠错数", _L + "appeals.litigation.corrected", _M + "appeals.litigation_direct.corrected"),
    Figure("行政诉讼其他情形数", _L + "appeals.litigation.other", _M + "appeals.litigation_direct.other"),
    Figure("举报投诉数", _L + "appeals.complaints"),
    Figure("收取费用(万元)", _L + "operations.fees_collected"),
    Figure("减免费用(万元)", _L + "operations.fees_waived"),
    Figure("工作支出(万元)", _L + "operations.spending"),
    Figure("专项经费(万元)", _L + "operations.budget"),
    Figure("工作人员数", _L + "operations.staff_total"),
    Figure("专职人员数", _L + "operations.staff_full_time"),
    Figure("兼职人员数", _L + "operations.staff_part_time"),
    Figure("查阅点数", _L + "operations.reading_points"),
    Figure("培训班次数", _L + "operations.trainings"),
    Figure("培训人数", _L + "operations.trainees"),
)
MONEY_LABELS = frozenset(f.label for f in FIGURES if "万元" in f.label)
_BY_LABEL = {f.label: f for f in FIGURES}


def figure_path(label: str, template: str) -> str:
    """The key a figure fills in a report of `template` (2019/2021 reports use their table's key when it has one)."""
    figure = _BY_LABEL[label]
    if template in ("gov2019", "gov2021") and figure.modern_path:
        return figure.modern_path
    return figure.legacy_path


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


FieldLabel = Literal[tuple(f.label for f in FIGURES)]  # type: ignore[valid-type]


class StatedFigure(_Answer):
    field: FieldLabel = Field(description="which quantity")  # type: ignore[valid-type]
    value: float = Field(description="the number as the text prints it")
    quote: str = Field(description="the report's own words that state it, copied exactly")


class StatisticsAnswer(_Answer):
    figures: list[StatedFigure] = Field(default_factory=list)


class NarrativePoint(_Answer):
    ids: list[int] = Field(description="the numbers of the points this item covers, usually one")
    kind: Literal["highlight", "problem", "improvement"]
    topic: str = Field(description="2-8 characters")
    summary: str = Field(description="one short Chinese sentence")


class NarrativeAnswer(_Answer):
    items: list[NarrativePoint] = Field(default_factory=list)


ANSWER_MODELS: dict[str, type[_Answer]] = {"statistics": StatisticsAnswer, "narrative": NarrativeAnswer}


@functools.cache
def schema_hash(model: type[BaseModel]) -> str:
    """A short hash of an answer model's JSON Schema; it enters the cache key."""
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()[:16]


def render_points(points: list[Point], max_chars: int = 240) -> str:
    """Points as the model sees them: numbered from 1, each cut to `max_chars` to keep prompts small."""
    lines = []
    for number, point in enumerate(points, 1):
        text = point.text.replace("\n", " ")
        lines.append(f"[{number}] {text[:max_chars]}{'…' if len(text) > max_chars else ''}")
    return "\n".join(lines)


def field_catalogue() -> str:
    """The labels the statistics task may use, as listed in its prompt."""
    return "、".join(f.label for f in FIGURES)


