"""Routing: which figures and which prose points the model is shown, and how they are grouped and marked."""

from __future__ import annotations

import re

import pytest

from extractor.chunking import is_enumerated
from extractor.llm.routing import Mention, figure_mentions, mention_windows, narrative_parts, render_marked

FIGURES = (
    "2016年,全市共受理政府信息公开申请14件,其中网络申请12件。《条例》实施以来累计公开政府信息3万余条。"
    "2015年受理申请9件。全年接受群众咨询1200人次。全年主动公开政府信息3000余条。本年度未收到行政复议申请。"
    "通过政府网站公开信息1500条,通过政务微博发布信息200条。"
)


def _by_value(mentions: list[Mention]) -> dict[float, Mention]:
    return {m.value: m for m in mentions}


def _kinds(text: str, max_chars: int = 1500) -> list[tuple[str, str]]:
    return [(p.text, k) for part in narrative_parts(text, max_chars) for p, k in zip(part.points, part.kinds)]


# ------------------------------------------------------------------------------------------- figure mentions
def test_figure_mentions_keeps_uncovered_figures_with_their_choices_and_clause_quotes() -> None:
    found = _by_value(figure_mentions(FIGURES, [], 2016))
    assert sorted(found) == [12, 14, 200, 1500]  # stated zeros (未收到行政复议申请) are the parsers' alone
    assert (found[12].quote, found[12].choices, found[12].money) == ("其中网络申请12件", ("网络申请数",), False)
    assert (found[14].quote, found[14].choices) == ("全市共受理政府信息公开申请14件", ("收到申请总数",))
    assert (found[1500].quote, found[1500].choices) == ("通过政府网站公开信息1500条", ("政府网站公开信息数",))
    assert found[200].choices == ("政务微博公开信息数",)
    for mention in found.values():
        start, end = mention.sentence
        assert start <= mention.quote_start < mention.start < mention.end <= end
        assert FIGURES[mention.quote_start : mention.end] == mention.quote


def test_a_heading_run_on_into_its_first_sentence_lends_it_no_words() -> None:
    """Scraping dropped the paragraph marks: the section title 主动公开政府信息情况 runs into its first part, whose
    figure counts one platform's items. The title's words are not the figure's, so the body's total is not offered."""
    text = (
        "一、概述\n2016年,我厅扎实推进政务公开。二、主动公开政府信息情况(一)通过省政府信息公开平台公开信息"
        "2016年度我厅在省政府信息公开平台公开信息1700条。(三)充分利用门户网站公开政府信息2016年,通过门户网站主动公开政府信息1700条。"
    )
    (website,) = figure_mentions(text, [], 2016)  # the platform's 1700 is no quantity of the catalogue: not offered
    assert website.start == text.rindex("1700") and website.choices == ("政府网站公开信息数",)
    assert text[website.sentence[0] :].startswith("(三)充分利用门户网站")
    run_on = text.replace("(一)", "")  # the same words with no part opening: the title's words reach the figure
    assert "主动公开政府信息总数" in figure_mentions(run_on, [], 2016)[0].choices


def test_figure_mentions_skips_numbers_inside_spans_the_parsers_hold() -> None:
    covered = [(FIGURES.index("全市共受理"), FIGURES.index("件,其中") + 1)]
    found = _by_value(figure_mentions(FIGURES, covered, 2016))
    assert 14 not in found and 12 in found


def test_a_span_covering_only_part_of_a_figure_does_not_hide_it() -> None:
    at = FIGURES.index("12件")
    found = _by_value(figure_mentions(FIGURES, [(at, at + 1)], 2016))
    assert 12 in found


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("全年主动公开政府信息3000余条。", "approximation"),
        ("全年主动公开政府信息近3000条。", "approximation"),
        ("《条例》实施以来累计公开政府信息30000条。", "cumulative"),
        ("截至2016年底,历年共受理申请300件。", "cumulative"),
        ("2015年受理政府信息公开申请9件。", "another year"),
        ("全年接受群众咨询1200人次。", "no catalogue quantity in its words"),
        ("全县共有乡镇12个。", "no catalogue quantity in its words"),
    ],
)
def test_figure_mentions_leaves_out_what_is_no_figure_of_the_year(text: str, why: str) -> None:
    assert figure_mentions(text, [], 2016) == [], why


