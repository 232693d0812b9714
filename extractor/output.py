"""Writing results: one JSON per report (atomically), and the flat tables a researcher opens.

`reports.csv` has one row per report; its columns are meta, then the quality columns (`source`, `n_warnings`,
`warnings` joined with " | ", `llm_used`, `model`, `complete`), then every statistic's dotted key in catalogue
order, then summary: the same columns for every run, UTF-8 with a BOM so Excel opens it. An empty cell is a
null (the report is silent), never a zero. `columns.csv` beside it gives each column's Chinese label, unit and
section (`extractor.columns`); with `labels="zh"` the headers are those labels. A text cell that would start a
spreadsheet formula starts with `'` (`spreadsheet_safe`); reports.jsonl and reports.parquet keep the text as it is.

    >>> csv_columns()[:7]
    ['file', 'meta.entity', 'meta.entity_canonical', 'meta.level', 'meta.year', 'meta.published_on', 'meta.template']
    >>> csv_columns()[7:13]
    ['source', 'n_warnings', 'warnings', 'llm_used', 'model', 'complete']

Every column has one type, the same in every file format: counts (and `meta.year`) are integers that may be
missing, amounts of money (万元) are floats, the rest are text. pandas reads the CSV with those types when
given `csv_dtypes()`; reports.parquet carries them itself:

    >>> dtypes = csv_dtypes()
    >>> dtypes["meta.year"], dtypes["stats_legacy.proactive.total"], dtypes["stats_legacy.operations.budget"]
    ('Int64', 'Int64', 'float64')
    >>> dtypes["file"], dtypes["meta.entity"], dtypes["complete"]
    ('string', 'string', 'boolean')

    import pandas as pd
    from extractor.output import csv_dtypes
    frame = pd.read_csv("out/reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())
    frame = pd.read_parquet("out/reports.parquet")       # the same dtypes, no argument needed

With `--format long`, `values.csv` has one row per value stated (`VALUE_COLUMNS`), the form a panel takes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from functools import cache
from pathlib import Path
from typing import Any

from extractor.atomic import atomic_file
from extractor.columns import column_info
from extractor.schema import AnnualReport, get_path, money_paths, statistic_paths

META_COLUMNS = ["meta.entity", "meta.entity_canonical", "meta.level", "meta.year", "meta.published_on", "meta.template"]
QUALITY_COLUMNS = ["source", "n_warnings", "warnings", "llm_used", "model", "complete"]
"""How far a row can be trusted: the input, its warnings, whether a model read it and which, and `complete`
(false when part of the report could not be read)."""
SUMMARY_COLUMNS = [
    "summary." + name
    for name in (
        "proactive_total",
        "requests_received",
        "requests_granted",
        "requests_partially_granted",
        "requests_denied",
        "reconsiderations",
        "lawsuits",
    )
]
TABLE_FORMATS = ("jsonl", "parquet", "long")
"""Tables written on request, besides reports.csv and columns.csv (always): reports.jsonl, reports.parquet,
values.csv ("long")."""
LABEL_STYLES = ("keys", "zh")
"""Table headers: dotted keys, or the national form's Chinese labels (columns.csv)."""
VALUE_COLUMNS = ["file", "entity_canonical", "year", "template", "key", "label", "value", "unit", "quote", "page", "method"]
"""values.csv: one row per statistic a report states, with its evidence."""
WARNING_SEPARATOR = " | "


def csv_columns() -> list[str]:
    return list(_columns())


@cache
def _columns() -> tuple[str, ...]:
    return ("file", *META_COLUMNS, *QUALITY_COLUMNS, *statistic_paths(), *SUMMARY_COLUMNS)


def headers(labels: str = "keys") -> list[str]:
    """The table headers: the dotted keys, or with `labels="zh"` the Chinese labels of columns.csv.

    >>> headers("zh")[:4]
    ['文件名', '机关名称（原文）', '机关全称', '机关层级']
    """
    return csv_columns() if labels == "keys" else [column_info(column).label for column in csv_columns()]


