"""The model client: the `openai` SDK, wrapped by `instructor`, behind retries, a cache and an accountant.

One call, `ModelClient.ask`, turns a prompt's messages into a validated answer model:

1. the request key (endpoint, model, mode, prompt version, answer-schema hash, messages, sampling) is looked
   up in the cache (or, in an offline eval, in the recorded answers): a hit sends nothing;
2. otherwise instructor sends the request and validates the answer, re-asking with the validation error up
   to `settings.reasks` times (counted as `reasks`);
3. each HTTP request underneath is retried by tenacity on 429, 5xx, timeouts and connection errors, with
   exponential backoff and jitter, honouring Retry-After, up to `settings.transport_retries` times (counted
   as `transport_retries`); other 4xx answers are final;
4. an answer cut short (`finish_reason == "length"`) raises `AnswerTruncated`: it is never parsed as if
   complete, and the caller retries with a smaller piece of text.

Everything that fails for good raises `ModelError` naming the report and chunk. `Accounting` counts requests,
tokens, cache hits and misses, and both kinds of retry, per report.

A collecting client (`collect=` a dict, for the Batch API, `extractor.runs.batch_api`) sends nothing: on a cache
miss it keeps the exact request instructor prepared under its request key (`Collected`) and raises `Deferred`;
`parse_completion` later reads a completion of that request exactly as `ask` reads one.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Protocol, TypeVar

import instructor
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from extractor.errors import ModelError
from extractor.llm.cache import request_key
from extractor.llm.prompts import Prompt
from extractor.llm.settings import ModelSettings
from extractor.llm.tasks import schema_hash

Answer = TypeVar("Answer", bound=BaseModel)
CUT_SHORT = {"cut_short": True}
"""What the cache keeps for a request whose answer hit the token limit: the answer itself is never kept."""
UNREACHABLE_AFTER = 3
"""Requests in a row that could not connect (each after its own retries) before the endpoint is given up."""

logging.getLogger("instructor").setLevel(logging.CRITICAL)  # its retry log lines would break one-line errors

INSTRUCTOR_MODES = {"tools": instructor.Mode.TOOLS, "json_object": instructor.Mode.JSON_SCHEMA,
                    "json_schema": instructor.Mode.JSON_SCHEMA, "json": instructor.Mode.JSON}


class AnswerStore(Protocol):
    """A place answers are kept by request key (`ResponseCache`, `RecordedAnswers`)."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


class AnswerTruncated(ModelError):
    """The model stopped at its output limit (finish_reason "length"); the answer is incomplete."""


class EndpointUnreachable(ModelError):
    """The endpoint could not be reached for several requests in a row: later requests fail at once."""


class ReplayMiss(ModelError):
    """An offline run (the eval in CI) met a request that has no recorded answer."""


class Deferred(ModelError):
    """A collecting client kept this request for the Batch API instead of sending it (see `Collected`)."""


@dataclass(frozen=True)
class Collected:
    """A request a collecting client kept: the chat-completions `body` as it would have been sent, and the
    `messages` and `answer_model` that `ModelClient.parse_completion` needs to read its answer."""

    body: dict[str, Any]
    messages: list[dict[str, str]]
    answer_model: type[BaseModel]


