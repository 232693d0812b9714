"""Large runs through the OpenAI Batch API: `extractor extract PATHS -o OUT --batch`.

A batch costs less than interactive calls and has no rate limit to wait on, but answers within hours, not
seconds. `run_with_batch_api` keeps every other part of a run unchanged (parsers, routing, prompts, grounding,
outputs) by putting the Batch API in front of the response cache:

1. collect: the pipeline reads every report that needs extracting with a collecting `ModelClient`: a request
   whose answer is not cached is kept (`Collected`: its exact chat-completions body under its request key), not
   sent; nothing is written to OUT;
2. submit: the kept requests go up as one JSONL file (`batch_line`) and one batch; its id is written to
   `OUT/.extractor-batch.json` before any waiting, so a run killed while it waits resumes that batch when run
   again with `--batch` (`--batch-id ID` names a batch to resume explicitly);
3. poll: the batch is retrieved every `poll` seconds, a line logged at each change of status, until it is
   completed, failed, expired or cancelled (one line says which, and why);
4. read: each answer in the batch's output is read and validated exactly as an interactive answer is
   (`ModelClient.parse_completion`, `read_results`) and stored in the response cache under its request key;
5. finish: the normal run (`extractor.runs.local.run_batch`) then finds every accepted answer in the cache and asks
   interactively only for what the batch did not answer well (an invalid or errored line, a batch that failed,
   a Batch API the endpoint does not offer): the outputs are always complete. `.extractor-batch.json` is
   removed when the run is done.

What a run shows (its lines are logged by `logging.getLogger(__name__)` at INFO, the command line prints them;
the model use at the end shows the batch's answers as cache hits; `requests` are the interactive ones):

    $ extractor extract reports/ -o out/ --batch --base-url https://api.openai.com/v1 --model gpt-4o-mini
    extractor: batch: 1843 model requests to send from 212 reports (37 answers already cached)
    extractor: batch batch_6a1f: submitted; kept in out/.extractor-batch.json (a run killed now resumes it)
    extractor: batch batch_6a1f: validating
    extractor: batch batch_6a1f: in_progress (0/1843 done)
    extractor: batch batch_6a1f: 1841 answers accepted, 1 invalid, 1 errored; asking the model interactively for the other 2
    extractor: 212 extracted, 0 already current, 0 failed; output in out/
    extractor: model use: requests 2, tokens_in 1412, tokens_out 96, cache_hits 1880, cache_misses 2, ...

One line of the uploaded file:

    >>> line = json.loads(batch_line("9f2c", {"model": "m", "messages": [{"role": "user", "content": "年度?"}]}))
    >>> line["custom_id"], line["method"], line["url"], line["body"]["messages"][0]["content"]
    ('9f2c', 'POST', '/v1/chat/completions', '年度?')
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Final, TextIO

import openai
from openai.types import Batch

from extractor.atomic import write_atomic
from extractor.documents import load_document
from extractor.errors import ConfigError
from extractor.llm.cache import ResponseCache
from extractor.llm.client import Collect, Collected, ModelClient, describe
from extractor.llm.reader import ModelReader
from extractor.llm.settings import ModelSettings
from extractor.pipeline import extract_document, run_identity
from extractor.runs.local import BatchOptions, BatchResult, find_inputs, is_current, output_names, run_batch
from extractor.runs.lock import output_folder_lock

log = logging.getLogger(__name__)

STATE_NAME = ".extractor-batch.json"
"""In the output folder while a batch is out: which batch to resume."""
ENDPOINT: Final = "/v1/chat/completions"
FINISHED = ("completed", "failed", "expired", "cancelled")


def run_with_batch_api(
    paths: list[str], options: BatchOptions, *, batch_id: str | None = None, poll: float = 30.0, stderr: TextIO | None = None
) -> BatchResult:
    """Run a batch with the model's requests sent through the Batch API (see the module docstring).

    Raises `ConfigError` when no model is configured, the response cache is off or unusable, or `poll` is not
    a positive number of seconds; otherwise the run always finishes like `run_batch`, with its result.
    """
    settings = options.settings
    if settings is None:
        raise ConfigError("--batch needs a model endpoint: give --base-url and --model (or OPENAI_BASE_URL, EXTRACTOR_MODEL)")
    if not settings.use_cache:
        raise ConfigError("--batch keeps the batch's answers in the response cache: it cannot run with --no-cache")
    if poll <= 0:
        raise ConfigError("--batch-poll must be a positive number of seconds")
    store = ResponseCache(settings.cache_path())
    if not store.usable:
        raise ConfigError("--batch keeps the batch's answers in the response cache, which is unusable", path=str(settings.cache_path()))
    state = options.out_dir / STATE_NAME
    with output_folder_lock(options.out_dir):
        collected: dict[str, Collected] = {}
        client = ModelClient(settings, store=store, transport=Collect(collected))
        reports, cached = _collect(paths, options, client)
        log.info("batch: %d model requests to send from %d reports (%d answers already cached)", len(collected), reports, cached)
        batch_id = batch_id or _recorded_batch(state, settings)
        if batch_id is not None:
            log.info("batch %s: resuming it (no new batch is created)", batch_id)
        elif collected:
            batch_id = _submit(collected, settings, state)
        if batch_id is not None:
            _follow(batch_id, collected, client, store, poll)
    result = run_batch(paths, replace(options, settings=replace(settings, refresh=False)), stderr)
    state.unlink(missing_ok=True)
    return result


def batch_line(key: str, body: dict[str, Any]) -> str:
    """One line of a batch's input file: the chat-completions request `body` under its request key."""
    return json.dumps({"custom_id": key, "method": "POST", "url": ENDPOINT, "body": body}, ensure_ascii=False) + "\n"


