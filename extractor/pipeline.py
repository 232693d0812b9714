"""The pipeline for one report: document -> parsed fields -> merged, checked `AnnualReport`.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(path, "w", encoding="utf-8").write("灵山县2017年政府信息公开工作年度报告\\n全年全县主动公开政府信息39387条。")
    >>> report = extract_file(path)
    >>> report.meta.entity, report.stats_legacy.proactive.total, report.evidence["stats_legacy.proactive.total"].quote
    ('灵山县', 39387, '全年全县主动公开政府信息39387条')

With no model configured the model-only parts (narrative highlights, problems, improvements; figures that only
prose states in unusual words) stay empty, and `run.llm_used` is False.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extractor import __version__
from extractor.checks import arithmetic_warnings, compute_summary
from extractor.documents import Document, load_document
from extractor.llm.settings import ModelSettings
from extractor.parsers import parse_document
from extractor.schema import AnnualReport, set_path


def run_identity(settings: ModelSettings | None) -> dict[str, Any]:
    """What makes an existing output current for this run, besides the input's hash: the extractor version,
    the model (None for parsers only) and the prompt versions. Compared against an output's `run` block.

    >>> run_identity(None)["model"] is None
    True
    """
    return {"extractor_version": __version__, "model": settings.model if settings else None,
            "prompt_versions": {}}


def extract_file(path: str | Path, settings: ModelSettings | None = None) -> AnnualReport:
    """Read one report file and extract it (raises `DocumentError` for bad input, `ModelError` when a model
    request fails for good)."""
    return extract_document(load_document(path))


def extract_document(document: Document) -> AnnualReport:
    """Extract one loaded document: parsers, then checks and the summary."""
    meta, parsed = parse_document(document.text)
    data: dict[str, Any] = {"meta": meta, "evidence": {}}
    for value in parsed.values:
        set_path(data, value.path, value.value)
        data["evidence"][value.path] = {"quote": value.quote, "start": value.start, "end": value.end,
                                        "method": value.method}
    data["warnings"] = list(parsed.warnings) + arithmetic_warnings(data)
    data["summary"] = compute_summary(data, meta["template"])
    data["run"] = {"source": document.path, "input_sha256": document.sha256, "extractor_version": __version__,
                   "llm_used": False}
    return AnnualReport.model_validate(data)
