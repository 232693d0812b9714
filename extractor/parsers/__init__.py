"""Deterministic parsers: what a parser can read exactly, with no model.

`parse_document` runs them all on one normalized text: metadata first (the template decides which table
parser applies and where prose figures go), then the tables, then prose. Table values win over prose; a prose
figure that disagrees with a table value is dropped with a warning.
"""

from __future__ import annotations

from typing import Any

from extractor.merge import prefer
from extractor.parsers.meta import parse_meta
from extractor.parsers.prose import parse_prose
from extractor.parsers.table_2019 import parse_2019_tables
from extractor.parsers.table_legacy import parse_fujian_form, parse_legacy_table
from extractor.records import FieldValue, ParseResult

__all__ = ["FieldValue", "ParseResult", "parse_document"]


def parse_document(text: str) -> tuple[dict[str, Any], ParseResult]:
    """Metadata and every statistic the parsers can read from `text`."""
    meta = parse_meta(text)
    template = meta["template"]
    prose = parse_prose(text, template, meta["year"])
    stated = {v.path: v.value for v in prose.values}
    if template in ("gov2019", "gov2021"):
        tables = parse_2019_tables(text, template, stated, meta["year"])
    else:
        tables = parse_fujian_form(text, stated)
        if not tables.values:
            tables = parse_legacy_table(text)
    return meta, prefer(tables, prose, "table", "prose")
