"""Routing: which pieces of a report the model is shown, so that it reads only what the parsers could not.

- **statistics**: the figures (a number with a unit such as 件, 条, 次, 万元; stated zeros are the parsers'
  alone) that no parser value already covers and whose words suggest a catalogue quantity
  (`tasks.candidates`), leaving out approximations (3万余条) and figures of another period (累计, 以来,
  another year); each is shown marked in its sentence with its choices;
- **narrative**: the points (`chunking.split_points`) of the report's prose, table rows left out; the points
  of a problems/improvements section (存在的问题, 改进措施, 下一步) apart from the rest, which may hold
  highlights.

Pieces are grouped into windows of at most `max_chars` so each request stays small.

    >>> text = "2016年,全市共受理政府信息公开申请14件,其中网络申请12件。《条例》实施以来累计公开政府信息3万余条。"
    >>> mentions = figure_mentions(text, covered=[(9, 23)], year=2016)
    >>> [(m.value, m.quote, m.choices) for m in mentions]  # 14件 is a parser's already; 3万余条 is approximate
    [(12, '其中网络申请12件', ('网络申请数',))]
    >>> render_marked(text, mentions)
    '[1] 2016年,全市共受理政府信息公开申请14件,其中网络申请12件⟦1:网络申请数/无⟧。'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor.chunking import Point, chunk_document, is_enumerated, split_points
from extractor.grounding import clause_start_before, not_for_the_year
from extractor.llm.tasks import NOT_A_FIGURE, POINT_CHARS, candidates

_FIGURE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>万元|元|条|件|次|篇|期|场|个|人次|名|人|宗|起|份|项)")
_SENTENCE = re.compile(r"[^。;!?\n]+[。;!?]?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PROBLEM_CUE = re.compile(r"问题|不足|差距|短板")
_IMPROVEMENT_CUE = re.compile(r"改进|措施|下一步|工作计划|工作打算|工作思路|努力方向|工作重点|今后|整改")
_PLAN = re.compile(r"\s*(?:(?:20\d\d|明|新的一)年(?:度)?|下一步|今后|下步)[^。]{0,12}?(?:将|要|拟|继续)")
_ANNOUNCES_IMPROVEMENTS = re.compile(r"(?:将|要|拟).{0,20}(?:以下|如下)|下一步|改进措施|努力方向")
_SKIP_SECTION = re.compile(r"依申请|申请情况|申请数量|办理结果|结转|复议|诉讼|收费|减免|其他需要报告|其他报告|附表|需要说明")
"""Sections with no narrative: applications, appeals, fees, the table's own numbered parts, closing notes."""


@dataclass(frozen=True)
class Mention:
    """One figure in the text: the number at `start:end`, its value (money in 万元), the
    quantities it could be, where its quote starts (its clause) and the sentence it sits in."""

    start: int
    end: int
    value: int | float
    money: bool
    choices: tuple[str, ...]
    quote_start: int
    sentence: tuple[int, int]
    _text: str = field(default="", repr=False, compare=False)

    @property
    def quote(self) -> str:
        return self._text[self.quote_start:self.end]


@dataclass(frozen=True)
class NarrativePart:
    """Points shown together, each with the kind of item it may be and whether it may also be none (False for
    an enumerated point of a problems section: the report itself makes it an item)."""

    points: tuple[Point, ...]
    kinds: tuple[str, ...]
    optional: tuple[bool, ...]


def figure_mentions(text: str, covered: Sequence[tuple[int, int]], year: int | None,
                    known: frozenset[str] = frozenset(), modern: str = "") -> list[Mention]:
    """The figures the model is asked about (see the module docstring), in text order; quantities whose labels
    are in `known` (the parsers have them) are not offered, nor, in a 2019/2021 report, what its tables hold
    (`modern`: see `tasks.candidates`)."""
    mentions = []
    for sentence in _SENTENCE.finditer(text):
        bounds = sentence.span()
        for match in _FIGURE.finditer(text, *bounds):
            mention = _mention(text, match, bounds, covered, year, known, modern)
            if mention is not None:
                mentions.append(mention)
    return mentions


def _mention(text: str, match: re.Match[str], sentence: tuple[int, int], covered: Sequence[tuple[int, int]],
             year: int | None, known: frozenset[str], modern: str) -> Mention | None:
    if _inside(match.span(), covered):
        return None
    clause_start = clause_start_before(text, sentence[0], match.start())
    if not_for_the_year(text, match.start(), match.start("n") + len(match.group("n")), year):
        return None
    words = text[clause_start:match.start()]
    if words.rstrip().endswith("类"):
        return None  # 政策、规范性文件类3480条: one category of a breakdown, not a catalogue quantity
    unit, number = match.group("unit"), float(match.group("n"))
    money = unit.endswith("元")
    value: int | float = number / 10000 if unit == "元" else number
    if not money and number.is_integer():
        value = int(number)
    choices = tuple(c for c in candidates(words, text[sentence[0]:match.start()], unit, modern) if c not in known)
    if not choices:
        return None
    return Mention(match.start(), match.end(), value, money, choices, clause_start, sentence, text)


def render_marked(text: str, mentions: Sequence[Mention]) -> str:
    """The sentences holding `mentions`, numbered, each mention followed by its mark ⟦n:choice/…/无⟧."""
    lines: list[str] = []
    sentences = list(dict.fromkeys(m.sentence for m in mentions))
    number = 0
    for index, (start, end) in enumerate(sentences, 1):
        pieces, cursor = [], start
        for mention in (m for m in mentions if m.sentence == (start, end)):
            number += 1
            pieces += [text[cursor:mention.end], f"⟦{number}:{'/'.join((*mention.choices, NOT_A_FIGURE))}⟧"]
            cursor = mention.end
        pieces.append(text[cursor:end])
        lines.append(f"[{index}] " + "".join(pieces).strip())
    return "\n".join(lines)


