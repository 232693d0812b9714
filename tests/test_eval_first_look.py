"""`extractor eval` reports the first-look documents apart from the tuned ones and holds only the tuned ones to the
thresholds; `--no-llm` scores the parsers alone; a document with no recorded model answer is scored on the parsers
alone instead of on the parsers minus what the model would have read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.evaluation import runner

EVALS = Path(__file__).resolve().parents[1] / "evals"
WEAK = "05_shanghai_szfbgt_2025"  # a tuned document the parsers read only in part (rows a PDF converter moved)


def _evals_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "evals"
    shutil.copytree(EVALS, folder)
    return folder


def _first_look(folder: Path) -> str:
    return (folder / runner.FIRST_LOOK).read_text(encoding="utf-8")


def _report(folder: Path, tmp_path: Path, **options: object) -> tuple[int, dict]:
    report = tmp_path / "report.json"
    code = runner.run_eval(str(folder), str(report), str(tmp_path / "report.md"), **options)  # type: ignore[arg-type]
    return code, json.loads(report.read_text(encoding="utf-8"))


def test_a_first_look_document_is_reported_apart_and_never_fails_the_eval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _evals_copy(tmp_path)
    # hold the tuned set to exactly what it scores without the weak document
    scores = runner.evaluate(folder, runner.recorded_reader(folder))
    first_look = runner.first_look_names(folder)
    without_weak = runner.summarize([s for s in scores if s.name != WEAK and s.name not in first_look])["statistics"]
    thresholds = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
    thresholds["statistics_f1_min"] = without_weak["f1"]
    (folder / "thresholds.json").write_text(json.dumps(thresholds), encoding="utf-8")

    code, summary = _report(folder, tmp_path)
    assert code == 1  # counted among the tuned documents, the weak one pulls F1 under the threshold
    assert "under threshold: statistics_f1_min" in capsys.readouterr().err

    already = len(first_look)
    (folder / runner.FIRST_LOOK).write_text(f"{_first_look(folder)}\n{WEAK}\n", encoding="utf-8")
    code, summary = _report(folder, tmp_path)
    assert code == 0 and summary["threshold_failures"] == []
    assert summary["statistics"]["f1"] == without_weak["f1"]
    assert WEAK not in [d["name"] for d in summary["per_document"]]
    first = summary["first_look"]
    assert first["documents"] == already + 1 and WEAK in [d["name"] for d in first["per_document"]]
    assert first["statistics"]["recall"] < 1.0
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    tuned_part, first_part = markdown.split(f"## first look: {already + 1} documents")
    assert tuned_part.startswith(f"## tuned: {summary['documents']} documents") and WEAK not in tuned_part
    assert f"| {WEAK} |" in first_part and "not held to the thresholds" in first_part


def test_no_llm_scores_every_document_on_the_parsers_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _evals_copy(tmp_path)
    assert runner.recorded_reader(folder) is not None
    code, summary = _report(folder, tmp_path, no_llm=True)
    assert code == 0
    assert all(d["parsers_only"] and not d["model_use"] for d in summary["per_document"])
    assert not summary["model_use"].get("cache_hits")
    assert all(counts["tp"] == 0 for counts in summary["narrative"].values())
    _, replayed = _report(folder, tmp_path)
    assert not any(d["parsers_only"] for d in replayed["per_document"])


def test_a_document_without_recorded_answers_is_scored_on_the_parsers_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _evals_copy(tmp_path)
    (folder / "recordings.jsonl").write_text(
        (folder / "recordings.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"
    )
    recorded = runner.evaluate(folder, runner.recorded_reader(folder), only=WEAK)
    alone = runner.evaluate(folder, None, only=WEAK)
    assert recorded[0].parsers_only and alone[0].parsers_only
    assert recorded[0].stats.as_dict() == alone[0].stats.as_dict()
    assert recorded[0].accounting["replay_misses"] >= 1 and not recorded[0].accounting["cache_hits"]


def test_eval_refuses_live_together_with_no_llm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--live", "--no-llm"]) == 2
    assert "--live and --no-llm" in capsys.readouterr().err
