"""Records that parsers hand to the pipeline: one value with its evidence, and what a parser found."""

from __future__ import annotations

from dataclasses import dataclass

Number = int | float
NOT_READ = "model: "
"""How a report's warnings about what the model could not read begin (the report is then incomplete)."""


@dataclass(frozen=True)
class FieldValue:
    """One statistic read from the document, with the verbatim quote it came from.

    `quote == text[start:end]` of the normalized document text.
    """

    path: str
    value: Number
    quote: str
    start: int
    end: int
    method: str = "rules"


@dataclass(frozen=True)
class ParseResult:
    """All a parser found in one document: values, and warnings saying what it could not read and why."""

    values: tuple[FieldValue, ...] = ()
    warnings: tuple[str, ...] = ()

    def __add__(self, other: ParseResult) -> ParseResult:
        return ParseResult(self.values + other.values, self.warnings + other.warnings)