def mention_windows(mentions: Sequence[Mention], max_chars: int = 1500) -> list[list[Mention]]:
    """Mentions grouped so that the sentences shown in one request stay under `max_chars` (a sentence is
    never split between two requests)."""
    groups: list[list[Mention]] = []
    size = 0
    for mention in mentions:
        length = mention.sentence[1] - mention.sentence[0]
        same_sentence = bool(groups) and groups[-1][-1].sentence == mention.sentence
        if groups and (same_sentence or size + length <= max_chars):
            groups[-1].append(mention)
            size += 0 if same_sentence else length
        else:
            groups.append([mention])
            size = length
    return groups


def narrative_parts(text: str, max_chars: int = 1500) -> list[NarrativePart]:
    """The report's prose points in windows of at most `max_chars` shown characters, each with the kind of item
    it may be: highlight in the work sections; problem or improvement in a problems section, by the heading
    or lead-in sentence it follows (存在问题 … 改进措施/下一步). Headings themselves, table rows and the
    sections on applications, appeals and fees are left out.

    >>> text = ("一、概述\\n一是完善制度,修订了办法。二是改版网站,增设了栏目。\\n"
    ...         "二、存在的问题及改进措施\\n一是人员不足,力量薄弱。\\n下一步,我们将采取以下措施:\\n一是加强培训,提升能力。")
    >>> [(p.text, k) for part in narrative_parts(text) for p, k in zip(part.points, part.kinds)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('一是完善制度,修订了办法。', 'highlight'), ('二是改版网站,增设了栏目。', 'highlight'),
     ('一是人员不足,力量薄弱。', 'problem'), ('一是加强培训,提升能力。', 'improvement')]
    """
    chunks = chunk_document(text)
    has_headings = any(c.section for c in chunks)
    sections = [c for c in chunks if not _SKIP_SECTION.search(c.section) and (c.section or not has_headings)]
    labelled: list[tuple[Point, str, bool]] = []
    for chunk in sections:
        kind = _first_kind(chunk.section)
        points = split_points(text, chunk.start, chunk.end)
        if kind != "highlight":
            points = [piece for point in points for piece in _sentences_unless_enumerated(text, point, chunk.section)]
        for point in points:
            if kind != "highlight":
                kind = _kind_from(point.text, kind)
            if not (_is_heading(point.text) or not _is_prose(point.text) or _is_lead_in(point.text)):
                labelled.append((point, kind, kind == "highlight" or not is_enumerated(point.text)))
            if kind != "highlight" and not _is_heading(point.text) and _ANNOUNCES_IMPROVEMENTS.search(_last_sentence(point.text)):
                kind = "improvement"
    parts: list[NarrativePart] = []
    size = max_chars + 1
    for point, kind, optional in labelled:
        length = min(len(point.text), POINT_CHARS) + 8
        if size + length > max_chars:
            parts.append(NarrativePart((), (), ()))
            size = 0
        last = parts[-1]
        parts[-1] = NarrativePart((*last.points, point), (*last.kinds, kind), (*last.optional, optional))
        size += length
    return parts


def _sentences_unless_enumerated(text: str, point: Point, section: str) -> list[Point]:
    """In a problems section, a paragraph that enumerates nothing is read sentence by sentence (a run-on
    section title at its start is cut off), so problems and plans in one paragraph come apart."""
    if is_enumerated(point.text) and not point.text.startswith(section):
        return [point]
    start = point.start + (len(section) if section and point.text.startswith(section) else 0)
    cuts = [start] + [start + m.end() for m in re.finditer(r"。(?=.)", text[start:point.end])] + [point.end]
    return [Point(a, b, text[a:b]) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def _first_kind(section: str) -> str:
    if _IMPROVEMENT_CUE.search(section) and not _PROBLEM_CUE.search(section):
        return "improvement"
    return "problem" if _PROBLEM_CUE.search(section) else "highlight"


def _kind_from(point: str, kind: str) -> str:
    """The kind of the points from this one on: a heading or lead-in naming improvements (or problems) that
    opens this point switches it."""
    lead = point.split("\n")[0][:60]
    announces = _is_heading(lead) or _is_lead_in(point)
    if _PLAN.match(point):
        return "improvement"
    if _PROBLEM_CUE.search(lead) and _is_heading(lead):
        return "problem"  # 存在的问题(及改进措施): problems come first
    if _IMPROVEMENT_CUE.search(lead) and (announces or lead.startswith(("下一步", "今后"))):
        return "improvement"
    if _PROBLEM_CUE.search(lead) and announces:
        return "problem"
    return kind


def _is_heading(text: str) -> bool:
    """A title line: short, no comma, no sentence end but perhaps a final 。 (二)具体解决办法和改进措施。"""
    return len(text) <= 40 and not re.search(r"[,;]|。.", text.strip())


def _is_lead_in(text: str) -> bool:
    """A paragraph that only announces a list: "…采取以下改进措施:" / "主要存在以下问题:"."""
    return len(text) <= 200 and text.rstrip().endswith(":")


def _last_sentence(text: str) -> str:
    sentences = [s for s in re.split(r"(?<=[。;:])", text.strip()) if s.strip()]
    return sentences[-1] if sentences else ""


def _inside(span: tuple[int, int], covered: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in covered)


def _is_prose(text: str) -> bool:
    """Prose, not a table row: enough Chinese characters and few digits."""
    cjk = len(_CJK.findall(text))
    digits = sum(c.isdigit() for c in text)
    return cjk >= 6 and digits <= 0.3 * cjk