def read_results(lines: Iterable[str], collected: dict[str, Collected], client: ModelClient) -> tuple[dict[str, Any], Counter[str]]:
    """The valid answers in a batch's output and error files (`lines`), as the cache keeps them, by request
    key, and the lines counted as "accepted", "invalid" (cut short, or not fitting the answer model) or
    "errored" (an HTTP error, an error-file line); lines of requests not in `collected` are ignored.

    >>> from pydantic import BaseModel
    >>> class Year(BaseModel):
    ...     year: int
    >>> from extractor.llm.client import Replay
    >>> client = ModelClient(ModelSettings(base_url="http://127.0.0.1:8012/v1", model="m", mode="json_object"),
    ...                      transport=Replay())
    >>> collected = {k: Collected({}, [{"role": "user", "content": "年度?"}], Year) for k in ("a", "b", "c")}
    >>> def line(key, status, content):
    ...     body = {"id": "c1", "object": "chat.completion", "created": 0, "model": "m", "choices": [
    ...         {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}
    ...     return json.dumps({"custom_id": key, "response": {"status_code": status, "body": body}, "error": None})
    >>> answers, counts = read_results([line("a", 200, '{"year": 2023}'), line("b", 200, "2023年"),
    ...                                 line("c", 500, "")], collected, client)
    >>> answers, dict(counts)
    ({'a': {'year': 2023}}, {'accepted': 1, 'invalid': 1, 'errored': 1})
    """
    answers: dict[str, Any] = {}
    counts: Counter[str] = Counter()
    for text in lines:
        try:
            record = json.loads(text)
            key, response = record["custom_id"], record.get("response") or {}
        except (ValueError, KeyError, TypeError):
            counts["errored"] += 1
            continue
        if key not in collected:
            continue
        if response.get("status_code") != 200:
            counts["errored"] += 1
            continue
        request = collected[key]
        answer = client.parse_completion(request.messages, request.answer_model, response.get("body") or {})
        if answer is None:
            counts["invalid"] += 1
        else:
            answers[key] = answer.model_dump(mode="json")
            counts["accepted"] += 1
    return answers, counts


