"""A real local HTTP server speaking enough of the OpenAI REST API to test clients built on ``openai``/``instructor``.

Usage (the ``openai_server`` fixture in conftest.py is ``with FakeOpenAI() as server: yield server``)::

    from openai_server import FakeOpenAI, answer, hang, status

    def test_retry(openai_server: FakeOpenAI) -> None:
        openai_server.script.extend([status(429, headers={"retry-after-ms": "10"}), answer({"year": 2023})])
        openai_server.default = answer("fallback")  # used once the script is exhausted (no default: HTTP 500)
        client = openai.OpenAI(base_url=openai_server.base_url, api_key="x", max_retries=1)
        ...
        assert openai_server.chat_bodies()[-1]["model"] == "gpt-test"

Replies for POST /v1/chat/completions (the same mechanism answers every line of a batch):

    answer(content, finish_reason="stop", prompt_tokens=10, completion_tokens=5)
        a chat.completion echoing the request's model; if the request has ``tools`` the content (dict -> JSON)
        becomes ``tool_calls[0].function.arguments`` and finish_reason "tool_calls" (unless "length")
    raw(text)                               content verbatim (e.g. invalid JSON)
    truncated(text)                         content with finish_reason "length"
    status(code, body=None, headers=None)   an error (body default: OpenAI error shape)
    hang(seconds, then=None)                wait, then send ``then`` (default status(504)); delays are ignored in batches
    any callable ``(request_body) -> reply | str | dict``  (a str/dict means answer(...))

Files (upload, retrieve, content, delete), batches (create, retrieve, cancel) and GET /v1/models live in memory;
a batch is "validating" when created, "in_progress" on retrieves, and "completed" on its ``batch_polls``-th retrieve
(``FakeOpenAI(batch_outcome="failed")``, or "expired" / "cancelled": it ends so instead, with an error and no output).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast

from extractor.llm.settings import Mode, ModelSettings

JSON = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A scripted reply: a chat completion when ``content`` is not None, else ``body`` sent with ``status``."""

    status: int = 200
    content: str | None = None
    body: Any = None  # dict (sent as JSON), str/bytes (sent verbatim) or None (OpenAI error shape)
    headers: Mapping[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    prompt_tokens: int = 10
    completion_tokens: int = 5
    delay: float = 0.0


ScriptItem = Reply | str | JSON | Callable[[JSON], Reply | str | JSON]


def answer(content: str | JSON, finish_reason: str = "stop", prompt_tokens: int = 10, completion_tokens: int = 5) -> Reply:
    """A chat completion whose message content (or tool-call arguments) is ``content``; a dict is JSON-encoded."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return Reply(content=text, finish_reason=finish_reason, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def raw(text: str) -> Reply:
    """A 200 completion whose content is ``text`` verbatim (e.g. invalid JSON)."""
    return answer(text)


def truncated(text: str) -> Reply:
    """A completion cut off by the token limit: finish_reason "length"."""
    return answer(text, finish_reason="length")


def status(code: int, body: Any = None, headers: Mapping[str, str] | None = None) -> Reply:
    """An HTTP ``code`` reply; ``body`` None means ``{"error": {"message", "type", "code"}}``."""
    return Reply(status=code, body=body, headers=dict(headers or {}))


def hang(seconds: float, then: Reply | None = None) -> Reply:
    """Wait ``seconds`` before replying with ``then`` (default: status(504)); other connections are not blocked."""
    return replace(then if then is not None else status(504), delay=seconds)


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}


def error_body(code: int, message: str) -> JSON:
    """The OpenAI error shape."""
    return {"error": {"message": message, "type": _ERROR_TYPES.get(code, "api_error"), "param": None, "code": str(code)}}


@dataclass
class Recorded:
    """One request received: header names are lower-case; ``body`` is the parsed JSON (multipart: form fields, files by
    filename; otherwise None), ``raw`` the bytes."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""


@dataclass
class _Out:
    status: int
    body: Any  # dict/list -> JSON; str/bytes verbatim
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


def _multipart(data: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """Form fields of a multipart/form-data body: name -> (filename or None, bytes)."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise ValueError("multipart body without boundary")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in data.split(b"--" + m.group(1).encode())[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'[;\s]name="([^"]*)"', head)
        filename = re.search(rb'filename="([^"]*)"', head)
        if name:
            value = value[:-2] if value.endswith(b"\r\n") else value
            fields[name.group(1).decode()] = (filename.group(1).decode() if filename else None, value)
    return fields


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: no stale keep-alive sockets between tests

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        fake = cast(_Server, self.server).fake
        try:
            out = fake._receive(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self._read_body())
            if out.delay > 0:
                fake._closing.wait(out.delay)
            self._send(out)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the client went away (e.g. it timed out during hang())
        except Exception as exc:  # a bug in the fake or a test callable: tell the client rather than hang up
            with contextlib.suppress(OSError):
                self._send(_Out(500, error_body(500, f"FakeOpenAI: {type(exc).__name__}: {exc}")))

    def _send(self, out: _Out) -> None:
        if isinstance(out.body, (dict, list)):
            data, ctype = json.dumps(out.body, ensure_ascii=False).encode(), "application/json"
        else:
            data = out.body if isinstance(out.body, bytes) else str(out.body).encode()
            ctype = "application/octet-stream" if isinstance(out.body, bytes) else "text/plain; charset=utf-8"
        self.send_response(out.status)
        headers = {"Content-Type": ctype, **out.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeOpenAI:
    """The fake server; starts on construction, stops on ``close()`` / leaving the ``with`` block."""

    def __init__(self, *, batch_polls: int = 2, batch_outcome: str = "completed") -> None:
        self.script: deque[ScriptItem] = deque()
        self.default: ScriptItem | None = None
        self.requests: list[Recorded] = []
        self.files: dict[str, JSON] = {}  # id -> FileObject JSON
        self.file_data: dict[str, bytes] = {}
        self.batches: dict[str, JSON] = {}  # id -> Batch JSON
        self.batch_polls = batch_polls
        self.batch_outcome = batch_outcome
        self._polls: dict[str, int] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._closing = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.port: int = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def __enter__(self) -> FakeOpenAI:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving; pending hang() replies wake up at once."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def settings(self, **overrides: Any) -> ModelSettings:
        """The extractor's settings for this server, quick to give up (tests of failures override them):
        json_object mode, 2 s per answer, one transport retry, 10 ms between attempts."""
        defaults: dict[str, Any] = {"mode": Mode.JSON_OBJECT, "timeout": 2.0, "max_wait": 0.01, "transport_retries": 1}
        return ModelSettings(base_url=self.base_url, model="m", **{**defaults, **overrides})

    def chat_bodies(self) -> list[JSON]:
        """The JSON bodies of the POST /v1/chat/completions requests received, in order."""
        return [r.body for r in self.requests if r.method == "POST" and r.path.split("?")[0].endswith("/chat/completions")]

    # ---- internals -------------------------------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def _receive(self, method: str, path: str, headers: dict[str, str], data: bytes) -> _Out:
        ctype = headers.get("content-type", "")
        body: Any = None
        form: dict[str, tuple[str | None, bytes]] = {}
        if ctype.startswith("multipart/form-data"):
            form = _multipart(data, ctype)
            body = {k: fn if fn is not None else v.decode(errors="replace") for k, (fn, v) in form.items()}
        elif data:
            try:
                body = json.loads(data)
            except ValueError:
                body = None
        self.requests.append(Recorded(method, path, headers, body, data))
        parts = [p for p in path.split("?")[0].split("/") if p]
        if parts[:1] != ["v1"]:
            return _Out(404, error_body(404, f"Invalid URL ({method} {path})"))
        if method == "POST" and data and body is None and not form:
            return _Out(400, error_body(400, "We could not parse the JSON body of your request."))
        body = body if isinstance(body, dict) else {}
        if (method, *parts[1:]) == ("POST", "chat", "completions"):  # outside the lock: test callables may be slow
            reply, code, payload = self._complete(body)
            return _Out(code, payload, reply.headers, reply.delay)
        with self._lock:
            return self._route(method, parts[1:], body, form, path)

    def _route(self, method: str, p: list[str], body: JSON, form: dict[str, tuple[str | None, bytes]], path: str) -> _Out:
        now = int(time.time())
        match (method, *p):
            case ("GET", "models"):
                return _Out(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "created": now, "owned_by": "fake"}]})
            case ("POST", "files"):
                if "file" not in form:
                    return _Out(400, error_body(400, "Missing required parameter: 'file'."))
                filename, content = form["file"]
                purpose = form.get("purpose", (None, b"batch"))[1].decode()
                return _Out(200, self._store_file(filename or "upload", content, purpose))
            case ("GET", "files", fid) | ("GET", "files", fid, "content") | ("DELETE", "files", fid) if fid not in self.files:
                return _Out(404, error_body(404, f"No such File object: {fid}"))
            case ("GET", "files", fid):
                return _Out(200, self.files[fid])
            case ("GET", "files", fid, "content"):
                return _Out(200, self.file_data[fid])
            case ("DELETE", "files", fid):
                del self.files[fid], self.file_data[fid]
                return _Out(200, {"id": fid, "object": "file", "deleted": True})
            case ("POST", "batches"):
                if body.get("input_file_id") not in self.files:
                    return _Out(404, error_body(404, f"No such File object: {body.get('input_file_id')}"))
                bid = self._new_id("batch_")
                self.batches[bid] = {
                    "id": bid,
                    "object": "batch",
                    "endpoint": body.get("endpoint", "/v1/chat/completions"),
                    "errors": None,
                    "input_file_id": body["input_file_id"],
                    "completion_window": body.get("completion_window", "24h"),
                    "status": "validating",
                    "output_file_id": None,
                    "error_file_id": None,
                    "created_at": now,
                    "in_progress_at": None,
                    "completed_at": None,
                    "cancelled_at": None,
                    "expires_at": now + 86400,
                    "request_counts": {"total": 0, "completed": 0, "failed": 0},
                    "metadata": body.get("metadata"),
                }
                self._polls[bid] = 0
                if self.batch_polls <= 0:
                    self._finish_batch(bid)
                return _Out(200, self.batches[bid])
            case ("GET", "batches", bid) | ("POST", "batches", bid, "cancel") if bid not in self.batches:
                return _Out(404, error_body(404, f"No such Batch object: {bid}"))
            case ("GET", "batches", bid):
                batch = self.batches[bid]
                if batch["status"] in ("validating", "in_progress"):
                    self._polls[bid] += 1
                    if self._polls[bid] >= self.batch_polls:
                        self._finish_batch(bid)
                    else:
                        batch.update(status="in_progress", in_progress_at=batch["in_progress_at"] or now)
                return _Out(200, batch)
            case ("POST", "batches", bid, "cancel"):
                if self.batches[bid]["status"] in ("validating", "in_progress"):
                    self.batches[bid].update(status="cancelled", cancelled_at=now)
                return _Out(200, self.batches[bid])
        return _Out(404, error_body(404, f"Invalid URL ({method} {path})"))

    def _store_file(self, filename: str, content: bytes, purpose: str) -> JSON:
        fid = self._new_id("file-")
        self.file_data[fid] = content
        self.files[fid] = {
            "id": fid,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }
        return self.files[fid]

    def _next_reply(self, body: JSON) -> Reply:
        with self._lock:
            item = self.script.popleft() if self.script else self.default
        if item is None:
            return status(500, error_body(500, "FakeOpenAI: the script is empty and there is no default reply"))
        if callable(item):
            item = item(body)
        return item if isinstance(item, Reply) else answer(cast(str | JSON, item))

    def _complete(self, body: JSON) -> tuple[Reply, int, Any]:
        """The next reply for a chat-completions request ``body``: (reply, HTTP status, response body)."""
        reply = self._next_reply(body)
        if reply.content is None:
            return reply, reply.status, reply.body if reply.body is not None else error_body(reply.status, f"scripted {reply.status}")
        message: JSON = {"role": "assistant", "content": reply.content, "refusal": None}
        finish = reply.finish_reason
        tools = body.get("tools") or []
        if tools:
            choice = body.get("tool_choice")
            fn = choice.get("function", {}) if isinstance(choice, dict) else {}
            name = fn.get("name") or (tools[0].get("function") or {}).get("name") or tools[0].get("name", "tool")
            call = {"id": self._new_id("call_"), "type": "function", "function": {"name": name, "arguments": reply.content}}
            message.update(content=None, tool_calls=[call])
            finish = "length" if finish == "length" else "tool_calls"
        usage = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        completion = {
            "id": self._new_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "system_fingerprint": None,
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": usage,
        }
        return reply, reply.status, completion

    def _finish_batch(self, bid: str) -> None:
        batch = self.batches[bid]
        if self.batch_outcome != "completed":
            error = {"code": self.batch_outcome, "message": f"FakeOpenAI: batch {self.batch_outcome}", "param": None, "line": None}
            batch.update(
                status=self.batch_outcome, errors={"object": "list", "data": [error]}, **{f"{self.batch_outcome}_at": int(time.time())}
            )
            return
        lines = [json.loads(line) for line in self.file_data[batch["input_file_id"]].decode().splitlines() if line.strip()]
        out, failed = [], 0
        for line in lines:
            _, code, payload = self._complete(line.get("body") or {})
            failed += code != 200
            out.append(
                {
                    "id": self._new_id("batch_req_"),
                    "custom_id": line.get("custom_id"),
                    "response": {"status_code": code, "request_id": self._new_id("req_"), "body": payload},
                    "error": None,
                }
            )
        data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out).encode()
        output = self._store_file(f"{bid}_output.jsonl", data, "batch_output")
        now = int(time.time())
        batch.update(
            status="completed",
            output_file_id=output["id"],
            in_progress_at=batch["in_progress_at"] or now,
            completed_at=now,
            request_counts={"total": len(lines), "completed": len(lines) - failed, "failed": failed},
        )
