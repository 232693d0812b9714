"""Deterministic parsers: what a parser can read exactly, with no model.

`parse_document` runs them all on one normalized text: metadata first (the template decides which table
formats of the registry, `extractor.parsers.formats`, apply and where prose figures go), then prose, then the
tables, which take the prose figures as evidence when choosing among a table's readings. Table values win over
prose; a prose figure that disagrees with a table value is dropped with a warning.
"""

from __future__ import annotations

from typing import Any

from extractor.merge import prefer
from extractor.parsers.formats import block_of, parse_tables
from extractor.parsers.meta import parse_meta
from extractor.parsers.prose import parse_prose
from extractor.records import FieldValue, ParseResult

__all__ = ["FieldValue", "ParseResult", "parse_document"]


def parse_document(text: str) -> tuple[dict[str, Any], ParseResult]:
    """Metadata and every statistic the parsers can read from `text`."""
    meta = parse_meta(text)
    template = meta["template"]
    prose = parse_prose(text, block_of(template), meta["year"])
    tables = parse_tables(text, template, {v.path: v.value for v in prose.values}, meta["year"])
    return meta, prefer(tables, prose, "table", "prose")
