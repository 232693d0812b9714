"""Scoring a prediction against a gold `AnnualReport`, exactly by the rules of the field catalogue.

Statistics, over every leaf of `stats_legacy` and `stats_2019`:
- gold = pred, both non-null: a true positive;
- a non-null prediction that differs, or where gold is null: a false positive;
- a gold value that the prediction misses or gets wrong: a false negative (so a wrong value is FP and FN);
- a hallucination: a non-null prediction where gold is null.
Non-zero F1 is the same measure over the fields that are non-zero in gold or in the prediction.

    >>> s = score_statistics({"stats_legacy.requests.received": 25, "stats_legacy.appeals.complaints": 0},
    ...                      {"stats_legacy.requests.received": 25, "stats_legacy.operations.budget": 2.0})
    >>> (s.tp, s.fp, s.fn, s.hallucinations)
    (1, 1, 1, 1)

Narrative items match when their quotes overlap by at least half of the shorter quote (greedy, one to one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from extractor.schema import AnnualReport, get_path, statistic_paths
from extractor.textnorm import fold_for_match


@dataclass
class Counts:
    """True/false positives and negatives; precision, recall and F1 derived (1.0 when there is nothing to find)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    hallucinations: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.hallucinations += other.hallucinations

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "hallucinations": self.hallucinations,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _equal(a: Any, b: Any) -> bool:
    return abs(float(a) - float(b)) < 1e-6


def score_statistics(gold: dict[str, Any], pred: dict[str, Any], only: Iterable[str] | None = None) -> Counts:
    """Score flat {path: value} maps (missing key = null)."""
    counts = Counts()
    for path in only if only is not None else set(gold) | set(pred):
        g, p = gold.get(path), pred.get(path)
        if p is not None and g is not None and _equal(g, p):
            counts.tp += 1
            continue
        if p is not None:
            counts.fp += 1
            if g is None:
                counts.hallucinations += 1
        if g is not None:
            counts.fn += 1
    return counts


def flat_statistics(report: AnnualReport) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    return {p: v for p in statistic_paths() if (v := get_path(data, p)) is not None}


def nonzero_paths(gold: dict[str, Any], pred: dict[str, Any]) -> set[str]:
    return {p for p in set(gold) | set(pred) if (gold.get(p) or 0) != 0 or (pred.get(p) or 0) != 0}


def match_narrative(gold_quotes: list[str], pred_quotes: list[str]) -> Counts:
    """Greedy one-to-one matching by overlap ≥ half the shorter quote (after whitespace/width folding).

    >>> match_narrative(["一是加强组织领导,明确责任分工。"], ["加强组织领导", "无关内容"]).as_dict()["tp"]
    1
    """
    gold = [fold_for_match(q) for q in gold_quotes]
    pred = [fold_for_match(q) for q in pred_quotes]
    pairs = sorted(((_overlap(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)), reverse=True)
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for overlap, gi, pi in pairs:
        shorter = min(len(gold[gi]), len(pred[pi]))
        if gi in used_gold or pi in used_pred or shorter == 0 or overlap * 2 < shorter:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
    tp = len(used_gold)
    return Counts(tp=tp, fp=len(pred) - tp, fn=len(gold) - tp)


def _overlap(a: str, b: str) -> int:
    """Length of the longest common substring of two quotes (they are cut from one text)."""
    if not a or not b:
        return 0
    best = 0
    previous = [0] * (len(b) + 1)
    for ca in a:
        current = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def entity_matches(gold: str | None, pred: str | None) -> bool:
    """Entity by containment (either way) after whitespace normalization; two nulls agree."""
    if not gold or not pred:
        return gold == pred or (not gold and not pred)
    g, p = fold_for_match(gold), fold_for_match(pred)
    return g in p or p in g


@dataclass
class DocumentScore:
    name: str
    template: str
    stats: Counts
    nonzero: Counts
    meta: dict[str, bool]
    narrative: dict[str, Counts]
    grounded: int
    quotes: int
    field_errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    accounting: dict[str, int] = field(default_factory=dict)
    parsers_only: bool = False

    @property
    def grounding(self) -> float:
        return self.grounded / self.quotes if self.quotes else 1.0


def score_document(name: str, gold: AnnualReport, pred: AnnualReport, text: str) -> DocumentScore:
    gold_stats, pred_stats = flat_statistics(gold), flat_statistics(pred)
    stats = score_statistics(gold_stats, pred_stats)
    nonzero = score_statistics(gold_stats, pred_stats, only=nonzero_paths(gold_stats, pred_stats))
    errors: dict[str, int] = {}
    for path in set(gold_stats) | set(pred_stats):
        g, p = gold_stats.get(path), pred_stats.get(path)
        if not (g is not None and p is not None and _equal(g, p)):
            errors[path] = errors.get(path, 0) + 1
    meta = {
        "year": gold.meta.year == pred.meta.year,
        "template": gold.meta.template == pred.meta.template,
        "entity": entity_matches(gold.meta.entity, pred.meta.entity),
    }
    narrative = {
        kind: match_narrative([i.quote for i in getattr(gold, kind)], [i.quote for i in getattr(pred, kind)])
        for kind in ("highlights", "problems", "improvements")
    }
    folded = fold_for_match(text)
    quotes = [e.quote for e in pred.evidence.values()] + [
        i.quote for k in ("highlights", "problems", "improvements") for i in getattr(pred, k)
    ]
    grounded = sum(1 for q in quotes if fold_for_match(q) in folded)
    return DocumentScore(name, gold.meta.template, stats, nonzero, meta, narrative, grounded, len(quotes), errors)
