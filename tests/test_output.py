"""Output files: atomic JSON per report and the flat tables."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from extractor.atomic import atomic_file, write_atomic
from extractor.output import csv_columns, csv_dtypes, report_json, write_tables
from extractor.schema import AnnualReport, statistic_paths


def _report(total: int | None, year: int = 2017) -> dict:
    report = AnnualReport.model_validate(
        {
            "meta": {"entity": "灵山县", "year": year, "template": "legacy"},
            "stats_legacy": {"proactive": {"total": total}, "operations": {"budget": 2.5}},
        }
    )
    return report.model_dump(mode="json")


def test_csv_columns_are_meta_then_quality_then_every_statistic_then_summary():
    columns = csv_columns()
    assert columns[1:7] == [f"meta.{name}" for name in ("entity", "entity_canonical", "level", "year", "published_on", "template")]
    assert columns[7:13] == ["source", "n_warnings", "warnings", "llm_used", "model", "complete"]
    assert columns[13 : 13 + len(statistic_paths())] == statistic_paths()
    assert columns[-1] == "summary.lawsuits"
    assert len(columns) == len(set(columns))


def test_csv_has_bom_one_row_per_report_in_order_and_blank_for_null(tmp_path):
    write_tables([("a", _report(0)), ("b", _report(None))], tmp_path)
    raw = (tmp_path / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == csv_columns()
    index = rows[0].index("stats_legacy.proactive.total")
    assert [(r[0], r[index]) for r in rows[1:]] == [("a", "0"), ("b", "")]


def test_csv_loads_in_pandas_with_zero_as_zero_and_null_as_nan(tmp_path):
    write_tables([("a", _report(0)), ("b", _report(None)), ("c", _report(7))], tmp_path)
    frame = pd.read_csv(tmp_path / "reports.csv", encoding="utf-8-sig")
    assert list(frame["file"]) == ["a", "b", "c"]
    assert frame.loc[0, "stats_legacy.proactive.total"] == 0
    assert pd.isna(frame.loc[1, "stats_legacy.proactive.total"])
    assert pd.api.types.is_integer_dtype(frame["meta.year"])
    assert frame["stats_legacy.operations.budget"].tolist() == [2.5, 2.5, 2.5]


def test_jsonl_has_one_object_per_report_with_its_file_name(tmp_path):
    written = write_tables([("a", _report(5)), ("b", _report(3))], tmp_path, ("jsonl",))
    assert tmp_path / "reports.jsonl" in written
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [(o["file"], o["stats_legacy"]["proactive"]["total"]) for o in objects] == [("a", 5), ("b", 3)]


def test_parquet_keeps_integer_and_float_types(tmp_path):
    import pyarrow.parquet as pq

    write_tables([("a", _report(0)), ("b", _report(None))], tmp_path, ("parquet",))
    table = pq.read_table(tmp_path / "reports.parquet")
    assert str(table.schema.field("stats_legacy.proactive.total").type) == "int64"
    assert str(table.schema.field("stats_legacy.operations.budget").type) == "double"
    assert table.column("stats_legacy.proactive.total").to_pylist() == [0, None]


def test_report_json_is_readable_chinese_and_validates_back():
    report = AnnualReport.model_validate(_report(12))
    text = report_json(report)
    assert "灵山县" in text
    assert AnnualReport.model_validate_json(text) == report


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "sub" / "x.json"
    write_atomic(target, "一")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_atomic_file_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_file(target) as out:
        out.write("half")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_csv_dtypes_cover_every_column_counts_as_int64_money_as_float():
    dtypes = csv_dtypes()
    assert list(dtypes) == csv_columns()
    assert set(dtypes.values()) == {"Int64", "float64", "string", "boolean"}
    assert dtypes["n_warnings"] == "Int64" and dtypes["complete"] == dtypes["llm_used"] == "boolean"
    assert dtypes["meta.year"] == dtypes["summary.lawsuits"] == dtypes["stats_2019.requests.new_received.total"] == "Int64"
    assert dtypes["stats_2019.proactive.fees.amount"] == "float64"
    assert dtypes["meta.template"] == "string"


def _gappy_reports() -> list[tuple[str, dict]]:
    """Two reports: every integer column has a gap in one of them, the money column a value and a gap."""
    one = _report(0)
    two = AnnualReport.model_validate({"meta": {"entity": "河北省教育厅", "template": "gov2021"}}).model_dump(mode="json")
    return [("one", one), ("two", two)]


def _assert_right_dtypes(frame: pd.DataFrame) -> None:
    assert str(frame["meta.year"].dtype) == "Int64"
    assert frame["meta.year"].tolist()[0] == 2017 and frame["meta.year"].isna().tolist() == [False, True]
    assert str(frame["stats_legacy.proactive.total"].dtype) == "Int64"
    assert frame["stats_legacy.proactive.total"].tolist()[0] == 0
    assert str(frame["stats_legacy.requests.received"].dtype) == "Int64"  # missing in both rows
    assert frame["stats_legacy.requests.received"].isna().all()
    assert frame["stats_legacy.operations.budget"].dtype == "float64"
    assert frame["stats_legacy.operations.budget"].tolist()[0] == 2.5
    assert pd.isna(frame["stats_legacy.operations.budget"].tolist()[1])
    assert pd.api.types.is_string_dtype(frame["meta.entity"])
    assert frame["meta.entity"].tolist() == ["灵山县", "河北省教育厅"]
    assert frame["meta.level"].isna().all()


def test_csv_read_with_csv_dtypes_keeps_integers_with_gaps_as_int64(tmp_path):
    write_tables(_gappy_reports(), tmp_path)
    frame = pd.read_csv(tmp_path / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())
    assert list(frame.columns) == csv_columns()
    _assert_right_dtypes(frame)


def test_parquet_loads_in_pandas_with_the_same_dtypes_and_no_arguments(tmp_path):
    write_tables(_gappy_reports(), tmp_path, ("parquet",))
    frame = pd.read_parquet(tmp_path / "reports.parquet")
    assert list(frame.columns) == csv_columns()
    _assert_right_dtypes(frame)


def test_tables_of_no_reports_have_the_header_only(tmp_path):
    write_tables([], tmp_path, ("jsonl", "parquet"))
    assert pd.read_csv(tmp_path / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes()).shape == (0, len(csv_columns()))
    assert (tmp_path / "reports.jsonl").read_text(encoding="utf-8") == ""
    assert pd.read_parquet(tmp_path / "reports.parquet").shape == (0, len(csv_columns()))