def csv_dtypes(labels: str = "keys") -> dict[str, str]:
    """The pandas dtype of every table column, named as `headers(labels)` names them: "Int64" (nullable
    integer), "float64", "boolean" or "string"."""
    money = money_paths()
    dtypes = {}
    for column, header in zip(csv_columns(), headers(labels)):
        if column in ("meta.year", "n_warnings") or column.startswith(("stats_", "summary.")):
            dtypes[header] = "float64" if column in money else "Int64"
        elif column in ("llm_used", "complete"):
            dtypes[header] = "boolean"
        else:
            dtypes[header] = "string"
    return dtypes


def report_json(report: AnnualReport) -> str:
    """The text of one output file: `AnnualReport.model_dump(mode="json")` as JSON, Chinese kept readable.

    >>> report_json(AnnualReport.model_validate({"meta": {"entity": "灵山县"}})).splitlines()[:3]
    ['{', ' "meta": {', '  "entity": "灵山县",']
    """
    return report.model_dump_json(indent=1) + "\n"


def quality(data: dict[str, Any]) -> dict[str, Any]:
    """The quality columns of one report (a `model_dump(mode="json")` dict).

    >>> quality({"warnings": ["a", "b"], "run": {"source": "in/r.pdf", "llm_used": False, "complete": False}})
    {'source': 'in/r.pdf', 'n_warnings': 2, 'warnings': 'a | b', 'llm_used': False, 'model': None, 'complete': False}
    """
    warnings = data.get("warnings") or []
    run = data.get("run") or {}
    return {
        "source": run.get("source"),
        "n_warnings": len(warnings),
        "warnings": WARNING_SEPARATOR.join(warnings),
        "llm_used": bool(run.get("llm_used")),
        "model": run.get("model"),
        "complete": run.get("complete", True),
    }


def csv_row(stem: str, data: dict[str, Any]) -> list[Any]:
    row: list[Any] = [stem]
    qualities = quality(data)
    for column in _columns()[1:]:
        value = qualities[column] if column in qualities else get_path(data, column)
        row.append("" if value is None else value)
    return row


