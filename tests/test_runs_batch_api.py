"""`extractor extract --batch` against the fake OpenAI server: the model's requests go up as one Batch API job
(upload, create, poll, download), the answers land in the response cache and the normal run reads them from
there; whatever the batch did not answer well is asked interactively, so the outputs are always complete. A run
killed while its batch is out resumes that batch instead of creating another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAI, raw
from test_pipeline_model import REPORT, model_reply

from extractor.cli import main
from extractor.runs import batch_api
from extractor.runs.batch_api import STATE_NAME

NAMES = ("county_2016", "other_2016")


@pytest.fixture(autouse=True)
def _no_model_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACTOR_MODEL", "EXTRACTOR_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def served(openai_server: FakeOpenAI, tmp_path: Path) -> FakeOpenAI:
    openai_server.default = model_reply
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "county_2016.txt").write_text(REPORT, encoding="utf-8")
    (folder / "other_2016.txt").write_text(REPORT.replace("某县", "某区").replace("40件", "42件"), encoding="utf-8")
    return openai_server


def _run(
    capsys: pytest.CaptureFixture[str], server: FakeOpenAI, tmp_path: Path, *extra: str, out: str = "out", cache: str = "cache"
) -> tuple[int, str]:
    code = main(
        [
            "extract",
            str(tmp_path / "in"),
            "-o",
            str(tmp_path / out),
            "--base-url",
            server.base_url,
            "--model",
            "m",
            "--cache-dir",
            str(tmp_path / cache),
            "--batch-poll",
            "0.01",
            *extra,
        ]
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(line.startswith("extractor: ") for line in err.splitlines()), err
    return code, err


def _calls(server: FakeOpenAI, prefix: str) -> int:
    """How many requests the server received whose "METHOD /path" starts with `prefix`."""
    return sum(f"{r.method} {r.path.split('?')[0]}".startswith(prefix) for r in server.requests)


def _uploaded(server: FakeOpenAI) -> list[dict[str, Any]]:
    """The lines of every batch input file uploaded."""
    return [
        json.loads(line)
        for fid, meta in server.files.items()
        if meta["purpose"] == "batch"
        for line in server.file_data[fid].decode().splitlines()
    ]


def _outputs(tmp_path: Path, out: str = "out") -> dict[str, dict[str, Any]]:
    return {name: json.loads((tmp_path / out / f"{name}.json").read_text(encoding="utf-8")) for name in NAMES}


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("mode", ["json_object", "tools"])
def test_every_answer_comes_from_the_batch_and_nothing_is_asked_interactively(
    served: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    code, err = _run(capsys, served, tmp_path, "--batch", "--llm-mode", mode)
    assert code == 0, err
    assert _calls(served, "POST /v1/files") == 1 and _calls(served, "POST /v1/batches") == 1
    assert _calls(served, "GET /v1/batches/") >= 1 and _calls(served, "GET /v1/files/") == 1  # the output's content
    assert served.chat_bodies() == []
    lines = _uploaded(served)
    assert lines and all(
        line["method"] == "POST" and line["url"] == "/v1/chat/completions" and len(line["custom_id"]) == 64 for line in lines
    )
    assert all(("tools" in line["body"]) == (mode == "tools") for line in lines)
    assert f"{len(lines)} answers accepted, 0 invalid, 0 errored" in err and "interactively" not in err
    assert not (tmp_path / "out" / STATE_NAME).exists()

    outputs = _outputs(tmp_path)
    assert outputs["county_2016"]["stats_legacy"]["proactive"]["channels"]["gazette"] == 40
    assert outputs["other_2016"]["stats_legacy"]["proactive"]["channels"]["gazette"] == 42
    for data in outputs.values():
        assert data["run"]["llm_used"] is True and data["problems"] and data["improvements"]
        assert data["run"]["accounting"]["requests"] == 0
    assert sum(data["run"]["accounting"]["cache_hits"] for data in outputs.values()) == len(lines)

    # the same run asked interactively sends exactly the batch's requests and writes the same outputs
    code, err = _run(capsys, served, tmp_path, "--llm-mode", mode, out="live", cache="live-cache")
    assert code == 0, err
    assert sorted(map(_canonical, served.chat_bodies())) == sorted(_canonical(line["body"]) for line in lines)
    for name, data in _outputs(tmp_path, "live").items():
        assert {k: v for k, v in data.items() if k != "run"} == {k: v for k, v in outputs[name].items() if k != "run"}


def test_an_invalid_batch_answer_is_asked_again_interactively_alone(
    served: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    served.script.append(raw("这不是JSON"))  # the batch's first line; every other answer is good
    code, err = _run(capsys, served, tmp_path, "--batch")
    assert code == 0, err
    lines = _uploaded(served)
    assert f"{len(lines) - 1} answers accepted, 1 invalid, 0 errored; asking the model interactively for the other 1" in err
    assert [_canonical(body) for body in served.chat_bodies()] == [_canonical(lines[0]["body"])]
    outputs = _outputs(tmp_path)
    assert sum(data["run"]["accounting"]["requests"] for data in outputs.values()) == 1
    assert all(data["run"]["llm_used"] and data["problems"] for data in outputs.values())


def test_answers_already_cached_are_not_sent_again(served: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, served, tmp_path, "--batch")[0] == 0
    code, err = _run(capsys, served, tmp_path, "--batch", "--force")
    assert code == 0, err
    assert "batch: 0 model requests to send from 2 reports" in err and "2 extracted" in err
    assert _calls(served, "POST /v1/files") == 1 and _calls(served, "POST /v1/batches") == 1
    assert served.chat_bodies() == []


def _kill_while_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next `--batch` run is interrupted at its first look at the batch, as a killed run would be."""

    def killed(api: Any, batch_id: str, poll: float) -> Any:
        api.batches.retrieve(batch_id)
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_api, "_wait", killed)


