"""The fake OpenAI server (tests/openai_server.py) speaks the protocol as the real `openai` SDK and `instructor` expect."""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import instructor
import openai
import pytest
from openai_server import FakeOpenAI, answer, hang, raw, status, truncated
from pydantic import BaseModel

MESSAGES: Any = [{"role": "user", "content": "年报 2023"}]


def client_for(server: FakeOpenAI, timeout: float = 10.0) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=timeout)


def test_completion_parses(openai_server: FakeOpenAI) -> None:
    openai_server.script.append(answer({"年份": 2023}, prompt_tokens=7, completion_tokens=3))
    resp = client_for(openai_server).chat.completions.create(model="gpt-test", messages=MESSAGES)
    assert json.loads(resp.choices[0].message.content or "") == {"年份": 2023}
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == "gpt-test"
    assert resp.usage is not None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (7, 3, 10)


def test_requests_recorded_script_order_default_and_callable(openai_server: FakeOpenAI) -> None:
    client = client_for(openai_server)
    openai_server.script.extend([raw("{not json"), truncated("cut"), lambda body: answer(body["messages"][0]["content"][::-1])])
    contents = [client.chat.completions.create(model="m", messages=MESSAGES).choices[0] for _ in range(3)]
    assert [(c.message.content, c.finish_reason) for c in contents] == [("{not json", "stop"), ("cut", "length"), ("3202 报年", "stop")]
    with pytest.raises(openai.InternalServerError, match="no default reply"):  # script empty, no default
        client.chat.completions.create(model="m", messages=MESSAGES)
    openai_server.default = "fallback"
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "fallback"
    rec = openai_server.requests[0]
    assert (rec.method, rec.path) == ("POST", "/v1/chat/completions")
    assert rec.headers["authorization"] == "Bearer x"
    assert rec.body == {"model": "m", "messages": MESSAGES}
    assert len(openai_server.chat_bodies()) == 5


def test_rate_limit_carries_retry_after(openai_server: FakeOpenAI) -> None:
    openai_server.script.append(status(429, headers={"Retry-After": "1"}))
    with pytest.raises(openai.RateLimitError) as exc:
        client_for(openai_server).chat.completions.create(model="m", messages=MESSAGES)
    assert exc.value.response.headers["retry-after"] == "1"
    assert exc.value.status_code == 429


def test_server_and_client_errors(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([status(500), status(400, {"error": {"message": "bad prompt", "type": "x", "code": None}})])
    client = client_for(openai_server)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="m", messages=MESSAGES)
    with pytest.raises(openai.BadRequestError, match="bad prompt"):
        client.chat.completions.create(model="m", messages=MESSAGES)


def test_sdk_retries_then_succeeds(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([status(429, headers={"retry-after-ms": "10"}), answer("ok")])
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="x", max_retries=1, timeout=10)
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "ok"
    assert len(openai_server.requests) == 2


def test_hang_times_out_without_blocking_other_connections(openai_server: FakeOpenAI) -> None:
    openai_server.script.append(hang(2))
    openai_server.default = answer("meanwhile")
    result: list[str | None] = []

    def meanwhile() -> None:
        time.sleep(0.1)
        result.append(client_for(openai_server).chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content)

    other = threading.Thread(target=meanwhile)
    other.start()
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client_for(openai_server, timeout=0.5).chat.completions.create(model="m", messages=MESSAGES)
    assert time.monotonic() - start < 1.8
    other.join(5)
    assert result == ["meanwhile"]  # served while the hung request was still sleeping


def test_unknown_path_is_openai_shaped_404(openai_server: FakeOpenAI) -> None:
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(openai_server.base_url + "/nope", timeout=5)
    assert exc.value.code == 404
    assert set(json.loads(exc.value.read())["error"]) >= {"message", "type", "code"}
    assert [m.id for m in client_for(openai_server).models.list()] == ["fake-model"]


class Report(BaseModel):
    year: int
    office: str


def test_instructor_tools_mode(openai_server: FakeOpenAI) -> None:
    openai_server.script.append(answer({"year": 2023, "office": "市政府办公室"}))
    client = instructor.from_openai(client_for(openai_server), mode=instructor.Mode.TOOLS)
    report = client.chat.completions.create(model="gpt-test", response_model=Report, messages=MESSAGES, max_retries=0)
    assert (report.year, report.office) == (2023, "市政府办公室")
    body = openai_server.chat_bodies()[0]
    assert body["tool_choice"]["function"]["name"] == body["tools"][0]["function"]["name"] == "Report"


def test_tools_mode_raw_completion_shape(openai_server: FakeOpenAI) -> None:
    openai_server.script.extend([answer({"a": 1}), truncated('{"a": ')])
    tools: Any = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    client = client_for(openai_server)
    first, second = (client.chat.completions.create(model="m", messages=MESSAGES, tools=tools).choices[0] for _ in range(2))
    assert first.finish_reason == "tool_calls" and first.message.content is None
    call = first.message.tool_calls[0] if first.message.tool_calls else None
    assert call is not None and call.type == "function" and (call.function.name, call.function.arguments) == ("f", '{"a": 1}')
    assert second.finish_reason == "length"


def test_batch_end_to_end(openai_server: FakeOpenAI) -> None:
    openai_server.default = lambda body: answer({"echo": body["messages"][0]["content"]})
    openai_server.script.append(status(400))
    lines = [
        {
            "custom_id": f"doc-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "m", "messages": [{"role": "user", "content": f"第{i}份"}]},
        }
        for i in range(3)
    ]
    client = client_for(openai_server)
    upload = client.files.create(file=("in.jsonl", io.BytesIO("\n".join(json.dumps(x) for x in lines).encode())), purpose="batch")
    assert (upload.filename, upload.purpose) == ("in.jsonl", "batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h")
    statuses = [batch.status]
    while batch.status != "completed" and len(statuses) < 10:
        batch = client.batches.retrieve(batch.id)
        statuses.append(batch.status)
    assert statuses == ["validating", "in_progress", "completed"]
    assert batch.output_file_id and batch.request_counts
    assert (batch.request_counts.total, batch.request_counts.failed) == (3, 1)
    out = [json.loads(line) for line in client.files.content(batch.output_file_id).content.decode().splitlines()]
    assert [o["custom_id"] for o in out] == ["doc-0", "doc-1", "doc-2"]
    assert out[0]["response"]["status_code"] == 400 and out[0]["response"]["body"]["error"]
    assert out[2]["response"]["status_code"] == 200 and out[2]["error"] is None
    assert json.loads(out[2]["response"]["body"]["choices"][0]["message"]["content"]) == {"echo": "第2份"}
    assert openai_server.requests[0].body == {"purpose": "batch", "file": "in.jsonl"}
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_missing")