def value_rows(stem: str, data: dict[str, Any]) -> Iterator[list[Any]]:
    """The rows of values.csv for one report: each statistic it states, in catalogue order, with its evidence.

    >>> data = {"meta": {"entity_canonical": "广西壮族自治区钦州市灵山县", "year": 2017, "template": "legacy"},
    ...         "stats_legacy": {"proactive": {"total": 39387}},
    ...         "evidence": {"stats_legacy.proactive.total": {"quote": "主动公开政府信息39387条", "page": None,
    ...                                                       "method": "rules"}}}
    >>> next(value_rows("lingshan", data))[4:]
    ['stats_legacy.proactive.total', '主动公开政府信息数', 39387, '条', '主动公开政府信息39387条', '', 'rules']
    """
    meta = data.get("meta") or {}
    evidence = data.get("evidence") or {}
    for key in statistic_paths():
        value = get_path(data, key)
        if value is None:
            continue
        info = column_info(key)
        proof = evidence.get(key) or {}
        row = [
            stem,
            meta.get("entity_canonical"),
            meta.get("year"),
            meta.get("template"),
            key,
            info.label,
            value,
            info.unit,
            proof.get("quote"),
            proof.get("page"),
            proof.get("method"),
        ]
        yield ["" if cell is None else cell for cell in row]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a text cell that starts like a formula (= + - @, or a tab or
    carriage return before one) gets a leading `'`, so Excel or LibreOffice never runs it; numbers are kept.

    >>> print(spreadsheet_safe('=HYPERLINK("http://x","y")'))
    '=HYPERLINK("http://x","y")
    >>> spreadsheet_safe("-5"), spreadsheet_safe(-5), spreadsheet_safe("灵山县")
    ("'-5", -5, '灵山县')
    """
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def write_tables(
    reports: Iterable[tuple[str, dict[str, Any]]], out_dir: Path, formats: tuple[str, ...] = (), labels: str = "keys"
) -> list[Path]:
    """Write reports.csv and columns.csv (always) and reports.jsonl / reports.parquet / values.csv when asked,
    one row per (name, report) in the order given (values.csv: one per value). Reports are read one at a
    time, so `reports` can stream them from disk; every table is replaced atomically, all of them only once
    every row is written. `labels="zh"` writes the Chinese labels as the headers of reports.csv and
    reports.parquet (reports.jsonl keeps the report's own nested keys; values.csv has a label column)."""
    columns = csv_columns()
    header = headers(labels)
    csv_path, jsonl_path, values_path = out_dir / "reports.csv", out_dir / "reports.jsonl", out_dir / "values.csv"
    parquet_columns: list[list[Any]] = [[] for _ in columns]
    with ExitStack() as files:
        csv_file = files.enter_context(atomic_file(csv_path))
        csv_file.write("\ufeff")
        writer = csv.writer(csv_file, lineterminator="\n")
        writer.writerow(header)
        jsonl_file = files.enter_context(atomic_file(jsonl_path)) if "jsonl" in formats else None
        values_writer = None
        if "long" in formats:
            values_file = files.enter_context(atomic_file(values_path))
            values_file.write("\ufeff")
            values_writer = csv.writer(values_file, lineterminator="\n")
            values_writer.writerow(VALUE_COLUMNS)
        for stem, data in reports:
            row = csv_row(stem, data)
            writer.writerow([spreadsheet_safe(value) for value in row])
            if jsonl_file is not None:
                jsonl_file.write(json.dumps({"file": stem, **data}, ensure_ascii=False) + "\n")
            if values_writer is not None:
                values_writer.writerows([spreadsheet_safe(cell) for cell in row] for row in value_rows(stem, data))
            for values, value in zip(parquet_columns, row):
                values.append(None if value == "" else value)
    written = [csv_path, write_column_dictionary(out_dir)]
    written += [jsonl_path] if "jsonl" in formats else []
    written += [values_path] if "long" in formats else []
    if "parquet" in formats:
        written.append(_write_parquet(dict(zip(header, parquet_columns)), out_dir / "reports.parquet", labels))
    return written


def write_column_dictionary(out_dir: Path) -> Path:
    """OUT/columns.csv: `column, label, unit, section` for every column of reports.csv, in its order."""
    path = out_dir / "columns.csv"
    with atomic_file(path) as file:
        file.write("\ufeff")
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["column", "label", "unit", "section"])
        writer.writerows(column_info(column) for column in csv_columns())
    return path


def parquet_available() -> bool:
    """Whether reports.parquet can be written (the optional `parquet` extra, pyarrow, is installed)."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


_ARROW_TYPES = {"Int64": "int64", "float64": "float64", "string": "string", "boolean": "bool_"}
_PANDAS_TYPES = {"Int64": "int64", "float64": "float64", "string": "unicode", "boolean": "bool"}


def _write_parquet(columns: dict[str, list[Any]], path: Path, labels: str = "keys") -> Path:
    """reports.parquet with an explicit schema (`csv_dtypes()` in Arrow types) and the pandas metadata that
    makes `pandas.read_parquet` load integer columns with gaps as Int64, not float."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    dtypes = csv_dtypes(labels)
    pandas_columns = [
        {"name": name, "field_name": name, "pandas_type": _PANDAS_TYPES[dtype], "numpy_type": dtype, "metadata": None}
        for name, dtype in dtypes.items()
    ]
    pandas_metadata = {"index_columns": [], "column_indexes": [], "columns": pandas_columns}
    schema = pa.schema(
        [pa.field(name, getattr(pa, _ARROW_TYPES[dtype])()) for name, dtype in dtypes.items()],
        metadata={b"pandas": json.dumps(pandas_metadata).encode("utf-8")},
    )
    table = pa.table({name: pa.array(values, type=schema.field(name).type) for name, values in columns.items()}, schema=schema)
    with atomic_file(path, "wb") as file:
        pq.write_table(table, file)
    return path
