"""`extractor eval`: run the extractor over the gold set, score it, report it, and hold it to the thresholds.

Offline and deterministic by default: the parsers, and the model answers recorded in `evals/recordings.jsonl`
(replayed by request key; nothing is sent). A document with no recorded answer at all is scored on the parsers
alone; `--no-llm` scores every document so. `--live` calls the configured endpoint instead, through the
response cache, and rewrites the recordings from what it used. Output: a table per document, totals, the
field groups that miss most, a breakdown by template, model use (requests, tokens, cache hits, seconds per
report); a JSON and a Markdown report when asked.

The gold set has two groups. The documents named in `evals/first_look.txt` were labelled before the extractor
was changed for them: they are reported apart ("first look", the honest figure on reports the tool was not
built on) and never held to the thresholds. The rest ("tuned") are: the exit status is 1 when a tuned score
falls under `evals/thresholds.json`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from extractor.atomic import write_atomic
from extractor.documents import load_document
from extractor.errors import EvalError
from extractor.evaluation.gold import load_cases
from extractor.evaluation.scoring import Counts, DocumentScore, score_document
from extractor.llm.cache import RecordedAnswers, ResponseCache
from extractor.llm.client import ModelClient, Replay
from extractor.llm.reader import ModelReader
from extractor.llm.settings import ModelSettings
from extractor.pipeline import extract_document
from extractor.schema import AnnualReport


def default_evals_dir() -> Path:
    """`./evals` when run from a checkout, else the evals folder beside the installed package's source."""
    here = Path.cwd() / "evals"
    if (here / "gold").is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "evals"


RECORDINGS = "recordings.jsonl"
FIRST_LOOK = "first_look.txt"


def listed_names(text: str) -> frozenset[str]:
    """Document names listed one a line; blank lines and `#` comments are ignored.

    >>> sorted(listed_names("# labelled before tuning\\n20_fuzhou_2016\\n\\n21_shenzhen_2020  # gov2019\\n"))
    ['20_fuzhou_2016', '21_shenzhen_2020']
    """
    return frozenset(name for line in text.splitlines() if (name := line.split("#", 1)[0].strip()))


def first_look_names(evals_dir: Path) -> frozenset[str]:
    """The first-look documents named in `evals/first_look.txt` (none when the file is absent)."""
    path = evals_dir / FIRST_LOOK
    return listed_names(path.read_text(encoding="utf-8")) if path.is_file() else frozenset()


def recorded_reader(evals_dir: Path) -> ModelReader | None:
    """A reader that replays `evals/recordings.jsonl` with no network; None when nothing is recorded."""
    recordings = RecordedAnswers(evals_dir / RECORDINGS)
    if not recordings.header:
        return None
    settings = ModelSettings(**{k: v for k, v in recordings.header.items() if k in _IDENTITY})
    return ModelReader(ModelClient(settings, store=recordings, transport=Replay()))


def live_reader(settings: ModelSettings) -> tuple[ModelReader, RecordedAnswers]:
    """A reader that calls the endpoint (through the response cache) and records every answer it uses."""
    recorder = RecordedAnswers(Path(tempfile.mkdtemp()) / RECORDINGS)
    recorder.header = {k: getattr(settings, k) for k in _IDENTITY}
    store = ResponseCache(settings.cache_path()) if settings.use_cache else None
    return ModelReader(ModelClient(settings, store=store, recorder=recorder)), recorder


_IDENTITY = ("base_url", "model", "mode", "temperature", "max_tokens")


def evaluate(evals_dir: Path, reader: ModelReader | None = None, only: str | None = None) -> list[DocumentScore]:
    scores = []
    for case in load_cases(evals_dir):
        if only and only not in case.name:
            continue
        document = load_document(case.source)
        started = time.perf_counter()
        prediction = extract_document(document, reader)
        accounting = dict(prediction.run.accounting)  # kept when the parsers alone are scored: it shows the misses
        if _nothing_recorded(prediction):
            prediction = extract_document(document, None)
        score = score_document(case.name, case.gold, prediction, document.text)
        score.parsers_only = not prediction.run.llm_used
        score.seconds = time.perf_counter() - started
        score.accounting = accounting
        scores.append(score)
    return scores


