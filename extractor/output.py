"""Writing results: one JSON per report (atomically), and the flat tables a researcher opens.

`reports.csv` has one row per report; its columns are meta, then every statistic's dotted key in catalogue
order, then summary: the same columns for every run, UTF-8 with a BOM so Excel opens it. An empty cell is a
null (the report is silent), never a zero.

    >>> csv_columns()[:6]
    ['file', 'meta.entity', 'meta.level', 'meta.year', 'meta.published_on', 'meta.template']
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from extractor.schema import AnnualReport, get_path, statistic_paths

META_COLUMNS = ["meta.entity", "meta.level", "meta.year", "meta.published_on", "meta.template"]
SUMMARY_COLUMNS = ["summary." + name for name in ("proactive_total", "requests_received", "requests_granted",
                                                  "requests_partially_granted", "requests_denied",
                                                  "reconsiderations", "lawsuits")]


def csv_columns() -> list[str]:
    return ["file", *META_COLUMNS, *statistic_paths(), *SUMMARY_COLUMNS]


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same folder and rename it into place: a reader (or a crash) never
    sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report_json(report: AnnualReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"


def write_report(report: AnnualReport, out_dir: Path, stem: str) -> Path:
    path = out_dir / f"{stem}.json"
    write_atomic(path, report_json(report))
    return path


def csv_row(stem: str, data: dict[str, Any]) -> list[Any]:
    row: list[Any] = [stem]
    for column in csv_columns()[1:]:
        value = get_path(data, column)
        row.append("" if value is None else value)
    return row


def write_tables(reports: dict[str, dict[str, Any]], out_dir: Path, formats: tuple[str, ...] = ()) -> list[Path]:
    """Write reports.csv (always) and reports.jsonl / reports.parquet when asked, from all outputs in the run."""
    written = []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns())
    for stem in sorted(reports):
        writer.writerow(csv_row(stem, reports[stem]))
    csv_path = out_dir / "reports.csv"
    write_atomic(csv_path, "\ufeff" + buffer.getvalue())
    written.append(csv_path)
    if "jsonl" in formats:
        lines = "".join(json.dumps({"file": stem, **reports[stem]}, ensure_ascii=False) + "\n"
                        for stem in sorted(reports))
        write_atomic(out_dir / "reports.jsonl", lines)
        written.append(out_dir / "reports.jsonl")
    if "parquet" in formats:
        written.append(_write_parquet(reports, out_dir))
    return written


def _write_parquet(reports: dict[str, dict[str, Any]], out_dir: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from extractor.schema import money_paths

    money = money_paths()
    columns: dict[str, pa.Array] = {}
    for index, name in enumerate(csv_columns()):
        values = [None if v == "" else v for v in (csv_row(stem, reports[stem])[index] for stem in sorted(reports))]
        if name.startswith(("stats_", "summary.")) or name == "meta.year":
            kind = pa.float64() if name in money else pa.int64()
            columns[name] = pa.array(values, type=kind)
        else:
            columns[name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    path = out_dir / "reports.parquet"
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    write_atomic(path, sink.getvalue())
    return path
