"""The report's own arithmetic, checked; and `summary`, the indicators comparable across all years.

Values are kept as printed: a failed check is a warning in the output, never a correction. Each table format
of the registry (`extractor.parsers.formats`) brings its own checks and summary.

    >>> data = {"stats_2019": {"requests": {"new_received": {"total": 21}, "carried_over": {"total": 0},
    ...         "total": {"total": 20}, "carried_forward": {"total": 0}}}}
    >>> arithmetic_warnings(data)
    ['arithmetic: stats_2019 section 三 balance (total): 一 + 二 = 21 but (七) + 四 = 20']
"""

from __future__ import annotations

from typing import Any

from extractor.parsers.formats import arithmetic_warnings, summary_of
from extractor.schema import get_path

__all__ = ["arithmetic_warnings", "compute_summary"]


def compute_summary(data: dict[str, Any], template: str) -> dict[str, int | None]:
    """Indicators comparable across formats, computed from the blocks (never extracted).

    proactive_total is 主动公开政府信息数 in every format (a prose figure in 2019/2021 reports); the rest comes
    from the report's format (`TableFormat.summary`).
    """
    return {"proactive_total": get_path(data, "stats_legacy.proactive.total"), **summary_of(data, template)}
