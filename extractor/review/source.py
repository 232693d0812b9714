"""The source text beside a report's values: every quote found in the normalized text and marked there.

Evidence offsets index the normalized text (OUT/text/<name>.txt), so `text[start:end] == quote`; where a text
no longer matches (an older output), the quote is looked up by content. Overlapping quotes (a table row's
quote backs its seven cells) split the text into segments, each marked with every key it supports:

    >>> text = "收到申请25件，予以公开20件。"
    >>> spans, missing = quote_spans({"evidence": {
    ...     "a": {"quote": "收到申请25件", "start": 0, "end": 7},
    ...     "b": {"quote": "25件，予以公开20件", "start": 4, "end": 15},
    ...     "c": {"quote": "不存在", "start": 0, "end": 3}}}, text)
    >>> spans, missing
    ([Span(key='a', start=0, end=7), Span(key='b', start=4, end=15)], ['c'])
    >>> print(marked_text(text, spans).replace("</mark>", "</mark>\\n"))
    <span class="anchor" id="q-a"></span><mark data-keys="a">收到申请</mark>
    <span class="anchor" id="q-b"></span><mark data-keys="a b">25件</mark>
    <mark data-keys="b">，予以公开20件</mark>
    。
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import Any

from extractor.textnorm import locate

NARRATIVE_SECTIONS = ("highlights", "problems", "improvements")


@dataclass(frozen=True)
class Span:
    key: str
    start: int
    end: int


def quote_spans(data: dict[str, Any], text: str) -> tuple[list[Span], list[str]]:
    """Where each evidence quote and narrative quote stands in `text` (keys `highlights.0`, ...), and the keys
    whose quote is not in it."""
    spans, missing = [], []
    quoted = [(key, evidence) for key, evidence in data.get("evidence", {}).items()]
    for section in NARRATIVE_SECTIONS:
        quoted.extend((f"{section}.{index}", item) for index, item in enumerate(data.get(section) or []))
    for key, item in quoted:
        quote, start, end = item["quote"], item.get("start"), item.get("end")
        if not (start is not None and end is not None and text[start:end] == quote):
            found = locate(quote, text, start or 0)
            start, end = found if found else (None, None)
        if start is None or end is None or end <= start:
            missing.append(key)
        else:
            spans.append(Span(key, start, end))
    return spans, missing


def marked_text(text: str, spans: list[Span]) -> str:
    """`text` as HTML with every span in `<mark data-keys="...">` and an empty anchor `q-<key>` where it starts."""
    starts: dict[int, list[str]] = defaultdict(list)
    ends: dict[int, list[str]] = defaultdict(list)
    for span in spans:
        starts[span.start].append(span.key)
        ends[span.end].append(span.key)
    cuts = sorted({0, len(text), *starts, *ends})
    active: dict[str, None] = {}
    parts = []
    for here, after in zip(cuts, cuts[1:]):
        for key in ends.get(here, ()):
            active.pop(key, None)
        for key in starts.get(here, ()):
            active[key] = None
            parts.append(f'<span class="anchor" id="q-{key}"></span>')
        segment = escape(text[here:after], quote=False)
        parts.append(f'<mark data-keys="{" ".join(active)}">{segment}</mark>' if active else segment)
    return "".join(parts)


def quotes_only(data: dict[str, Any]) -> str:
    """The quotes alone, one paragraph per distinct quote, for an output folder without its texts.

    >>> print(quotes_only({"evidence": {"a": {"quote": "25件"}, "b": {"quote": "25件"}}}))
    <p><span class="anchor" id="q-a"></span><span class="anchor" id="q-b"></span><mark data-keys="a b">25件</mark></p>
    """
    keys_by_quote: dict[str, list[str]] = defaultdict(list)
    for key, evidence in data.get("evidence", {}).items():
        keys_by_quote[evidence["quote"]].append(key)
    for section in NARRATIVE_SECTIONS:
        for index, item in enumerate(data.get(section) or []):
            keys_by_quote[item["quote"]].append(f"{section}.{index}")
    return "\n".join(
        "<p>"
        + "".join(f'<span class="anchor" id="q-{key}"></span>' for key in keys)
        + f'<mark data-keys="{" ".join(keys)}">{escape(quote, quote=False)}</mark></p>'
        for quote, keys in keys_by_quote.items()
    )
