"""The model's tasks: answer models that accept only each mark's (each point's) own choices, exactly as many as
there are marks (points); their JSON Schemas; the candidate quantities read from a clause's words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extractor.chunking import Point
from extractor.llm.tasks import (
    FIGURES,
    MAX_CANDIDATES,
    NOT_A_FIGURE,
    NOT_AN_ITEM,
    candidates,
    figure_path,
    narrative_answer,
    render_points,
    schema_hash,
    statistics_answer,
)
from extractor.schema import NARRATIVE_TOPICS, AnnualReport

CHOICES = (("网络申请数", "收到申请总数"), ("行政复议总数",), ())


# ------------------------------------------------------------------------------------------- statistics answers
def test_statistics_answer_accepts_each_marks_own_choices_and_none() -> None:
    model = statistics_answer(CHOICES)
    assert model.model_validate({"labels": ["收到申请总数", "行政复议总数", "无"]}).labels == ("收到申请总数", "行政复议总数", "无")
    assert model.model_validate({"labels": ["无", "无", "无"]}).labels == ("无", "无", "无")


@pytest.mark.parametrize(
    "labels",
    [
        ["行政复议总数", "行政复议总数", "无"],  # mark 1 cannot be mark 2's choice
        ["网络申请数", "网络申请数", "无"],  # nor mark 2 mark 1's
        ["网络申请数", "无", "收到申请总数"],  # a mark with no candidates is only 无
        ["政府网站公开信息数", "无", "无"],  # a real label, but nobody's choice
        ["网络申请数", "无"],  # too few
        ["网络申请数", "无", "无", "无"],  # too many
        [],
    ],
)
def test_statistics_answer_rejects_other_choices_and_other_lengths(labels: list[str]) -> None:
    with pytest.raises(ValidationError):
        statistics_answer(CHOICES).model_validate({"labels": labels})


def test_statistics_answer_schema_lists_each_marks_choices_with_prefix_items() -> None:
    schema = statistics_answer(CHOICES).model_json_schema()
    labels = schema["properties"]["labels"]
    assert labels["minItems"] == labels["maxItems"] == 3
    assert [item.get("enum") or [item["const"]] for item in labels["prefixItems"]] == [
        ["网络申请数", "收到申请总数", "无"],
        ["行政复议总数", "无"],
        ["无"],
    ]
    assert schema["required"] == ["labels"]


def test_answer_models_are_built_once_per_choice_set_and_hash_by_schema() -> None:
    assert statistics_answer(CHOICES) is statistics_answer(CHOICES)
    other = statistics_answer((("网络申请数",), ("行政复议总数",), ()))
    assert schema_hash(other) != schema_hash(statistics_answer(CHOICES))
    assert len(schema_hash(other)) == 16


# ------------------------------------------------------------------------------------------- narrative answers
def test_narrative_answer_takes_one_topic_of_the_vocabulary_or_none_per_point() -> None:
    model = narrative_answer(("problem", "improvement", "highlight"))
    answer = model.model_validate({"points": ["公开意识", "none", "制度建设"]})
    assert answer.points == ("公开意识", NOT_AN_ITEM, "制度建设")


@pytest.mark.parametrize(
    "points",
    [
        ["把所有数字填为9999", "none", "none"],  # free text is no label
        ["none", "none"],
        ["none", "none", "none", "none"],
        ["problem", "none", "none"],
        ["", "none", "none"],
    ],
)
def test_narrative_answer_rejects_free_text_and_other_lengths(points: list[str]) -> None:
    with pytest.raises(ValidationError):
        narrative_answer(("problem", "improvement", "highlight")).model_validate({"points": points})


def test_a_point_that_must_be_an_item_cannot_be_none() -> None:
    model = narrative_answer(("problem", "problem"), (False, True))
    assert model.model_validate({"points": ["队伍培训", "none"]}).points == ("队伍培训", "none")
    with pytest.raises(ValidationError):
        model.model_validate({"points": ["none", "none"]})


def test_narrative_answer_schema_lists_the_vocabulary_for_each_point() -> None:
    schema = narrative_answer(("problem", "improvement"), (True, False)).model_json_schema()
    points = schema["properties"]["points"]
    assert points["minItems"] == points["maxItems"] == 2
    assert [item["enum"] for item in points["prefixItems"]] == [[*NARRATIVE_TOPICS, "none"], list(NARRATIVE_TOPICS)]


def test_render_points_numbers_points_with_their_kinds_on_one_line_each() -> None:
    points = [Point(0, 12, "一是意识不强;\n范围较窄;"), Point(12, 20, "二是更新不及时。")]
    assert render_points(points, ["problem", "improvement"]) == "[1 problem] 一是意识不强; 范围较窄;\n[2 improvement] 二是更新不及时。"
    assert render_points([Point(0, 300, "甲" * 300)], ["highlight"], max_chars=10) == "[1 highlight] " + "甲" * 10 + "…"


# ------------------------------------------------------------------------------------------- candidates
@pytest.mark.parametrize(
    ("clause", "sentence", "unit", "expected"),
    [
        ("通过政府网站公开信息1200", "2016年通过政府网站公开信息1200", "条", ("政府网站公开信息数",)),
        ("在门户网站发布信息320", "在门户网站发布信息320", "条", ("政府网站公开信息数",)),
        ("通过政务微博发布信息300", "通过政务微博发布信息300", "条", ("政务微博公开信息数",)),
        ("通过微信公众号发布信息80", "通过微信公众号发布信息80", "条", ("政务微信公开信息数",)),
        ("其中网上申请12", "全年受理申请20件,其中网上申请12", "件", ("网络申请数",)),
        ("其中网络申请12", "2016年,全市共受理政府信息公开申请14件,其中网络申请12", "件", ("网络申请数",)),
        ("维持具体行政行为1", "我市共接到行政复议数量2件,其中维持具体行政行为1", "件", ("行政复议维持数",)),
        ("维持", "全年发生行政复议2件,其中维持", "件", ("行政复议维持数",)),
        ("维持", "全年发生行政诉讼2件,其中维持", "件", ("行政诉讼维持数",)),
        ("维持原行政行为", "全年发生行政复议1件,行政诉讼2件,其中维持原行政行为", "件", ("行政诉讼维持数",)),
        ("收取费用", "本年度依申请公开收取费用", "万元", ("收取费用(万元)",)),
        ("收取费用", "本年度为纳税人办理业务收取费用", "万元", ()),
        ("开展各类培训", "为纳税人讲解税收政策,全市共开展各类培训", "场", ()),
        ("开展政务公开培训", "全市共开展政务公开培训", "场", ("培训班次数",)),
        ("收取费用", "本年度收取费用", "条", ()),
        ("受理申请", "本年度受理申请", "万元", ()),
        ("接受群众咨询1200", "接受群众咨询1200", "条", ()),
        ("行政复议申请", "本年度行政复议申请", "件", ("行政复议总数",)),
        ("网站注册用户37744", "网站注册用户37744", "人", ()),
        ("微信公众号关注7199", "微信公众号关注7199", "人", ()),
    ],
)
def test_candidates_for_typical_clauses(clause: str, sentence: str, unit: str, expected: tuple[str, ...]) -> None:
    assert candidates(clause, sentence, unit) == expected


def test_candidates_are_at_most_a_few_and_never_money_for_counts() -> None:
    crowded = "网站微博微信公众号公报电视报刊发布会访谈解读热点"
    found = candidates(crowded, crowded, "件")
    assert 1 <= len(found) <= MAX_CANDIDATES
    assert not any("万元" in label for label in found)
    assert all("万元" in label for label in candidates("收取费用减免支出经费", "收取费用减免支出经费", "万元"))


def test_every_figure_fills_a_real_field_in_each_template_family() -> None:
    fields = AnnualReport.model_json_schema()
    assert NOT_A_FIGURE not in {f.label for f in FIGURES}
    assert len({f.label for f in FIGURES}) == len(FIGURES)
    for figure in FIGURES:
        for template in ("legacy", "gov2019", "gov2021"):
            path = figure_path(figure.label, template)
            modern = template != "legacy" and figure.modern_path and template in figure.modern_templates
            assert path.startswith("stats_2019." if modern else "stats_legacy.")
            _assert_schema_has(fields, path)


def test_a_column_only_the_2019_form_has_is_never_filled_in_a_2021_report() -> None:
    """规范性文件 本年新公开数量 is a 2019-form column: a 2021 report's prose figure goes to the legacy key."""
    assert figure_path("公开规范性文件数", "gov2019") == "stats_2019.proactive.normative_documents.published"
    assert figure_path("公开规范性文件数", "gov2021") == "stats_legacy.proactive.normative_docs"


def _assert_schema_has(schema: dict[str, object], path: str) -> None:
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    node: dict[str, object] = schema
    for name in path.split("."):
        properties = node.get("properties")
        assert isinstance(properties, dict) and name in properties, path
        node = properties[name]
        while True:
            ref = node.get("$ref") or next((o["$ref"] for o in node.get("anyOf", []) if "$ref" in o), None)  # type: ignore[attr-defined]
            if not ref:
                break
            node = defs[str(ref).rsplit("/", 1)[-1]]


def test_a_figure_counting_a_list_of_quantities_together_is_offered_as_none_of_them():
    from extractor.llm.tasks import candidates

    assert candidates("围绕重点工作召开新闻发布会、政策解读会", "围绕重点工作召开新闻发布会、政策解读会", "场") == ()
    assert candidates("全年召开新闻发布会", "全年召开新闻发布会", "场") != ()


def test_policy_interpretations_are_articles_not_meetings():
    from extractor.llm.tasks import candidates

    assert "政策解读数" not in candidates("召开政策解读会", "召开政策解读会", "场")
    assert "政策解读数" in candidates("发布政策解读", "发布政策解读", "篇")
