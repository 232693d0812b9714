"""The command line on real folders: exit codes, one-line errors, resumable runs, no tracebacks."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from samples import GOV2021_REPORT, LEGACY_REPORT

from extractor.cli import main
from extractor.runs.local import BatchResult


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "lingshan_2017.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (folder / "hebei_2021.txt").write_text(GOV2021_REPORT, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.xlsx").write_bytes(b"ignored: not a report suffix")
    return folder


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_extract_folder_with_one_empty_file(inputs, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, _, err = _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm")
    assert code == 1
    named = [line for line in err.splitlines() if "empty.txt" in line]
    assert len(named) == 1 and "file is empty" in named[0]
    assert "2 extracted, 0 already current, 1 failed" in err
    assert sorted(p.name for p in out_dir.iterdir()) == [
        ".extractor.lock",
        "columns.csv",
        "hebei_2021.json",
        "lingshan_2017.json",
        "reports.csv",
        "text",
    ]
    legacy = json.loads((out_dir / "lingshan_2017.json").read_text(encoding="utf-8"))
    assert legacy["stats_legacy"]["proactive"]["total"] == 39387
    assert legacy["evidence"]["stats_legacy.proactive.total"]["quote"] == "2017年,全县主动公开政府信息39387条"


def test_reports_csv_loads_with_pandas_one_row_per_good_report(inputs, tmp_path, capsys):
    out_dir = tmp_path / "out"
    _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm")
    frame = pd.read_csv(out_dir / "reports.csv", encoding="utf-8-sig")
    assert list(frame["file"]) == ["hebei_2021", "lingshan_2017"]
    assert pd.api.types.is_integer_dtype(frame["meta.year"])
    assert list(frame["meta.year"]) == [2021, 2017]
    # stated in both reports: stays an integer column
    assert pd.api.types.is_integer_dtype(frame["stats_legacy.proactive.total"])
    assert list(frame["stats_legacy.proactive.total"]) == [1136, 39387]
    assert list(frame["summary.requests_received"]) == [14, 25]
    # a null is NaN, never 0
    assert frame["stats_legacy.requests.received"].isna().tolist() == [True, False]
    assert frame["stats_2019.requests.new_received.natural_person"].isna().tolist() == [False, True]
    assert frame["stats_legacy.operations.budget"].isna().all()


def test_rerun_skips_current_outputs_and_force_redoes_them(inputs, tmp_path, capsys):
    out_dir = tmp_path / "out"
    _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm")
    before = (out_dir / "lingshan_2017.json").stat().st_mtime_ns
    code, _, err = _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm")
    assert code == 1
    assert "0 extracted, 2 already current, 1 failed" in err
    assert (out_dir / "lingshan_2017.json").stat().st_mtime_ns == before
    assert len(pd.read_csv(out_dir / "reports.csv", encoding="utf-8-sig")) == 2
    code, _, err = _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm", "--force")
    assert "2 extracted, 0 already current, 1 failed" in err


def test_changed_input_is_extracted_again(inputs, tmp_path, capsys):
    out_dir = tmp_path / "out"
    _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm")
    (inputs / "lingshan_2017.txt").write_text(LEGACY_REPORT.replace("39387", "39388"), encoding="utf-8")
    _, _, err = _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm")
    assert "1 extracted, 1 already current" in err
    data = json.loads((out_dir / "lingshan_2017.json").read_text(encoding="utf-8"))
    assert data["stats_legacy"]["proactive"]["total"] == 39388


def test_format_jsonl_writes_reports_jsonl(inputs, tmp_path, capsys):
    out_dir = tmp_path / "out"
    (inputs / "empty.txt").unlink()
    code, _, _ = _run(capsys, "extract", str(inputs), "-o", str(out_dir), "--no-llm", "--format", "jsonl")
    assert code == 0
    lines = (out_dir / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["file"] for line in lines] == ["hebei_2021", "lingshan_2017"]


def test_without_no_llm_and_no_endpoint_it_says_parsers_only(inputs, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    (inputs / "empty.txt").unlink()
    code, _, err = _run(capsys, "extract", str(inputs / "lingshan_2017.txt"), "-o", str(tmp_path / "o"))
    assert code == 0
    assert "running the parsers only" in err


def test_same_stem_in_two_folders_gets_two_outputs(tmp_path, capsys):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    code, _, _ = _run(capsys, "extract", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "o"), "--no-llm")
    assert code == 0
    assert {p.name for p in (tmp_path / "o").glob("*.json")} == {"a__report.json", "b__report.json"}


def test_missing_path_is_a_usage_error_with_one_line_and_no_output_folder(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    code, _, err = _run(capsys, "extract", str(missing), "-o", str(tmp_path / "o"), "--no-llm")
    assert code == 2
    assert err == f"extractor: {missing}: no such file or folder\n"
    assert not (tmp_path / "o").exists()


def test_schema_command_prints_json_schema(capsys):
    code, out, err = _run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "AnnualReport"
    assert set(schema["properties"]) >= {"meta", "stats_legacy", "stats_2019", "summary", "evidence"}
    assert err == ""


def test_no_command_is_a_usage_error(capsys):
    code, _, err = _run(capsys)
    assert code == 2
    assert "usage" in err


def test_eval_live_is_a_one_line_error(capsys):
    code, _, err = _run(capsys, "eval", "--live")
    assert code == 2
    assert err.strip().count("\n") == 0 and "--live" in err


def test_eval_on_a_folder_without_gold_is_a_one_line_error(tmp_path, capsys):
    code, _, err = _run(capsys, "eval", "--evals", str(tmp_path))
    assert code == 2
    assert err.strip() == f"extractor: {tmp_path}: no gold/ folder here"


def test_model_options_reach_the_batch_as_settings(inputs, tmp_path, capsys, monkeypatch):
    seen = []

    def run_batch(paths, options):
        seen.append(options)
        return BatchResult(0, 0, ())

    monkeypatch.setattr("extractor.cli.run_batch", run_batch)
    code, _, err = _run(
        capsys,
        "extract",
        str(inputs),
        "-o",
        str(tmp_path / "o"),
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--model",
        "qwen",
        "--concurrency",
        "4",
        "--workers",
        "3",
        "--format",
        "jsonl",
        "--force",
    )
    assert code == 0 and err == ""
    options = seen[0]
    assert (options.settings.base_url, options.settings.model, options.settings.concurrency) == ("http://127.0.0.1:9/v1", "qwen", 4)
    assert (options.workers, options.formats, options.force) == (3, ("jsonl",), True)


def test_endpoint_without_a_model_name_is_a_usage_error(inputs, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("EXTRACTOR_MODEL", raising=False)
    code, _, err = _run(capsys, "extract", str(inputs), "-o", str(tmp_path / "o"), "--base-url", "http://127.0.0.1:9/v1")
    assert code == 2
    assert err == "extractor: a model endpoint is set but no model name: give --model or EXTRACTOR_MODEL\n"
    assert not (tmp_path / "o").exists()
