"""The output folder is the dataset: every report in it is a row, with its quality, its values and its text."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from samples import GOV2021_REPORT, LEGACY_REPORT

from extractor.cli import main
from extractor.output import VALUE_COLUMNS, csv_dtypes

DOCS = Path(__file__).resolve().parent.parent / "evals" / "docs"
TABLES_AS_IMAGES = "某县2021年政府信息公开工作年度报告\n一、总体情况\n全县主动公开政府信息1136条。\n三、收到和处理政府信息公开申请情况\n"


def _extract(capsys, *argv: str) -> tuple[int, str]:
    code = main(["extract", *argv, "--no-llm"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _reports(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())


@pytest.fixture
def folder(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for copy in range(3):
        (inputs / f"lingshan_{copy}.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (inputs / "hebei_2021.txt").write_text(GOV2021_REPORT, encoding="utf-8")
    return inputs


def test_a_run_on_one_new_file_into_a_folder_of_n_reports_leaves_n_plus_one_rows(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert _extract(capsys, str(folder), "-o", str(out))[0] == 0
    assert len(_reports(out)) == 4
    new = tmp_path / "new" / "changxing_2021.txt"
    new.parent.mkdir()
    new.write_text(GOV2021_REPORT.replace("河北省某厅", "长兴县"), encoding="utf-8")
    code, err = _extract(capsys, str(new), "-o", str(out), "--format", "jsonl", "--format", "long")
    assert code == 0 and "1 extracted" in err
    frame = _reports(out)
    assert frame["file"].tolist() == ["changxing_2021", "hebei_2021", "lingshan_0", "lingshan_1", "lingshan_2"]
    assert len((out / "reports.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert set(pd.read_csv(out / "values.csv", encoding="utf-8-sig")["file"]) == set(frame["file"])


def test_deleting_a_reports_json_drops_its_row_at_the_next_write(folder, tmp_path, capsys):
    out = tmp_path / "out"
    _extract(capsys, str(folder), "-o", str(out))
    (out / "lingshan_1.json").unlink()
    _extract(capsys, str(folder / "hebei_2021.txt"), "-o", str(out))
    assert _reports(out)["file"].tolist() == ["hebei_2021", "lingshan_0", "lingshan_2"]


def test_a_json_that_is_not_a_report_is_left_out_with_one_line(folder, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "settings.json").write_text('{"theme": "dark"}', encoding="utf-8")
    (out / "broken.json").write_text('{"meta": ', encoding="utf-8")
    code, err = _extract(capsys, str(folder), "-o", str(out))
    assert code == 0
    assert f"extractor: {out / 'settings.json'}: not a report output; left out of the tables" in err.splitlines()
    assert f"extractor: {out / 'broken.json'}: not valid JSON; left out of the tables" in err.splitlines()
    assert len(_reports(out)) == 4


def test_quality_columns_show_source_warnings_model_and_completeness(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (inputs / "images.txt").write_text(TABLES_AS_IMAGES, encoding="utf-8")
    out = tmp_path / "out"
    _extract(capsys, str(inputs), "-o", str(out))
    frame = _reports(out).set_index("file")
    assert list(frame.columns[6:12]) == ["source", "n_warnings", "warnings", "llm_used", "model", "complete"]
    assert frame.loc["good", "source"] == str(inputs / "good.txt")
    assert frame.loc["good", "n_warnings"] == 0 and pd.isna(frame.loc["good", "warnings"])
    assert bool(frame.loc["good", "complete"]) and not bool(frame.loc["good", "llm_used"])
    assert frame.loc["images", "n_warnings"] == 1 and not bool(frame.loc["images", "complete"])
    assert frame.loc["images", "warnings"] == (
        "statistics section 三、收到和处理政府信息公开申请情况 is in the report, but no figure of its table could be read"
    )
    assert pd.isna(frame.loc["images", "model"])


def test_warnings_are_joined_with_a_bar_in_one_cell(tmp_path, capsys):
    path = tmp_path / "r.txt"
    path.write_text(TABLES_AS_IMAGES + "四、政府信息公开行政复议、行政诉讼情况\n", encoding="utf-8")
    _extract(capsys, str(path), "-o", str(tmp_path / "out"))
    row = _reports(tmp_path / "out").iloc[0]
    assert row["n_warnings"] == 2 and len(row["warnings"].split(" | ")) == 2


def test_long_table_has_one_row_per_value_with_label_unit_and_evidence(folder, tmp_path, capsys):
    out = tmp_path / "out"
    _extract(capsys, str(folder), "-o", str(out), "--format", "long")
    values = pd.read_csv(out / "values.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(values.columns) == VALUE_COLUMNS
    reports = {name: json.loads((out / f"{name}.json").read_text(encoding="utf-8")) for name in values["file"].unique()}
    assert len(values) == sum(len(report["evidence"]) for report in reports.values())
    row = values[(values["file"] == "lingshan_0") & (values["key"] == "stats_legacy.proactive.total")].iloc[0]
    assert (row["label"], row["value"], row["unit"], row["method"]) == ("主动公开政府信息数", "39387", "条", "rules")
    assert row["entity_canonical"] == "灵山县" and row["year"] == "2017" and row["page"] == ""
    panel = pd.read_csv(out / "values.csv", encoding="utf-8-sig").pivot_table(
        index=["entity_canonical", "year"], columns="key", values="value", aggfunc="first"
    )
    assert panel.loc[("灵山县", 2017), "stats_legacy.proactive.total"] == 39387


def _visible(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def test_every_evidence_of_a_real_pdf_is_found_in_the_text_file_and_on_its_page(tmp_path, capsys):
    import pypdfium2 as pdfium

    source = tmp_path / "huaian_2024.pdf"
    shutil.copy(DOCS / "01_huaian_2024.pdf", source)
    out = tmp_path / "out"
    assert _extract(capsys, str(source), "-o", str(out), "--format", "long")[0] == 0
    report = json.loads((out / "huaian_2024.json").read_text(encoding="utf-8"))
    text = (out / "text" / "huaian_2024.txt").read_text(encoding="utf-8")
    pdf = pdfium.PdfDocument(str(source))
    pages = [_visible(page.get_textpage().get_text_bounded()) for page in pdf]
    assert len(report["evidence"]) > 150
    for key, evidence in report["evidence"].items():
        assert text[evidence["start"] : evidence["end"]] == evidence["quote"], key
        head = _visible(evidence["quote"])[:6]
        assert head in pages[evidence["page"] - 1], (key, evidence["page"], evidence["quote"])
    assert {evidence["page"] for evidence in report["evidence"].values()} == set(range(1, len(pages) + 1))
    values = pd.read_csv(out / "values.csv", encoding="utf-8-sig")
    assert values["page"].notna().all()


def test_an_output_without_its_text_file_is_not_current(folder, tmp_path, capsys):
    out = tmp_path / "out"
    _extract(capsys, str(folder), "-o", str(out))
    (out / "text" / "hebei_2021.txt").unlink()
    code, err = _extract(capsys, str(folder), "-o", str(out))
    assert code == 0 and "1 extracted, 3 already current" in err
    assert (out / "text" / "hebei_2021.txt").read_text(encoding="utf-8").startswith("河北省某厅2021年")
