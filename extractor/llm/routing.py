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
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from extractor.chunking import Point, chunk_document, is_enumerated, part_openings, split_points
from extractor.grounding import clause_start_before, not_for_the_year
from extractor.llm.tasks import NOT_A_FIGURE, POINT_CHARS, candidates

_FIGURE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>万元|元|条|件|次|篇|期|场|个|人次|名|人|宗|起|份|项)")
_SENTENCE = re.compile(r"[^。;!?\n]+[。;!?]?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PROBLEM_CUE = re.compile(r"问题|不足|差距|短板")
_IMPROVEMENT_CUE = re.compile(r"改进|措施|下一步|工作计划|工作打算|工作思路|努力方向|工作重点|今后|整改")
_TURN = re.compile(
    r"\s*(?:针对[^。;:]{0,16}(?:问题|不足|短板)|(?:(?:20\d\d|明|新的一)年(?:度)?|下一步|今后|下步)[^。]{0,12}?"
    r"(?:将|要|拟|继续))"
)
"""A sentence that turns from problems to what will be done about them: 针对上述问题…, 下一步我们将…, 2020年,我县将…"""
_ANNOUNCES_IMPROVEMENTS = re.compile(r"(?:将|要|拟).{0,20}(?:以下|如下)|下一步|改进措施|努力方向")
_IMPROVES_PROBLEMS = re.compile(r"问题的?(?:整改|改进)")
"""A title on how last year's problems were dealt with (2024年工作中存在问题的改进情况): improvements."""
_CUE_SUBHEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?\([一二三四五六七八九十]{1,2}\)[^\n。,]{0,40}"
    r"(?:问题|不足|改进|整改|下一步|工作计划|工作打算)[^\n,]{0,20}$",
    re.M,
)
"""A sub-heading naming problems or improvements: it opens a part of that kind wherever it stands, even inside a
section with no narrative (a lost 五、 heading leaves 五's sub-headings under 四)."""
_SHORTCOMING = re.compile(
    r"有待|不足|不够|不尽|尚需|还需|需要?(?:进一步)?(?:加强|强化|完善|提升|提高)|欠缺|不强|滞后|单一|不及时|不高|"
    r"薄弱|不到位|不全面|参差不齐|提升空间"
)
_CONCEDES = re.compile(r"(?:但|仍|还|也)[^。;!?]{0,6}(?:存在|有)[^。;!?]{0,60}?(?:问题|不足|差距|短板|之处)")
"""A sentence conceding shortcomings (…虽然取得了一些成绩,但仍存在不足): the problems start there."""
_CONCESSION_END = re.compile(
    r"(?:但|仍|还|也)[^,。;!?]{0,4}(?:存在|有)(?P<which>[^,。;!?]{0,10})(?:问题|不足|差距|短板|之处)"
    r"(?:[和与及](?:问题|不足))?[。;:,]?\s*$"
)


_GENERIC_SHORTCOMINGS = re.compile(r"不足|问题|差距|短板|需要改进(?:提升)?|[和与及的]|一些|一定|某些|若干|诸多|许多|不少")


def _only_concedes(text: str) -> bool:
    """Whether `text` ends conceding that there are shortcomings and names none: 但也存在一些问题和不足。,
    但仍有需要改进提升之处。, 但仍然还有不足和需要改进的问题。; not when it names one, in the concession
    (但仍存在解读形式不够丰富等问题。) or before it (意识不强,与公众的需求还存在一定差距).

    >>> _only_concedes("工作取得了一定的成绩,但仍然还有不足和需要改进的问题。"), _only_concedes("但仍存在解读形式不够丰富等问题。")
    (True, False)
    >>> _only_concedes("社会公众参与的意识不强,与公众的需求还存在一定差距")
    False
    """
    end = _CONCESSION_END.search(text)
    if end is None:
        return False
    return not _SHORTCOMING.search(_GENERIC_SHORTCOMINGS.sub("", end.group("which"))) and not _SHORTCOMING.search(text[: end.start()])


HEADLESS_PROBLEMS = "存在的问题"
"""The title given to problems whose heading scraping lost (`_headless_problems`)."""
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
        return self._text[self.quote_start : self.end]


@dataclass(frozen=True)
class NarrativePart:
    """Points shown together, each with the kind of item it may be and whether it may also be none (False for
    an enumerated point of a problems section: the report itself makes it an item)."""

    points: tuple[Point, ...]
    kinds: tuple[str, ...]
    optional: tuple[bool, ...]


