"""The pipeline for one report: document -> parsed fields -> model-read fields -> merged, checked `AnnualReport`.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(path, "w", encoding="utf-8").write("灵山县2017年政府信息公开工作年度报告\\n全年全县主动公开政府信息39387条。")
    >>> report = extract_file(path)
    >>> report.meta.entity, report.stats_legacy.proactive.total, report.evidence["stats_legacy.proactive.total"].quote
    ('灵山县', 39387, '全年全县主动公开政府信息39387条')

With no model configured the model-only parts (narrative highlights, problems, improvements; figures that only
prose states in unusual words) stay empty, and `run.llm_used` is False. With a model (`ModelSettings`), the
model reads what the parsers left (see `extractor.llm.reader`); parser values win, the model fills only what
is null, and every disagreement is kept as a warning. When some of the model's requests fail, the report
still holds everything else, `run.complete` is False and a warning starting `model: ` says what was not read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractor.checks import arithmetic_warnings, compute_summary, model_within_wholes, plausible, unreadable_sections
from extractor.documents import Document, load_document
from extractor.entities import canonical_entity
from extractor.errors import DocumentError, printable
from extractor.llm.settings import ModelSettings
from extractor.merge import prefer
from extractor.parsers import parse_document
from extractor.parsers.meta import names_a_report
from extractor.records import ParseResult
from extractor.schema import AnnualReport, set_path
from extractor.timelimit import time_limit as time_limit_on_reading
from extractor.version import __version__

if TYPE_CHECKING:
    from extractor.llm.reader import ModelReader


NOT_A_REPORT = "not an annual report: no report title, statistics table or figure found"
"""Why a text with no report in it (a news page, a listing, a login page saved by a crawler) fails: an
all-empty output would pass for a report that states nothing."""


def run_identity(settings: ModelSettings | None) -> dict[str, Any]:
    """What makes an existing output current for this run, besides the input's hash: the extractor version,
    the model (None for parsers only) and the prompt versions. Compared against an output's `run` block.

    >>> run_identity(None)
    {'extractor_version': '0.2.0', 'model': None, 'prompt_versions': {}}
    """
    if settings is None:
        return {"extractor_version": __version__, "model": None, "prompt_versions": {}}
    from extractor.llm.prompts import prompt_versions

    return {"extractor_version": __version__, "model": settings.model, "prompt_versions": prompt_versions()}


def extract_file(path: str | Path, settings: ModelSettings | None = None, time_limit: float | None = None) -> AnnualReport:
    """Read one report file and extract it (raises `DocumentError` for bad input or a text that is not a
    report, or whose reading takes past `time_limit` seconds, `ModelError` when a model request fails for
    good): the same outcome as the command line's. The time limit covers reading and parsing, not the model.
    A model request that fails for good leaves the report without that part: `run.complete` is False and a
    warning says what was not read.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "news.txt")
    >>> _ = open(path, "w", encoding="utf-8").write("The county held its 2023 spring planting meeting on 12 March.")
    >>> extract_file(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    extractor.errors.DocumentError: ...news.txt: not an annual report: no report title, statistics table or figure found
    """
    return extract_file_and_text(path, settings, time_limit)[0]


Parsed = tuple[dict[str, Any], ParseResult, ParseResult]
"""What the parsers read of a document: its metadata, its tables and its prose (`parse_document`)."""


def read_file(path: str | Path, time_limit: float | None = None) -> tuple[Document, Parsed]:
    """Load one report file and run the parsers, failing the file (`DocumentError`) past `time_limit` seconds:
    the part of an extraction the time limit covers. Call it in a thread of its own and the limit does not
    apply (`extractor.timelimit`): a batch with a model reads in its main thread and asks the model in others."""
    with time_limit_on_reading(time_limit, str(path)):
        document = load_document(path)
        return document, parse_document(document.text)


def extract_file_and_text(
    path: str | Path, settings: ModelSettings | None = None, time_limit: float | None = None
) -> tuple[AnnualReport, str]:
    """`extract_file`, and the normalized text that the report's evidence offsets index."""
    return extract_read(*read_file(path, time_limit), settings)


def extract_read(document: Document, parsed: Parsed, settings: ModelSettings | None = None) -> tuple[AnnualReport, str]:
    """The rest of `extract_file_and_text` for a file `read_file` has read: the model, the checks, the report."""
    return extract_document(document, reader_for(settings) if settings else None, parsed), document.text


_READERS: dict[ModelSettings, ModelReader] = {}
_READERS_LOCK = threading.Lock()


def reader_for(settings: ModelSettings) -> ModelReader:
    """One model reader per settings and process, shared by its threads (client, cache and connections)."""
    from extractor.llm.cache import ResponseCache
    from extractor.llm.client import ModelClient
    from extractor.llm.reader import ModelReader

    with _READERS_LOCK:
        if settings not in _READERS:
            store = ResponseCache(settings.cache_path()) if settings.use_cache else None
            _READERS[settings] = ModelReader(ModelClient(settings, store=store))
        return _READERS[settings]


@contextmanager
def model_run(settings: ModelSettings) -> Iterator[Callable[[], None]]:
    """One run's use of the model: a fresh client (so the endpoint's health is this run's) for the block, and
    a function that interrupts its requests in flight (call it when the run is interrupted)."""

    def interrupt() -> None:
        with _READERS_LOCK:
            reader = _READERS.get(settings)
        if reader is not None:
            reader.client.cancel()

    with _READERS_LOCK:
        _READERS.pop(settings, None)
    try:
        yield interrupt
    finally:
        with _READERS_LOCK:
            _READERS.pop(settings, None)


def extract_document(document: Document, reader: ModelReader | None = None, parsed_document: Parsed | None = None) -> AnnualReport:
    """Extract one loaded document: parsers (unless their result is given), then the model when given, then
    checks and the summary."""
    meta, tables, prose = parsed_document or parse_document(document.text)
    parsed = prefer(tables, prose, "table", "prose")
    if not parsed.values and not names_a_report(document.text):
        raise DocumentError(NOT_A_REPORT, path=document.path)
    meta["entity_canonical"] = canonical_entity(meta["entity"], document.text)
    data: dict[str, Any] = {"meta": meta, "evidence": {}}
    run: dict[str, Any] = {"source": printable(document.path), "input_sha256": document.sha256, "llm_used": False, **run_identity(None)}
    if reader is not None:
        from extractor.llm.client import Accounting

        accounting = Accounting()
        reading = reader.read(document.text, meta["template"], meta["year"], parsed.values, accounting, path=document.path)
        parsed = prefer(parsed, ParseResult(tuple(reading.values), tuple(reading.warnings)), "parsers", "model")
        data.update(reading.narrative)
        run.update(run_identity(reader.client.settings), llm_used=True, accounting=accounting.as_dict(), complete=reading.complete)
    values, implausible = plausible(parsed.values)
    values, over_wholes = model_within_wholes(values, meta["template"])
    for value in values:
        set_path(data, value.path, value.value)
        data["evidence"][value.path] = {
            "quote": value.quote,
            "start": value.start,
            "end": value.end,
            "method": value.method,
            "page": document.page_of(value.start),
        }
    unreadable = unreadable_sections(document.text, meta["template"], data["evidence"])
    data["warnings"] = list(parsed.warnings) + implausible + over_wholes + arithmetic_warnings(data) + unreadable
    run["complete"] = run.get("complete", True) and not unreadable
    data["summary"] = compute_summary(data, meta["template"])
    data["run"] = run
    return AnnualReport.model_validate(data)
