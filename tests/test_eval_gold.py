"""The gold set is usable, the eval passes on it, and a broken parser makes it fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extractor.errors import EvalError
from extractor.evaluation import runner
from extractor.evaluation.gold import check_gold, load_cases
from extractor.schema import AnnualReport, get_path, set_path, statistic_paths

EVALS = Path(__file__).resolve().parents[1] / "evals"
CASES = load_cases(EVALS)


def test_gold_set_has_every_document():
    assert len(CASES) == len(list((EVALS / "gold").glob("*.json")))
    assert len(CASES) >= 17


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gold_file_passes_check_gold(case):
    problems = [p for p in check_gold(case) if not p.startswith("arithmetic:")]
    assert problems == []


def _case_with(tmp_path: Path, gold: dict, text: str):
    (tmp_path / "gold").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.txt").write_text(text, encoding="utf-8")
    (tmp_path / "gold" / "x.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    [case] = load_cases(tmp_path)
    return case


TEXT = "灵山县2017年政府信息公开工作年度报告\n全年全县主动公开政府信息39387条。全年受理申请25件。"


def test_check_gold_finds_wrong_value_bad_quote_bad_offsets_and_missing_evidence(tmp_path):
    start = TEXT.index("全年全县")
    gold = {
        "stats_legacy": {"proactive": {"total": 39388}, "requests": {"received": 25}, "appeals": {"complaints": 0}},
        "evidence": {
            "stats_legacy.proactive.total": {
                "quote": "全年全县主动公开政府信息39387条",
                "start": start,
                "end": start + len("全年全县主动公开政府信息39387条"),
                "method": "rules",
            },
            "stats_legacy.requests.received": {"quote": "受理申请二十五件", "start": 0, "end": 8, "method": "rules"},
            "stats_legacy.operations.budget": {"quote": "x", "start": 0, "end": 1, "method": "rules"},
        },
    }
    problems = check_gold(_case_with(tmp_path, gold, TEXT))
    assert problems == [
        "stats_legacy.proactive.total: value 39388 is not in its quote '全年全县主动公开政府信息39387条'",
        "stats_legacy.requests.received: quote not in the document: '受理申请二十五件'",
        "stats_legacy.requests.received: offsets 0-8 do not point at the quote",
        "stats_legacy.operations.budget: evidence for a null value",
        "stats_legacy.appeals.complaints: value without evidence",
    ]


def test_gold_without_a_source_document_is_an_eval_error(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "gold" / "lost.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EvalError, match="expected one source document"):
        load_cases(tmp_path)


def test_gold_with_an_unknown_key_is_an_eval_error(tmp_path):
    with pytest.raises(EvalError, match="not a valid AnnualReport"):
        _case_with(tmp_path, {"stats_legacy": {"proactive": {"totl": 1}}}, TEXT)


def test_run_eval_on_the_repository_gold_set_passes(tmp_path, capsys):
    report = tmp_path / "eval.json"
    markdown = tmp_path / "eval.md"
    assert runner.run_eval(str(EVALS), str(report), str(markdown)) == 0
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["threshold_failures"] == []
    first_look = runner.first_look_names(EVALS)
    assert first_look <= {case.name for case in CASES}
    assert summary["documents"] + len(first_look) == len(CASES)
    assert (summary["first_look"] or {"documents": 0})["documents"] == len(first_look)
    assert summary["grounding"] == 1.0
    assert markdown.read_text(encoding="utf-8").startswith("## tuned:")
    assert capsys.readouterr().err == ""


def _copy_evals(tmp_path: Path) -> Path:
    folder = tmp_path / "evals"
    shutil.copytree(EVALS, folder)
    return folder


def test_one_wrong_value_per_document_fails_the_eval(tmp_path, monkeypatch, capsys):
    real = runner.extract_document
    changed = []

    def one_wrong(document, *rest):
        data = real(document, *rest).model_dump()
        path = next(p for p in statistic_paths() if get_path(data, p) is not None)
        set_path(data, path, get_path(data, path) + 1)
        changed.append(document.path)
        return AnnualReport.model_validate(data)

    # one wrong value in thousands barely moves precision: hold the copy to the parser's own current scores
    folder = _copy_evals(tmp_path)
    scores = runner.evaluate(folder, runner.recorded_reader(folder))
    actual = runner.summarize_groups(scores, runner.first_look_names(folder))["statistics"]
    thresholds = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
    thresholds["statistics_precision_min"] = actual["precision"]
    (folder / "thresholds.json").write_text(json.dumps(thresholds), encoding="utf-8")
    assert runner.run_eval(str(folder)) == 0
    capsys.readouterr()
    monkeypatch.setattr(runner, "extract_document", one_wrong)
    assert runner.run_eval(str(folder)) == 1
    assert len(set(changed)) == len(CASES)  # a document with no recorded answer is extracted again, parsers alone
    err = capsys.readouterr().err
    assert "under threshold: statistics_precision_min" in err


def test_one_hallucinated_value_per_document_fails_the_eval(tmp_path, monkeypatch, capsys):
    real = runner.extract_document

    def invent(document, *_):
        data = real(document).model_dump()
        data["stats_legacy"]["requests"]["channels"]["email"] = 7  # no gold file has this figure
        return AnnualReport.model_validate(data)

    assert all(case.gold.stats_legacy.requests.channels.email is None for case in CASES)
    monkeypatch.setattr(runner, "extract_document", invent)
    assert runner.run_eval(str(_copy_evals(tmp_path))) == 1
    assert "under threshold: hallucinations_max" in capsys.readouterr().err


def test_empty_predictions_fail_the_eval(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "extract_document", lambda document, *_: AnnualReport())
    assert runner.run_eval(str(_copy_evals(tmp_path))) == 1
    err = capsys.readouterr().err
    assert "under threshold: statistics_f1_min" in err
    assert "under threshold: meta_year_min" in err


def test_thresholds_decide_the_exit_status(tmp_path, monkeypatch, capsys):
    folder = _copy_evals(tmp_path)
    monkeypatch.setattr(runner, "extract_document", lambda document, *_: AnnualReport())
    (folder / "thresholds.json").write_text(json.dumps({"_comment": "none", "hallucinations_max": 0}), encoding="utf-8")
    assert runner.run_eval(str(folder)) == 0
