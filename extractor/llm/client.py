"""The model client: the `openai` SDK, wrapped by `instructor`, behind a cache, a transport and an accountant.

One call, `ModelClient.ask`, turns a prompt's messages into a validated answer model:

1. the request key (endpoint, model, mode, prompt version, answer-schema hash, messages, sampling) is looked
   up in the answer store (the response cache, or in an offline eval the recorded answers): a hit sends
   nothing; a kept answer that no longer fits its answer model counts as a miss and is replaced;
2. otherwise instructor prepares the request, hands it to the client's `Transport`, and validates the answer,
   re-asking with the validation error up to `settings.reasks` times (counted as `reasks`);
3. an answer cut short (`finish_reason == "length"`) raises `AnswerTruncated`: it is never parsed as if
   complete, and the caller retries with a smaller piece of text.

Where a request goes is the transport's one job (`Transport.send`):

- `Live` sends it over HTTP, retried by tenacity on 429, 5xx, timeouts and connection errors with exponential
  backoff and jitter, honouring Retry-After, up to `settings.transport_retries` times (counted as
  `transport_retries`); other 4xx answers are final. `EndpointHealth` gives the endpoint up for the run;
- `Replay` (the offline eval) sends nothing: a request with no recorded answer raises `ReplayMiss`;
- `Collect` (the Batch API, `extractor.runs.batch_api`) sends nothing: it keeps the exact request under its
  request key (`Collected`) and raises `Deferred`; `ModelClient.parse_completion` later reads a completion of
  that request exactly as `ask` reads one.

A `recorder` (the live eval) is one more answer store that gets every answer used, cached or fresh.

Everything that fails for good raises a `ModelError` naming the report and chunk. `Accounting` counts requests,
tokens, cache hits and misses and both kinds of retry, per report; tokens and re-asks are read from
instructor's hooks. Nothing here prints: problems are logged (`logging.getLogger(__name__)`), and the command
line decides what the user sees.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Protocol, TypeVar

import instructor
import openai
from instructor.core import IncompleteOutputException, ResponseParsingError
from instructor.core import ValidationError as InstructorValidationError
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from extractor.errors import ExtractorError, ModelError
from extractor.llm.cache import request_key
from extractor.llm.prompts import Prompt
from extractor.llm.settings import Mode, ModelSettings
from extractor.llm.tasks import schema_hash

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", bound=BaseModel)
CUT_SHORT = {"cut_short": True}
"""What the cache keeps for a request whose answer hit the token limit: the answer itself is never kept."""
FAILURES_IN_A_ROW = 3
"""Requests in a row that failed (connection, timeout, 5xx; each attempt counts) before the endpoint is given up."""
FAILING_FOR = 120.0
"""Seconds of failures with no answer between, from the start of the first, after which the endpoint is given up
(a stalled endpoint: one timed-out request at the default `timeout` is enough)."""
PARSE_ERRORS = (ValidationError, json.JSONDecodeError, ResponseParsingError, InstructorValidationError)
"""An answer that does not fit: instructor re-asks with the error; anything else a request raises ends it."""


class AnswerStore(Protocol):
    """A place answers are kept by request key (`ResponseCache`, `RecordedAnswers`)."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


class AnswerTruncated(ModelError):
    """The model stopped at its output limit (finish_reason "length"); the answer is incomplete."""


class EndpointGivenUp(ModelError):
    """The endpoint failed too often in a row, or refused the key: no request is sent to it again in this run."""


class ReplayMiss(ModelError):
    """An offline run (the eval in CI) met a request that has no recorded answer."""


class Deferred(ModelError):
    """A collecting client kept this request for the Batch API instead of sending it (see `Collected`)."""


class Cancelled(ModelError):
    """The run was interrupted (Ctrl-C) while this request waited."""


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


@dataclass(frozen=True)
class Call:
    """One `ask` as a transport sees it: its request key, what to read its answer with, who to name in errors
    and whose `Accounting` to charge."""

    key: str
    messages: list[dict[str, str]]
    answer_model: type[BaseModel]
    accounting: Accounting
    lock: threading.Lock
    path: str | None = None
    chunk: str | None = None

    def count(self, **amounts: int) -> None:
        with self.lock:
            for name, amount in amounts.items():
                setattr(self.accounting, name, getattr(self.accounting, name) + amount)