def figure_mentions(
    text: str, covered: Sequence[tuple[int, int]], year: int | None, known: frozenset[str] = frozenset(), modern: str = ""
) -> list[Mention]:
    """The figures the model is asked about (see the module docstring), in text order; quantities whose labels
    are in `known` (the parsers have them) are not offered, nor, in a 2019/2021 report, what its tables hold
    (`modern`: see `tasks.candidates`)."""
    mentions = []
    for bounds in _sentences(text):
        for match in _FIGURE.finditer(text, *bounds):
            mention = _mention(text, match, bounds, covered, year, known, modern)
            if mention is not None:
                mentions.append(mention)
    return mentions


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """The spans of the sentences of `text`, cut again where a heading or a numbered part opens inside one
    (`chunking.part_openings`): a heading run on into its first sentence is no part of that sentence's words.

    >>> text = "一、概述(略)。二、主动公开政府信息情况(一)通过省级平台公开信息2016年度在平台公开信息1700条。"
    >>> [text[start:end] for start, end in _sentences(text)]
    ['一、概述(略)。', '二、主动公开政府信息情况', '(一)通过省级平台公开信息2016年度在平台公开信息1700条。']
    """
    openings = part_openings(text)
    for sentence in _SENTENCE.finditer(text):
        start, end = sentence.span()
        for opening in openings[bisect_right(openings, start) : bisect_right(openings, end - 1)]:
            yield start, opening
            start = opening
        yield start, end


def _mention(
    text: str,
    match: re.Match[str],
    sentence: tuple[int, int],
    covered: Sequence[tuple[int, int]],
    year: int | None,
    known: frozenset[str],
    modern: str,
) -> Mention | None:
    if _inside(match.span(), covered):
        return None
    clause_start = clause_start_before(text, sentence[0], match.start())
    if not_for_the_year(text, match.start(), match.start("n") + len(match.group("n")), year):
        return None
    words = text[clause_start : match.start()]
    scope = _scope(text, sentence[0], clause_start, match.start())
    if (
        is_category_breakdown(words)
        or is_part_of_a_whole(scope)
        or is_outside_disclosure(scope)
        or is_in_a_table_run(text, clause_start, match.start(), match.end())
    ):
        return None
    unit, number = match.group("unit"), float(match.group("n"))
    money = unit.endswith("元")
    value: int | float = number / 10000 if unit == "元" else number
    if not money and number.is_integer():
        value = int(number)
    choices = tuple(c for c in candidates(words, text[sentence[0] : match.start()], unit, modern) if c not in known)
    if not choices:
        return None
    return Mention(match.start(), match.end(), value, money, choices, clause_start, sentence, text)


_CATEGORY = re.compile(r"(?<![各此该这一])类(?:政府)?(?:信息|文件)?\s*$")
_PART = re.compile(
    r"(?:[省市区县州旗]直|下属|所属|直属)(?:各|有关)?(?:部门|单位|机关)?|各(?:乡镇|街道|镇|乡|县区|区县|县市区|县市)"
    r"|其中[^,;。]{0,12}(?:部门|单位|乡镇|街道|局|委|办)"
)
_OUTSIDE = re.compile(r"审批|政务服务|办件|办事|招标|投标|中标|采购|招聘|招考|招录|信访|12345|热线")
_CELL_BEFORE = re.compile(r"(?:\d|数[ \t|]*[条件个次项人名份宗起篇期场])[ \t|]*$")
_CELL_AFTER = re.compile(r"[ \t|]*\d")


def _scope(text: str, sentence_start: int, clause_start: int, position: int) -> str:
    """The words a figure's meaning hangs on: its clause up to the number, and the clause before when this one
    is a part of it (其中…, 包括…, 含…)."""
    words = text[clause_start:position]
    if re.match(r"\s*(?:其中|包括|含)", words) and clause_start > sentence_start:
        return text[clause_start_before(text, sentence_start, clause_start - 1) : position]
    return words


def is_category_breakdown(words: str) -> bool:
    """One category of a breakdown by kind of information, not a catalogue quantity (…类信息N条).

    >>> [is_category_breakdown(words) for words in ("其中政策文件类信息", "政策、规范性文件类", "公开各类政府信息")]
    [True, True, False]
    """
    return bool(_CATEGORY.search(words))


