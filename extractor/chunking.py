"""Chunking: split a report along its own section headings (一、… 六、, then （一）…).

Headings are found even when scraping ran the whole report into one line: a numbered heading counts when it
starts a line or follows the end of a sentence, and only the numbers that continue the sequence 一, 二, 三 …
are kept, so a list item such as "三、依申请公开" quoted inside a sentence does not open a section.

    >>> text = "前言。一、总体情况 我们做了工作。二、主动公开政府信息情况 见下表。三、收到和处理申请 无。"
    >>> [(c.section, text[c.start:c.end]) for c in chunk_document(text)]  # doctest: +NORMALIZE_WHITESPACE
    [('', '前言。'), ('一、总体情况', '一、总体情况 我们做了工作。'),
     ('二、主动公开政府信息情况', '二、主动公开政府信息情况 见下表。'), ('三、收到和处理申请', '三、收到和处理申请 无。')]

A section longer than `max_chars` is split further on its sub-headings (（一）…), then on sentence ends, so
every chunk fits a small model's context:

    >>> long = "一、概述 " + "第一句话。" * 5
    >>> [len(c.text) for c in chunk_document(long, max_chars=12)]
    [10, 10, 10]

A heading of the national outline is found mid-line too, where a flattened table ran into it:

    >>> [c.section for c in chunk_document("一、概述 我们做了工作。二、复议诉讼 0 0 0 三、存在的主要问题及改进情况2020年,……")]
    ['一、概述', '二、复议诉讼', '三、存在的主要问题及改进情况']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMERALS = "一二三四五六七八九十"
OUTLINE_TITLE = (
    r"(?:概述|总体情况|主动公开|依申请公开|收到和处理|政府信息公开(?:的|工作)?(?:收费|行政复议|存在)|"
    r"因政府信息公开|(?:存在的|工作中存在的)(?:主要)?问题|其他需要报告)"
)
"""The start of a section title of the national outlines (2008, 2019, 2021 formats)."""
_HEADING = re.compile(
    rf"(?:^|(?<=[\n。;!?:])|(?<=情况)|(?<![{_NUMERALS}])(?=[{_NUMERALS}]{{1,2}}、{OUTLINE_TITLE}))"
    rf"[ \t]*(?:#{{1,6}}[ \t]*)?([{_NUMERALS}]{{1,2}})、"
)
"""A numbered section heading: at a line start or after a sentence, run on after a title ending in 情况
(scraping often joins "二、主动公开政府信息情况三、收到和处理…"), or anywhere when its title is one of the
national outline's (`OUTLINE_TITLE`: "…0 0 0 五、存在的主要问题及改进情况", a table's last cells run on)."""
_SUBHEADING = re.compile(rf"(?:^|(?<=[\n。;!?:]))\s*\(([{_NUMERALS}]{{1,2}})\)")
_SENTENCE_END = re.compile(r"(?<=[。!?;])")
MAX_CHUNK_CHARS = 1500


_PART_OPENING = re.compile(rf"\(([{_NUMERALS}]{{1,2}})\)")


def part_openings(text: str) -> list[int]:
    """Where the report's numbered headings and parts start, in order: its section headings (`section_starts`)
    and every (一), (二)… opening a part, also where scraping ran it on after a title with no punctuation.
    A sentence of figures never runs across one of these.

    >>> text = "一、概述(略)。二、主动公开政府信息情况(一)通过省级平台公开信息2016年度在平台公开信息1700条。"
    >>> [text[i:i + 3] for i in part_openings(text)]
    ['一、概', '二、主', '(一)']
    """
    return sorted(set(section_starts(text)) | {match.start() for match in _PART_OPENING.finditer(text)})


@dataclass(frozen=True)
class Chunk:
    """A slice of the normalized text: `text == document_text[start:end]`."""

    section: str
    start: int
    end: int
    text: str


def chinese_numeral(numeral: str) -> int:
    """Value of a heading numeral from 一 to 九十九.

    >>> chinese_numeral("三"), chinese_numeral("十"), chinese_numeral("十二"), chinese_numeral("二十")
    (3, 10, 12, 20)
    """
    digits = {c: i + 1 for i, c in enumerate(_NUMERALS[:9])}
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + digits[numeral[1]]
    if numeral.endswith("十"):
        return digits[numeral[0]] * 10
    if "十" in numeral:
        return digits[numeral[0]] * 10 + digits[numeral[2]]
    return digits[numeral]


def section_starts(text: str, pattern: re.Pattern[str] = _HEADING) -> list[int]:
    """Offsets of the headings that continue the sequence 一, 二, 三 … A restart at 一 opens a nested sequence
    (a table's own numbered rows); a numeral that continues an outer sequence closes the nested ones.

    >>> text = "一、总体\\n二、主动公开\\n三、申请情况\\n一、本年新收\\n二、上年结转\\n四、复议诉讼\\n五、存在的问题"
    >>> [text[i:i + 2] for i in section_starts(text)]
    ['一、', '二、', '三、', '一、', '二、', '四、', '五、']
    """
    starts: list[int] = []
    expected: list[int] = [1]
    for match in pattern.finditer(text):
        value = chinese_numeral(match.group(1))
        level = next((i for i in range(len(expected) - 1, -1, -1) if expected[i] == value), None)
        if level is not None:
            del expected[level + 1 :]
        elif value == 1 and starts:
            expected.append(1)
            level = len(expected) - 1
        else:
            continue
        expected[level] = value + 1
        starts.append(match.start(1) - (1 if pattern is _SUBHEADING else 0))
    return starts


def chunk_document(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Split `text` into section chunks with offsets (see the module docstring)."""
    starts = section_starts(text)
    bounds = ([0] if not starts or starts[0] > 0 else []) + starts + [len(text)]
    chunks: list[Chunk] = []
    for start, end in zip(bounds, bounds[1:]):
        if text[start:end].strip():
            chunks.extend(_split_long(text, start, end, _heading_of(text, start), max_chars))
    return chunks


def _heading_of(text: str, start: int) -> str:
    if not re.match(rf"[{_NUMERALS}]{{1,2}}、", text[start : start + 3]):
        return ""
    line_end = min(i for i in (text.find("\n", start), len(text)) if i >= 0)
    title = re.match(r"[^。\n]{0,40}?(?=[。;:]|\s|$|\(|\d)", text[start:line_end])
    return title.group(0).strip() if title else text[start:line_end][:20]


def _split_long(text: str, start: int, end: int, section: str, max_chars: int) -> list[Chunk]:
    if end - start <= max_chars:
        return [Chunk(section, start, end, text[start:end])]
    inner = [start + offset for offset in section_starts(text[start:end], _SUBHEADING) if offset > 0]
    pieces = [start, *inner, end] if inner else [start, end]
    cuts: list[int] = []
    for piece_start, piece_end in zip(pieces, pieces[1:]):
        cuts.extend(_sentence_cuts(text, piece_start, piece_end, max_chars))
    cuts.append(end)
    return [Chunk(section, a, b, text[a:b]) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def _sentence_cuts(text: str, start: int, end: int, max_chars: int) -> list[int]:
    """Start offsets of pieces of at most `max_chars`, cut after sentence ends where possible."""
    cuts = [start]
    ends = [start + m.start() for m in _SENTENCE_END.finditer(text[start:end])] + [end]
    last = start
    for boundary in ends:
        if boundary - cuts[-1] > max_chars and last > cuts[-1]:
            cuts.append(last)
        while boundary - cuts[-1] > max_chars:  # one sentence longer than the limit: hard cut
            cuts.append(cuts[-1] + max_chars)
        last = boundary
    return cuts


_POINT_MARKER = re.compile(
    rf"(?:^|(?<=[\n。;:!?]))[ \t]*"
    rf"(?:[{_NUMERALS}]{{1,2}}是|\d{{1,2}}[、.](?!\d)|\((?:\d{{1,2}}|[{_NUMERALS}]{{1,2}})\)|[{_NUMERALS}]{{1,2}}、)"
    rf"|(?<=,)(?:[{_NUMERALS}]{{1,2}}是)(?![否非])|(?<=问题|措施|不足|情况|计划|打算|方向)一是"
)
"""An item marker at a line start or after a sentence or clause end; 一是, 二是 … also after a comma
("存在以下问题,一是…"), and 一是 run on after a sub-heading's title ("(一)存在问题一是…")."""
_SENTENCE_PUNCT = "。;:!?"
MAX_QUOTE_CHARS = 400
_LEAD_IN_LINE = re.compile(r"\n[^\n]{1,200}:[ \t]*(?=\n|$)")
"""A later line of an item that only announces what follows ("下一步,我们将采取以下措施:"): a point of its own."""


@dataclass(frozen=True)
class Point:
    """One point a section makes, as offsets into the normalized text (`text == document_text[start:end]`)."""

    start: int
    end: int
    text: str


def split_points(text: str, start: int = 0, end: int | None = None) -> list[Point]:
    """The points of `text[start:end]`: one per enumerated item (一是, 1、, (一), (1)); text outside any item
    gives one point per paragraph, or per clause when a paragraph lists clauses with two or more semicolons.
    A section heading (七、存在的主要问题) is a point of its own.

    >>> [p.text for p in split_points("主要问题:一是意识不强;二是更新不及时。")]
    ['主要问题:', '一是意识不强;', '二是更新不及时。']
    >>> [p.text for p in split_points("七、存在的问题\\n主要是意识有待加强;发布不够及时;内容有待丰富等。\\n下一步将加强培训。")]
    ['七、存在的问题', '主要是意识有待加强;', '发布不够及时;', '内容有待丰富等。', '下一步将加强培训。']
    """
    end = len(text) if end is None else end
    markers = [m.end() - len(m.group(0).lstrip()) for m in _POINT_MARKER.finditer(text, start, end)]
    cuts = sorted({start, *markers, end})
    points: list[Point] = []
    for a, b in zip(cuts, cuts[1:]):
        if a in markers and not _HEADING.match(text, a):
            lead_ins = [a + m.start() + 1 for m in _LEAD_IN_LINE.finditer(text[a:b])]
            pieces = [a, *lead_ins, b]
            points.extend(p for x, y in zip(pieces, pieces[1:]) if (p := _point(text, x, y)))
            continue
        first_line_end = text.find("\n", a, b)
        if a in markers and 0 < first_line_end - a <= 40 and not re.search("[。,;]", text[a:first_line_end]):
            points.extend(p for p in [_point(text, a, first_line_end)] if p)
            a = first_line_end
        points.extend(_paragraph_points(text, a, b))
    return points


def is_enumerated(text: str) -> bool:
    """Whether `text` opens with an item marker (一是, 1、, (一), (1), 一、).

    >>> is_enumerated("二是更新不及时。"), is_enumerated("2024年,我们将继续。")
    (True, False)
    """
    return bool(_POINT_MARKER.match(text))


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the paragraphs of `text[start:end]`: its lines, with hard-wrapped lines joined. A line that ends
    without sentence punctuation runs on into the next unless it is a title (no comma in it) or the next line
    opens an item or a heading.

    >>> text = "一年来,我局按照市政府关于政务公开工作的各项部署,紧密\\n围绕中心工作,完善了制度。\\n(二)平台建设\\n改版了网站。"
    >>> [text[a:b] for a, b in paragraphs(text)]
    ['一年来,我局按照市政府关于政务公开工作的各项部署,紧密\\n围绕中心工作,完善了制度。', '(二)平台建设', '改版了网站。']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        a, b = start + line.start(), start + line.end()
        if not text[a:b].strip():
            continue
        if spans and _runs_on(text[spans[-1][0] : spans[-1][1]], text[a:b]):
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def _runs_on(paragraph: str, line: str) -> bool:
    last = paragraph.rsplit("\n", 1)[-1].rstrip()
    return bool(last) and last[-1] not in _SENTENCE_PUNCT and "," in last and not _POINT_MARKER.match(line) and not _HEADING.match(line)


def _paragraph_points(text: str, start: int, end: int) -> list[Point]:
    points: list[Point] = []
    for a, b in paragraphs(text, start, end):
        cuts = [a, b]
        if text.count(";", a, b) >= 2:
            cuts = sorted({a, b, *(a + m.end() for m in re.finditer(";", text[a:b]))})
        points.extend(p for x, y in zip(cuts, cuts[1:]) if (p := _point(text, x, y)))
    return points


def _point(text: str, start: int, end: int) -> Point | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Point(start, end, text[start:end]) if end > start else None


def quote_of(point: Point) -> tuple[int, int]:
    """The span quoted for a point: the whole point, or its first sentences up to `MAX_QUOTE_CHARS`.

    >>> quote_of(Point(10, 1010, "甲。" * 500))
    (10, 410)
    """
    if point.end - point.start <= MAX_QUOTE_CHARS:
        return point.start, point.end
    cut = max((m.end() for m in _SENTENCE_END.finditer(point.text, 0, MAX_QUOTE_CHARS)), default=MAX_QUOTE_CHARS)
    return point.start, point.start + cut