def test_money_figures_are_routed_as_money_in_wan_yuan() -> None:
    found = figure_mentions("本年度收取政府信息公开信息处理费3940元。", [], 2016)
    assert [(m.value, m.money, m.choices) for m in found] == [(0.394, True, ("收取费用(万元)",))]


def test_a_figure_printed_in_wan_yuan_is_routed_not_taken_for_an_approximation() -> None:
    """ "万元" is a unit, not the 万 of "3万余条"."""
    found = figure_mentions("本年度政府信息公开工作支出12.5万元。", [], 2016)
    assert [(m.value, m.money, m.choices) for m in found] == [(12.5, True, ("工作支出(万元)",))]


def test_a_money_unit_never_offers_count_choices_nor_a_count_money_choices() -> None:
    found = figure_mentions("依申请公开收取费用3940元,受理申请中收取费用的3件。", [], 2016)
    assert [(m.value, m.money) for m in found] == [(0.394, True), (3, False)]
    for mention in found:
        assert mention.choices and all(("万元" in label) == mention.money for label in mention.choices)


# ------------------------------------------------------------------------------------------- marks and windows
def test_render_marked_numbers_sentences_and_marks_each_figure_with_its_choices() -> None:
    mentions = figure_mentions(FIGURES, [], 2016)
    assert render_marked(FIGURES, mentions) == (
        "[1] 2016年,全市共受理政府信息公开申请14件⟦1:收到申请总数/无⟧,其中网络申请12件⟦2:网络申请数/无⟧。\n"
        "[2] 通过政府网站公开信息1500条⟦3:政府网站公开信息数/无⟧,通过政务微博发布信息200条⟦4:政务微博公开信息数/无⟧。"
    )


def test_a_2019_format_report_is_asked_only_about_what_its_tables_do_not_hold() -> None:
    text = "在门户网站发布信息320条,全年主动公开政府信息5000条,受理申请12件。"
    legacy = {m.value: m.choices for m in figure_mentions(text, [], None)}
    modern = {m.value: m.choices for m in figure_mentions(text, [], None, modern="tables")}
    assert legacy == {320: ("政府网站公开信息数",), 5000: ("主动公开政府信息总数",), 12: ("收到申请总数",)}
    assert modern == {5000: ("主动公开政府信息总数",), 12: ("收到申请总数",)}
    prose_only = "2019年共公开规范性文件14件。"
    assert [m.choices for m in figure_mentions(prose_only, [], None, modern="tables")] == []
    assert [m.choices for m in figure_mentions(prose_only, [], None, modern="prose")] == [("公开规范性文件数",)]


def test_mention_windows_never_split_a_sentence_and_stay_small() -> None:
    sentence = "本年度通过政府网站公开信息{0}条,通过政务微博发布信息{1}条,通过政务微信发布信息{2}条。"
    text = "".join(sentence.format(100 + i, 200 + i, 300 + i) for i in range(12))
    mentions = figure_mentions(text, [], None)
    assert len(mentions) == 36
    length = mentions[0].sentence[1] - mentions[0].sentence[0]
    windows = mention_windows(mentions, max_chars=2 * length + 1)
    assert [len(w) for w in windows] == [6] * 6
    assert [m for w in windows for m in w] == mentions
    sentences_in = [{m.sentence for m in w} for w in windows]
    for a, b in zip(sentences_in, sentences_in[1:]):
        assert not a & b
    assert all(sum(e - s for s, e in group) <= 2 * length + 1 for group in sentences_in)


def test_a_sentence_longer_than_the_window_still_travels_whole() -> None:
    text = "本年度通过政府网站公开信息100条,通过政务微博发布信息200条,通过政务微信发布信息300条。"
    windows = mention_windows(figure_mentions(text, [], None), max_chars=10)
    assert [len(w) for w in windows] == [3]


