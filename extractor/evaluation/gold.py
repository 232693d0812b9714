"""Gold files: loading them and checking them against their source documents.

A gold file (`evals/gold/<name>.json`) is the `AnnualReport` JSON of one document, labelled by hand; its source
is `evals/docs/<name>.<ext>`. `check_gold` proves a gold file is usable: every key is in the schema (the model
forbids unknown keys), every quote is verbatim in the document, each value's quote contains the number, and the
document's own arithmetic is reported where it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractor.checks import arithmetic_warnings
from extractor.documents import SUPPORTED_SUFFIXES, Document, load_document
from extractor.errors import EvalError
from extractor.schema import AnnualReport, get_path, money_paths, statistic_paths
from extractor.textnorm import fold_for_match, number_in_quote


@dataclass(frozen=True)
class GoldCase:
    name: str
    source: Path
    gold: AnnualReport


def load_cases(evals_dir: Path) -> list[GoldCase]:
    """Every gold file in `evals_dir/gold` with its source document in `evals_dir/docs`."""
    cases = []
    for gold_path in sorted((evals_dir / "gold").glob("*.json")):
        sources = [p for p in (evals_dir / "docs").glob(gold_path.stem + ".*") if p.suffix in SUPPORTED_SUFFIXES]
        if len(sources) != 1:
            raise EvalError(f"expected one source document named {gold_path.stem}.* in docs/", path=str(gold_path))
        try:
            gold = AnnualReport.model_validate_json(gold_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            first = str(exc).splitlines()[:3]
            raise EvalError(f"not a valid AnnualReport: {' '.join(first)}", path=str(gold_path)) from None
        cases.append(GoldCase(gold_path.stem, sources[0], gold))
    return cases


def check_gold(case: GoldCase, document: Document | None = None) -> list[str]:
    """Problems of one gold file ("" list when it is usable); arithmetic notes are prefixed 'arithmetic:'."""
    document = document or load_document(case.source)
    folded_text = fold_for_match(document.text)
    data = case.gold.model_dump(mode="json")
    problems = []
    money = money_paths()
    for path, evidence in case.gold.evidence.items():
        value = get_path(data, path)
        if value is None:
            problems.append(f"{path}: evidence for a null value")
            continue
        if fold_for_match(evidence.quote) not in folded_text:
            problems.append(f"{path}: quote not in the document: {evidence.quote!r}")
        elif not number_in_quote(value, evidence.quote, path in money, whole=False):
            problems.append(f"{path}: value {value} is not in its quote {evidence.quote!r}")
        if document.text[evidence.start : evidence.end] != evidence.quote:
            problems.append(f"{path}: offsets {evidence.start}-{evidence.end} do not point at the quote")
    for path in _non_null_paths(data):
        if path not in case.gold.evidence:
            problems.append(f"{path}: value without evidence")
    for name in ("highlights", "problems", "improvements"):
        for index, item in enumerate(getattr(case.gold, name)):
            if fold_for_match(item.quote) not in folded_text:
                problems.append(f"{name}[{index}]: quote not in the document: {item.quote[:40]!r}")
    return problems + arithmetic_warnings(data)


def _non_null_paths(data: dict[str, object]) -> list[str]:
    return [p for p in statistic_paths() if get_path(data, p) is not None]
