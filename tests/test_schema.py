"""The schema is the contract: every catalogue key exists, and it imports with no model stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from extractor.schema import AnnualReport, get_path, money_paths, statistic_paths

KEYS = [
    line
    for line in (Path(__file__).parent / "data" / "schema_keys.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
_MISSING = object()


def _lookup(data: dict, path: str) -> object:
    node: object = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def test_key_list_is_the_full_catalogue():
    assert len(KEYS) == len(set(KEYS)) == 300
    assert sum(k.startswith("stats_2019.requests.") for k in KEYS) == 26 * 7
    assert sum(k.startswith("stats_2019.appeals.") for k in KEYS) == 15


@pytest.mark.parametrize("key", KEYS)
def test_every_catalogue_key_exists_in_an_empty_report(key):
    value = _lookup(AnnualReport().model_dump(), key)
    assert value is not _MISSING
    assert value is None or key == "meta.template"


def test_statistic_paths_are_exactly_the_catalogue_statistics():
    assert set(statistic_paths()) == {k for k in KEYS if k.startswith("stats_")}


def test_money_fields_are_the_amounts_in_wan_yuan():
    assert money_paths() == {
        "stats_legacy.operations.fees_collected",
        "stats_legacy.operations.fees_waived",
        "stats_legacy.operations.spending",
        "stats_legacy.operations.budget",
        "stats_2019.proactive.fees.amount",
        "stats_2019.proactive.procurement.amount",
    }


def test_unknown_key_is_rejected():
    with pytest.raises(ValidationError):
        AnnualReport.model_validate({"stats_legacy": {"proactive": {"totl": 3}}})


def test_assignment_is_validated():
    report = AnnualReport()
    with pytest.raises(ValidationError):
        report.meta.template = "gov2030"  # type: ignore[assignment]


def test_json_round_trip_keeps_values_and_evidence():
    report = AnnualReport.model_validate(
        {
            "stats_2019": {"requests": {"new_received": {"total": 21}}},
            "evidence": {"stats_2019.requests.new_received.total": {"quote": "21", "start": 3, "end": 5, "method": "rules"}},
        }
    )
    again = AnnualReport.model_validate_json(report.model_dump_json())
    assert again == report
    assert get_path(again.model_dump(), "stats_2019.requests.new_received.total") == 21


def test_schema_imports_alone_without_the_model_client():
    code = (
        "import sys\nfrom extractor.schema import AnnualReport\nAnnualReport()\n"
        "assert 'openai' not in sys.modules, 'openai imported'\n"
        "assert 'instructor' not in sys.modules, 'instructor imported'\nprint('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