# ------------------------------------------------------------------------------------------- narrative parts
REPORT = """某县2019年政府信息公开工作年度报告
一、总体情况
2019年,我县认真贯彻落实《条例》,扎实推进政府信息公开工作。一是完善制度建设,修订了政府信息公开工作规则。二是加强平台建设,改版了县政府门户网站。
二、主动公开政府信息情况
信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 3 3 25
三、收到和处理政府信息公开申请情况
本年度共收到申请15件,均按时答复,群众满意度较高。
四、政府信息公开行政复议、行政诉讼情况
本年度未发生行政复议,我们认真做好了复议应诉准备工作。
五、存在的主要问题及改进情况
(一)存在的问题
一是公开内容不够全面,部分领域信息更新较慢。二是工作人员业务水平有待提高,培训力度不足。
(二)改进措施
一是加大公开力度,及时更新各领域信息。二是加强业务培训,提升工作人员能力。
六、其他需要报告的事项
本年度无其他需要报告的事项,特此说明情况。
"""


def test_narrative_parts_switch_from_highlights_to_problems_to_improvements_by_heading() -> None:
    assert _kinds(REPORT) == [
        ("2019年,我县认真贯彻落实《条例》,扎实推进政府信息公开工作。", "highlight"),
        ("一是完善制度建设,修订了政府信息公开工作规则。", "highlight"),
        ("二是加强平台建设,改版了县政府门户网站。", "highlight"),
        ("一是公开内容不够全面,部分领域信息更新较慢。", "problem"),
        ("二是工作人员业务水平有待提高,培训力度不足。", "problem"),
        ("一是加大公开力度,及时更新各领域信息。", "improvement"),
        ("二是加强业务培训,提升工作人员能力。", "improvement"),
    ]


def test_narrative_parts_leave_out_headings_table_rows_and_the_request_appeal_and_other_sections() -> None:
    texts = [text for text, _ in _kinds(REPORT)]
    assert not any(re.match(r"[一二三四五六]、|\([一二]\)", t) for t in texts)  # headings
    assert not any("规范性文件" in t or "本年新制作数量" in t for t in texts)  # table rows
    assert not any("收到申请15件" in t or "复议" in t or "其他需要报告" in t for t in texts)


def test_a_lead_in_ending_in_a_colon_switches_to_improvements_and_is_itself_left_out() -> None:
    text = (
        "一、概述\n一是完善制度,修订了办法。二是改版网站,增设了栏目。\n"
        "二、存在的问题及改进措施\n一是人员不足,力量薄弱。\n下一步,我们将采取以下措施:\n一是加强培训,提升能力。"
    )
    assert _kinds(text) == [
        ("一是完善制度,修订了办法。", "highlight"),
        ("二是改版网站,增设了栏目。", "highlight"),
        ("一是人员不足,力量薄弱。", "problem"),
        ("一是加强培训,提升能力。", "improvement"),
    ]


def test_a_problem_lead_in_with_a_colon_is_left_out_and_its_points_are_problems() -> None:
    text = (
        "一、总体情况\n我局扎实推进政务公开工作,取得了明显成效。\n二、存在的主要问题及改进情况\n"
        "2019年,我县政府信息公开工作取得了一定成效,但也存在一些问题:一是主动公开意识不强,公开内容不够丰富;"
        "二是信息更新不及时,时效性较差。2020年,我县将从以下几方面进一步加强改进。"
        "一是强化公开意识,加大培训力度;二是及时更新信息,提高公开时效。\n"
    )
    kinds = _kinds(text)
    assert kinds[0] == ("我局扎实推进政务公开工作,取得了明显成效。", "highlight")
    assert [k for _, k in kinds[1:]] == ["problem", "problem", "improvement", "improvement"]
    assert kinds[1][0] == "一是主动公开意识不强,公开内容不够丰富;"
    assert kinds[3][0] == "一是强化公开意识,加大培训力度;"
    assert not any(t.endswith("存在一些问题:") for t, _ in kinds)


def test_a_trailing_announcement_in_a_problem_point_makes_the_next_points_improvements() -> None:
    text = (
        "一、存在的问题\n一是主动公开意识不强,公开内容不够丰富。"
        "二是信息更新不及时,时效性较差。2020年,我县将从以下几方面进一步加强改进。"
        "三是强化公开意识,加大培训力度。四是及时更新信息,提高公开时效。"
    )
    assert [k for _, k in _kinds(text)] == ["problem", "problem", "improvement", "improvement"]


