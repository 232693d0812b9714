"""Year over year: one row per body and statistic, one column per year, and flags for series to look at.

`extractor compare OUT` writes `OUT/compare.csv` (UTF-8 with BOM): `entity_canonical, key, label`, one column
per year (named by the year, every year of the folder's reports), then the flag columns `FLAG_COLUMNS`, each
empty or a sentence saying what is wrong and where:

- `flag_jump`: the series changes more than tenfold between two consecutive years it has values for
  ("2019 → 2020: 12 → 1500 (×125)"); steps from or to zero are not flagged;
- `flag_arithmetic`: the series breaks its own arithmetic: a year whose report's sums fail on this
  statistic (the extractor's arithmetic warning, quoted), or, for the 2019/2021 tables, a year's 上年结转
  that differs from the previous year's 结转下年度继续办理;
- `flag_conflict`: two reports of the same body and year state different values; that year's cell is left
  empty (null beats wrong).

A body is `meta.entity_canonical` (else `meta.entity`); reports with no body name or no year are counted
and left out. The reports are read as the tables are (`extractor.dataset.dataset_reports`: entities.csv and
corrections.csv applied). Other modules call `compare_reports` for the rows and `write_comparison` for the
file; the review site reads compare.csv.

    >>> def report(year, total, received):
    ...     return {"meta": {"entity_canonical": "江苏省淮安市洪泽区", "year": year, "template": "legacy"},
    ...             "stats_legacy": {"proactive": {"total": total}, "requests": {"received": received}}}
    >>> comparison = compare_reports([("a", report(2016, 120, 5)), ("b", report(2017, 2400, 6))])
    >>> for row in comparison.rows[:2]:
    ...     print(row.key, row.values, row.flags["flag_jump"] or "-")
    stats_legacy.proactive.total {2016: 120, 2017: 2400} 2016 → 2017: 120 → 2400 (×20)
    stats_legacy.requests.received {2016: 5, 2017: 6} -
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.atomic import atomic_file
from extractor.columns import column_info
from extractor.dataset import dataset_reports
from extractor.output import SUMMARY_COLUMNS, spreadsheet_safe
from extractor.schema import ApplicantCounts, get_path, statistic_paths

COMPARE_NAME = "compare.csv"
FLAG_COLUMNS = ("flag_jump", "flag_arithmetic", "flag_conflict")
JUMP_FACTOR = 10
"""A series 'jumps' when one year's value is more than this many times the previous one (or less than 1/…)."""

Number = int | float


@dataclass(frozen=True)
class SeriesRow:
    """One body's values of one statistic by year, and its flags (FLAG_COLUMNS -> text, "" when none)."""

    entity: str
    key: str
    label: str
    values: dict[int, Number]
    flags: dict[str, str]


@dataclass(frozen=True)
class Comparison:
    """All series of a folder, the years seen, and the reports left out (no body name or no year)."""

    rows: list[SeriesRow]
    years: list[int]
    bodies: int
    left_out: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[SeriesRow]:
        return [row for row in self.rows if any(row.flags.values())]


def compare_keys() -> list[str]:
    """The statistics compared, in the order of reports.csv: every statistic, then the summary indicators."""
    return [*statistic_paths(), *SUMMARY_COLUMNS]


