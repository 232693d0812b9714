"""Scoring by the catalogue's rules, on small hand-made gold/prediction pairs worked out by hand."""

from __future__ import annotations

import pytest

from extractor.evaluation.scoring import (
    Counts,
    entity_matches,
    match_narrative,
    nonzero_paths,
    score_document,
    score_statistics,
)
from extractor.schema import AnnualReport

REC = "stats_legacy.requests.received"
TOT = "stats_legacy.proactive.total"
ONL = "stats_legacy.requests.channels.online"
BUD = "stats_legacy.operations.budget"


def test_exact_match_everywhere_is_all_true_positives():
    s = score_statistics({REC: 25, ONL: 0}, {REC: 25, ONL: 0})
    assert (s.tp, s.fp, s.fn, s.hallucinations) == (2, 0, 0, 0)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_hand_worked_mixture():
    gold = {REC: 25, TOT: 1200, ONL: 0}
    pred = {REC: 25, TOT: 1300, BUD: 2.0}  # right, wrong, missed (ONL), hallucinated (BUD)
    s = score_statistics(gold, pred)
    assert (s.tp, s.fp, s.fn, s.hallucinations) == (1, 2, 2, 1)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(1 / 3)


def test_cumulative_column_taken_is_a_false_positive_and_a_false_negative():
    s = score_statistics({REC: 154}, {REC: 1844})
    assert (s.tp, s.fp, s.fn, s.hallucinations) == (0, 1, 1, 0)
    assert s.f1 == 0.0


def test_null_on_both_sides_counts_nothing():
    s = score_statistics({REC: None}, {REC: None, TOT: None})
    assert (s.tp, s.fp, s.fn, s.hallucinations) == (0, 0, 0, 0)
    assert (s.precision, s.recall) == (1.0, 1.0)


def test_null_prediction_for_a_gold_value_is_only_a_miss():
    s = score_statistics({REC: 0}, {REC: None})
    assert (s.tp, s.fp, s.fn, s.hallucinations) == (0, 0, 1, 0)
    assert s.precision == 1.0 and s.recall == 0.0


def test_zero_predicted_where_gold_is_null_is_a_hallucination():
    s = score_statistics({}, {REC: 0, TOT: 0})
    assert (s.tp, s.fp, s.fn, s.hallucinations) == (0, 2, 0, 2)


def test_money_compares_as_numbers():
    assert score_statistics({BUD: 2}, {BUD: 2.0}).tp == 1
    assert score_statistics({BUD: 0.394}, {BUD: 0.3940000001}).tp == 1


def test_nonzero_measure_ignores_fields_zero_on_both_sides():
    gold, pred = {REC: 25, ONL: 0, TOT: 0}, {REC: 25, ONL: 0, TOT: 3}
    assert nonzero_paths(gold, pred) == {REC, TOT}
    s = score_statistics(gold, pred, only=nonzero_paths(gold, pred))
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)


def test_counts_add_up_across_documents():
    total = Counts()
    total.add(Counts(tp=3, fp=1, fn=0, hallucinations=1))
    total.add(Counts(tp=1, fp=0, fn=4))
    assert total.as_dict() == {
        "tp": 4,
        "fp": 1,
        "fn": 4,
        "hallucinations": 1,
        "precision": 0.8,
        "recall": 0.5,
        "f1": round(2 * 0.8 * 0.5 / 1.3, 4),
    }


def test_narrative_match_needs_half_of_the_shorter_quote():
    gold = ["一是加强组织领导,明确责任分工。"]  # 16 characters
    assert match_narrative(gold, ["加强组织领导,明确"]).tp == 1  # 9 of 9 overlap
    # "组织领导" overlaps by 4 of the 8 characters of the shorter quote: exactly half matches
    assert match_narrative(gold, ["组织领导另外四字"]).tp == 1
    # 3 of 8 is below half: no match, so one false positive and one false negative
    below = match_narrative(gold, ["组织领另外五个字"])
    assert (below.tp, below.fp, below.fn) == (0, 1, 1)


def test_narrative_matching_is_one_to_one_and_greedy_by_overlap():
    gold = ["一是加强组织领导。", "二是完善制度建设。"]
    pred = ["加强组织领导", "一是加强组织领导。", "完善制度建设"]
    c = match_narrative(gold, pred)
    assert (c.tp, c.fp, c.fn) == (2, 1, 0)


def test_narrative_overlap_ignores_width_and_whitespace():
    assert match_narrative(["公开 ２０２３ 年度报告"], ["公开2023年度报告"]).tp == 1


def test_empty_lists_score_perfectly_and_empty_quotes_never_match():
    assert match_narrative([], []).f1 == 1.0
    assert match_narrative([""], [""]).as_dict()["tp"] == 0


@pytest.mark.parametrize(
    ("gold", "pred", "same"),
    [
        ("河北省教育厅", "河北省 教育厅", True),
        ("龙泉市", "浙江省龙泉市", True),
        ("龙泉市", "三明市", False),
        (None, None, True),
        (None, "龙泉市", False),
        ("龙泉市", "", False),
    ],
)
def test_entity_matches_by_containment(gold, pred, same):
    assert entity_matches(gold, pred) is same


def test_score_document_counts_grounding_meta_and_field_errors():
    text = "灵山县2017年报告。全年主动公开政府信息39387条。受理申请25件。"
    gold = AnnualReport.model_validate(
        {
            "meta": {"entity": "灵山县", "year": 2017, "template": "legacy"},
            "stats_legacy": {"proactive": {"total": 39387}, "requests": {"received": 25}},
        }
    )
    pred = AnnualReport.model_validate(
        {
            "meta": {"entity": "广西灵山县", "year": 2016, "template": "legacy"},
            "stats_legacy": {"proactive": {"total": 39387}, "requests": {"received": 52}},
            "evidence": {
                "stats_legacy.proactive.total": {"quote": "主动公开政府信息 39387条", "start": 0, "end": 1, "method": "rules"},
                "stats_legacy.requests.received": {"quote": "受理申请52件", "start": 0, "end": 1, "method": "llm"},
            },
            "highlights": [{"topic": "t", "summary": "s", "quote": "全年主动公开政府信息"}],
        }
    )
    score = score_document("x", gold, pred, text)
    assert (score.stats.tp, score.stats.fp, score.stats.fn) == (1, 1, 1)
    assert score.meta == {"year": False, "template": True, "entity": True}
    assert (score.grounded, score.quotes) == (2, 3)  # the invented quote is not in the text
    assert score.field_errors == {"stats_legacy.requests.received": 1}
    assert score.narrative["highlights"].fp == 1