def _nothing_recorded(prediction: AnnualReport) -> bool:
    """A replay that found no recorded answer for any request of the document: it is scored on the parsers alone,
    not on the parsers minus the pieces the model would have read."""
    accounting = prediction.run.accounting
    return bool(accounting.get("replay_misses")) and not accounting.get("cache_hits")


def summarize(scores: list[DocumentScore]) -> dict[str, Any]:
    stats, nonzero = Counts(), Counts()
    narrative = {k: Counts() for k in ("highlights", "problems", "improvements")}
    by_template: dict[str, Counts] = defaultdict(Counts)
    groups: dict[str, int] = defaultdict(int)
    meta_hits: dict[str, int] = defaultdict(int)
    grounded = quotes = 0
    for score in scores:
        stats.add(score.stats)
        nonzero.add(score.nonzero)
        by_template[score.template].add(score.stats)
        for kind, counts in score.narrative.items():
            narrative[kind].add(counts)
        for path, misses in score.field_errors.items():
            groups[".".join(path.split(".")[:3])] += misses
        for key, hit in score.meta.items():
            meta_hits[key] += int(hit)
        grounded += score.grounded
        quotes += score.quotes
    total = len(scores) or 1
    use: dict[str, float] = defaultdict(float)
    for score in scores:
        for key, value in score.accounting.items():
            use[key] += value
    use["seconds"] = round(sum(s.seconds for s in scores), 2)
    return {
        "documents": len(scores),
        "statistics": stats.as_dict(),
        "nonzero": nonzero.as_dict(),
        "meta_accuracy": {k: round(v / total, 4) for k, v in meta_hits.items()},
        "narrative": {k: v.as_dict() for k, v in narrative.items()},
        "grounding": round(grounded / quotes, 4) if quotes else 1.0,
        "by_template": {k: v.as_dict() for k, v in sorted(by_template.items())},
        "worst_field_groups": dict(sorted(groups.items(), key=lambda kv: -kv[1])[:12]),
        "model_use": dict(use),
        "per_document": [
            {
                "name": s.name,
                "template": s.template,
                "statistics": s.stats.as_dict(),
                "nonzero": s.nonzero.as_dict(),
                "meta": s.meta,
                "narrative_f1": {k: round(v.f1, 4) for k, v in s.narrative.items()},
                "grounding": round(s.grounding, 4),
                "seconds": round(s.seconds, 2),
                "parsers_only": s.parsers_only,
                "model_use": s.accounting,
            }
            for s in scores
        ],
    }


def summarize_groups(scores: list[DocumentScore], first_look: frozenset[str]) -> dict[str, Any]:
    """The tuned documents' summary (what the thresholds speak of), with the first-look documents' summary under
    `first_look` (None when there are none)."""
    tuned = [s for s in scores if s.name not in first_look]
    first = [s for s in scores if s.name in first_look]
    summary = summarize(tuned)
    summary["first_look"] = summarize(first) if first else None
    return summary