def compare_reports(reports: Iterable[tuple[str, dict[str, Any]]]) -> Comparison:
    """Series by body and key from (name, report JSON dict) pairs (see the module docstring)."""
    keys = compare_keys()
    values: dict[tuple[str, str], dict[int, dict[str, Number]]] = defaultdict(lambda: defaultdict(dict))
    broken: dict[tuple[str, str], list[str]] = defaultdict(list)
    left_out: list[str] = []
    years: set[int] = set()
    for stem, data in reports:
        meta = data.get("meta") or {}
        entity, year = meta.get("entity_canonical") or meta.get("entity"), meta.get("year")
        if not entity or not isinstance(year, int):
            left_out.append(stem)
            continue
        years.add(year)
        for key in keys:
            value = get_path(data, key)
            if value is not None:
                values[(entity, key)][year][stem] = value
        for warning in data.get("warnings") or []:
            for key in arithmetic_keys(warning):
                broken[(entity, key)].append(f"{year}: {warning.removeprefix('arithmetic: ')}")
    rows = []
    for entity, key in sorted(set(values) | set(broken), key=lambda pair: (pair[0], keys.index(pair[1]))):
        by_year = values.get((entity, key), {})
        series: dict[int, Number] = {}
        conflicts = []
        for year in sorted(by_year):
            stated = by_year[year]
            if len(set(stated.values())) == 1:
                series[year] = next(iter(stated.values()))
            else:
                conflicts.append(f"{year}: the reports disagree (" + ", ".join(f"{s}: {v}" for s, v in stated.items()) + "); left empty")
        flags = {
            "flag_jump": _jumps(series),
            "flag_arithmetic": " | ".join(broken.get((entity, key), [])),
            "flag_conflict": " | ".join(conflicts),
        }
        rows.append(SeriesRow(entity, key, column_info(key).label, series, flags))
    _flag_carry_over(rows)
    return Comparison(rows, sorted(years), len({row.entity for row in rows}), left_out)


def _jumps(series: dict[int, Number]) -> str:
    """Every step between consecutive years with values where the series changes more than tenfold.

    >>> _jumps({2019: 3, 2020: 40, 2021: 0, 2022: 41}), _jumps({2019: 3, 2020: 29})
    ('2019 → 2020: 3 → 40 (×13)', '')
    """
    years = sorted(series)
    steps = []
    for before, after in zip(years, years[1:]):
        a, b = series[before], series[after]
        if a and b and max(a, b) / min(a, b) > JUMP_FACTOR:
            ratio = b / a if b > a else a / b
            steps.append(f"{before} → {after}: {a} → {b} ({'×' if b > a else '÷'}{ratio:.0f})")
    return " | ".join(steps)


_REQUESTS = "stats_2019.requests."


def arithmetic_keys(warning: str) -> list[str]:
    """The statistics an arithmetic warning of `extractor.checks` is about (none for any other warning).

    >>> arithmetic_keys("arithmetic: stats_legacy.requests.completed = 9 but its sub-items add up to 8")
    ['stats_legacy.requests.completed']
    >>> arithmetic_keys("arithmetic: stats_2019 section 三 balance (total): 一 + 二 = 21 but (七) + 四 = 20")[:2]
    ['stats_2019.requests.new_received.total', 'stats_2019.requests.carried_over.total']
    """
    if not warning.startswith("arithmetic: "):
        return []
    balance = re.search(r"section 三 balance \((\w+)\)", warning)
    if balance:
        return [f"{_REQUESTS}{row}.{balance.group(1)}" for row in ("new_received", "carried_over", "total", "carried_forward")]
    outcomes = re.search(r"section 三 \((\w+)\): outcomes", warning)
    if outcomes:
        return [f"{_REQUESTS}total.{outcomes.group(1)}"]
    named = re.match(r"arithmetic: (stats_[a-z0-9_.]+?)(?::| =)", warning)
    if not named:
        return []
    path = named.group(1)
    if path.startswith(_REQUESTS) and "applicant columns" in warning:
        return [f"{path}.total"]
    if path.startswith("stats_2019.appeals."):
        return [f"{path}.total"]
    return [path]


