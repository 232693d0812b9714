"""The table formats, as a registry: one record per format, in the order they are tried.

A format says how to recognize it in a report's text (`detect`), how to read its tables (`parse`, with the
figures the prose states as evidence), its arithmetic over a filled report (`arithmetic`, the relations its
reader also reconstructs with), the comparable indicators it yields (`summary`), and which statistics block
its quantities fill (`block`: ``stats_2019`` for the 2019/2021 tables, ``stats_legacy`` for the older forms).
Prose rules, the model's figure keys and the checks ask the registry, never a template name. A new national
format, or a province's variant of one, is one more `TableFormat` in `FORMATS`:

    >>> [(f.name, f.template, f.block) for f in FORMATS]  # doctest: +NORMALIZE_WHITESPACE
    [('gov2021', 'gov2021', 'stats_2019'), ('gov2019', 'gov2019', 'stats_2019'),
     ('fujian', 'legacy', 'stats_legacy'), ('legacy', 'legacy', 'stats_legacy')]
    >>> detect_template("信息内容 本年制发件数 本年废止件数 现行有效件数", None)
    'gov2021'
    >>> block_of("gov2019"), block_of("unknown")
    ('stats_2019', 'stats_legacy')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from extractor.parsers.table_2019 import (
    arithmetic_2019,
    parse_2019_tables,
    proactive_evidence,
    summary_2019,
    version_of,
)
from extractor.parsers.table_legacy import (
    FUJIAN_ROW,
    LEGACY_WHOLES,
    arithmetic_legacy,
    parse_fujian_form,
    parse_legacy_table,
    summary_legacy,
)
from extractor.records import Number, ParseResult

Evidence = Mapping[str, Number]


@dataclass(frozen=True)
class TableFormat:
    """One table format: its name, the `meta.template` it reports as, and what the pipeline does with it."""

    name: str
    template: str
    block: str
    detect: Callable[[str, int | None], bool]
    parse: Callable[[str, Evidence, int | None], ParseResult]
    arithmetic: Callable[[dict[str, Any]], list[str]]
    summary: Callable[[dict[str, Any]], dict[str, int | None]]
    wholes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Each whole of the format and its parts, which never add up to more (the checks hold the model to it)."""


_MODERN_WORDS = re.compile(r"本年新收政府信息公开申请数量|收到和处理政府信息公开申请情况")
_LEGACY_WORDS = re.compile(r"主动公开政府信息数|收到申请数|受理政府信息公开申请总数|主动公开文件数")


def _is_2021(text: str, year: int | None) -> bool:
    version = version_of(text)
    return version == "gov2021" or (version is None and bool(_MODERN_WORDS.search(text)) and (year or 0) >= 2021)


def _is_2019(text: str, year: int | None) -> bool:
    version = version_of(text)
    return version == "gov2019" or (version is None and bool(_MODERN_WORDS.search(text)) and (year or 0) < 2021)


FORMATS: tuple[TableFormat, ...] = (
    TableFormat(
        "gov2021",
        "gov2021",
        "stats_2019",
        _is_2021,
        lambda text, evidence, year: parse_2019_tables(text, "gov2021", {**proactive_evidence(text, year), **evidence}, year),
        arithmetic_2019,
        summary_2019,
    ),
    TableFormat(
        "gov2019",
        "gov2019",
        "stats_2019",
        _is_2019,
        lambda text, evidence, year: parse_2019_tables(text, "gov2019", evidence, year),
        arithmetic_2019,
        summary_2019,
    ),
    TableFormat(
        "fujian",
        "legacy",
        "stats_legacy",
        lambda text, year: bool(FUJIAN_ROW.search(text)) and "累计" in text,
        lambda text, evidence, year: parse_fujian_form(text, evidence),
        arithmetic_legacy,
        summary_legacy,
        LEGACY_WHOLES,
    ),
    TableFormat(
        "legacy",
        "legacy",
        "stats_legacy",
        lambda text, year: bool(_LEGACY_WORDS.search(text)),
        lambda text, evidence, year: parse_legacy_table(text),
        arithmetic_legacy,
        summary_legacy,
        LEGACY_WHOLES,
    ),
)
_FALLBACK = FORMATS[-1]


def detect_template(text: str, year: int | None) -> str | None:
    """The template of the first format recognized in `text`, None when none is."""
    return next((f.template for f in FORMATS if f.detect(text, year)), None)


def formats_of(template: str) -> tuple[TableFormat, ...]:
    """The formats reporting as `template`, in order (the legacy ones for a template no format claims)."""
    return tuple(f for f in FORMATS if f.template == template) or (_FALLBACK,)


def block_of(template: str) -> str:
    """The statistics block a report of `template` fills with its table quantities."""
    return formats_of(template)[0].block


def parse_tables(text: str, template: str, evidence: Evidence, year: int | None) -> ParseResult:
    """The tables of the first of the template's formats that reads any value (its warnings when none does)."""
    result = ParseResult()
    for table_format in formats_of(template):
        result = table_format.parse(text, evidence, year)
        if result.values:
            return result
    return result


def arithmetic_warnings(data: dict[str, Any]) -> list[str]:
    """Every failed relation of every format's tables in a filled report (formats sharing checks run them once)."""
    checks = list(dict.fromkeys(f.arithmetic for f in FORMATS))
    return [warning for check in checks for warning in check(data)]


def wholes_of(template: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The wholes and parts of the template's formats.

    >>> [parts for whole, parts in wholes_of("legacy") if whole == "stats_legacy.proactive.total"]
    [('stats_legacy.proactive.normative_docs',)]
    """
    return tuple(dict.fromkeys(pair for f in formats_of(template) for pair in f.wholes))


def summary_of(data: dict[str, Any], template: str) -> dict[str, int | None]:
    """The comparable indicators the report's format defines."""
    return formats_of(template)[0].summary(data)
