"""ModelClient against a real local HTTP server speaking the OpenAI protocol (tests/openai_server.py).

Transport retries (429 with Retry-After, 5xx, timeouts, connection errors) apart from validation re-asks,
truncation, the request shape of each structured-output mode, the response cache, offline replay of recorded
answers, the endpoint's health (given up after failures in a row, at once on a refused key), interruption, and
logging. Every wait is tiny so the file runs in a few seconds.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAI, answer, hang, raw, status, truncated

from extractor.errors import ModelError
from extractor.llm.cache import RecordedAnswers, ResponseCache
from extractor.llm.client import (
    FAILURES_IN_A_ROW,
    Accounting,
    AnswerTruncated,
    Cancelled,
    EndpointGivenUp,
    ModelClient,
    Replay,
    ReplayMiss,
)
from extractor.llm.prompts import load_prompt
from extractor.llm.reader import ModelReader
from extractor.llm.settings import MODES, Mode, ModelSettings
from extractor.llm.tasks import statistics_answer

PROMPT = load_prompt("statistics")
ANSWER = statistics_answer((("网络申请数", "收到申请总数"),))
GOOD = {"labels": ["网络申请数"]}
REPORT = "reports/hebei_2017.txt"


def _settings(base_url: str, mode: str = "json_object", **overrides: object) -> ModelSettings:
    options: dict[str, object] = {"timeout": 0.5, "max_wait": 0.01, "transport_retries": 3, "reasks": 1}
    options.update(overrides)
    return ModelSettings(base_url=base_url, model="m", mode=mode, **options)  # type: ignore[arg-type]


def _messages(sentence: str = "[1] 其中网络申请12件⟦1:网络申请数/收到申请总数/无⟧。") -> list[dict[str, str]]:
    return PROMPT.messages(sentences=sentence)


def _ask(
    client: ModelClient, accounting: Accounting | None = None, sentence: str | None = None, answer_model: type = ANSWER
) -> tuple[object, Accounting]:
    accounting = accounting if accounting is not None else Accounting()
    messages = _messages(sentence) if sentence else _messages()
    result: object = client.ask(PROMPT, messages, answer_model, accounting, path=REPORT, chunk="其中网络申请12件")
    return result, accounting


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _one_line_naming_report(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text, text
    assert REPORT in text, text
    return text


# ------------------------------------------------------------------------------------------- transport retries
def test_429_with_retry_after_seconds_is_retried_after_the_wait(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([status(429, headers={"retry-after": "0.2"}), answer(GOOD)])
    client = ModelClient(_settings(openai_server.base_url, max_wait=5.0))
    started = time.perf_counter()
    result, accounting = _ask(client)
    elapsed = time.perf_counter() - started
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert elapsed >= 0.2
    assert accounting.transport_retries == 1 and accounting.requests == 2 and accounting.reasks == 0
    assert len(openai_server.chat_bodies()) == 2


def test_429_with_retry_after_ms_is_retried_after_the_wait(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([status(429, headers={"retry-after-ms": "60"}), answer(GOOD)])
    client = ModelClient(_settings(openai_server.base_url, "tools", max_wait=5.0))
    started = time.perf_counter()
    result, accounting = _ask(client)
    assert time.perf_counter() - started >= 0.06
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert accounting.transport_retries == 1 and accounting.reasks == 0
    assert len(openai_server.chat_bodies()) == 2


def test_retry_after_longer_than_max_wait_is_capped(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([status(429, headers={"retry-after": "30"}), answer(GOOD)])
    client = ModelClient(_settings(openai_server.base_url, max_wait=0.05))
    started = time.perf_counter()
    _, accounting = _ask(client)
    assert time.perf_counter() - started < 3
    assert accounting.transport_retries == 1


@pytest.mark.parametrize("mode", ["tools", "json_schema"])
def test_server_errors_are_retried_then_the_answer_is_used(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.script.extend([status(500), status(503), answer(GOOD)])
    client = ModelClient(_settings(openai_server.base_url, mode))
    result, accounting = _ask(client)
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert accounting.transport_retries == 2 and accounting.requests == 3 and accounting.reasks == 0
    assert accounting.tokens_in == 10 and accounting.tokens_out == 5  # only the answer carries usage


def test_a_hang_past_the_timeout_is_retried_then_succeeds(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([hang(3), answer(GOOD)])
    client = ModelClient(_settings(openai_server.base_url, timeout=0.3))
    started = time.perf_counter()
    result, accounting = _ask(client)
    assert 0.3 <= time.perf_counter() - started < 2.5
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert accounting.transport_retries == 1 and accounting.requests == 2


def test_persistent_server_error_fails_after_the_retries_in_one_line(openai_server: FakeOpenAI) -> None:
    openai_server.default = status(500)
    client = ModelClient(_settings(openai_server.base_url, transport_retries=2))
    accounting = Accounting()
    with pytest.raises(ModelError) as caught:
        _ask(client, accounting)
    text = _one_line_naming_report(caught.value)
    assert "HTTP 500" in text
    assert len(openai_server.chat_bodies()) == 3  # the first request and two retries
    assert accounting.transport_retries == 2 and accounting.reasks == 0


def test_persistent_timeout_fails_saying_the_endpoint_did_not_answer_in_time(openai_server: FakeOpenAI) -> None:
    openai_server.default = hang(3)
    client = ModelClient(_settings(openai_server.base_url, timeout=0.2, transport_retries=1))
    with pytest.raises(ModelError) as caught:
        _ask(client)
    assert "did not answer in time" in _one_line_naming_report(caught.value)
    assert len(openai_server.chat_bodies()) == 2


def test_closed_port_fails_saying_it_cannot_connect_to_the_endpoint() -> None:
    client = ModelClient(_settings(f"http://127.0.0.1:{_free_port()}/v1", transport_retries=1))
    accounting = Accounting()
    with pytest.raises(ModelError) as caught:
        _ask(client, accounting)
    assert not isinstance(caught.value, EndpointGivenUp)
    assert "cannot connect to the endpoint" in _one_line_naming_report(caught.value)
    assert accounting.transport_retries == 1


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_a_400_is_final_and_sent_exactly_once(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.default = status(400)
    client = ModelClient(_settings(openai_server.base_url, mode))
    accounting = Accounting()
    with pytest.raises(ModelError) as caught:
        _ask(client, accounting)
    assert "HTTP 400" in _one_line_naming_report(caught.value)
    assert len(openai_server.chat_bodies()) == 1
    assert accounting.transport_retries == 0 and accounting.reasks == 0


def test_endpoint_is_given_up_after_unreachable_reports_and_later_asks_fail_at_once() -> None:
    port = _free_port()
    client = ModelClient(_settings(f"http://127.0.0.1:{port}/v1", transport_retries=0))
    for number in range(FAILURES_IN_A_ROW - 1):
        with pytest.raises(ModelError) as caught:
            _ask(client, sentence=f"[1] 网络申请{number}件⟦1:网络申请数/收到申请总数/无⟧。")
        assert not isinstance(caught.value, EndpointGivenUp)
    with pytest.raises(EndpointGivenUp):  # the failure that gives it up says so
        _ask(client, sentence="[1] 网络申请55件⟦1:网络申请数/收到申请总数/无⟧。")
    with socket.socket() as listener:  # the endpoint is back, but this run no longer tries it
        listener.bind(("127.0.0.1", port))
        listener.listen()
        listener.settimeout(0.1)
        started = time.perf_counter()
        with pytest.raises(EndpointGivenUp) as given_up:
            _ask(client, sentence="[1] 网络申请99件⟦1:网络申请数/收到申请总数/无⟧。")
        assert time.perf_counter() - started < 0.5
        with pytest.raises(TimeoutError):
            listener.accept()
    text = _one_line_naming_report(given_up.value)
    assert f"given up for this run after {FAILURES_IN_A_ROW} failed requests in a row (cannot connect" in text


def test_an_always_500_endpoint_is_given_up_within_one_request_and_logged_once(
    openai_server: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.default = status(500)
    client = ModelClient(_settings(openai_server.base_url, transport_retries=6))
    accounting = Accounting()
    with caplog.at_level(logging.WARNING, logger="extractor"), pytest.raises(EndpointGivenUp) as caught:
        _ask(client, accounting)
    assert len(openai_server.chat_bodies()) == FAILURES_IN_A_ROW  # not the 7 attempts its retries allow
    assert "HTTP 500" in _one_line_naming_report(caught.value)
    with pytest.raises(EndpointGivenUp):
        _ask(client, sentence="[1] 网络申请3件⟦1:网络申请数/收到申请总数/无⟧。")
    assert len(openai_server.chat_bodies()) == FAILURES_IN_A_ROW
    given_up = [r for r in caplog.records if r.name.startswith("extractor") and "given up" in r.getMessage()]
    assert len(given_up) == 1 and given_up[0].levelno == logging.WARNING and given_up[0].name == "extractor.llm.client"


def test_a_stalled_endpoint_is_given_up_after_failing_for_two_minutes_whatever_the_count(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One request that waited its whole timeout is enough when the timeout is as long as FAILING_FOR."""
    monkeypatch.setattr("extractor.llm.client.FAILING_FOR", 0.3)
    openai_server.default = hang(3)
    client = ModelClient(_settings(openai_server.base_url, timeout=0.4, transport_retries=6))
    started = time.perf_counter()
    with pytest.raises(EndpointGivenUp) as caught:
        _ask(client)
    assert time.perf_counter() - started < 2
    assert len(openai_server.chat_bodies()) == 1
    assert "did not answer in time" in _one_line_naming_report(caught.value)