def render_table(summary: dict[str, Any]) -> str:
    """The per-document table and totals, as Markdown (also readable on a terminal)."""
    lines = [
        "| document | template | stats P | stats R | stats F1 | non-zero F1 | halluc. | meta y/t/e | grounding |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for doc in summary["per_document"]:
        s, m = doc["statistics"], doc["meta"]
        flags = "/".join("✓" if m[k] else "✗" for k in ("year", "template", "entity"))
        lines.append(
            f"| {doc['name']} | {doc['template']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
            f"| {doc['nonzero']['f1']:.3f} | {s['hallucinations']} | {flags} | {doc['grounding']:.3f} |"
        )
    s, nz = summary["statistics"], summary["nonzero"]
    lines.append(
        f"| **all {summary['documents']}** | | {s['precision']:.3f} | {s['recall']:.3f} | **{s['f1']:.3f}** "
        f"| {nz['f1']:.3f} | **{s['hallucinations']}** | | {summary['grounding']:.3f} |"
    )
    lines += ["", "| by template | TP | FP | FN | F1 | halluc. |", "|---|---|---|---|---|---|"]
    for template, c in summary["by_template"].items():
        lines.append(f"| {template} | {c['tp']} | {c['fp']} | {c['fn']} | {c['f1']:.3f} | {c['hallucinations']} |")
    lines += ["", "| narrative | P | R | F1 |", "|---|---|---|---|"]
    for kind, c in summary["narrative"].items():
        lines.append(f"| {kind} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |")
    meta = summary["meta_accuracy"]
    use = summary.get("model_use", {})
    if use.get("requests") or use.get("cache_hits"):
        lines += ["", "model use: " + ", ".join(f"{k} {v:g}" for k, v in use.items() if v)]
    lines += [
        "",
        "meta accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in meta.items()),
        "field groups that miss most: " + ", ".join(f"{k} ({v})" for k, v in summary["worst_field_groups"].items()),
    ]
    return "\n".join(lines)


def render_report(summary: dict[str, Any]) -> str:
    """Both groups as Markdown: the tuned documents, then the first-look documents when there are any."""
    parts = [f"## tuned: {summary['documents']} documents, held to evals/thresholds.json", "", render_table(summary)]
    first = summary.get("first_look")
    if first:
        alone = " (parsers alone)" if all(d["parsers_only"] for d in first["per_document"]) else ""
        parts += [
            "",
            f"## first look: {first['documents']} documents labelled before tuning{alone}, not held to the thresholds",
            "",
            render_table(first),
        ]
    return "\n".join(parts)


def threshold_failures(summary: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Each threshold in `evals/thresholds.json` that the summary misses, said in one line."""
    actual = {
        "statistics_f1_min": summary["statistics"]["f1"],
        "statistics_precision_min": summary["statistics"]["precision"],
        "nonzero_f1_min": summary["nonzero"]["f1"],
        "grounding_min": summary["grounding"],
        "meta_year_min": summary["meta_accuracy"].get("year", 1.0),
        "meta_template_min": summary["meta_accuracy"].get("template", 1.0),
        "meta_entity_min": summary["meta_accuracy"].get("entity", 1.0),
        "hallucinations_max": summary["statistics"]["hallucinations"],
        **{f"narrative_{kind}_f1_min": counts["f1"] for kind, counts in summary["narrative"].items()},
    }
    failures = []
    for name, limit in thresholds.items():
        if name not in actual:
            continue
        value = actual[name]
        if (name.endswith("_max") and value > limit) or (name.endswith("_min") and value < limit):
            failures.append(f"{name}: {value} (threshold {limit})")
    return failures


def run_eval(
    evals_dir: str | None = None,
    report_path: str | None = None,
    markdown_path: str | None = None,
    live: ModelSettings | None = None,
    only: str | None = None,
    no_llm: bool = False,
) -> int:
    """Score the gold set (replaying recordings, live with `live` settings, or the parsers alone with `no_llm`);
    1 when a tuned score is under a threshold."""
    folder = Path(evals_dir) if evals_dir else default_evals_dir()
    if not (folder / "gold").is_dir():
        raise EvalError("no gold/ folder here", path=str(folder))
    recorder: RecordedAnswers | None = None
    reader: ModelReader | None = None
    if live is not None:
        reader, recorder = live_reader(live)
    elif not no_llm:
        reader = recorded_reader(folder)
    summary = summarize_groups(evaluate(folder, reader, only), first_look_names(folder))
    if recorder is not None:
        if only:
            recorder.answers = {**RecordedAnswers(folder / RECORDINGS).answers, **recorder.answers}
        recorder.path = folder / RECORDINGS
        recorder.save()
    table = render_report(summary)
    print(table)
    thresholds = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
    if reader is None or only:  # narrative needs the model; a subset is not the set the thresholds speak of
        thresholds = {k: v for k, v in thresholds.items() if not k.startswith("narrative_")} if reader is None else {}
    failures = threshold_failures(summary, {k: v for k, v in thresholds.items() if not k.startswith("_")})
    summary["threshold_failures"] = failures
    if report_path:
        write_atomic(Path(report_path), json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    if markdown_path:
        write_atomic(Path(markdown_path), table + "\n")
    for failure in failures:
        print(f"extractor eval: under threshold: {failure}", file=sys.stderr)
    return 1 if failures else 0