class Transport(Protocol):
    """Where a request whose answer is not kept goes (`Live`, `Replay`, `Collect`)."""

    def send(self, request: dict[str, Any], call: Call) -> ChatCompletion:
        """The chat completion for `request` (the body as it goes on the wire), or a `ModelError`."""
        ...

    def cancel(self) -> None:
        """Stop waiting: requests in flight or retrying raise `Cancelled` at once."""
        ...


# ------------------------------------------------------------------------------------------------ the transports
class Replay:
    """The offline eval's transport: nothing is sent; a request with no recorded answer is a `ReplayMiss`."""

    def send(self, request: dict[str, Any], call: Call) -> ChatCompletion:
        call.count(replay_misses=1)
        raise ReplayMiss("no recorded answer for this request (re-record with `extractor eval --live`)", path=call.path, chunk=call.chunk)

    def cancel(self) -> None:
        pass


class Collect:
    """The Batch API's first pass: each request is kept in `collected` under its request key, never sent."""

    def __init__(self, collected: dict[str, Collected]) -> None:
        self.collected = collected
        self._lock = threading.Lock()

    def send(self, request: dict[str, Any], call: Call) -> ChatCompletion:
        with self._lock:
            self.collected[call.key] = Collected(request, call.messages, call.answer_model)
        raise Deferred("kept for the Batch API", path=call.path, chunk=call.chunk)

    def cancel(self) -> None:
        pass