def test_an_improvements_section_after_a_problems_section_is_improvements() -> None:
    text = (
        "一、工作情况\n我局扎实推进政务公开工作,取得了明显成效。\n二、存在的不足\n公开意识还需加强,内容还需丰富完善。\n"
        "三、下一步工作计划\n我们将进一步加强培训,提升工作人员业务能力。"
    )
    assert [k for _, k in _kinds(text)] == ["highlight", "problem", "improvement"]


def test_a_report_with_no_headings_still_yields_points() -> None:
    text = "今年我局认真做好政府信息公开工作,完善了相关制度。同时加强了网站建设,及时发布各类信息。"
    points = _kinds(text)
    assert points and all(kind == "highlight" for _, kind in points)
    assert "".join(t for t, _ in points).replace(" ", "") == text


def test_narrative_parts_are_windows_under_the_size_limit_with_points_in_order() -> None:
    body = "".join(f"{'一二三四五六七八九'[i]}是加强第{i}项工作建设,完善相关制度办法。" for i in range(9))
    text = "一、工作情况\n" + body
    parts = narrative_parts(text, max_chars=100)
    assert len(parts) > 1
    for part in parts:
        assert len(part.points) == len(part.kinds)
        assert sum(min(len(p.text), 200) + 8 for p in part.points) <= 100
    points = [p for part in parts for p in part.points]
    assert [p.start for p in points] == sorted(p.start for p in points) and len(points) == 9
    assert all(text[p.start : p.end] == p.text for p in points)


def test_a_problems_section_after_run_together_headings_is_still_routed() -> None:
    """Scraped text runs the empty table sections' headings together (evals/docs/15_hebei_rst_2023.txt): the
    problems and improvements of section 五 must still reach the model as such, not be skipped with section 三."""
    text = (
        "一、总体情况\n2023年,我厅坚持以公开为常态,推动政务公开工作创新发展。"
        "二、主动公开政府信息情况三、收到和处理政府信息公开申请情况四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
        "五、存在的主要问题及改进情况2023年,政务信息公开工作虽然取得了一定成效,但还存在信息更新不够及时、政策解读材料形式不够丰富等问题。"
        "2024年,我们将按照政府信息公开有关要求,进一步完善信息公开机制、优化信息公开平台、及时回应社会关切,全面提升政务公开工作水平。"
        "六、其他需要报告的事项2023年我厅未收取信息处理费。"
    )
    kinds = _kinds(text)
    problems = [t for t, k in kinds if k == "problem"]
    improvements = [t for t, k in kinds if k == "improvement"]
    assert any("信息更新不够及时" in t for t in problems), kinds
    assert any("完善信息公开机制" in t for t in improvements), kinds


# ------------------------------------------------------------------------------------------- unseen text shapes
def test_a_problems_heading_run_on_from_a_flattened_table_still_opens_the_problems_section() -> None:
    text = (
        "一、总体情况\n我局扎实推进政务公开工作,完善了公开制度。\n二、主动公开政府信息情况\n第二十条 0 0 0\n"
        "三、收到和处理政府信息公开申请情况\n0 0 0\n四、行政复议和行政诉讼情况\n0 0 0 0 0 0 0 0 0 "
        "五、存在的主要问题及改进情况2020年,我局政务公开工作仍存在一些不足,一是公开意识不强,主动性不够;"
        "二是信息更新不及时,内容不够全面。下一步,我们将采取以下措施:(一)加强学习培训,提高业务能力。"
        "(二)完善发布机制,及时更新信息。"
    )
    kinds = _kinds(text)
    assert [(t, k) for t, k in kinds if k != "highlight" and is_enumerated(t)] == [
        ("一是公开意识不强,主动性不够;", "problem"),
        ("二是信息更新不及时,内容不够全面。", "problem"),
        ("(一)加强学习培训,提高业务能力。", "improvement"),
        ("(二)完善发布机制,及时更新信息。", "improvement"),
    ]
    assert not [k for t, k in kinds if "2020年" in t]  # the preamble only concedes there are shortcomings: a lead-in


