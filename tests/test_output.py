"""Output files: atomic JSON per report and the flat tables."""

from __future__ import annotations

import csv
import json

import pandas as pd

from extractor.output import csv_columns, write_atomic, write_report, write_tables
from extractor.schema import AnnualReport, statistic_paths


def _report(total: int | None, year: int = 2017) -> dict:
    report = AnnualReport.model_validate({"meta": {"entity": "灵山县", "year": year, "template": "legacy"},
                                          "stats_legacy": {"proactive": {"total": total},
                                                           "operations": {"budget": 2.5}}})
    return report.model_dump(mode="json")


def test_csv_columns_are_meta_then_every_statistic_then_summary():
    columns = csv_columns()
    assert columns[6:6 + len(statistic_paths())] == statistic_paths()
    assert columns[-1] == "summary.lawsuits"
    assert len(columns) == len(set(columns))


def test_csv_has_bom_one_row_per_report_sorted_and_blank_for_null(tmp_path):
    write_tables({"b": _report(None), "a": _report(0)}, tmp_path)
    raw = (tmp_path / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == csv_columns()
    index = rows[0].index("stats_legacy.proactive.total")
    assert [(r[0], r[index]) for r in rows[1:]] == [("a", "0"), ("b", "")]


def test_csv_loads_in_pandas_with_zero_as_zero_and_null_as_nan(tmp_path):
    write_tables({"a": _report(0), "b": _report(None), "c": _report(7)}, tmp_path)
    frame = pd.read_csv(tmp_path / "reports.csv", encoding="utf-8-sig")
    assert list(frame["file"]) == ["a", "b", "c"]
    assert frame.loc[0, "stats_legacy.proactive.total"] == 0
    assert pd.isna(frame.loc[1, "stats_legacy.proactive.total"])
    assert pd.api.types.is_integer_dtype(frame["meta.year"])
    assert frame["stats_legacy.operations.budget"].tolist() == [2.5, 2.5, 2.5]


def test_jsonl_has_one_object_per_report_with_its_file_name(tmp_path):
    written = write_tables({"b": _report(3), "a": _report(5)}, tmp_path, ("jsonl",))
    assert tmp_path / "reports.jsonl" in written
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [(o["file"], o["stats_legacy"]["proactive"]["total"]) for o in objects] == [("a", 5), ("b", 3)]


def test_parquet_keeps_integer_and_float_types(tmp_path):
    import pyarrow.parquet as pq

    write_tables({"a": _report(0), "b": _report(None)}, tmp_path, ("parquet",))
    table = pq.read_table(tmp_path / "reports.parquet")
    assert str(table.schema.field("stats_legacy.proactive.total").type) == "int64"
    assert str(table.schema.field("stats_legacy.operations.budget").type) == "double"
    assert table.column("stats_legacy.proactive.total").to_pylist() == [0, None]


def test_report_json_is_readable_chinese_and_validates_back(tmp_path):
    report = AnnualReport.model_validate(_report(12))
    path = write_report(report, tmp_path, "r")
    text = path.read_text(encoding="utf-8")
    assert "灵山县" in text
    assert AnnualReport.model_validate_json(text) == report


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "sub" / "x.json"
    write_atomic(target, "一")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]
