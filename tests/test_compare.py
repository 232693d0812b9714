"""Year over year: compare.csv holds each body's series across the years of its reports, with readable flags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from extractor.cli import main
from extractor.compare import FLAG_COLUMNS, arithmetic_keys, compare_reports
from extractor.output import report_json
from extractor.schema import AnnualReport

DOCS = Path(__file__).resolve().parent.parent / "evals" / "docs"
NEW = "stats_2019.requests.new_received.total"
CARRIED_OVER = "stats_2019.requests.carried_over.total"


def _write(out: Path, name: str, data: dict) -> None:
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(report_json(AnnualReport.model_validate(data)), encoding="utf-8")


def _modern(entity: str, year: int, new: int, carried_over: int = 0, carried_forward: int = 0) -> dict:
    return {
        "meta": {"entity": entity, "entity_canonical": entity, "year": year, "template": "gov2021"},
        "stats_2019": {
            "requests": {
                "new_received": {"total": new},
                "carried_over": {"total": carried_over},
                "carried_forward": {"total": carried_forward},
            }
        },
    }


def _compare(capsys, out: Path) -> tuple[int, str, pd.DataFrame]:
    code = main(["compare", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    path = out / "compare.csv"
    return code, err, pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def test_corpus_body_has_its_series_across_its_years(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("02_hongzequ_2023.pdf", "03_hongzequ_2024.pdf"):
        shutil.copy(DOCS / name, inputs / name)
    out = tmp_path / "out"
    assert main(["extract", str(inputs), "-o", str(out), "--no-llm"]) == 0
    code, err, frame = _compare(capsys, out)
    assert code == 0
    assert list(frame.columns) == ["entity_canonical", "key", "label", "2023", "2024", *FLAG_COLUMNS]
    assert set(frame["entity_canonical"]) == {"江苏省淮安市洪泽区"}
    row = frame.set_index("key").loc[NEW]
    assert row["label"] == "本年新收政府信息公开申请数量（总计）"
    assert row["2023"] != "" and row["2024"] == "95"
    assert "extractor: compare: 1 body, years 2023–2024," in err
    reconsideration = frame.set_index("key").loc["stats_2019.appeals.reconsideration.total"]
    assert reconsideration["flag_arithmetic"].startswith("2023: stats_2019.appeals.reconsideration: results add up to")


def test_tenfold_jump_is_flagged_with_the_years_and_values(tmp_path, capsys):
    out = tmp_path / "out"
    _write(out, "a", _modern("某县", 2020, 12))
    _write(out, "b", _modern("某县", 2021, 130))
    _write(out, "c", _modern("某县", 2022, 140))
    code, err, frame = _compare(capsys, out)
    row = frame.set_index("key").loc[NEW]
    assert (row["2020"], row["2021"], row["2022"]) == ("12", "130", "140")
    assert row["flag_jump"] == "2020 → 2021: 12 → 130 (×11)"
    assert code == 0 and "1 body, years 2020–2022, 3 series, 1 flagged (1 jumps, 0 arithmetic, 0 conflicts)" in err
    assert "  某县 · 本年新收政府信息公开申请数量（总计） · jump: 2020 → 2021: 12 → 130 (×11)" in err.splitlines()


def test_carry_over_that_breaks_the_previous_years_carry_forward_is_flagged(tmp_path, capsys):
    out = tmp_path / "out"
    _write(out, "a", _modern("某县", 2020, 5, carried_forward=3))
    _write(out, "b", _modern("某县", 2021, 6, carried_over=1))
    _, _, frame = _compare(capsys, out)
    assert frame.set_index("key").loc[CARRIED_OVER, "flag_arithmetic"] == (
        "2020 carried forward 3 (结转下年度) but 2021 carried over 1 (上年结转)"
    )


def test_two_reports_of_one_body_and_year_that_disagree_leave_the_cell_empty(tmp_path, capsys):
    out = tmp_path / "out"
    _write(out, "a", _modern("某县", 2020, 5))
    _write(out, "b", _modern("某县", 2020, 7))
    _write(out, "c", _modern("某县", 2020, 5) | {"meta": {"entity": "另一县", "year": 2020}})
    _, err, frame = _compare(capsys, out)
    row = frame[(frame["entity_canonical"] == "某县") & (frame["key"] == NEW)].iloc[0]
    assert row["2020"] == "" and row["flag_conflict"] == "2020: the reports disagree (a: 5, b: 7); left empty"
    assert "2 bodies" in err


def test_reports_without_a_body_or_year_are_counted_and_left_out(tmp_path, capsys):
    out = tmp_path / "out"
    _write(out, "a", _modern("某县", 2020, 5))
    _write(out, "nameless", {"meta": {"year": 2020}, "stats_legacy": {"proactive": {"total": 3}}})
    code, err, _ = _compare(capsys, out)
    assert code == 0 and "1 report without a body name or year left out" in err


def test_compare_applies_the_persons_entity_names(tmp_path, capsys):
    out = tmp_path / "out"
    _write(out, "a", _modern("洪泽区", 2023, 5))
    _write(out, "b", _modern("江苏省淮安市洪泽区", 2024, 6))
    (out / "entities.csv").write_text("entity,entity_canonical\n洪泽区,江苏省淮安市洪泽区\n", encoding="utf-8")
    _, _, frame = _compare(capsys, out)
    assert set(frame["entity_canonical"]) == {"江苏省淮安市洪泽区"}


def test_folder_without_reports_is_a_usage_error(tmp_path, capsys):
    code, err, frame = _compare(capsys, tmp_path)
    assert code == 2 and frame.empty
    assert err.startswith(f"extractor: {tmp_path}: no report outputs")


def test_every_arithmetic_warning_of_the_checks_names_its_statistics():
    from extractor.checks import arithmetic_warnings

    data = _modern("某县", 2021, 5, carried_over=1, carried_forward=0)
    data["stats_2019"]["requests"]["total"] = {"total": 9}
    data["stats_2019"]["appeals"] = {"reconsideration": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 3}}
    data["stats_legacy"] = {"requests": {"completed": 9, "completed_on_time": 4, "completed_extended": 4}}
    warnings = arithmetic_warnings(data)
    assert len(warnings) == 3
    assert all(arithmetic_keys(warning) for warning in warnings)
    comparison = compare_reports([("r", {**data, "warnings": warnings})])
    flagged = {row.key for row in comparison.flagged}
    assert {"stats_legacy.requests.completed", "stats_2019.appeals.reconsideration.total", NEW} <= flagged
