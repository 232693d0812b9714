"""`extractor eval` with a model: a live run against a fake endpoint records every answer it used in
evals/recordings.jsonl; an offline run replays them with no endpoint at all and scores exactly the same."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAI

from extractor.evaluation.runner import RECORDINGS, recorded_reader, run_eval
from extractor.llm.cache import RecordedAnswers
from extractor.llm.settings import ModelSettings

EVALS = Path(__file__).resolve().parents[1] / "evals"
CASE = "06_hebei_jyt_2013"


def model_reply(body: dict[str, Any]) -> dict[str, Any]:
    """Each mark its first choice, each point an item on 制度建设."""
    content = body["messages"][-1]["content"]
    marks = re.findall(r"⟦\d+:([^/⟧]*)", content)
    if marks:
        return {"labels": marks}
    points = re.findall(r"^\[\d+ (\w+)\] (.*)$", content, re.M)
    return {"points": ["制度建设" for _ in points]}


@pytest.fixture
def evals_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "evals"
    (folder / "docs").mkdir(parents=True)
    (folder / "gold").mkdir()
    shutil.copy(EVALS / "docs" / f"{CASE}.txt", folder / "docs")
    shutil.copy(EVALS / "gold" / f"{CASE}.json", folder / "gold")
    shutil.copy(EVALS / "thresholds.json", folder)
    return folder


def _settings(server: FakeOpenAI, tmp_path: Path) -> ModelSettings:
    return server.settings(cache_dir=str(tmp_path / "cache"))


def _scores(report: Path) -> dict[str, Any]:
    """The report without what differs between a live and a replayed run: time and model use."""
    summary = json.loads(report.read_text(encoding="utf-8"))
    summary.pop("model_use")
    for doc in summary["per_document"]:
        doc.pop("seconds")
        doc.pop("model_use")
    return summary


def _record(evals_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, int, Path]:
    """A live run; returns (exit status, requests sent, report path)."""
    report = tmp_path / "live.json"
    with FakeOpenAI() as server:
        server.default = model_reply
        code = run_eval(evals_dir=str(evals_dir), report_path=str(report), live=_settings(server, tmp_path))
        sent = len(server.chat_bodies())
    capsys.readouterr()
    return code, sent, report


def test_a_live_run_records_answers_and_an_offline_replay_scores_the_same(
    evals_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live_code, sent, live_report = _record(evals_dir, tmp_path, capsys)
    assert sent >= 1
    live = json.loads(live_report.read_text(encoding="utf-8"))
    assert live["model_use"]["requests"] == sent
    assert live["narrative"]["problems"]["tp"] >= 1 or live["narrative"]["improvements"]["tp"] >= 1

    # the server is closed now: a replay that tried to send anything would fail to connect
    replay_report = tmp_path / "replay.json"
    replay_code = run_eval(evals_dir=str(evals_dir), report_path=str(replay_report))
    assert replay_code == live_code
    assert _scores(replay_report) == _scores(live_report)
    use = json.loads(replay_report.read_text(encoding="utf-8"))["model_use"]
    assert use.get("requests", 0) == 0 and use.get("replay_misses", 0) == 0
    assert use["cache_hits"] == sent
    assert "model use:" in capsys.readouterr().out


def test_recordings_have_a_header_naming_the_endpoint_then_one_answer_per_sorted_key(
    evals_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, sent, _ = _record(evals_dir, tmp_path, capsys)
    lines = (evals_dir / RECORDINGS).read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["model"] == "m" and header["mode"] == "json_object" and header["base_url"].startswith("http://127.0.0.1:")
    assert {"temperature", "max_tokens"} <= set(header)
    keys = [json.loads(line)["key"] for line in lines[1:]]
    assert keys == sorted(keys) and len(keys) == len(set(keys)) == sent
    assert all("answer" in json.loads(line) for line in lines[1:])
    assert recorded_reader(evals_dir) is not None
    assert sorted(p.name for p in evals_dir.iterdir()) == ["docs", "gold", RECORDINGS, "thresholds.json"]


def test_recordings_are_rewritten_atomically(evals_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rewrite replaces the file in one rename: a reader holding the old file (here a hard link) still sees it
    whole, and no temporary file is left beside it."""
    old = (
        "\n".join(
            [json.dumps({"base_url": "http://old/v1", "model": "old", "mode": "json"}), json.dumps({"key": "k", "answer": {"labels": []}})]
        )
        + "\n"
    )
    path = evals_dir / RECORDINGS
    path.write_text(old, encoding="utf-8")
    held = tmp_path / "held.jsonl"
    os.link(path, held)
    _record(evals_dir, tmp_path, capsys)
    assert held.read_text(encoding="utf-8") == old
    assert path.stat().st_ino != held.stat().st_ino
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["model"] == "m"
    assert "http://old/v1" not in path.read_text(encoding="utf-8")  # a full live run does not keep stale answers
    assert sorted(p.name for p in evals_dir.iterdir()) == ["docs", "gold", RECORDINGS, "thresholds.json"]


def test_a_replay_missing_an_answer_skips_that_piece_with_a_warning_and_sends_nothing(
    evals_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, sent, _ = _record(evals_dir, tmp_path, capsys)
    recordings = RecordedAnswers(evals_dir / RECORDINGS)
    dropped = sorted(recordings.answers)[0]
    del recordings.answers[dropped]
    recordings.save()
    report = tmp_path / "replay.json"
    run_eval(evals_dir=str(evals_dir), report_path=str(report))
    use = json.loads(report.read_text(encoding="utf-8"))["model_use"]
    assert use["replay_misses"] == 1 and use["cache_hits"] == sent - 1 and use.get("requests", 0) == 0


def test_without_recordings_the_eval_runs_the_parsers_alone(evals_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert recorded_reader(evals_dir) is None
    report = tmp_path / "parsers.json"
    run_eval(evals_dir=str(evals_dir), report_path=str(report))
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["narrative"]["problems"]["tp"] == 0 and not summary["model_use"].get("cache_hits")
    capsys.readouterr()
