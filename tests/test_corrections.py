"""A person's corrections and body names in the output folder: applied on every write, kept across --force."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from samples import GOV2021_REPORT, LEGACY_REPORT

from extractor.cli import main
from extractor.output import csv_dtypes

TOTAL = "stats_legacy.proactive.total"


def _extract(capsys, *argv: str) -> tuple[int, str]:
    code = main(["extract", *argv, "--no-llm"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def out(tmp_path, capsys) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "lingshan_2017.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (inputs / "hebei_2021.txt").write_text(GOV2021_REPORT, encoding="utf-8")
    folder = tmp_path / "out"
    assert _extract(capsys, str(inputs), "-o", str(folder))[0] == 0
    return folder


def _corrections(out: Path, text: str, encoding: str = "utf-8") -> None:
    (out / "corrections.csv").write_bytes(("file,key,value,note\n" + text).encode(encoding))


def _report(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def _row(out: Path, name: str) -> pd.Series:
    return pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes()).set_index("file").loc[name]


def test_correction_is_applied_with_human_evidence_and_survives_force(out, tmp_path, capsys):
    _corrections(out, f"lingshan_2017,{TOTAL},39388,checked against the PDF p.2\n")
    for force in ([], ["--force"]):
        code, err = _extract(capsys, str(tmp_path / "in"), "-o", str(out), *force)
        assert code == 0 and "corrections.csv" not in err
        report = _report(out, "lingshan_2017")
        assert report["stats_legacy"]["proactive"]["total"] == 39388
        evidence = report["evidence"][TOTAL]
        assert evidence["method"] == "human" and evidence["note"] == "checked against the PDF p.2"
        text = (out / "text" / "lingshan_2017.txt").read_text(encoding="utf-8")
        assert text[evidence["start"] : evidence["end"]] == evidence["quote"] == "2017年,全县主动公开政府信息39387条"
        assert report["summary"]["proactive_total"] == 39388
        assert _row(out, "lingshan_2017")[TOTAL] == 39388
    assert "2 extracted" in err  # --force did extract again; the correction was applied again


def test_empty_value_means_the_report_does_not_state_it(out, tmp_path, capsys):
    _corrections(out, f"lingshan_2017,{TOTAL},,the figure covers the whole city\n")
    _extract(capsys, str(tmp_path / "in"), "-o", str(out))
    report = _report(out, "lingshan_2017")
    assert report["stats_legacy"]["proactive"]["total"] is None
    assert report["evidence"][TOTAL]["method"] == "human"
    assert pd.isna(_row(out, "lingshan_2017")[TOTAL])


def test_unknown_key_file_or_bad_value_is_one_warning_each_and_the_rest_applies(out, tmp_path, capsys):
    _corrections(
        out,
        f"lingshan_2017,stats_legacy.proactive.totl,5,\nnowhere,{TOTAL},5,\n"
        f"lingshan_2017,{TOTAL},many,\nlingshan_2017,meta.level,capital,\n"
        "hebei_2021,stats_2019.requests.new_received.total,15,recount\n",
    )
    code, err = _extract(capsys, str(tmp_path / "in"), "-o", str(out))
    assert code == 0
    lines = [line for line in err.splitlines() if "corrections.csv" in line]
    assert lines[:3] == [
        "extractor: corrections.csv line 2: unknown key 'stats_legacy.proactive.totl'; line skipped",
        f"extractor: corrections.csv line 3: no report 'nowhere' in {out} (file as in reports.csv); line skipped",
        f"extractor: corrections.csv line 4: value 'many' for {TOTAL} is not a whole number; line skipped",
    ]
    assert len(lines) == 4 and lines[3].startswith("extractor: corrections.csv line 5: meta.level = 'capital' is not a valid")
    assert _report(out, "lingshan_2017")["stats_legacy"]["proactive"]["total"] == 39387
    hebei = _report(out, "hebei_2021")
    assert hebei["stats_2019"]["requests"]["new_received"]["total"] == 15
    assert any(w.startswith("arithmetic: stats_2019.requests.new_received") for w in hebei["warnings"])


def test_corrections_saved_by_excel_as_gbk_are_read(out, tmp_path, capsys):
    _corrections(out, f"lingshan_2017,{TOTAL},40000,经核对原件\n", encoding="gbk")
    _extract(capsys, str(tmp_path / "in"), "-o", str(out))
    assert _report(out, "lingshan_2017")["evidence"][TOTAL]["note"] == "经核对原件"


def test_corrections_file_without_its_columns_is_one_warning(out, tmp_path, capsys):
    (out / "corrections.csv").write_text("name,value\nx,1\n", encoding="utf-8")
    code, err = _extract(capsys, str(tmp_path / "in"), "-o", str(out))
    assert code == 0
    assert "extractor: corrections.csv: needs the columns file, key, value (missing file, key); not applied" in err


def test_a_report_with_no_name_gets_its_body_through_a_correction(out, tmp_path, capsys):
    _corrections(out, "lingshan_2017,meta.entity_canonical,广西壮族自治区钦州市灵山县,from the site\n")
    _extract(capsys, str(tmp_path / "in"), "-o", str(out))
    assert _row(out, "lingshan_2017")["meta.entity_canonical"] == "广西壮族自治区钦州市灵山县"


def test_entities_csv_overrides_the_canonical_name(out, tmp_path, capsys):
    (out / "entities.csv").write_text("entity,entity_canonical\n灵山县,广西壮族自治区钦州市灵山县\n", encoding="utf-8")
    _extract(capsys, str(tmp_path / "in"), "-o", str(out), "--force")
    assert _report(out, "lingshan_2017")["meta"]["entity_canonical"] == "广西壮族自治区钦州市灵山县"
    assert _report(out, "lingshan_2017")["meta"]["entity"] == "灵山县"