def _collect(paths: list[str], options: BatchOptions, client: ModelClient) -> tuple[int, int]:
    """Read the reports the run will extract with the collecting `client`; the number read and of cache hits."""
    files, _ = find_inputs(paths)
    names = output_names(files)
    identity = run_identity(options.settings)
    reader = ModelReader(client)
    reports = cached = 0
    for file in files:
        if not options.force and is_current(options.out_dir / f"{names[file]}.json", file, identity):
            continue
        reports += 1
        with contextlib.suppress(Exception):  # a report that cannot be read fails, with its reason, in the run after
            cached += extract_document(load_document(file), reader).run.accounting.get("cache_hits", 0)
    return reports, cached


def _api(settings: ModelSettings) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout, max_retries=settings.transport_retries
    )


def _recorded_batch(state: Path, settings: ModelSettings) -> str | None:
    """The batch an earlier run on this folder left out for this endpoint and model, if any."""
    try:
        recorded = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or (recorded.get("endpoint"), recorded.get("model")) != (settings.endpoint_id, settings.model):
        return None
    batch_id = recorded.get("batch_id")
    return batch_id if isinstance(batch_id, str) else None


def _submit(collected: dict[str, Collected], settings: ModelSettings, state: Path) -> str | None:
    """Upload the requests, create the batch and record it in `state`; None (said in one line) when the
    endpoint refuses, and the run asks interactively instead."""
    data = "".join(batch_line(key, request.body) for key, request in collected.items()).encode("utf-8")
    try:
        api = _api(settings)
        upload = api.files.create(file=("extractor-batch.jsonl", data), purpose="batch")
        batch = api.batches.create(input_file_id=upload.id, endpoint=ENDPOINT, completion_window="24h")
    except openai.OpenAIError as exc:
        log.info("batch: cannot submit (%s); asking the model interactively instead", describe(exc))
        return None
    write_atomic(
        state,
        json.dumps(
            {
                "batch_id": batch.id,
                "input_file_id": upload.id,
                "endpoint": settings.endpoint_id,
                "model": settings.model,
                "keys": sorted(collected),
            },
            indent=1,
        )
        + "\n",
    )
    log.info("batch %s: submitted; kept in %s (a run killed now resumes it)", batch.id, state)
    return batch.id


def _follow(
    batch_id: str,
    collected: dict[str, Collected],
    client: ModelClient,
    store: ResponseCache,
    poll: float,
) -> None:
    """Wait for the batch to end, keep its valid answers in `store`, and say in one line (logged) how it ended."""
    try:
        api = _api(client.settings)
        batch = _wait(api, batch_id, poll)
        lines: list[str] = []
        for file_id in (batch.output_file_id, batch.error_file_id):  # an expired or cancelled batch keeps some
            if file_id:
                lines += [line for line in api.files.content(file_id).text.splitlines() if line.strip()]
    except openai.OpenAIError as exc:
        log.info("batch %s: %s; asking the model interactively instead", batch_id, describe(exc))
        return
    answers, counts = read_results(lines, collected, client)
    for key, data in answers.items():
        store.set(key, data)
    outcome = f"{counts['accepted']} answers accepted, {counts['invalid']} invalid, {counts['errored']} errored"
    if batch.status != "completed":
        reasons = [error.message for error in batch.errors.data or []] if batch.errors else []
        outcome = f"{batch.status}{': ' + str(reasons[0]) if reasons else ''}{f' ({outcome})' if lines else ''}"
    missing = len(collected) - counts["accepted"]
    log.info("batch %s: %s%s", batch_id, outcome, f"; asking the model interactively for the other {missing}" if missing else "")


def _wait(api: openai.OpenAI, batch_id: str, poll: float) -> Batch:
    """Retrieve the batch every `poll` seconds until it has ended; a line logged at each change of status before
    that."""
    shown = None
    while True:
        batch = api.batches.retrieve(batch_id)
        if batch.status in FINISHED:
            return batch
        if batch.status != shown:
            shown = batch.status
            counts = batch.request_counts
            done = f" ({counts.completed + counts.failed}/{counts.total} done)" if counts and counts.total else ""
            log.info("batch %s: %s%s", batch_id, batch.status, done)
        time.sleep(poll)