@pytest.mark.parametrize("code", [401, 403])
def test_a_refused_key_gives_the_endpoint_up_at_once_naming_the_key_and_the_url(openai_server: FakeOpenAI, code: int) -> None:
    openai_server.default = status(code)
    client = ModelClient(_settings(openai_server.base_url))
    with pytest.raises(EndpointGivenUp) as caught:
        _ask(client)
    text = _one_line_naming_report(caught.value)
    assert f"HTTP {code}" in text and "OPENAI_API_KEY" in text and "--base-url" in text
    with pytest.raises(EndpointGivenUp):
        _ask(client, sentence="[1] 网络申请3件⟦1:网络申请数/收到申请总数/无⟧。")
    assert len(openai_server.chat_bodies()) == 1


def test_a_successful_request_resets_the_failure_count(openai_server: FakeOpenAI) -> None:
    """Failures count only in a row: one answer in between starts the count again."""
    openai_server.script.extend([status(500)] * (FAILURES_IN_A_ROW - 1) + [answer(GOOD)] + [status(500)] * (FAILURES_IN_A_ROW - 1))
    openai_server.default = answer(GOOD)
    client = ModelClient(_settings(openai_server.base_url, transport_retries=FAILURES_IN_A_ROW))
    _ask(client)
    result, _ = _ask(client, sentence="[1] 网络申请77件⟦1:网络申请数/收到申请总数/无⟧。")
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert len(openai_server.chat_bodies()) == 2 * FAILURES_IN_A_ROW


