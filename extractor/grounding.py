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

A narrative item's quote is the report's own point, cut from the text by code, so it is verbatim by
construction.
"""

from __future__ import annotations

import re

from extractor.records import FieldValue
from extractor.textnorm import locate, number_in_quote
from extractor.textrules import OPENING_YEAR, governed_by_another_period, is_approximate, mentions_another_year

_SENTENCE_END = re.compile(r"[。;!?\n]")
_CLAUSE_BREAK = re.compile(r"[,;:、。\n]")


def ground_figure(
    path: str, value: float, quote: str, text: str, window: tuple[int, int], year: int | None, money: bool = False
) -> FieldValue | str:
    """A `FieldValue` with `method="llm"` when `quote` bears out `value` inside `text[window]`, else a warning.
    Money `value`s are in 万元; the quote may print them in 元."""
    found = locate(quote, text[window[0] : window[1]])
    if found is None:
        return f'{path}: the model said {_printed(value)} but its quote "{quote}" is not in the text; left null'
    start, end = window[0] + found[0], window[0] + found[1]
    located = text[start:end]
    if not number_in_quote(value, located, money):
        return f'{path}: the model said {_printed(value)} but its quote "{located}" does not state it; left null'
    number_at = [m.span() for m in re.finditer(r"\d+(?:\.\d+)?", located)]
    first, last = (start + number_at[-1][0], start + number_at[-1][1]) if value and number_at else (start, end)
    reason = not_for_the_year(text, first, last, year)
    if reason:
        return f'{path}: "{located}" {reason}; left null'
    number: int | float = int(value) if float(value).is_integer() and not money else value
    return FieldValue(path, number, located, start, end, method="llm")


def clause_start_before(text: str, sentence_start: int, position: int) -> int:
    """Where the clause holding `position` starts: after the last , ; : 、 。 or line break since `sentence_start`.

    >>> text = "全市共受理申请14件,其中网络申请12件"
    >>> text[clause_start_before(text, 0, text.index("12")):]
    '其中网络申请12件'
    """
    return max((m.end() for m in _CLAUSE_BREAK.finditer(text, sentence_start, position)), default=sentence_start)


def not_for_the_year(text: str, start: int, end: int, year: int | None) -> str | None:
    """Why the number at `text[start:end]` is not a figure of the report year, or None when nothing says so:
    a period word governing its comma-part (累计, 以来, 截至…: `governed_by_another_period`, the prose parsers'
    rule), another year in its clause or at the sentence's opening, or an approximation (3000余条, 近百).

    >>> text = "截至2017年12月31日,通过政府网站公开政府信息34920条。《条例》实施以来,累计公开3万余条。"
    >>> not_for_the_year(text, 26, 31, 2017) is None
    True
    >>> not_for_the_year(text, 46, 47, 2017)
    'speaks of another period than the report year'
    """
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    sentence_end = next((m.start() for m in _SENTENCE_END.finditer(text, end)), len(text))
    clause_start = clause_start_before(text, sentence_start, start)
    if (
        governed_by_another_period(text[sentence_start:sentence_end], start - sentence_start, year)
        or mentions_another_year(text[clause_start:end], year)
        or _opens_with_another_year(text, sentence_start, year)
    ):
        return "speaks of another period than the report year"
    if is_approximate(text, start, end):
        return "gives an approximate figure"
    return None


def _opens_with_another_year(text: str, sentence_start: int, year: int | None) -> bool:
    """Whether the sentence opens on a year other than the report year, which then governs all its clauses.

    >>> text = "2016年,本厅共受理行政复议3起,行政诉讼5起。"
    >>> _opens_with_another_year(text, 0, 2017), _opens_with_another_year(text, 0, 2016)
    (True, False)
    """
    opening = OPENING_YEAR.match(text, sentence_start)
    return year is not None and opening is not None and int(opening.group(1)) != year


def _printed(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
