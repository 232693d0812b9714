"""The column dictionary: every column of reports.csv has a label as the national form prints it, a unit, a section."""

from __future__ import annotations

import pandas as pd
from samples import GOV2021_REPORT, LEGACY_REPORT

from extractor.cli import main
from extractor.columns import column_info
from extractor.output import csv_columns, csv_dtypes, headers
from extractor.schema import money_paths, statistic_paths


def test_every_column_has_a_unique_chinese_label_and_a_section():
    infos = [column_info(column) for column in csv_columns()]
    labels = [info.label for info in infos]
    assert len(set(labels)) == len(labels)
    assert all(info.label and info.section for info in infos)
    assert not any(label.startswith(("一、", "（", "(", "1.")) for label in labels)  # no form numbering


def test_units_are_the_forms_units_and_money_is_in_wan_yuan():
    units = {column: column_info(column).unit for column in statistic_paths()}
    assert {units[path] for path in money_paths()} == {"万元"}
    assert set(units.values()) <= {"件", "条", "次", "篇", "个", "人", "人次", "项", "万元"}
    assert units["stats_legacy.proactive.total"] == "条"
    assert units["stats_2019.requests.new_received.total"] == "件"
    assert column_info("meta.year").unit == ""


def test_labels_follow_the_form_wording():
    assert column_info("stats_2019.requests.new_received.natural_person").label == "本年新收政府信息公开申请数量（自然人）"
    assert column_info("stats_2019.appeals.litigation_direct.upheld").label == "行政诉讼（未经复议直接起诉）：结果维持"
    assert column_info("stats_2019.proactive.regulations.in_force").label == "规章：现行有效件数"
    assert column_info("complete").section == "数据质量"


def _run_extract(tmp_path, *options: str):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "lingshan_2017.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (folder / "hebei_2021.txt").write_text(GOV2021_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(folder), "-o", str(out), "--no-llm", *options]) == 0
    return out


def test_columns_csv_covers_every_column_of_reports_csv_in_order(tmp_path):
    out = _run_extract(tmp_path)
    columns = pd.read_csv(out / "columns.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(columns.columns) == ["column", "label", "unit", "section"]
    reports = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())
    assert columns["column"].tolist() == list(reports.columns)


def test_labels_zh_headers_load_in_pandas_with_their_types(tmp_path):
    out = _run_extract(tmp_path, "--labels", "zh", "--format", "parquet")
    frame = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes("zh"))
    assert list(frame.columns) == headers("zh")
    row = frame.set_index("文件名").loc["lingshan_2017"]
    assert row["主动公开政府信息数"] == 39387 and row["年度"] == 2017
    assert str(frame["本年新收政府信息公开申请数量（总计）"].dtype) == "Int64"
    parquet = pd.read_parquet(out / "reports.parquet")
    assert list(parquet.columns) == headers("zh")
    assert parquet.set_index("文件名").loc["hebei_2021", "本年新收政府信息公开申请数量（总计）"] == 14


def test_the_shipped_field_catalogue_is_the_one_the_schema_makes():
    from pathlib import Path

    from extractor.columns import field_catalogue

    shipped = Path(__file__).resolve().parent.parent / "extractor" / "FIELDS.md"
    assert shipped.read_text(encoding="utf-8") == field_catalogue(), "regenerate: extractor schema --catalogue > extractor/FIELDS.md"