def test_a_run_killed_while_its_batch_is_out_resumes_that_batch(
    served: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served.batch_polls = 3
    with monkeypatch.context() as patch:
        _kill_while_waiting(patch)
        assert _run(capsys, served, tmp_path, "--batch")[0] == 130
    state = json.loads((tmp_path / "out" / STATE_NAME).read_text(encoding="utf-8"))
    assert state["batch_id"] in served.batches and state["keys"] == sorted(line["custom_id"] for line in _uploaded(served))
    assert not any((tmp_path / "out" / f"{name}.json").exists() for name in NAMES)

    code, err = _run(capsys, served, tmp_path, "--batch")
    assert code == 0, err
    assert f"batch {state['batch_id']}: resuming it" in err
    assert _calls(served, "POST /v1/batches") == 1 and _calls(served, "POST /v1/files") == 1
    assert served.chat_bodies() == []
    assert all(data["run"]["llm_used"] for data in _outputs(tmp_path).values())
    assert not (tmp_path / "out" / STATE_NAME).exists()


def test_batch_id_resumes_a_named_batch(
    served: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _kill_while_waiting(patch)
        _run(capsys, served, tmp_path, "--batch")
    (tmp_path / "out" / STATE_NAME).unlink()
    [batch_id] = served.batches
    code, err = _run(capsys, served, tmp_path, "--batch-id", batch_id)
    assert code == 0, err
    assert _calls(served, "POST /v1/batches") == 1 and served.chat_bodies() == []
    assert all(data["run"]["llm_used"] for data in _outputs(tmp_path).values())


def test_a_failed_batch_is_one_line_and_the_run_finishes_interactively(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeOpenAI(batch_outcome="failed") as server:
        server.default = model_reply
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "county_2016.txt").write_text(REPORT, encoding="utf-8")
        code, err = _run(capsys, server, tmp_path, "--batch")
        sent = len(server.chat_bodies())
    assert code == 0, err
    [line] = [line for line in err.splitlines() if ": failed" in line]
    assert line.startswith("extractor: batch batch_") and "FakeOpenAI: batch failed" in line and "interactively" in line
    data = json.loads((tmp_path / "out" / "county_2016.json").read_text(encoding="utf-8"))
    assert data["run"]["llm_used"] is True and data["run"]["accounting"]["requests"] == sent > 0
    assert not (tmp_path / "out" / STATE_NAME).exists()


@pytest.mark.parametrize("options", [(), ("--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--no-cache")])
def test_batch_without_an_endpoint_or_the_cache_is_a_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: tuple[str, ...]
) -> None:
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    code = main(["extract", str(tmp_path / "r.txt"), "-o", str(tmp_path / "out"), "--batch", *options])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("extractor: --batch ")
    assert not (tmp_path / "out").exists()
