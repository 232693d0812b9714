"""Deterministic parsers: what a parser can read exactly, with no model.

`parse_document` runs them all on one normalized text: metadata first (the template decides which table
formats of the registry, `extractor.parsers.formats`, apply and where prose figures go), then prose, then the
tables, which take the prose figures as evidence when choosing among a table's readings. It returns the
tables' and the prose's readings apart; the pipeline merges them (`extractor.merge`): table values win over
prose, and a prose figure that disagrees with a table value is dropped with a warning.
"""

from __future__ import annotations

from typing import Any

from extractor.parsers.formats import block_of, parse_tables
from extractor.parsers.meta import parse_meta
from extractor.parsers.prose import parse_prose
from extractor.records import FieldValue, ParseResult

__all__ = ["FieldValue", "ParseResult", "parse_document"]


def parse_document(text: str) -> tuple[dict[str, Any], ParseResult, ParseResult]:
    """Metadata, then every statistic the table parsers and the prose rules can read from `text`."""
    meta = parse_meta(text)
    template = meta["template"]
    prose = parse_prose(text, block_of(template), meta["year"])
    tables = parse_tables(text, template, {v.path: v.value for v in prose.values}, meta["year"])
    return meta, tables, prose