def test_hard_wrapped_lines_are_joined_into_one_point_before_points_are_split() -> None:
    text = (
        "一、总体情况\n2020年,我局认真贯彻落实市政府关于政务公开工作的各项部署,紧密\n围绕中心工作,完善了\n"
        "公开制度,提升了公开质量。\n二是加强平台建设,改版了门户\n网站。\n"
    )
    assert _kinds(text) == [
        ("2020年,我局认真贯彻落实市政府关于政务公开工作的各项部署,紧密\n围绕中心工作,完善了\n公开制度,提升了公开质量。", "highlight"),
        ("二是加强平台建设,改版了门户\n网站。", "highlight"),
    ]


def test_a_combined_section_turns_to_improvements_where_the_text_turns() -> None:
    text = (
        "一、存在的主要问题及改进情况\n主要表现在:一是解读质量仍需提升;二是队伍建设还需加强。\n"
        "针对存在问题,下一步,我市将着力提升解读质效,探索多元解读模式;建立传帮带机制,定期组织业务培训。"
    )
    kinds = _kinds(text)
    assert [k for _, k in kinds] == ["problem", "problem", "improvement", "improvement"]
    assert kinds[2][0].startswith("针对存在问题") and kinds[3][0].startswith("建立传帮带机制")


def test_shortcomings_listed_in_one_sentence_are_one_problem_each() -> None:
    text = (
        "一、存在的主要问题及改进情况\n仍存在一定差距,主要是:个别部门研判能力不足,答复文书规范性有待提升,"
        "新媒体运维还需加强等。\n2021年,我们将切实抓好以下工作:一是加强培训,提升能力。"
    )
    assert _kinds(text) == [
        ("个别部门研判能力不足,", "problem"),
        ("答复文书规范性有待提升,", "problem"),
        ("新媒体运维还需加强等。", "problem"),
        ("一是加强培训,提升能力。", "improvement"),
    ]


def test_problem_and_improvement_sub_headings_open_their_parts_even_under_a_section_with_no_narrative() -> None:
    """The 五、 heading lost in a table leaves its sub-headings under 四、 (appeals), which has no narrative."""
    text = (
        "一、总体情况\n我局扎实推进政务公开工作,完善了公开制度。\n四、政府信息公开行政复议、行政诉讼情况\n本年度无复议。\n"
        "(一)2019年工作中存在问题的改进情况\n一是提升了政策公开质效,集中发布政策文件。\n"
        "(二)2020年工作中存在的主要问题\n一是政策信息分散,获取不够便利。\n"
    )
    assert [(t, k) for t, k in _kinds(text)][1:] == [
        ("一是提升了政策公开质效,集中发布政策文件。", "improvement"),
        ("一是政策信息分散,获取不够便利。", "problem"),
    ]


def test_a_sub_heading_run_on_into_its_first_item_is_cut_from_it() -> None:
    text = (
        "五、存在的主要问题及改进情况(一)存在问题一是人才梯队建设存在不足。二是政策解读存在提升空间。"
        "(二)下一步改进措施一是加大宣传力度,强化公开意识。"
    )
    assert _kinds(text) == [
        ("一是人才梯队建设存在不足。", "problem"),
        ("二是政策解读存在提升空间。", "problem"),
        ("一是加大宣传力度,强化公开意识。", "improvement"),
    ]


# ------------------------------------------------------------------------------------------- figures never offered
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2016年,其中政策文件类信息56条。", "a category of a breakdown"),
        ("2016年,市直各部门主动公开政府信息1234条。", "a part of the whole"),
        ("全市主动公开政府信息5000条,其中市教育局等部门主动公开1200条。", "a part of the whole"),
        ("全年共受理审批申请98765件。", "administrative approvals"),
        ("在门户网站公示招标信息75条。", "tender notices"),
        ("全市政务服务中心受理申请300件。", "public services"),
        ("不予公开答复数条1234条。", "cells run together"),
        ("本年新收政府信息公开申请 0 0 5件。", "a run of cells"),
    ],
)
def test_figures_that_are_not_clearly_one_catalogue_quantity_are_not_offered(text: str, rule: str) -> None:
    offered = [(m.value, m.choices) for m in figure_mentions(text, [], 2016)]
    if rule == "a part of the whole" and "5000" in text:
        assert offered == [(5000, ("主动公开政府信息总数",))], rule
    else:
        assert offered == [], rule