def is_part_of_a_whole(scope: str) -> bool:
    """Counted for a body narrower than the report's (市直各部门, 各乡镇, 其中…部门): a part, not the whole.

    >>> [is_part_of_a_whole(scope) for scope in ("市直各部门主动公开政府信息", "其中市教育局主动公开", "全市主动公开政府信息")]
    [True, True, False]
    """
    return bool(_PART.search(scope))


def is_outside_disclosure(scope: str) -> bool:
    """A count of something other than information disclosure: administrative approvals and services, tenders,
    purchases, recruitment, petitions (全年共受理审批申请98765件, 在门户网站公示招标信息75条).

    >>> [is_outside_disclosure(scope) for scope in ("全年共受理审批申请", "在门户网站公示招标信息", "受理政府信息公开申请")]
    [True, True, False]
    """
    return bool(_OUTSIDE.search(scope))


def is_in_a_table_run(text: str, clause_start: int, start: int, end: int) -> bool:
    """A figure inside a run of table cells flattened into text: glued to a unit or another number before it, or
    followed by another number (不予公开答复数条1234: this year's and the cumulative cell run together). Such
    cells belong to the table readers; what is not clearly one quantity is not offered.

    >>> text = "不予公开答复数条1234条。本年受理申请 0 0 5件。全年受理申请12件,办结10件。"
    >>> [is_in_a_table_run(text, text.index(a), text.index(n, text.index(a)), text.index(n, text.index(a)) + len(n) + 1)
    ...  for a, n in (("不予", "1234"), ("本年", "5"), ("全年", "12"))]
    [True, True, False]
    """
    return bool(_CELL_BEFORE.search(text, clause_start, start)) or bool(_CELL_AFTER.match(text, end))


def render_marked(text: str, mentions: Sequence[Mention]) -> str:
    """The sentences holding `mentions`, numbered, each mention followed by its mark ⟦n:choice/…/无⟧."""
    lines: list[str] = []
    sentences = list(dict.fromkeys(m.sentence for m in mentions))
    number = 0
    for index, (start, end) in enumerate(sentences, 1):
        pieces, cursor = [], start
        for mention in (m for m in mentions if m.sentence == (start, end)):
            number += 1
            pieces += [text[cursor : mention.end], f"⟦{number}:{'/'.join((*mention.choices, NOT_A_FIGURE))}⟧"]
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
    labelled: list[tuple[Point, str, bool]] = []
    for section, start, end in _narrative_sections(text):
        kind = _first_kind(section)
        points = split_points(text, start, end)
        listed: set[Point] = set()
        if kind != "highlight":
            sentences = [
                sentence
                for point in points
                for turn in _cut_at_turns(text, point)
                for sentence in _sentences_unless_enumerated(text, turn, section)
            ]
            points = [piece for sentence in sentences for piece in _listed_shortcomings(text, sentence)]
            listed = set(points) - set(sentences)
        for point in points:
            if kind != "highlight":
                kind = _kind_from(point.text, kind)
            heading = _is_heading(point.text) and point not in listed and not _after_semicolon(text, point.start)
            if not (heading or not _is_prose(point.text) or _is_lead_in(point.text)):
                labelled.append((point, kind, kind == "highlight" or not is_enumerated(point.text)))
            if kind != "highlight" and not heading and _ANNOUNCES_IMPROVEMENTS.search(_last_sentence(point.text)):
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


def _narrative_sections(text: str) -> list[tuple[str, int, int]]:
    """(title, start, end) of the parts of the report that may hold narrative: its sections, each cut again at
    sub-headings naming problems or improvements (`_CUE_SUBHEADING`); the parts of sections with no narrative
    (applications, appeals, fees) are left out unless such a sub-heading opens them.

    >>> text = "一、概述\\n做了工作。\\n二、复议诉讼情况\\n无。\\n(一)上年问题的改进情况\\n一是完善了制度。"
    >>> [(title, text[a:b]) for title, a, b in _narrative_sections(text)]  # doctest: +NORMALIZE_WHITESPACE
    [('一、概述', '一、概述\\n做了工作。\\n'), ('(一)上年问题的改进情况', '(一)上年问题的改进情况\\n一是完善了制度。')]
    """
    chunks = chunk_document(text)
    has_headings = any(c.section for c in chunks)
    sections: list[tuple[str, int, int]] = []
    title = ""
    for index, chunk in enumerate(chunks):
        if index == 0 or chunks[index - 1].section != chunk.section:
            title = chunk.section  # a long section comes in several chunks: a sub-heading's title carries on
        subheadings = [m for m in _CUE_SUBHEADING.finditer(text, chunk.start, chunk.end) if m.start() > chunk.start]
        bounds = [chunk.start, *(m.start() for m in subheadings), chunk.end]
        titles = [title, *(m.group(0).strip() for m in subheadings)]
        title = titles[-1]
        for piece_title, a, b in zip(titles, bounds, bounds[1:]):
            if not _SKIP_SECTION.search(piece_title) and (piece_title or not has_headings) and text[a:b].strip():
                sections.append((piece_title, a, b))
            elif (concession := _headless_problems(text, piece_title, a, b)) is not None:
                sections.append((HEADLESS_PROBLEMS, concession, b))
    return sections