def _flag_carry_over(rows: list[SeriesRow]) -> None:
    """Flag a 2019/2021 上年结转 that differs from the same body's 结转下年度继续办理 of the year before."""
    by_key = {(row.entity, row.key): row for row in rows}
    for column in ApplicantCounts.model_fields:
        for (entity, key), row in by_key.items():
            if key != f"{_REQUESTS}carried_over.{column}":
                continue
            forward = by_key.get((entity, f"{_REQUESTS}carried_forward.{column}"))
            if forward is None:
                continue
            breaks = [
                f"{year - 1} carried forward {forward.values[year - 1]} (结转下年度) but {year} carried over {value} (上年结转)"
                for year, value in sorted(row.values.items())
                if year - 1 in forward.values and forward.values[year - 1] != value
            ]
            if breaks:
                row.flags["flag_arithmetic"] = " | ".join(filter(None, [row.flags["flag_arithmetic"], *breaks]))


def write_comparison(out_dir: Path) -> tuple[Comparison, Path, list[str]]:
    """Compare the reports of `out_dir` and write OUT/compare.csv; the comparison, the file and the notices of
    reading the folder (files left out, corrections skipped)."""
    notices: list[str] = []
    comparison = compare_reports(dataset_reports(out_dir, notices))
    path = out_dir / COMPARE_NAME
    with atomic_file(path) as file:
        file.write("\ufeff")
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["entity_canonical", "key", "label", *map(str, comparison.years), *FLAG_COLUMNS])
        for row in comparison.rows:
            writer.writerow(
                [
                    spreadsheet_safe(row.entity),
                    row.key,
                    row.label,
                    *(row.values.get(year, "") for year in comparison.years),
                    *(row.flags[name] for name in FLAG_COLUMNS),
                ]
            )
    return comparison, path, notices


def summary_line(comparison: Comparison, path: Path) -> str:
    """What `extractor compare` prints.

    >>> print(summary_line(Comparison([], [2019, 2020], 3, ["x"]), Path("out/compare.csv")).replace("; ", ";\\n"))
    extractor: compare: 3 bodies, years 2019–2020, 0 series, 0 flagged (0 jumps, 0 arithmetic, 0 conflicts);
    1 report without a body name or year left out;
    written to out/compare.csv
    """
    flagged = comparison.flagged
    counts = [sum(1 for row in flagged if row.flags[name]) for name in FLAG_COLUMNS]
    years = f"{comparison.years[0]}–{comparison.years[-1]}" if comparison.years else "none"
    bodies = f"{comparison.bodies} {'body' if comparison.bodies == 1 else 'bodies'}"
    text = (
        f"extractor: compare: {bodies}, years {years}, {len(comparison.rows)} series, "
        f"{len(flagged)} flagged ({counts[0]} jumps, {counts[1]} arithmetic, {counts[2]} conflicts)"
    )
    if comparison.left_out:
        plural = "s" if len(comparison.left_out) > 1 else ""
        text += f"; {len(comparison.left_out)} report{plural} without a body name or year left out"
    return f"{text}; written to {path}"


def flagged_lines(comparison: Comparison, limit: int = 10) -> list[str]:
    """The first `limit` flagged series, one line each (what `extractor compare` prints under its summary).

    >>> row = SeriesRow("某县", "summary.requests_received", "收到政府信息公开申请数（可比指标）", {2020: 3, 2021: 40},
    ...                 {"flag_jump": "2020 → 2021: 3 → 40 (×13)", "flag_arithmetic": "", "flag_conflict": ""})
    >>> flagged_lines(Comparison([row, row], [2020, 2021], 1), limit=1)
    ['  某县 · 收到政府信息公开申请数（可比指标） · jump: 2020 → 2021: 3 → 40 (×13)', '  … and 1 more flagged series in compare.csv']
    """
    flagged = comparison.flagged
    lines = []
    for row in flagged[:limit]:
        flags = "; ".join(f"{name.removeprefix('flag_')}: {text}" for name, text in row.flags.items() if text)
        lines.append(f"  {row.entity} · {row.label} · {flags}")
    if len(flagged) > limit:
        lines.append(f"  … and {len(flagged) - limit} more flagged series in {COMPARE_NAME}")
    return lines
