"""Deterministic parsers: what a parser can read exactly, with no model.

`parse_document` runs them all on one normalized text: metadata first (the template decides which table
parser applies and where prose figures go), then the tables, then prose. Table values win over prose; a prose
figure that disagrees with a table value is dropped with a warning.
"""

from __future__ import annotations

from typing import Any

from extractor.parsers.meta import parse_meta
from extractor.parsers.prose import parse_prose
from extractor.parsers.records import FieldValue, ParseResult
from extractor.parsers.table_2019 import parse_2019_tables
from extractor.parsers.table_legacy import parse_fujian_form, parse_legacy_table

__all__ = ["FieldValue", "ParseResult", "parse_document"]


def parse_document(text: str) -> tuple[dict[str, Any], ParseResult]:
    """Metadata and every statistic the parsers can read from `text`."""
    meta = parse_meta(text)
    template = meta["template"]
    if template in ("gov2019", "gov2021"):
        tables = parse_2019_tables(text, template)
    else:
        tables = parse_fujian_form(text)
        if not tables.values:
            tables = parse_legacy_table(text)
    prose = parse_prose(text, template, meta["year"])
    return meta, _prefer_tables(tables, prose)


# a table cell that counts the same quantity split another way: the prose figure stays out of the other split
_SAME_QUANTITY = {
    "stats_legacy.requests.channels.letter": "stats_legacy.requests.channels.letter_or_fax",
    "stats_legacy.requests.channels.fax": "stats_legacy.requests.channels.letter_or_fax",
}


def _prefer_tables(tables: ParseResult, prose: ParseResult) -> ParseResult:
    table_values = {v.path: v for v in tables.values}
    kept: list[FieldValue] = list(tables.values)
    warnings = list(tables.warnings + prose.warnings)
    for value in prose.values:
        printed = table_values.get(value.path)
        if value.path in _SAME_QUANTITY and _SAME_QUANTITY[value.path] in table_values:
            continue
        if printed is None:
            kept.append(value)
        elif printed.value != value.value:
            warnings.append(f"{value.path}: the prose says {value.value} ('{value.quote}') but the table says "
                            f"{printed.value}; the table's value is kept")
    return ParseResult(tuple(kept), tuple(warnings))
