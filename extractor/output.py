"""Writing results: one JSON per report (atomically), and the flat tables a researcher opens.

`reports.csv` has one row per report; its columns are meta, then every statistic's dotted key in catalogue
order, then summary: the same columns for every run, UTF-8 with a BOM so Excel opens it. An empty cell is a
null (the report is silent), never a zero. A text cell that would start a spreadsheet formula starts with `'`
(`spreadsheet_safe`); reports.jsonl and reports.parquet keep the text as it is.

    >>> csv_columns()[:6]
    ['file', 'meta.entity', 'meta.level', 'meta.year', 'meta.published_on', 'meta.template']

Every column has one type, the same in every file format: counts (and `meta.year`) are integers that may be
missing, amounts of money (万元) are floats, the rest are text. pandas reads the CSV with those types when
given `csv_dtypes()`; reports.parquet carries them itself:

    >>> dtypes = csv_dtypes()
    >>> dtypes["meta.year"], dtypes["stats_legacy.proactive.total"], dtypes["stats_legacy.operations.budget"]
    ('Int64', 'Int64', 'float64')
    >>> dtypes["file"], dtypes["meta.entity"]
    ('string', 'string')

    import pandas as pd
    from extractor.output import csv_dtypes
    frame = pd.read_csv("out/reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())
    frame = pd.read_parquet("out/reports.parquet")       # the same dtypes, no argument needed
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import IO, Any

from extractor.schema import AnnualReport, get_path, money_paths, statistic_paths

META_COLUMNS = ["meta.entity", "meta.level", "meta.year", "meta.published_on", "meta.template"]
SUMMARY_COLUMNS = ["summary." + name for name in ("proactive_total", "requests_received", "requests_granted",
                                                  "requests_partially_granted", "requests_denied",
                                                  "reconsiderations", "lawsuits")]
TABLE_FORMATS = ("jsonl", "parquet")
"""Tables written on request, besides reports.csv (always)."""
TEMPORARY_SUFFIX = ".extractor.tmp"
TEMPORARY_GLOB = f".*{TEMPORARY_SUFFIX}"
"""The names `atomic_file` gives its temporary files, what a killed run can leave behind: a run cleans up
these and no other file (a `.notes.tmp` of the user's own is left alone)."""


def _file_mode() -> int:
    """The mode a file made by `open` gets under this process's umask (read once, before any thread starts:
    reading the umask means setting it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


def csv_columns() -> list[str]:
    return list(_columns())


@cache
def _columns() -> tuple[str, ...]:
    return ("file", *META_COLUMNS, *statistic_paths(), *SUMMARY_COLUMNS)


def csv_dtypes() -> dict[str, str]:
    """The pandas dtype of every table column: "Int64" (nullable integer), "float64" or "string"."""
    money = money_paths()
    dtypes = {}
    for column in csv_columns():
        if column == "meta.year" or column.startswith(("stats_", "summary.")):
            dtypes[column] = "float64" if column in money else "Int64"
        else:
            dtypes[column] = "string"
    return dtypes


@contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file opened for writing in the same folder as `path` under a temporary name, renamed over `path`
    when the block ends without error, removed otherwise: a reader never sees a half-written file, and a
    process killed mid-write (SIGKILL included) leaves at most a hidden `.NAME.*.extractor.tmp` file, never a
    truncated `path`. The file gets the mode any new file gets under the umask (`mkstemp` alone makes 0600,
    which colleagues on a shared server could not read).

    There is no fsync: it would cost a quarter of the parser path's throughput, and it guards only against
    the machine itself going down, after which a file the disk never received reads as empty or truncated:
    not valid JSON, so not current, so the next run extracts it again (and it rebuilds the tables anyway).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_file(target) as out:
    ...     _ = out.write("一")
    >>> target.read_text(encoding="utf-8"), [p.name for p in target.parent.iterdir()]
    ('一', ['x.txt'])
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    text = "b" not in mode
    try:
        os.chmod(temporary, FILE_MODE)
        with os.fdopen(handle, mode, encoding="utf-8" if text else None, newline="" if text else None) as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through `atomic_file`."""
    with atomic_file(path, "wb") as file:
        file.write(content.encode("utf-8") if isinstance(content, str) else content)


def report_json(report: AnnualReport) -> str:
    """The text of one output file: `AnnualReport.model_dump(mode="json")` as JSON, Chinese kept readable.

    >>> report_json(AnnualReport.model_validate({"meta": {"entity": "灵山县"}})).splitlines()[:3]
    ['{', ' "meta": {', '  "entity": "灵山县",']
    """
    return report.model_dump_json(indent=1) + "\n"


def csv_row(stem: str, data: dict[str, Any]) -> list[Any]:
    row: list[Any] = [stem]
    for column in _columns()[1:]:
        value = get_path(data, column)
        row.append("" if value is None else value)
    return row


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


def write_tables(reports: Iterable[tuple[str, dict[str, Any]]], out_dir: Path,
                 formats: tuple[str, ...] = ()) -> list[Path]:
    """Write reports.csv (always) and reports.jsonl / reports.parquet when asked, one row per (name, report)
    in the order given. Reports are read one at a time, so `reports` can stream them from disk; every table
    is replaced atomically, all of them only once every row is written."""
    columns = csv_columns()
    csv_path, jsonl_path = out_dir / "reports.csv", out_dir / "reports.jsonl"
    parquet_columns: list[list[Any]] = [[] for _ in columns]
    with ExitStack() as files:
        csv_file = files.enter_context(atomic_file(csv_path))
        csv_file.write("\ufeff")
        writer = csv.writer(csv_file, lineterminator="\n")
        writer.writerow(columns)
        jsonl_file = files.enter_context(atomic_file(jsonl_path)) if "jsonl" in formats else None
        for stem, data in reports:
            row = csv_row(stem, data)
            writer.writerow([spreadsheet_safe(value) for value in row])
            if jsonl_file is not None:
                jsonl_file.write(json.dumps({"file": stem, **data}, ensure_ascii=False) + "\n")
            for values, value in zip(parquet_columns, row):
                values.append(None if value == "" else value)
    written = [csv_path] + ([jsonl_path] if "jsonl" in formats else [])
    if "parquet" in formats:
        written.append(_write_parquet(dict(zip(columns, parquet_columns)), out_dir / "reports.parquet"))
    return written


def parquet_available() -> bool:
    """Whether reports.parquet can be written (the optional `parquet` extra, pyarrow, is installed)."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


_ARROW_TYPES = {"Int64": "int64", "float64": "float64", "string": "string"}
_PANDAS_TYPES = {"Int64": "int64", "float64": "float64", "string": "unicode"}


def _write_parquet(columns: dict[str, list[Any]], path: Path) -> Path:
    """reports.parquet with an explicit schema (`csv_dtypes()` in Arrow types) and the pandas metadata that
    makes `pandas.read_parquet` load integer columns with gaps as Int64, not float."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    dtypes = csv_dtypes()
    pandas_columns = [{"name": name, "field_name": name, "pandas_type": _PANDAS_TYPES[dtype], "numpy_type": dtype,
                       "metadata": None} for name, dtype in dtypes.items()]
    pandas_metadata = {"index_columns": [], "column_indexes": [], "columns": pandas_columns}
    schema = pa.schema([pa.field(name, getattr(pa, _ARROW_TYPES[dtype])()) for name, dtype in dtypes.items()],
                       metadata={b"pandas": json.dumps(pandas_metadata).encode("utf-8")})
    table = pa.table({name: pa.array(values, type=schema.field(name).type) for name, values in columns.items()},
                     schema=schema)
    with atomic_file(path, "wb") as file:
        pq.write_table(table, file)
    return path