def _headless_problems(text: str, title: str, start: int, end: int) -> int | None:
    """Where the problems start inside a section with no narrative (a table's section), when a sentence there
    concedes shortcomings: scraping lost the problems heading and its text ran on into the table's section.

    >>> text = "四、政府信息公开行政复议、行政诉讼情况2020年,工作虽然取得了一些成绩,但仍存在不足。主要是:意识还需增强。"
    >>> text[_headless_problems(text, "四、政府信息公开行政复议、行政诉讼情况", 0, len(text)):]
    '2020年,工作虽然取得了一些成绩,但仍存在不足。主要是:意识还需增强。'
    >>> _headless_problems("四、行政复议情况\\n本年度未发生行政复议。", "四、行政复议情况", 0, 19) is None
    True
    """
    body = start + len(title) if title and text.startswith(title, start) else start
    concession = _CONCEDES.search(text, body, end)
    if concession is None:
        return None
    return max((m.end() for m in re.finditer(r"[。;!?\n]", text[body : concession.start()])), default=0) + body


def _cut_at_turns(text: str, point: Point) -> list[Point]:
    """A point cut where a sentence or line turns to improvements (`_TURN`): "二是…。下一步,我们将…"."""
    cuts = (
        [point.start]
        + [
            point.start + m.start()
            for m in re.finditer(r"(?<=[。;!?\n])", point.text)
            if m.start() < len(point.text) and _TURN.match(point.text, m.start())
        ]
        + [point.end]
    )
    return [Point(a, b, text[a:b]) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def _listed_shortcomings(text: str, point: Point) -> list[Point]:
    """A sentence listing shortcomings ("如规范性有待提高、深度和广度有待提升、队伍建设有待加强等。", with 、 , or ;):
    one point per shortcoming, when every part names one.

    >>> text = "如规范性有待提高、内容不够丰富,队伍建设有待加强等。"
    >>> [p.text for p in _listed_shortcomings(text, Point(0, len(text), text))]
    ['如规范性有待提高、', '内容不够丰富,', '队伍建设有待加强等。']

    What leads up to them, when it only concedes that there are shortcomings, is no shortcoming:

    >>> text = "工作取得了一些进展,但也存在一些问题和不足,公开的范围还有待提高,公开程序也有待加强。"
    >>> [p.text for p in _listed_shortcomings(text, Point(0, len(text), text))]
    ['公开的范围还有待提高,', '公开程序也有待加强。']

    A concession followed by examples of it (如…等) stays one point:

    >>> text = "仍存在一些问题与不足,如公开内容不够广泛、解读形式过于单一等。"
    >>> [p.text for p in _listed_shortcomings(text, Point(0, len(text), text))]
    ['仍存在一些问题与不足,如公开内容不够广泛、解读形式过于单一等。']
    """
    separators = list(re.finditer("[、,;]", point.text.rstrip("。;")))
    if is_enumerated(point.text) or len(separators) < 2:
        return [point]
    cuts = [point.start] + [point.start + m.end() for m in separators] + [point.end]
    pieces = [Point(a, b, text[a:b]) for a, b in zip(cuts, cuts[1:])]
    named = [bool(_SHORTCOMING.search(p.text)) and not _only_concedes(p.text) for p in pieces]
    first = len(pieces)
    while first > 0 and named[first - 1]:
        first -= 1
    if first == 0:
        return pieces
    if len(pieces) - first >= 2 and _only_concedes(text[point.start : pieces[first - 1].end]) and not pieces[first].text.startswith("如"):
        return pieces[first:]  # what leads up to them only concedes that there are shortcomings
    return [point]  # a concession and its examples (存在一些不足,如A、B等) is one point


def _sentences_unless_enumerated(text: str, point: Point, section: str) -> list[Point]:
    """In a problems section, a paragraph that enumerates nothing is read sentence by sentence, and clause by
    clause at ; and : (a run-on section title at its start is cut off), so problems and plans in one paragraph
    come apart."""
    if is_enumerated(point.text) and not point.text.startswith(section):
        return [point]
    start = point.start + (len(section) if section and point.text.startswith(section) else 0)
    cuts = [start] + [start + m.end() for m in re.finditer(r"[。:;](?=.)", text[start : point.end])] + [point.end]
    return [Point(a, b, text[a:b]) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def _first_kind(section: str) -> str:
    """The kind a section's title announces: problems first when it names both (存在的问题及改进情况).

    >>> _first_kind("五、存在的主要问题及改进情况"), _first_kind("(一)2024年存在问题的改进情况"), _first_kind("一、概述")
    ('problem', 'improvement', 'highlight')
    """
    if _IMPROVEMENT_CUE.search(section) and (not _PROBLEM_CUE.search(section) or _IMPROVES_PROBLEMS.search(section)):
        return "improvement"
    return "problem" if _PROBLEM_CUE.search(section) else "highlight"


def _kind_from(point: str, kind: str) -> str:
    """The kind of the points from this one on: a turn (`_TURN`), a heading or a lead-in naming improvements (or
    problems) that opens this point switches it."""
    lead = point.split("\n")[0][:60]
    if _TURN.match(point):
        return "improvement"
    if _is_heading(lead) and (_PROBLEM_CUE.search(lead) or _IMPROVEMENT_CUE.search(lead)):
        return _first_kind(lead)
    announces = _is_lead_in(point)
    if announces and _only_concedes(point.strip()):  # …但仍然还有不足和需要改进的问题。: the problems follow
        return "problem"
    if _IMPROVEMENT_CUE.search(lead) and (announces or lead.startswith(("下一步", "今后"))):
        return "improvement"
    if _PROBLEM_CUE.search(lead) and announces:
        return "problem"
    return kind


def _is_heading(text: str) -> bool:
    """A title line: short, no comma, no sentence end but perhaps a final 。 (二)具体解决办法和改进措施。; never an
    item that opens with 一是, 二是 … (一是政策解读多样性需进一步加强。)"""
    return len(text) <= 40 and not re.search(r"[,;]|。.", text.strip()) and not re.match(r"\s*[一二三四五六七八九十]{1,2}是", text)


def _after_semicolon(text: str, start: int) -> bool:
    """Whether the point at `start` follows a ; : the next item of a list (…;门户网站主动公开的内容有待进一步丰富。),
    never a title, however short."""
    return text[:start].rstrip().endswith(";")


_PLEDGE = re.compile(r"(?:将|要|拟)[^。;]{0,20}?采取[^。;]{0,6}?措施[^。;]{0,6}?(?:加以|予以|进行)?(?:改进|整改|解决)[^。;,]{0,6}。$")
"""A sentence that pledges measures and names none (针对这些问题,我们将在今后的工作中采取措施加以改进提高。)."""


def _is_lead_in(text: str) -> bool:
    """A paragraph that only announces a list: "…采取以下改进措施:" / "主要存在以下问题:", a short sentence
    announcing what follows ("2020年,我县将从以下几方面加强改进。"), or one that ends conceding shortcomings
    without naming one ("…取得了一定的成绩,但仍存在一些问题和不足。").

    >>> _is_lead_in("2019年,我厅工作取得了一定的成绩,但仍有需要改进提升之处。"), _is_lead_in("但仍存在解读形式不够丰富等问题。")
    (True, False)
    >>> _is_lead_in("针对这些问题,我们将在今后的工作中采取措施加以改进提高。"), _is_lead_in("我们将采取措施改进网站,增设解读专栏。")
    (True, False)
    """
    stripped = text.strip()
    return (
        (len(stripped) <= 200 and stripped.endswith(":"))
        or (len(stripped) <= 60 and bool(re.search(r"(?:将|要|拟).{0,20}(?:以下|如下)", stripped)))
        or (len(stripped) <= 200 and not is_enumerated(stripped) and _only_concedes(stripped))
        or (len(stripped) <= 60 and bool(_PLEDGE.search(stripped)))
    )


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