def test_part_time_staff_are_never_offered_as_all_the_staff() -> None:
    found = figure_mentions("我局配备政务公开兼职人员2人,专兼职工作人员共5人。", [], 2016)
    assert [(m.value, m.choices) for m in found] == [(2, ("兼职人员数",)), (5, ("工作人员数",))]


def test_problems_whose_heading_scraping_lost_are_found_where_a_sentence_concedes_them() -> None:
    """The 2019-form tables were not crawled and the problems heading went with them: the concession in the
    appeals section opens the problems, the next year's plans are improvements, and the concession itself and
    the 主要是: that announces the list are no items."""
    text = (
        "一、总体情况\n(一)主动公开情况。严格落实公开制度。\n二、主动公开政府信息情况三、收到和处理政府信息公开申请情况"
        "四、政府信息公开行政复议、行政诉讼情况2020年,我厅政务公开工作虽然取得了一些成绩,但仍存在不足。"
        "主要是:政府信息公开意识还需进一步增强,政策文件在网上公开不够及时,政策解读材料的质量仍有待提高。"
        "2021年,我厅将继续做好政务公开工作,加强督查。六、其他需要报告的事项无"
    )
    kinds = _kinds(text)
    assert [(t, k) for t, k in kinds if k != "highlight"] == [
        ("政府信息公开意识还需进一步增强,", "problem"),
        ("政策文件在网上公开不够及时,", "problem"),
        ("政策解读材料的质量仍有待提高。", "problem"),
        ("2021年,我厅将继续做好政务公开工作,加强督查。", "improvement"),
    ]
    assert [t for t, k in kinds if k == "highlight"] == ["(一)主动公开情况。严格落实公开制度。"]


def test_a_concession_leading_a_list_of_shortcomings_in_one_sentence_is_no_item() -> None:
    text = (
        "六、主要问题及改进措施\n2016年,我厅工作在完善制度、拓展渠道等方面取得了一些进展,但也存在一些问题和不足,"
        "政府信息公开的范围和力度还有待进一步提高,公开程序的规范性也有待进一步加强。"
    )
    assert _kinds(text) == [
        ("政府信息公开的范围和力度还有待进一步提高,", "problem"),
        ("公开程序的规范性也有待进一步加强。", "problem"),
    ]


def test_a_figure_each_of_several_subjects_reached_is_not_offered() -> None:
    """分别: each account published 420, so no quantity of the catalogue is 420; the single account's 800 is."""
    text = "2016年,通过微信公众平台发布信息800篇;新浪、腾讯“科技河北”微博分别发布信息420条。"
    assert [m.value for m in figure_mentions(text, [], 2016)] == [800]


def test_a_concession_naming_what_needs_improving_opens_problems_not_improvements() -> None:
    text = (
        "五、政府信息公开工作存在的主要问题及改进情况2019年,我县政务公开工作虽取得了一定的成绩,但仍然还有不足和需要改进的问题。"
        "一是个别部门的工作人员对政务信息公开认识还有待提高。二是重点领域政务公开情况参差不齐。"
        "2020年,我县将从以下几方面进一步加强改进。一是加强培训。进一步提高业务水平。"
    )
    assert _kinds(text) == [
        ("一是个别部门的工作人员对政务信息公开认识还有待提高。", "problem"),
        ("二是重点领域政务公开情况参差不齐。", "problem"),
        ("一是加强培训。进一步提高业务水平。", "improvement"),
    ]


def test_the_last_item_of_a_semicolon_list_is_an_item_however_short_and_a_bare_pledge_is_no_item() -> None:
    text = (
        "四、存在的问题及改进措施\n主要是主动公开的意识有待进一步加强;部分信息发布还不够及时;门户网站主动公开的内容有待进一步丰富。"
        "针对这些问题,我们将在今后的工作中采取措施加以改进提高。进一步加大信息公开工作力度,增强信息公开实效。"
    )
    assert _kinds(text) == [
        ("主要是主动公开的意识有待进一步加强;", "problem"),
        ("部分信息发布还不够及时;", "problem"),
        ("门户网站主动公开的内容有待进一步丰富。", "problem"),
        ("进一步加大信息公开工作力度,增强信息公开实效。", "improvement"),
    ]
