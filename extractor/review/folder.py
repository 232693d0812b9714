"""Reading an output folder for review: the report JSONs, the normalized texts beside them, and compare.csv.

>>> import json, pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> _ = (out / "a.json").write_text(json.dumps({"meta": {"entity": "洪泽区", "year": 2023}}), encoding="utf-8")
>>> _ = (out / "broken.json").write_text("{", encoding="utf-8")
>>> reports, problems = read_reports(out)
>>> [(r.name, r.body, r.year, r.read_text()) for r in reports]
[('a', '洪泽区', 2023, None)]
>>> problems
['broken.json: not a report JSON (Expecting property name enclosed in double quotes)']
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.schema import AnnualReport

TEXT_FOLDER = "text"
COMPARE_FILE = "compare.csv"
COMPARE_KEY_COLUMNS = ("entity_canonical", "key", "label")


@dataclass(frozen=True)
class ReviewedReport:
    """One report of the folder: `name` is its JSON's stem (the `file` column of reports.csv and
    corrections.csv), `data` its `model_dump(mode="json")`."""

    name: str
    data: dict[str, Any]
    text_path: Path

    @property
    def body(self) -> str | None:
        """The body the report belongs to: its canonical name, else its name as written."""
        meta = self.data["meta"]
        return meta.get("entity_canonical") or meta.get("entity") or None

    @property
    def year(self) -> int | None:
        return self.data["meta"].get("year")

    @property
    def template(self) -> str:
        return str(self.data["meta"].get("template") or "unknown")

    @property
    def complete(self) -> bool:
        return bool(self.data["run"].get("complete", True))

    @property
    def warnings(self) -> list[str]:
        return list(self.data.get("warnings") or [])

    def read_text(self) -> str | None:
        """The normalized text the evidence offsets index (OUT/text/<name>.txt), None when it is not there."""
        try:
            return self.text_path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None


def read_reports(out_dir: Path) -> tuple[list[ReviewedReport], list[str]]:
    """Every report JSON directly in `out_dir`, by name, and one line per file that is not a report."""
    reports, problems = [], []
    for path in sorted(out_dir.glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            data = AnnualReport.model_validate(json.loads(path.read_text(encoding="utf-8"))).model_dump(mode="json")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc).split(":")[0]
            problems.append(f"{path.name}: not a report JSON ({reason})")
            continue
        reports.append(ReviewedReport(path.stem, data, out_dir / TEXT_FOLDER / f"{path.stem}.txt"))
    return reports, problems


@dataclass(frozen=True)
class CompareTable:
    """compare.csv as `extractor compare` writes it: key columns, one column per year, then flag columns."""

    years: tuple[str, ...]
    flags: tuple[str, ...]
    rows_by_body: dict[str, list[dict[str, str]]]

    def flagged(self, body: str) -> list[dict[str, str]]:
        """The body's series with at least one flag set (a flag cell that is not empty, 0 or false)."""
        return [row for row in self.rows_by_body.get(body, []) if any(is_flag_set(row.get(flag, "")) for flag in self.flags)]


def is_flag_set(cell: str) -> bool:
    """Whether a flag cell of compare.csv says something.

    >>> [is_flag_set(c) for c in ("", "0", "false", "False", "1", "jump x12")]
    [False, False, False, False, True, True]
    """
    return cell.strip().lower() not in ("", "0", "false", "no")


def read_compare(out_dir: Path) -> CompareTable | None:
    """OUT/compare.csv, None when it is not there (`extractor compare OUT` writes it)."""
    path = out_dir / COMPARE_FILE
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    rest = [column for column in header if column not in COMPARE_KEY_COLUMNS]
    years = tuple(column for column in rest if column.strip().isdigit())
    flags = tuple(column for column in rest if column not in years)
    by_body: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_body[row.get("entity_canonical") or ""].append(row)
    return CompareTable(years, flags, dict(by_body))