class EndpointHealth:
    """Whether a run still sends to its endpoint. It is given up, with one warning logged, after
    `FAILURES_IN_A_ROW` failed attempts in a row (connection, timeout, 5xx), or when attempts have failed for
    `FAILING_FOR` seconds with no answer between; at once when it refuses the key (401, 403). Any answer
    starts the count again. Thread-safe: one per run, shared by its threads.

    >>> health = EndpointHealth("http://127.0.0.1:8012/v1")
    >>> for _ in range(3):
    ...     health.failed("HTTP 500", started=time.monotonic())
    >>> health.reason
    'http://127.0.0.1:8012/v1 given up for this run after 3 failed requests in a row (HTTP 500)'

    A request that waited its whole timeout gives the endpoint up, unless an answer came in the meantime:

    >>> stalled, slow = EndpointHealth("http://h/v1"), EndpointHealth("http://h/v1")
    >>> slow.answered()
    >>> for health in (stalled, slow):
    ...     health.failed("timed out", started=time.monotonic() - FAILING_FOR)
    >>> stalled.reason, slow.reason
    ('http://h/v1 given up for this run after 120 s of failed requests (timed out)', None)
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.reason: str | None = None
        self._in_a_row = 0
        self._since: float | None = None
        self._last_answer = float("-inf")
        self._lock = threading.Lock()

    def check(self, *, path: str | None = None, chunk: str | None = None) -> None:
        """Raise `EndpointGivenUp` once the endpoint is given up."""
        if self.reason is not None:
            raise EndpointGivenUp(self.reason, path=path, chunk=chunk)

    def answered(self) -> None:
        with self._lock:
            self._in_a_row, self._since, self._last_answer = 0, None, time.monotonic()

    def failed(self, why: str, *, started: float) -> None:
        """An attempt that began at `started` (`time.monotonic()`) failed for a reason worth a retry."""
        with self._lock:
            self._in_a_row += 1
            started = max(started, self._last_answer)  # a request sent before the last answer fails from that answer on
            self._since = started if self._since is None else min(self._since, started)
            failing_for = time.monotonic() - self._since
            if self._in_a_row >= FAILURES_IN_A_ROW:
                self._give_up(f"after {self._in_a_row} failed requests in a row ({why})")
            elif failing_for >= FAILING_FOR:
                self._give_up(f"after {failing_for:.0f} s of failed requests ({why})")

    def refused(self, why: str) -> None:
        """The endpoint refused the credentials: nothing else will be answered."""
        with self._lock:
            self._give_up(f"({why}): set OPENAI_API_KEY for this endpoint, or check --base-url")

    def _give_up(self, why: str) -> None:
        if self.reason is None:
            self.reason = f"{self.base_url} given up for this run {why}"
            log.warning(
                "%s; nothing more is sent: the remaining reports are written with the parsers' values and the answers "
                "already cached, marked incomplete",
                self.reason,
            )


class Live:
    """Sends each request over HTTP with transport retries (see the module docstring), under `health`.

    The request itself runs in a helper thread, so that the thread waiting for it can be interrupted (Ctrl-C
    in the main thread, `cancel` in a worker thread) without waiting for the HTTP timeout.
    """

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings
        self.health = EndpointHealth(settings.base_url)
        self._openai = openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout, max_retries=0)
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def send(self, request: dict[str, Any], call: Call) -> ChatCompletion:
        def attempt() -> ChatCompletion:
            self.health.check(path=call.path, chunk=call.chunk)
            call.count(requests=1)
            started = time.monotonic()
            try:
                response = self._interruptible(request, call)
            except openai.APIStatusError as exc:
                if exc.status_code in (401, 403):
                    self.health.refused(describe(exc, self.settings.timeout))
                elif exc.status_code >= 500:
                    self.health.failed(describe(exc, self.settings.timeout), started=started)
                raise
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                self.health.failed(describe(exc, self.settings.timeout), started=started)
                raise
            self.health.answered()
            return response

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.transport_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(self._worth_another_try),
            sleep=self._sleep,
            before_sleep=lambda state: self._retrying(state, call),
            reraise=True,
        )
        try:
            response: ChatCompletion = retrying(attempt)
        except openai.OpenAIError as exc:
            if self.health.reason is not None:
                raise EndpointGivenUp(self.health.reason, path=call.path, chunk=call.chunk) from None
            raise ModelError(describe(exc, self.settings.timeout), path=call.path, chunk=call.chunk) from None
        return response

    def _retrying(self, state: RetryCallState, call: Call) -> None:
        call.count(transport_retries=1)
        failure = state.outcome.exception() if state.outcome else None
        why = describe(failure, self.settings.timeout) if isinstance(failure, openai.OpenAIError) else str(failure)
        where = ModelError(why, path=call.path, chunk=call.chunk, attempt=state.attempt_number)
        log.debug("%s; trying again in %.1f s", where, state.upcoming_sleep)

    def _worth_another_try(self, exc: BaseException) -> bool:
        return is_transient(exc) and self.health.reason is None

    def _interruptible(self, request: dict[str, Any], call: Call) -> ChatCompletion:
        outcome: list[Any] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(self._openai.chat.completions.create(**request))
            except BaseException as exc:  # handed to the waiting thread
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="model-request", daemon=True).start()
        while not done.wait(0.1):
            if self._cancelled.is_set():
                raise Cancelled("interrupted", path=call.path, chunk=call.chunk)
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        response: ChatCompletion = outcome[0]
        return response

    def _sleep(self, seconds: float) -> None:
        if self._cancelled.wait(seconds):
            raise Cancelled("interrupted")

    def _wait(self, state: RetryCallState) -> float:
        exception = state.outcome.exception() if state.outcome else None
        asked = retry_after(exception)
        if asked is not None:
            return min(asked, self.settings.max_wait)
        backoff: Callable[[RetryCallState], float] = wait_random_exponential(multiplier=0.5, max=self.settings.max_wait)
        return backoff(state)


# ------------------------------------------------------------------------------------------------------ the client
class ModelClient:
    """Asks one endpoint through a transport (see the module docstring). Thread-safe: one client serves a run.

    `transport` defaults to `Live(settings)`; `store` is the response cache or the recorded answers; `recorder`
    gets every answer used.
    """

    def __init__(
        self,
        settings: ModelSettings,
        store: AnswerStore | None = None,
        *,
        transport: Transport | None = None,
        recorder: AnswerStore | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.recorder = recorder
        self.transport: Transport = Live(settings) if transport is None else transport
        self._lock = threading.Lock()

    def request_key(self, prompt: Prompt, messages: list[dict[str, str]], answer_model: type[BaseModel]) -> str:
        return request_key(
            {
                "endpoint": self.settings.endpoint_id,
                "model": self.settings.model,
                "mode": self.settings.mode.value,
                "prompt": prompt.tag,
                "schema": schema_hash(answer_model),
                "messages": messages,
                "temperature": self.settings.temperature,
                "max_tokens": self.settings.max_tokens,
            }
        )

    def cancel(self) -> None:
        """Interrupt the requests in flight (the run was interrupted)."""
        self.transport.cancel()

    def ask(
        self,
        prompt: Prompt,
        messages: list[dict[str, str]],
        answer_model: type[Answer],
        accounting: Accounting,
        *,
        path: str | None = None,
        chunk: str | None = None,
    ) -> Answer:
        """The validated answer to `messages` (see the module docstring for the order of store, re-asks, transport)."""
        call = Call(self.request_key(prompt, messages, answer_model), messages, answer_model, accounting, self._lock, path, chunk)
        kept = self._kept(call)
        if kept is not None:
            return kept
        call.count(cache_misses=1)
        try:
            answer = self._ask_model(call)
        except AnswerTruncated:
            self._keep(call.key, CUT_SHORT)  # a rerun splits at once instead of asking for the same cut answer again
            raise
        data = answer.model_dump(mode="json")
        self._keep(call.key, data)
        return answer_model.model_validate(data)

    def _kept(self, call: Call) -> Any:
        """The stored answer to `call`, or None; one that no longer fits its answer model is logged and missed."""
        if self.store is None or not self.settings.use_cache or self.settings.refresh:
            return None
        cached = self.store.get(call.key)
        if cached is None:
            return None
        if cached == CUT_SHORT:
            call.count(cache_hits=1)
            self._record(call.key, cached)
            raise AnswerTruncated("the answer was cut short (cached)", path=call.path, chunk=call.chunk)
        try:
            answer: BaseModel = call.answer_model.model_validate(cached)
        except ValidationError as exc:
            log.info("%s: a kept answer does not fit its schema (%s); asking again", call.path or "", _why(exc))
            return None
        call.count(cache_hits=1)
        self._record(call.key, cached)
        return answer

    def _keep(self, key: str, data: Any) -> None:
        """Store an answer (or the note that it was cut short) in the cache and the recording."""
        if self.store is not None and self.settings.use_cache:
            self.store.set(key, data)
        self._record(key, data)

    def _record(self, key: str, data: Any) -> None:
        if self.recorder is not None:
            self.recorder.set(key, data)

    def parse_completion(self, messages: list[dict[str, str]], answer_model: type[Answer], completion: dict[str, Any]) -> Answer | None:
        """The answer a chat completion (a JSON body, from a batch's output file) carries for `messages`, read
        and validated by instructor exactly as `ask` reads a live one; None when it was cut short or does not fit.
        """
        try:
            response = ChatCompletion.model_validate(completion)
            if response.choices and response.choices[0].finish_reason == "length":
                return None
            create = instructor.patch(create=lambda **_: response, mode=self.settings.mode.instructor_mode)
            answer: Answer = create(response_model=answer_model, messages=messages, model=self.settings.model, max_retries=0, strict=False)
            return answer
        except Exception:  # instructor's validation errors, a malformed completion: the answer is asked again live
            return None

    def _ask_model(self, call: Call) -> BaseModel:
        """Ask through instructor and the transport; accounting from instructor's hooks."""
        hooks = instructor.hooks.Hooks()
        attempts: list[int] = []

        def on_request(*_: Any, **__: Any) -> None:
            if attempts:
                call.count(reasks=1)
            attempts.append(1)

        def on_response(response: Any) -> None:
            usage = getattr(response, "usage", None)
            choices = getattr(response, "choices", None) or []
            call.count(
                tokens_in=getattr(usage, "prompt_tokens", 0) or 0,
                tokens_out=getattr(usage, "completion_tokens", 0) or 0,
                truncated=int(bool(choices) and choices[0].finish_reason == "length"),
            )

        hooks.on("completion:kwargs", on_request)
        hooks.on("completion:response", on_response)
        create = instructor.patch(
            create=lambda **request: self.transport.send(self._wire(request), call), mode=self.settings.mode.instructor_mode
        )
        reasks = Retrying(stop=stop_after_attempt(self.settings.reasks + 1), retry=retry_if_exception_type(PARSE_ERRORS), reraise=True)
        try:
            answer: BaseModel = create(
                response_model=call.answer_model,
                messages=call.messages,
                model=self.settings.model,
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_tokens,
                max_retries=reasks,
                strict=False,
                hooks=hooks,
            )
        except Exception as exc:
            raise self._failure(exc, call, len(attempts)) from None
        return answer

    def _failure(self, exc: Exception, call: Call, attempts: int) -> ExtractorError:
        """The error to raise for what instructor raised: ours as it was, a cut answer as `AnswerTruncated`,
        exhausted re-asks as a `ModelError` saying why the last answer did not fit."""
        inner = _innermost(exc)
        if isinstance(inner, ExtractorError):
            return inner
        if isinstance(inner, IncompleteOutputException):
            return AnswerTruncated(
                f"the answer was cut short at {self.settings.max_tokens} tokens", path=call.path, chunk=call.chunk, attempt=attempts
            )
        if isinstance(inner, PARSE_ERRORS):
            return ModelError(
                f"the model's answer did not fit the schema after {attempts} attempts ({_why(inner)})",
                path=call.path,
                chunk=call.chunk,
                attempt=attempts,
            )
        if isinstance(inner, openai.OpenAIError):
            return ModelError(describe(inner), path=call.path, chunk=call.chunk, attempt=attempts)
        return ModelError(
            f"the model's answer could not be read ({type(inner).__name__}: {_first_line(inner)})",
            path=call.path,
            chunk=call.chunk,
            attempt=attempts,
        )

    def _wire(self, request: dict[str, Any]) -> dict[str, Any]:
        """The request as sent: in mode json_object, instructor's json_schema response format becomes llama.cpp's
        `{"type": "json_object", "schema": ...}`."""
        if self.settings.mode is Mode.JSON_OBJECT and request.get("response_format", {}).get("type") == "json_schema":
            schema = request["response_format"]["json_schema"]["schema"]
            return {**request, "response_format": {"type": "json_object", "schema": schema}}
        return request


# ------------------------------------------------------------------------------------------------------- helpers
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


def describe(exc: openai.OpenAIError, timeout: float | None = None) -> str:
    """What went wrong with a request, in a few words (`timeout`: the seconds it was given).

    >>> describe(openai.APITimeoutError(request=None), timeout=120.0)  # type: ignore[arg-type]
    'the endpoint did not answer in time (120 s, --timeout)'
    """
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = body.get("message") if isinstance(body.get("message"), str) else _first_line(exc)
        return f"the endpoint answered HTTP {exc.status_code} ({str(detail)[:200]})"
    if isinstance(exc, openai.APITimeoutError):
        return f"the endpoint did not answer in time ({'' if timeout is None else f'{timeout:g} s, '}--timeout)"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect to the endpoint ({_first_line(exc.__cause__ or exc)})"
    return _first_line(exc)


def _innermost(exc: BaseException) -> BaseException:
    """The error under instructor's and tenacity's wrappers (`InstructorRetryException`, `RetryError`): ours, a
    cut answer, the last parse error, or the transport's."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (ExtractorError, IncompleteOutputException, *PARSE_ERRORS)):
            return exc
        failed = getattr(exc, "failed_attempts", None)
        last = getattr(exc, "last_attempt", None)
        if exc.__cause__ is not None:
            exc = exc.__cause__
        elif last is not None and last.failed:
            exc = last.exception()
        elif failed:
            exc = failed[-1].exception
    return exc


def _why(exc: BaseException) -> str:
    """What was wrong with an answer, in a few words.

    >>> from pydantic import BaseModel
    >>> class Year(BaseModel):
    ...     year: int
    >>> try:
    ...     Year.model_validate({"year": "二〇二三"})
    ... except ValidationError as exc:
    ...     _why(exc)
    'year: Input should be a valid integer, unable to parse string as an integer'
    """
    if isinstance(exc, ValidationError) and exc.errors():
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error.get("loc", ()))
        return f"{where}: {error['msg']}" if where else str(error["msg"])
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg}"
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
