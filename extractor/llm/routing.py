"""Routing: which pieces of a report the model is shown, so that it reads only what the parsers could not.

- **statistics**: the figures (a number with a unit such as 件, 条, 次, 万元, or a stated zero such as
  未收到申请) that no parser value already covers and whose words suggest a catalogue quantity
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

from extractor.chunking import Point, chunk_document, split_points
from extractor.llm.tasks import NOT_A_FIGURE, candidates
from extractor.parsers.prose import is_approximate, speaks_of_another_period

_FIGURE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>万元|元|条|件|次|篇|期|场|个|人次|名|人|宗|起|份|项)")
_ZERO = re.compile(r"(?:未|没有|无)(?:发生|出现|产生|收到|受理|接到|收取|向)[^。;,]{0,30}?(?:申请|复议|诉讼|费)")
_SENTENCE = re.compile(r"[^。;!?\n]+[。;!?]?")
_CLAUSE_BREAK = re.compile(r"[,;:、。]")
_CUMULATIVE = re.compile(r"累计|历年|以来")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PROBLEMS = re.compile(r"问题|不足|改进|下一步|工作计划|工作打算|努力方向|整改")
HIGHLIGHT_KINDS = ("highlight",)
PROBLEM_KINDS = ("problem", "improvement")


@dataclass(frozen=True)
class Mention:
    """One figure in the text: the number (or stated zero) at `start:end`, its value (money in 万元), the
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
    """Points shown together, and the kinds of item they may hold."""

    kinds: tuple[str, ...]
    points: tuple[Point, ...]


def figure_mentions(text: str, covered: Sequence[tuple[int, int]], year: int | None) -> list[Mention]:
    """The figures the model is asked about (see the module docstring), in text order."""
    mentions = []
    for sentence in _SENTENCE.finditer(text):
        bounds = sentence.span()
        found = [(m, False) for m in _FIGURE.finditer(text, *bounds)] + [(m, True) for m in _ZERO.finditer(text, *bounds)]
        for match, zero in sorted(found, key=lambda pair: pair[0].start()):
            mention = _mention(text, match, zero, bounds, covered, year)
            if mention is not None:
                mentions.append(mention)
    return mentions


def _mention(text: str, match: re.Match[str], zero: bool, sentence: tuple[int, int],
             covered: Sequence[tuple[int, int]], year: int | None) -> Mention | None:
    if _inside(match.span(), covered):
        return None
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence[0], match.start())), default=sentence[0])
    if _CUMULATIVE.search(text, sentence[0], match.start()) or speaks_of_another_period(text[clause_start:match.end()], year):
        return None
    value: int | float = 0
    if zero:
        words, money = match.group(0), "费" in match.group(0)
    else:
        if is_approximate(text, match.start(), match.start("n") + len(match.group("n"))):
            return None
        unit, number = match.group("unit"), float(match.group("n"))
        money = unit.endswith("元")
        value = number / 10000 if unit == "元" else number
        value = int(value) if not money and number.is_integer() else value
        words = text[clause_start:match.start()]
    choices = candidates(words, text[sentence[0]:match.start()] + (match.group(0) if zero else ""), money)
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
        lines.append(f"[{index}] " + "".join(pieces).replace("\n", " ").strip())
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
    """The report's prose points in windows of at most `max_chars` shown characters; problem/improvement
    sections apart from the rest.

    >>> text = "一、概述\\n一是完善制度,修订了办法。二是改版网站,增设了栏目。\\n二、存在的问题及改进措施\\n一是人员不足,力量薄弱。"
    >>> [(p.kinds, [x.text for x in p.points]) for p in narrative_parts(text)]  # doctest: +NORMALIZE_WHITESPACE
    [(('highlight',), ['一是完善制度,修订了办法。', '二是改版网站,增设了栏目。']),
     (('problem', 'improvement'), ['二、存在的问题及改进措施', '一是人员不足,力量薄弱。'])]
    """
    parts: list[NarrativePart] = []
    size = 0
    for chunk in chunk_document(text):
        kinds = PROBLEM_KINDS if _PROBLEMS.search(chunk.section) else HIGHLIGHT_KINDS
        for point in split_points(text, chunk.start, chunk.end):
            if not _is_prose(point.text):
                continue
            length = min(len(point.text), 200) + 6
            if parts and parts[-1].kinds == kinds and size + length <= max_chars:
                parts[-1] = NarrativePart(kinds, (*parts[-1].points, point))
                size += length
            else:
                parts.append(NarrativePart(kinds, (point,)))
                size = length
    return parts


def _inside(span: tuple[int, int], covered: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in covered)


def _is_prose(text: str) -> bool:
    """Prose, not a table row: enough Chinese characters and few digits."""
    cjk = len(_CJK.findall(text))
    digits = sum(c.isdigit() for c in text)
    return cjk >= 6 and digits <= 0.3 * cjk
