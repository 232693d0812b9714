"""Text normalization: one normalized text per document, which every offset and quote points into.

Reports arrive with full-width digits and punctuation, ideographic spaces, justified PDF text with spaces
between characters, CR-only line breaks and leftover Word markup. `normalize_text` folds all of that into one
canonical form, so parsers match one spelling and quotes can be checked against one text:

    >>> normalize_text("全年主动公开政府信息　２６４５条。\\r\\r<!--[if !supportLists]-->（一）")
    '全年主动公开政府信息2645条。\\n\\n(一)'
    >>> normalize_text("号 ， 邮 编 ： 223100")
    '号,邮编:223100'

Lines that are only layout (markdown table rules, page numbers such as ``— 4 —``) are dropped.
Table cells stay apart: a space between two numbers is kept (``规章 0 0 0`` -> ``规章0 0 0``).
`fold_for_match` is the looser form used to verify that a quote occurs in a text: width-folded and with all
whitespace removed.
"""

from __future__ import annotations

import html
import re
import unicodedata

_MARKUP = re.compile(r"<!--\[if[^\]]*\]>|<!\[endif\]-->|<!--.*?-->|</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>", re.S)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’《》〈〉【】〔〕…—"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}0-9,.:;!?()%])|(?<=[{_CJK},.:;!?()%0-9])[ \t]+(?=[{_CJK}])")


_LAYOUT_ONLY = re.compile(r"^(?:\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?|[-—–－]\s*\d{1,3}\s*[-—–－])$")
"""Lines that are only layout: a markdown table rule (|---|---|) or a page number (- 3 -, —4—)."""


def normalize_text(raw: str) -> str:
    """Fold widths, strip stray markup and invisible characters, tidy whitespace (see module docstring)."""
    text = _MARKUP.sub("", raw)
    if "&" in text:
        text = html.unescape(text)
    text = text.translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t\f\v]+", " ", line).strip()
        if _LAYOUT_ONLY.match(line):
            continue
        lines.append(unicodedata.normalize("NFKC", _SPACE_BETWEEN_CJK.sub("", line)))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fold_for_match(text: str) -> str:
    """The form in which quotes are compared: NFKC width folding and no whitespace at all.

    >>> fold_for_match("（一）收到申请数\\n２５")
    '(一)收到申请数25'
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def locate(quote: str, text: str, start_hint: int = 0) -> tuple[int, int] | None:
    """Find `quote` in `text` ignoring whitespace and width differences; return its (start, end) in `text`.

    The search prefers the first occurrence at or after `start_hint`, then any occurrence.

    >>> locate("收到申请数 25", "三、依申请公开情况\\n(一)收到申请数25\\n")
    (13, 20)
    >>> locate("不存在", "abc") is None
    True
    """
    folded_quote = fold_for_match(quote)
    if not folded_quote:
        return None
    folded_chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char):
            if not piece.isspace():
                folded_chars.append(piece)
                positions.append(index)
    folded = "".join(folded_chars)
    hint = next((i for i, p in enumerate(positions) if p >= start_hint), len(positions))
    at = folded.find(folded_quote, hint)
    if at < 0:
        at = folded.find(folded_quote)
    if at < 0:
        return None
    return positions[at], positions[at + len(folded_quote) - 1] + 1


def number_in_quote(value: float, quote: str, money: bool, whole: bool = True) -> bool:
    """Whether `quote` prints the number `value` as a whole number (not part of a longer one); a money value
    (万元) may be printed in 元 when the quote says 元 and not 万元. With `whole=False` the number may be run
    together with its neighbours, as in a scraped table row whose cells lost their separators.

    >>> number_in_quote(0.394, "收取政府信息公开信息处理费3940元", money=True)
    True
    >>> number_in_quote(3940, "收取政府信息公开信息处理费3940元", money=True)  # 3940 万元 is not what it says
    False
    >>> number_in_quote(25, "(一)收到申请数 25", money=False), number_in_quote(1, "规章1 0 11", money=False)
    (True, True)
    >>> number_in_quote(12, "全年受理申请120件", money=False)  # 12 is only part of 120
    False
    >>> number_in_quote(12, "一、本年新收政府信息公开申请数量121010014", money=False, whole=False)
    True
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", quote))
    if value == 0 and re.search(r"未|没有|无|不|0|零", text):
        return True

    def stated(number: float) -> bool:
        form = str(int(number)) if float(number).is_integer() else str(number)
        if not whole:
            return form in re.sub(r"\s+", "", text)
        return bool(re.search(rf"(?<![\d.]){re.escape(form)}(?!\d|\.\d)", text))

    if money and "元" in text and "万元" not in text:
        return stated(round(value * 10000, 2))
    return stated(value)
