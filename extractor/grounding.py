"""Grounding: a model's answer becomes a value only when the report's own text bears it out.

A statistic from the model comes with a quote. `ground_figure` finds the quote in the chunk it was read from
(ignoring width and whitespace differences), checks that the quote contains the number (or, for a 0, words
that state a zero), that the clause does not speak of another period and that the number is not an
approximation. Anything else becomes a warning and the value stays null: null beats wrong.

    >>> text = "四、依申请公开情况\\n2016年,全市共受理政府信息公开申请14件,其中网络申请12件。"
    >>> found = ground_figure("stats_legacy.requests.channels.online", 12, "网络申请12件", text, (0, len(text)), 2016)
    >>> found.value, found.quote, text[found.start:found.end], found.method
    (12, '网络申请12件', '网络申请12件', 'llm')
    >>> ground_figure("stats_legacy.requests.channels.online", 13, "网络申请12件", text, (0, len(text)), 2016)
    'stats_legacy.requests.channels.online: the model said 13 but its quote "网络申请12件" does not state it; left null'

A narrative item names the points it covers; its quote is cut from the text by `narrative_item`, so it is
verbatim by construction.
"""

from __future__ import annotations

import re

from extractor.chunking import Point, quote_of
from extractor.parsers.prose import is_approximate, speaks_of_another_period
from extractor.records import FieldValue
from extractor.textnorm import locate, number_in_quote

_CLAUSE_END = re.compile(r"[。;!?\n]")


def ground_figure(path: str, value: float, quote: str, text: str, window: tuple[int, int],
                  year: int | None, money: bool = False) -> FieldValue | str:
    """A `FieldValue` with `method="llm"` when `quote` bears out `value` inside `text[window]`, else a warning."""
    found = locate(quote, text, window[0])
    if found is None or found[0] < window[0] or found[1] > window[1]:
        return f'{path}: the model said {_printed(value)} but its quote "{quote}" is not in the text; left null'
    start, end = found
    located = text[start:end]
    if money and "万元" not in located and "元" in located:
        value = value / 10000  # the quote prints yuan; money values are in 万元
    if not number_in_quote(value, located, money):
        return f'{path}: the model said {_printed(value)} but its quote "{located}" does not state it; left null'
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    clause_end = next((m.start() for m in _CLAUSE_END.finditer(text, end)), len(text))
    clause = text[clause_start:clause_end]
    if speaks_of_another_period(clause, year):
        return f'{path}: "{located}" speaks of another period than the report year; left null'
    digits = re.search(re.escape(_printed(value)), located) if value else None
    if digits and is_approximate(text, start + digits.start(), start + digits.end()):
        return f'{path}: "{located}" gives an approximate figure; left null'
    number: int | float = int(value) if float(value).is_integer() and not money else value
    return FieldValue(path, number, located, start, end, method="llm")


def narrative_item(text: str, points: list[Point], ids: list[int], topic: str, summary: str) -> dict[str, object] | None:
    """The item covering the points numbered `ids` (1-based): quote, offsets, topic and summary; None when the
    ids name no point. Non-adjacent ids keep the first run of adjacent points.

    >>> text = "一是甲乙。二是丙丁。"
    >>> points = [Point(0, 5, "一是甲乙。"), Point(5, 10, "二是丙丁。")]
    >>> narrative_item(text, points, [2], "丙丁", "做了丙丁。")
    {'topic': '丙丁', 'summary': '做了丙丁。', 'quote': '二是丙丁。', 'start': 5, 'end': 10}
    >>> narrative_item(text, points, [7], "x", "y") is None
    True
    """
    valid = sorted({i for i in ids if 1 <= i <= len(points)})
    if not valid:
        return None
    run = [valid[0]]
    for number in valid[1:]:
        if number != run[-1] + 1:
            break
        run.append(number)
    first, last = points[run[0] - 1].start, points[run[-1] - 1].end
    start, end = quote_of(Point(first, last, text[first:last]))
    return {"topic": topic.strip()[:16], "summary": summary.strip(), "quote": text[start:end], "start": start, "end": end}


def _printed(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
