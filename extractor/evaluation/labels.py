"""Turn a hand-labelling file into a gold `AnnualReport`: the way a new gold file is made.

A labeller writes a flat file, quoting the source text as they read it::

    {"doc": "02_hongzequ_2023", "meta": {...},
     "stats": {"stats_2019.requests.new_received.total": {"value": 21, "quote": "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21"}},
     "highlights": [{"topic": "...", "summary": "...", "quote": "..."}], "problems": [...], "improvements": [...],
     "notes": ["judgement calls"]}

`labels_to_report` normalizes every quote like the document and finds it in the document's normalized text
(ignoring whitespace, so a quote copied from the raw file still matches), stores the normalized slice and its offsets, and keeps the notes
as the gold file's `warnings`. Usage::

    python -m extractor.evaluation.labels LABELS.json evals/docs/NAME.txt > evals/gold/NAME.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from extractor.documents import Document, load_document
from extractor.errors import EvalError
from extractor.schema import AnnualReport, set_path
from extractor.textnorm import locate, normalize_text


def labels_to_report(labels: dict[str, Any], document: Document) -> AnnualReport:
    data: dict[str, Any] = {"meta": labels["meta"], "evidence": {}, "warnings": list(labels.get("notes", []))}
    for path, item in labels.get("stats", {}).items():
        span = locate(normalize_text(item["quote"]), document.text)
        if span is None:
            raise EvalError(f"{path}: quote not found: {item['quote']!r}", path=document.path)
        set_path(data, path, item["value"])
        data["evidence"][path] = {"quote": document.text[span[0] : span[1]], "start": span[0], "end": span[1], "method": "rules"}
    for name in ("highlights", "problems", "improvements"):
        items = []
        for item in labels.get(name, []):
            span = locate(normalize_text(item["quote"]), document.text)
            if span is None:
                raise EvalError(f"{name}: quote not found: {item['quote'][:40]!r}", path=document.path)
            items.append(
                {
                    "topic": item["topic"],
                    "summary": item["summary"],
                    "quote": document.text[span[0] : span[1]],
                    "start": span[0],
                    "end": span[1],
                }
            )
        data[name] = items
    return AnnualReport.model_validate(data)


def main(argv: list[str]) -> int:
    labels_path, source = argv
    labels = json.loads(Path(labels_path).read_text(encoding="utf-8"))
    report = labels_to_report(labels, load_document(source))
    sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