@dataclass
class Accounting:
    """What a report (or a run) cost: requests sent, tokens, cache use and retries of both kinds.

    >>> a = Accounting(requests=2, tokens_in=900); a.add(Accounting(requests=1, cache_hits=3)); a.as_dict()["requests"]
    3
    """

    requests: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    transport_retries: int = 0
    reasks: int = 0
    truncated: int = 0
    replay_misses: int = 0

    def add(self, other: Accounting) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def as_dict(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, timeouts and connection errors are worth another try; other errors are final.

    >>> is_transient(openai.APIConnectionError(request=None))  # type: ignore[arg-type]
    True
    """
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError))


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After in seconds or as a date, or retry-after-ms)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            return None
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class ModelClient:
    """Sends prompts to one endpoint (see the module docstring). Thread-safe: one client serves a run."""

    def __init__(self, settings: ModelSettings, store: AnswerStore | None = None,
                 recorder: AnswerStore | None = None, offline: bool = False,
                 collect: dict[str, Collected] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.recorder = recorder
        self.offline = offline
        self.collect = collect
        self._openai = None if offline else openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key,
                                                          timeout=settings.timeout, max_retries=0)
        self._lock = threading.Lock()
        self._unreachable_in_a_row = 0

    def request_key(self, prompt: Prompt, messages: list[dict[str, str]], answer_model: type[BaseModel]) -> str:
        return request_key({"endpoint": self.settings.endpoint_id, "model": self.settings.model,
                            "mode": self.settings.mode, "prompt": prompt.tag, "schema": schema_hash(answer_model),
                            "messages": messages, "temperature": self.settings.temperature,
                            "max_tokens": self.settings.max_tokens})

    def ask(self, prompt: Prompt, messages: list[dict[str, str]], answer_model: type[Answer], accounting: Accounting,
            *, path: str | None = None, chunk: str | None = None) -> Answer:
        """The validated answer to `messages` (see the module docstring for the order of cache, re-asks, retries)."""
        key = self.request_key(prompt, messages, answer_model)
        use_store = self.offline or (self.settings.use_cache and not self.settings.refresh)
        cached = self.store.get(key) if use_store and self.store is not None else None
        if cached is not None:
            with self._lock:
                accounting.cache_hits += 1
            if self.recorder is not None:
                self.recorder.set(key, cached)
            if cached == CUT_SHORT:
                raise AnswerTruncated("the answer was cut short (cached)", path=path, chunk=chunk)
            return answer_model.model_validate(cached)
        with self._lock:
            accounting.cache_misses += 1
        if self._unreachable_in_a_row >= UNREACHABLE_AFTER:
            raise EndpointUnreachable(f"{self.settings.base_url} unreachable ({self._unreachable_in_a_row} requests in a row "
                                      "failed to connect); not trying again in this run", path=path, chunk=chunk)
        if self.offline:
            with self._lock:
                accounting.replay_misses += 1
            raise ReplayMiss("no recorded answer for this request (re-record with `extractor eval --live`)",
                             path=path, chunk=chunk)
        try:
            answer = self._ask_model(key, messages, answer_model, accounting, path=path, chunk=chunk)
        except AnswerTruncated:
            self._keep(key, CUT_SHORT)  # a rerun splits at once instead of asking for the same cut answer again
            raise
        data = answer.model_dump(mode="json")
        self._keep(key, data)
        return answer_model.model_validate(data)

    def _keep(self, key: str, data: Any) -> None:
        """Store an answer (or the note that it was cut short) in the cache and the recording."""
        if self.store is not None and self.settings.use_cache:
            self.store.set(key, data)
        if self.recorder is not None:
            self.recorder.set(key, data)

    def parse_completion(self, messages: list[dict[str, str]], answer_model: type[Answer],
                         completion: dict[str, Any]) -> Answer | None:
        """The answer a chat completion (a JSON body, from a batch's output file) carries for `messages`, read
        and validated by instructor exactly as `ask` reads a live one; None when it was cut short or does not fit.
        """
        try:
            response = ChatCompletion.model_validate(completion)
            if response.choices and response.choices[0].finish_reason == "length":
                return None
            create = instructor.patch(create=lambda **_: response, mode=INSTRUCTOR_MODES[self.settings.mode])
            answer: Answer = create(response_model=answer_model, messages=messages, model=self.settings.model,
                                    max_retries=0, strict=False)
            return answer
        except Exception:  # instructor's validation errors, a malformed completion: the answer is asked again live
            return None

    def _ask_model(self, key: str, messages: list[dict[str, str]], answer_model: type[Answer], accounting: Accounting,
                   *, path: str | None, chunk: str | None) -> Answer:
        attempts = 0
        final: list[ModelError] = []

        def send(**request: Any) -> Any:
            nonlocal attempts
            attempts += 1
            try:
                if self.collect is not None:
                    with self._lock:
                        self.collect[key] = Collected(self._wire(request), messages, answer_model)
                    raise Deferred("kept for the Batch API", path=path, chunk=chunk)
                return self._send(request, accounting, path=path, chunk=chunk, attempt=attempts)
            except ModelError as exc:  # instructor wraps what it cannot re-ask; keep ours to raise as is
                final.append(exc)
                raise
            except openai.OpenAIError as exc:
                final.append(self._transport_failure(exc, path=path, chunk=chunk, attempt=attempts))
                raise

        create = instructor.patch(create=send, mode=INSTRUCTOR_MODES[self.settings.mode])
        try:
            return create(response_model=answer_model, messages=messages, model=self.settings.model,
                          temperature=self.settings.temperature, max_tokens=self.settings.max_tokens,
                          max_retries=self.settings.reasks, strict=False)
        except ModelError:
            raise
        except instructor.core.exceptions.InstructorRetryException as exc:
            if final:
                raise final[-1] from None
            raise ModelError(f"the model's answer did not fit the schema after {attempts} attempts "
                             f"({_first_line(exc)})", path=path, chunk=chunk, attempt=attempts) from None
        except openai.OpenAIError as exc:
            raise final[-1] if final else ModelError(describe(exc), path=path, chunk=chunk, attempt=attempts) from None
        except Exception:
            if final:
                raise final[-1] from None
            raise
        finally:
            with self._lock:
                accounting.reasks += max(0, attempts - 1)

    def _send(self, request: dict[str, Any], accounting: Accounting, *, path: str | None, chunk: str | None,
              attempt: int) -> Any:
        """One chat completion over HTTP, with transport retries; raises `AnswerTruncated` on a cut answer."""
        client = self._openai
        assert client is not None, "an offline client never sends"
        request = self._wire(request)

        def note_retry(state: RetryCallState) -> None:
            with self._lock:
                accounting.transport_retries += 1

        def call() -> Any:
            with self._lock:
                accounting.requests += 1
            return client.chat.completions.create(**request)

        retrying = Retrying(stop=stop_after_attempt(self.settings.transport_retries + 1), wait=self._wait,
                            retry=retry_if_exception(is_transient), before_sleep=note_retry, reraise=True)
        response = retrying(call)
        self._unreachable_in_a_row = 0
        usage = getattr(response, "usage", None)
        with self._lock:
            accounting.tokens_in += getattr(usage, "prompt_tokens", 0) or 0
            accounting.tokens_out += getattr(usage, "completion_tokens", 0) or 0
        if response.choices and response.choices[0].finish_reason == "length":
            with self._lock:
                accounting.truncated += 1
            raise AnswerTruncated(f"the answer was cut short at {self.settings.max_tokens} tokens",
                                  path=path, chunk=chunk, attempt=attempt)
        return response

    def _wire(self, request: dict[str, Any]) -> dict[str, Any]:
        """The request as sent: in mode json_object, instructor's json_schema response format becomes llama.cpp's
        `{"type": "json_object", "schema": ...}`."""
        if self.settings.mode == "json_object" and request.get("response_format", {}).get("type") == "json_schema":
            schema = request["response_format"]["json_schema"]["schema"]
            return {**request, "response_format": {"type": "json_object", "schema": schema}}
        return request

    def _transport_failure(self, exc: openai.OpenAIError, *, path: str | None, chunk: str | None,
                           attempt: int) -> ModelError:
        """The error a request that failed for good raises; counts connection failures in a row."""
        if isinstance(exc, openai.APIConnectionError) and not isinstance(exc, openai.APITimeoutError):
            with self._lock:
                self._unreachable_in_a_row += 1
        return ModelError(describe(exc), path=path, chunk=chunk, attempt=attempt)

    def _wait(self, state: RetryCallState) -> float:
        exception = state.outcome.exception() if state.outcome else None
        asked = retry_after(exception)
        if asked is not None:
            return min(asked, self.settings.max_wait)
        backoff: Callable[[RetryCallState], float] = wait_random_exponential(multiplier=0.5, max=self.settings.max_wait)
        return backoff(state)


def describe(exc: openai.OpenAIError) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint answered HTTP {exc.status_code} ({_first_line(exc)})"
    if isinstance(exc, openai.APITimeoutError):
        return "the endpoint did not answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect to the endpoint ({_first_line(exc.__cause__ or exc)})"
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