def test_cancel_ends_a_request_in_flight_at_once(openai_server: FakeOpenAI) -> None:
    import threading

    openai_server.default = hang(30)
    client = ModelClient(_settings(openai_server.base_url, timeout=30))
    threading.Timer(0.3, client.cancel).start()
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        _ask(client)
    assert time.perf_counter() - started < 1.5


# ------------------------------------------------------------------------------------------- re-asks, truncation
@pytest.mark.parametrize("mode", MODES)
def test_invalid_json_is_reasked_once_and_not_counted_as_a_transport_retry(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.script.extend([raw('{"labels": ["网络申请数"'), answer(GOOD)])
    client = ModelClient(_settings(openai_server.base_url, mode))
    result, accounting = _ask(client)
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert accounting.reasks == 1 and accounting.transport_retries == 0 and accounting.requests == 2


@pytest.mark.parametrize("mode", ["tools", "json_object"])
def test_a_label_outside_the_marks_choices_is_reasked(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.script.extend([answer({"labels": ["行政复议总数"]}), answer({"labels": ["无"]})])
    client = ModelClient(_settings(openai_server.base_url, mode))
    result, accounting = _ask(client)
    assert result.labels == ("无",)  # type: ignore[attr-defined]
    assert accounting.reasks == 1


@pytest.mark.parametrize("mode", MODES)
def test_reasks_exhausted_fail_saying_the_answer_did_not_fit_the_schema(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.default = raw("这不是JSON")
    client = ModelClient(_settings(openai_server.base_url, mode, reasks=1))
    accounting = Accounting()
    with pytest.raises(ModelError) as caught:
        _ask(client, accounting)
    text = _one_line_naming_report(caught.value)
    assert "did not fit the schema after 2 attempts (" in text and "failed_attempts" not in text, text
    assert len(openai_server.chat_bodies()) == 2
    assert accounting.reasks == 1 and accounting.transport_retries == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_truncated_answer_raises_and_is_never_parsed_or_reasked(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.default = truncated('{"labels": ["网络申请数"]}')  # complete-looking JSON, but cut: not used
    client = ModelClient(_settings(openai_server.base_url, mode))
    accounting = Accounting()
    with pytest.raises(AnswerTruncated) as caught:
        _ask(client, accounting)
    assert "cut short" in _one_line_naming_report(caught.value)
    assert len(openai_server.chat_bodies()) == 1
    assert accounting.truncated == 1 and accounting.reasks == 0 and accounting.transport_retries == 0


def test_a_cut_answer_is_remembered_so_a_rerun_splits_without_asking_again(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.default = truncated('{"labels": ["网络申请数"]}')
    client = ModelClient(_settings(openai_server.base_url), store=ResponseCache(tmp_path / "cache"))
    for _ in range(2):
        with pytest.raises(AnswerTruncated):
            _ask(client)
    assert len(openai_server.chat_bodies()) == 1


def test_the_client_prints_nothing_and_leaves_other_libraries_loggers_alone(
    openai_server: FakeOpenAI, capfd: pytest.CaptureFixture[str]
) -> None:
    """Library code logs; what reaches the user is the command line's choice (tests/test_cli.py)."""
    before = {name: logging.getLogger(name).level for name in ("instructor", "openai", "httpx")}
    openai_server.default = raw("{not json")
    client = ModelClient(_settings(openai_server.base_url, "tools", reasks=1))
    with pytest.raises(ModelError):
        _ask(client)
    assert {name: logging.getLogger(name).level for name in before} == before
    assert capfd.readouterr().out == ""


# ------------------------------------------------------------------------------------------- request shape per mode
def test_json_object_mode_sends_the_schema_inside_a_json_object_response_format(openai_server: FakeOpenAI) -> None:
    openai_server.default = answer(GOOD)
    _ask(ModelClient(_settings(openai_server.base_url, "json_object")))
    body = openai_server.chat_bodies()[0]
    fmt = body["response_format"]
    assert fmt["type"] == "json_object"
    assert fmt["schema"]["properties"]["labels"]["prefixItems"] == [{"enum": ["网络申请数", "收到申请总数", "无"], "type": "string"}]
    assert "tools" not in body and "json_schema" not in fmt
    assert body["model"] == "m" and body["temperature"] == 0.0 and body["max_tokens"] == 1024


def test_tools_mode_sends_one_tool_and_forces_it(openai_server: FakeOpenAI) -> None:
    openai_server.default = answer(GOOD)
    _ask(ModelClient(_settings(openai_server.base_url, "tools")))
    body = openai_server.chat_bodies()[0]
    assert len(body["tools"]) == 1
    name = body["tools"][0]["function"]["name"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": name}}
    assert body["tools"][0]["function"]["parameters"]["required"] == ["labels"]
    assert "response_format" not in body


def test_json_schema_mode_sends_a_json_schema_response_format(openai_server: FakeOpenAI) -> None:
    openai_server.default = answer(GOOD)
    _ask(ModelClient(_settings(openai_server.base_url, "json_schema")))
    body = openai_server.chat_bodies()[0]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"]["properties"]["labels"]["maxItems"] == 1
    assert "tools" not in body


def test_json_mode_puts_the_schema_in_the_prompt_and_sends_no_tools(openai_server: FakeOpenAI) -> None:
    openai_server.default = answer(GOOD)
    _ask(ModelClient(_settings(openai_server.base_url, "json")))
    body = openai_server.chat_bodies()[0]
    assert "tools" not in body
    assert "schema" not in body.get("response_format", {})
    assert "prefixItems" in body["messages"][0]["content"]


# ------------------------------------------------------------------------------------------- the response cache
def test_the_second_identical_ask_is_answered_from_the_cache(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.default = answer(GOOD)
    client = ModelClient(_settings(openai_server.base_url), store=ResponseCache(tmp_path / "cache"))
    _, first = _ask(client)
    assert first.cache_misses == 1 and first.requests == 1
    result, second = _ask(client)
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert second.cache_hits == 1 and second.requests == 0 and second.cache_misses == 0
    assert len(openai_server.chat_bodies()) == 1
    # a new client (a new process, a rerun) over the same folder sends nothing either
    again = ModelClient(_settings(openai_server.base_url), store=ResponseCache(tmp_path / "cache"))
    _, third = _ask(again)
    assert third.cache_hits == 1 and len(openai_server.chat_bodies()) == 1


def test_request_key_changes_with_prompt_version_schema_model_and_temperature() -> None:
    settings = _settings("http://127.0.0.1:9/v1")
    client = ModelClient(settings)
    messages = _messages()
    base = client.request_key(PROMPT, messages, ANSWER)
    assert client.request_key(PROMPT, list(messages), ANSWER) == base
    variants = {
        "prompt version": client.request_key(replace(PROMPT, version=PROMPT.version + 1), messages, ANSWER),
        "schema": client.request_key(PROMPT, messages, statistics_answer((("网络申请数",),))),
        "model": ModelClient(replace(settings, model="other")).request_key(PROMPT, messages, ANSWER),
        "temperature": ModelClient(replace(settings, temperature=0.7)).request_key(PROMPT, messages, ANSWER),
        "mode": ModelClient(replace(settings, mode=Mode.TOOLS)).request_key(PROMPT, messages, ANSWER),
        "endpoint": ModelClient(replace(settings, base_url="http://10.0.0.1:9/v1")).request_key(PROMPT, messages, ANSWER),
        "messages": client.request_key(PROMPT, _messages("[1] 当面申请2件⟦1:网络申请数/收到申请总数/无⟧。"), ANSWER),
    }
    assert all(key != base for key in variants.values()), variants
    assert len(set(variants.values())) == len(variants)
    # the API key and the timeout are no part of the answer
    assert ModelClient(replace(settings, api_key="sk-other", timeout=9.0)).request_key(PROMPT, messages, ANSWER) == base


@pytest.mark.parametrize("kept", [{"labels": ["不是选项"]}, {"labels": "网络申请数"}, ["网络申请数"], "网络申请数"])
def test_a_malformed_cached_answer_is_asked_again_and_replaced(openai_server: FakeOpenAI, tmp_path: Path, kept: object) -> None:
    openai_server.default = answer(GOOD)
    cache = ResponseCache(tmp_path / "cache")
    client = ModelClient(_settings(openai_server.base_url), store=cache)
    key = client.request_key(PROMPT, _messages(), ANSWER)
    cache.set(key, kept)
    result, accounting = _ask(client)
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert accounting.cache_misses == 1 and accounting.requests == 1
    assert cache.get(key) == GOOD
    _, again = _ask(client)
    assert again.cache_hits == 1 and len(openai_server.chat_bodies()) == 1


def test_use_cache_false_sends_again_and_writes_nothing(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.default = answer(GOOD)
    cache = ResponseCache(tmp_path / "cache")
    client = ModelClient(_settings(openai_server.base_url, use_cache=False), store=cache)
    _ask(client)
    _, accounting = _ask(client)
    assert len(openai_server.chat_bodies()) == 2 and accounting.cache_hits == 0
    assert cache.get(client.request_key(PROMPT, _messages(), ANSWER)) is None


def test_refresh_sends_again_and_overwrites_the_cached_answer(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.script.extend([answer(GOOD), answer({"labels": ["收到申请总数"]})])
    cache_dir = tmp_path / "cache"
    _ask(ModelClient(_settings(openai_server.base_url), store=ResponseCache(cache_dir)))
    refreshed, accounting = _ask(ModelClient(_settings(openai_server.base_url, refresh=True), store=ResponseCache(cache_dir)))
    assert refreshed.labels == ("收到申请总数",)  # type: ignore[attr-defined]
    assert accounting.cache_hits == 0 and len(openai_server.chat_bodies()) == 2
    cached, later = _ask(ModelClient(_settings(openai_server.base_url), store=ResponseCache(cache_dir)))
    assert cached.labels == ("收到申请总数",)  # type: ignore[attr-defined]
    assert later.cache_hits == 1 and len(openai_server.chat_bodies()) == 2


def test_an_unusable_cache_dir_warns_once_and_the_run_goes_on(
    openai_server: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("a file, not a folder", encoding="utf-8")
    openai_server.default = answer(GOOD)
    cache = ResponseCache(not_a_dir)
    client = ModelClient(_settings(openai_server.base_url), store=cache)
    first, _ = _ask(client)
    second, _ = _ask(client)
    assert first.labels == second.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert not cache.usable
    assert len(openai_server.chat_bodies()) == 2
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert warnings[0].name == "extractor.llm.cache" and str(not_a_dir) in warnings[0].getMessage()


_WRITER = textwrap.dedent("""
    import sys
    from extractor.llm.cache import ResponseCache
    cache = ResponseCache(sys.argv[1])
    assert cache.usable
    assert cache.get("from-parent") == {"labels": ["parent"]}, cache.get("from-parent")
    for i in range(30):
        cache.set(f"{sys.argv[2]}-{i}", {"labels": [sys.argv[2], i]})
    print("ok")
""")


def test_two_processes_share_one_cache_dir(tmp_path: Path) -> None:
    cache_dir = tmp_path / "shared"
    parent = ResponseCache(cache_dir)
    parent.set("from-parent", {"labels": ["parent"]})
    children = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(cache_dir), name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0 and out.strip() == "ok" and err == "", err
    assert all(parent.get(f"{name}-{i}") == {"labels": [name, i]} for name in ("a", "b") for i in range(30))


# ------------------------------------------------------------------------------------------- offline replay
def test_offline_replay_answers_recorded_keys_without_a_server_and_misses_the_rest(tmp_path: Path) -> None:
    settings = _settings(f"http://127.0.0.1:{_free_port()}/v1")  # nothing listens there
    recordings = RecordedAnswers(tmp_path / "recordings.jsonl")
    recordings.header = {"base_url": settings.base_url, "model": "m", "mode": settings.mode}
    recordings.set(ModelClient(settings).request_key(PROMPT, _messages(), ANSWER), GOOD)
    recordings.save()

    client = ModelClient(settings, store=RecordedAnswers(tmp_path / "recordings.jsonl"), transport=Replay())
    result, accounting = _ask(client)
    assert result.labels == ("网络申请数",)  # type: ignore[attr-defined]
    assert accounting.cache_hits == 1 and accounting.requests == 0
    started = time.perf_counter()
    with pytest.raises(ReplayMiss) as caught:
        _ask(client, accounting, sentence="[1] 当面申请2件⟦1:网络申请数/收到申请总数/无⟧。")
    assert time.perf_counter() - started < 0.5
    assert "no recorded answer" in _one_line_naming_report(caught.value)
    assert accounting.replay_misses == 1 and accounting.requests == 0


def test_a_live_client_records_answers_from_the_server_and_the_cache(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.default = answer(GOOD)
    cache_dir = tmp_path / "cache"
    _ask(ModelClient(_settings(openai_server.base_url), store=ResponseCache(cache_dir)))
    recorder = RecordedAnswers(tmp_path / "rec.jsonl")
    client = ModelClient(_settings(openai_server.base_url), store=ResponseCache(cache_dir), recorder=recorder)
    _ask(client)  # a cache hit is recorded too
    _ask(client, sentence="[1] 当面申请2件⟦1:网络申请数/收到申请总数/无⟧。")  # a fresh answer
    assert len(recorder.answers) == 2 and all(v == GOOD for v in recorder.answers.values())
    assert len(openai_server.chat_bodies()) == 2


def test_recorded_answers_save_a_header_then_sorted_keys_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "recordings.jsonl"
    recordings = RecordedAnswers(path)
    recordings.header = {"base_url": "http://127.0.0.1:8012/v1", "model": "qwen", "mode": "json_object"}
    for key in ("c3", "a1", "b2"):
        recordings.set(key, {"labels": [key, "无"]})
    recordings.save()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == recordings.header
    assert [json.loads(line)["key"] for line in lines[1:]] == ["a1", "b2", "c3"]
    assert "无" in lines[1]  # readable, not \\u-escaped
    again = RecordedAnswers(path)
    assert again.header == recordings.header and again.answers == recordings.answers
    assert not list(tmp_path.glob("*.tmp*"))


# ------------------------------------------------------------------------------------------- through the reader
_FOUR_FIGURES = "2016年,本机关受理的申请中,网上申请10件,当面申请2件,信函申请1件,传真申请1件。"


def _marks(body: dict[str, object]) -> list[tuple[str, list[str]]]:
    messages = body["messages"]
    assert isinstance(messages, list)
    return [(n, choices.split("/")) for n, choices in re.findall(r"⟦(\d+):([^⟧]*)⟧", messages[-1]["content"])]


def _points(body: dict[str, object]) -> list[str]:
    messages = body["messages"]
    assert isinstance(messages, list)
    return re.findall(r"^\[\d+ (\w+)\] ", messages[-1]["content"], re.M)


def test_reader_asks_a_truncated_window_again_in_halves(openai_server: FakeOpenAI) -> None:
    def reply(body: dict[str, Any]) -> Any:
        marks = _marks(body)
        if not marks:
            return answer({"points": ["none" for _ in _points(body)]})
        if len(marks) > 1:
            return truncated('{"labels": ["')
        return answer({"labels": [marks[0][1][0]]})

    openai_server.default = reply
    reader = ModelReader(ModelClient(_settings(openai_server.base_url)))
    accounting = Accounting()
    reading = reader.read(_FOUR_FIGURES, "legacy", 2016, [], accounting, path=REPORT)
    sizes = [len(_marks(body)) for body in openai_server.chat_bodies() if _marks(body)]
    assert sizes == [4, 2, 1, 1, 2, 1, 1]
    assert accounting.truncated == 3
    found = {v.path: (v.value, v.quote) for v in reading.values}
    assert found == {
        "stats_legacy.requests.channels.online": (10, "网上申请10件"),
        "stats_legacy.requests.channels.in_person": (2, "当面申请2件"),
        "stats_legacy.requests.channels.letter": (1, "信函申请1件"),
        "stats_legacy.requests.channels.fax": (1, "传真申请1件"),
    }
    assert not [w for w in reading.warnings if "cut short" in w]


def test_reader_skips_a_single_piece_still_cut_short_with_a_warning(openai_server: FakeOpenAI) -> None:
    def reply(body: dict[str, Any]) -> Any:
        marks = _marks(body)
        if not marks:
            return answer({"points": ["none" for _ in _points(body)]})
        if any(choices[0] == "传真申请数" for _, choices in marks):
            return truncated('{"labels": ["')
        return answer({"labels": [choices[0] for _, choices in marks]})

    openai_server.default = reply
    reader = ModelReader(ModelClient(_settings(openai_server.base_url)))
    reading = reader.read(_FOUR_FIGURES, "legacy", 2016, [], Accounting(), path=REPORT)
    sizes = [len(_marks(body)) for body in openai_server.chat_bodies() if _marks(body)]
    assert sizes == [4, 2, 2, 1, 1]
    cut = [w for w in reading.warnings if "cut short" in w]
    assert len(cut) == 1 and "传真申请1件" in cut[0]
    assert "stats_legacy.requests.channels.fax" not in {v.path for v in reading.values}
    assert len(reading.values) == 3


@pytest.mark.parametrize("timeout", [0.0, -5.0, float("nan")])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(timeout: float) -> None:
    from extractor.errors import ConfigError

    with pytest.raises(ConfigError, match="--timeout must be a positive number of seconds"):
        ModelSettings.from_options(base_url="http://127.0.0.1:8012/v1", model="m", timeout=timeout, environ={})


def test_the_default_timeout_bounds_a_stall_to_the_two_minutes_the_endpoint_is_given_up_after() -> None:
    from extractor.llm.client import FAILING_FOR

    for url in ("http://127.0.0.1:8012/v1", "https://api.openai.com/v1"):
        settings = ModelSettings.from_options(base_url=url, model="m", environ={})
        assert settings is not None and settings.timeout <= FAILING_FOR == 120.0


def test_after_the_endpoint_is_given_up_the_reader_still_uses_cached_answers(tmp_path: Path) -> None:
    text = _FOUR_FIGURES + "\n二、存在的问题\n一是人员不足,力量薄弱。\n"

    def reply(body: dict[str, Any]) -> Any:
        if _marks(body):
            return status(400)  # the figures' request fails for good, without counting against the endpoint
        return answer({"points": ["none" for _ in _points(body)]})

    cache = tmp_path / "cache"
    with FakeOpenAI() as server:
        server.default = reply
        settings = _settings(server.base_url, transport_retries=5)
        first = ModelReader(ModelClient(settings, store=ResponseCache(cache)))
        assert not first.read(text, "legacy", 2016, [], Accounting(), path=REPORT).complete  # the narrative answer is kept
    accounting = Accounting()  # the same endpoint, now gone
    reading = ModelReader(ModelClient(settings, store=ResponseCache(cache))).read(text, "legacy", 2016, [], accounting, path=REPORT)
    assert accounting.requests == FAILURES_IN_A_ROW and accounting.cache_hits == 1  # figures: given up; narrative: cached
    unsent = [w for w in reading.warnings if w.startswith("model: requests not sent: ")]
    assert len(unsent) == 1 and "given up for this run" in unsent[0] and not reading.complete
