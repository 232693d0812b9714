"""The output folder is the dataset: its tables are rebuilt from every report JSON in it, not only a run's.

`build_dataset` reads every `OUT/<name>.json` (hidden files and files that are not report outputs are left
out, each with a notice), applies what a person wrote (`OUT/entities.csv`, `OUT/corrections.csv`; see
`extractor.corrections`), rewrites a report's JSON when that changed it, and writes the tables
(`extractor.output.write_tables`: reports.csv, columns.csv and the formats asked). A run on one new file
into a folder of N reports leaves N + 1 rows; deleting `<name>.json` drops its row at the next write.

    >>> import pathlib, tempfile
    >>> from extractor.schema import AnnualReport
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> for name, entity in (("a", "灵山县"), ("b", "长兴县")):
    ...     _ = (out / f"{name}.json").write_text(AnnualReport.model_validate({"meta": {"entity": entity}}).model_dump_json())
    >>> result = build_dataset(out)
    >>> result.reports, [path.name for path in result.tables], result.notices
    (2, ['reports.csv', 'columns.csv'], ())
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.atomic import write_atomic
from extractor.corrections import apply_to_report, read_corrections, read_entity_names
from extractor.output import report_json, write_tables
from extractor.schema import AnnualReport


@dataclass(frozen=True)
class DatasetResult:
    """What a write of the folder's tables did: the tables, how many reports they hold, and the notices (one
    line each: a file left out, a correction that could not be applied)."""

    tables: tuple[Path, ...]
    reports: int
    notices: tuple[str, ...]


def report_outputs(out_dir: Path) -> list[Path]:
    """The report JSON files of an output folder, by name (hidden files, such as a run's state, are not)."""
    return sorted(path for path in out_dir.glob("*.json") if not path.name.startswith(".") and path.is_file())


def build_dataset(out_dir: Path, formats: tuple[str, ...] = (), labels: str = "keys") -> DatasetResult:
    """Apply the person's files to every report in `out_dir` and write its tables (see the module docstring)."""
    notices: list[str] = []
    counted = [0]

    def counting() -> Iterator[tuple[str, dict[str, Any]]]:
        for stem, data in dataset_reports(out_dir, notices, rewrite=True):
            counted[0] += 1
            yield stem, data

    tables = write_tables(counting(), out_dir, formats, labels)
    return DatasetResult(tuple(tables), counted[0], tuple(notices))


def dataset_reports(out_dir: Path, notices: list[str], *, rewrite: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every report of the folder as (name, JSON dict), by name, with entities.csv and corrections.csv applied;
    `rewrite` saves a report whose JSON that changed. Notices (files left out, lines skipped) are appended to
    `notices` as the reports are read."""
    outputs = report_outputs(out_dir)
    corrections, correction_notices = read_corrections(out_dir, {path.stem for path in outputs})
    names, entity_notices = read_entity_names(out_dir)
    notices += correction_notices + entity_notices
    for path in outputs:
        data = _read_report(path, notices)
        if data is None:
            continue
        notices.extend(apply_to_report(data, names, [c for c in corrections if c.file == path.stem]))
        text = report_json(AnnualReport.model_validate(data))
        if rewrite and text != path.read_text(encoding="utf-8"):
            write_atomic(path, text)
        yield path.stem, json.loads(text)


def _read_report(path: Path, notices: list[str]) -> dict[str, Any] | None:
    """A report output as its JSON dict; None (and a notice) for a file that is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        AnnualReport.model_validate(data)
    except (OSError, ValueError, ValidationError) as exc:
        reason = (
            "not valid JSON"
            if isinstance(exc, json.JSONDecodeError)
            else ("not a report output" if isinstance(exc, (ValidationError, ValueError)) else exc.strerror)
        )
        notices.append(f"{path}: {reason}; left out of the tables")
        return None
    return data if isinstance(data, dict) else None
