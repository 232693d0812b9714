"""Prose figures: only clauses about the report year, only exact figures; stated zeros are zeros."""

from __future__ import annotations

import pytest

from extractor.parsers.prose import parse_prose


def _found(text: str, template: str = "legacy", year: int | None = 2017) -> dict:
    return {v.path: v.value for v in parse_prose(text, template, year).values}


@pytest.mark.parametrize("text", [
    "截至2017年底,累计主动公开政府信息12000条。",
    "自《条例》实施以来,全县主动公开政府信息8000条。",
    "历年主动公开政府信息共计5000条。",
    "2016年全市主动公开政府信息3000条。",
    "全年主动公开政府信息1200条,同比增长10%。",
    "上年共受理政府信息公开申请40件。",
])
def test_cumulative_or_other_year_clause_gives_nothing(text):
    assert _found(text) == {}


def test_other_year_clause_does_not_hide_the_report_year_clause():
    found = _found("2016年全市主动公开政府信息3000条。2017年全市主动公开政府信息3500条。")
    assert found == {"stats_legacy.proactive.total": 3500}


def test_year_total_stated_as_cumulative_within_the_year_is_taken():
    assert _found("本年度累计主动公开政府信息2645条。") == {"stats_legacy.proactive.total": 2645}


@pytest.mark.parametrize("text", [
    "全年共受理政府信息公开申请300余件。",
    "全年主动公开政府信息约500条。",
    "全年主动公开政府信息近500条。",
    "全年主动公开政府信息1200多条。",
    "全年主动公开政府信息3万条。",
])
def test_approximation_gives_nothing(text):
    assert _found(text) == {}


def test_stated_zero_appeals_give_zeros_in_legacy_keys():
    assert _found("本年度未发生政府信息公开行政复议、行政诉讼案件。") == {
        "stats_legacy.appeals.reconsideration.total": 0, "stats_legacy.appeals.litigation.total": 0}


def test_stated_zero_appeals_give_zeros_in_every_2019_appeal_group():
    assert _found("本年度未发生政府信息公开行政复议、行政诉讼案件。", "gov2021", 2022) == {
        "stats_2019.appeals.reconsideration.total": 0, "stats_2019.appeals.litigation_direct.total": 0,
        "stats_2019.appeals.litigation_after_reconsideration.total": 0}


def test_stated_zero_complaints_in_legacy_report():
    found = _found("本年度没有发生针对本机关政府信息公开的行政复议、行政诉讼和申诉举报。")
    assert found["stats_legacy.appeals.complaints"] == 0


def test_stated_zero_requests_and_fees():
    found = _found("全年没有收到政府信息公开申请,未收取任何费用。", "gov2021", 2021)
    assert found == {"stats_2019.requests.new_received.total": 0, "stats_legacy.operations.fees_collected": 0}


def test_appeal_with_a_figure_is_not_a_stated_zero():
    found = _found("发生政府信息公开行政复议2件,被依法纠错0件。")
    assert found.get("stats_legacy.appeals.reconsideration.total") != 0


@pytest.mark.parametrize("text", [
    "2017年,通过政府网站主动公开政府信息800条。",
    "全年通过政务微博主动公开信息800条。",
    "通过政务新媒体平台主动公开政府信息800条。",
])
def test_channel_qualified_figure_does_not_become_proactive_total(text):
    assert "stats_legacy.proactive.total" not in _found(text)


def test_website_figure_goes_to_the_website_channel():
    found = _found("全年主动公开政府信息1200条,其中通过政府网站公开政府信息800条。")
    assert found == {"stats_legacy.proactive.total": 1200, "stats_legacy.proactive.channels.website": 800}


def test_disagreeing_figures_are_left_null_with_a_warning():
    result = parse_prose("全年主动公开政府信息1200条。另外,全年主动公开政府信息1300条。", "legacy", 2017)
    assert result.values == ()
    assert result.warnings == ("stats_legacy.proactive.total: the prose states different figures (1200, 1300); "
                               "left null",)


def test_repeated_equal_figure_is_one_value_quoting_the_first():
    text = "全年主动公开政府信息1200条。总之,全年主动公开政府信息1200条。"
    [value] = parse_prose(text, "legacy", 2017).values
    assert (value.value, value.start) == (1200, text.index("全年主动"))
    assert text[value.start:value.end] == value.quote


def test_fee_in_yuan_is_converted_to_wan_yuan():
    assert _found("全年收取政府信息公开检索复制费用共3940元。") == {"stats_legacy.operations.fees_collected": 0.394}


def test_requests_go_to_the_2019_key_in_a_modern_report_and_legacy_key_otherwise():
    text = "全年共受理政府信息公开申请21件。"
    assert _found(text, "gov2021", 2021) == {"stats_2019.requests.new_received.total": 21}
    assert _found(text, "legacy", 2015) == {"stats_legacy.requests.received": 21}


def test_litigation_figure_has_no_2019_key_from_prose():
    assert _found("全年发生行政诉讼3件。", "gov2021", 2021) == {}
    assert _found("全年发生行政诉讼3件。", "legacy", 2017) == {"stats_legacy.appeals.litigation.total": 3}


def test_lone_figure_on_the_government_website_is_the_proactive_total():
    found = _found("2023年,我区在政府网站平台主动公开政府信息1136条。", "gov2021", 2023)
    assert found == {"stats_legacy.proactive.total": 1136}


def test_lone_website_figure_with_its_own_stated_total_is_the_website_channel():
    found = _found("全年主动公开政府信息1500条。2017年,我县在政府网站主动公开政府信息1136条。")
    assert found == {"stats_legacy.proactive.total": 1500, "stats_legacy.proactive.channels.website": 1136}


@pytest.mark.parametrize(("text", "website"), [
    ("全年通过县政府门户网站主动公开政府信息4511条,开展意见征集9期。", 4511),
    ("2018年通过官方网站发布信息1683条,网站访问量1395万人次。", 1683),
    ("厅门户网站推送信息2000条,浏览量达613万人次,“河北人社”微信公众号推送信息1300条。", 2000),
    ("2022年厅门户网站发布工作动态、通知公告、规范性文件、政策解读等各类信息3301篇。", 3301),
])
def test_website_figure_through_the_site_or_beside_other_channels_is_the_website_channel(text, website):
    found = _found(text, "legacy", None)
    assert found.get("stats_legacy.proactive.channels.website") == website
    assert "stats_legacy.proactive.total" not in found
