"""Merging values from two sources for one report: the first source wins, disagreements become warnings.

Used twice: tables over prose inside the parsers, and parsers over the model in the pipeline. A value the
first source lacks is filled from the second; one it has is kept, and a different second opinion is recorded
as a warning (never silently dropped).

    >>> table = ParseResult((FieldValue("stats_legacy.requests.received", 25, "收到申请数25", 0, 8),))
    >>> prose = ParseResult((FieldValue("stats_legacy.requests.received", 26, "受理申请26件", 20, 27),
    ...                      FieldValue("stats_legacy.proactive.total", 900, "主动公开政府信息900条", 30, 43)))
    >>> merged = prefer(table, prose, "table", "prose")
    >>> [(v.path, v.value) for v in merged.values]
    [('stats_legacy.requests.received', 25), ('stats_legacy.proactive.total', 900)]
    >>> merged.warnings[0]
    "stats_legacy.requests.received: the prose says 26 ('受理申请26件') but the table says 25; the table's value is kept"
"""

from __future__ import annotations

from extractor.records import FieldValue, ParseResult


def prefer(first: ParseResult, second: ParseResult, first_name: str, second_name: str) -> ParseResult:
    """`first`'s values, then `second`'s for the keys `first` lacks; all warnings of both, plus one per conflict."""
    kept_by_path = {v.path: v for v in first.values}
    kept: list[FieldValue] = list(first.values)
    warnings = list(first.warnings + second.warnings)
    for value in second.values:
        printed = kept_by_path.get(value.path)
        if printed is None:
            kept.append(value)
            kept_by_path[value.path] = value
        elif printed.value != value.value:
            warnings.append(
                f"{value.path}: the {second_name} says {value.value} ('{value.quote}') but the {first_name} "
                f"says {printed.value}; the {first_name}'s value is kept"
            )
    return ParseResult(tuple(kept), tuple(warnings))
