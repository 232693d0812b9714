"""Prose figures: only clauses about the report year, only exact figures; stated zeros are zeros."""

from __future__ import annotations

import pytest

from extractor.parsers.formats import block_of
from extractor.parsers.prose import parse_prose


def _found(text: str, template: str = "legacy", year: int | None = 2017) -> dict:
    return {v.path: v.value for v in parse_prose(text, block_of(template), year).values}


@pytest.mark.parametrize(
    "text",
    [
        "截至2017年底,累计主动公开政府信息12000条。",
        "自《条例》实施以来,全县主动公开政府信息8000条。",
        "历年主动公开政府信息共计5000条。",
        "2016年全市主动公开政府信息3000条。",
        "上年共受理政府信息公开申请40件。",
        "截至2017年底,累计受理政府信息公开申请100件,其中网上申请50件。",
        "截至12月末,“某某发布”微信公众号发布信息260条。",
    ],
)
def test_cumulative_or_other_year_clause_gives_nothing(text):
    assert _found(text) == {}


def test_a_period_word_silences_only_the_comma_part_that_holds_it():
    text = (
        "2020年,在厅网站主动公开各类文件信息2100余条,“河北人社”微信公众平台累计发布信息1465条,"
        "向人社部门户网站报送信息80条,共举办参加新闻发布会10次。"
    )
    assert _found(text, "gov2019", 2020) == {"stats_legacy.responses.press_conferences": 10}
    assert _found("全年主动公开政府信息1200条,比上年的1000条增长20%。") == {"stats_legacy.proactive.total": 1200}


def test_a_sum_the_report_year_opens_is_the_years_figure():
    text = "2018年,我厅网站主动公开政府信息累计357条,概况信息10条,工作动态220条。"
    assert _found(text, year=2018) == {"stats_legacy.proactive.channels.website": 357}
    assert _found(text.replace("2018年,", "2018年,自2008年开通以来,"), year=2018) == {}


def test_until_the_years_end_from_an_opening_inside_the_year_is_the_years_figure():
    text = "2016年10月开通“河北工信”微信公众号,截至12月末发布信息260条。"
    assert _found(text, year=2016) == {"stats_legacy.proactive.channels.wechat": 260}
    assert _found(text.replace("2016年10月", "2015年10月"), year=2016) == {}


def test_until_the_last_day_of_the_report_year_is_the_years_figure():
    text = "截至20171231日,通过政府网站公开政府信息34920条。"  # a scrape that lost 年 and 月
    assert _found(text, year=2017) == {"stats_legacy.proactive.channels.website": 34920}
    assert _found(text, year=2018) == {}


def test_other_year_clause_does_not_hide_the_report_year_clause():
    found = _found("2016年全市主动公开政府信息3000条。2017年全市主动公开政府信息3500条。")
    assert found == {"stats_legacy.proactive.total": 3500}


def test_year_total_stated_as_cumulative_within_the_year_is_taken():
    assert _found("本年度累计主动公开政府信息2645条。") == {"stats_legacy.proactive.total": 2645}


@pytest.mark.parametrize(
    "text",
    [
        "全年共受理政府信息公开申请300余件。",
        "全年主动公开政府信息约500条。",
        "全年主动公开政府信息近500条。",
        "全年主动公开政府信息1200多条。",
        "全年主动公开政府信息3万条。",
    ],
)
def test_approximation_gives_nothing(text):
    assert _found(text) == {}


def test_stated_zero_appeals_give_zeros_in_legacy_keys():
    assert _found("本年度未发生政府信息公开行政复议、行政诉讼案件。") == {
        "stats_legacy.appeals.reconsideration.total": 0,
        "stats_legacy.appeals.litigation.total": 0,
    }


def test_stated_zero_appeals_give_zeros_in_every_2019_appeal_group():
    assert _found("本年度未发生政府信息公开行政复议、行政诉讼案件。", "gov2021", 2022) == {
        "stats_2019.appeals.reconsideration.total": 0,
        "stats_2019.appeals.litigation_direct.total": 0,
        "stats_2019.appeals.litigation_after_reconsideration.total": 0,
    }


def test_stated_zero_complaints_in_legacy_report():
    found = _found("本年度没有发生针对本机关政府信息公开的行政复议、行政诉讼和申诉举报。")
    assert found["stats_legacy.appeals.complaints"] == 0


def test_stated_zero_requests_and_fees():
    found = _found("全年没有收到政府信息公开申请,未收取任何费用。", "gov2021", 2021)
    assert found == {"stats_2019.requests.new_received.total": 0, "stats_legacy.operations.fees_collected": 0}


def test_appeal_with_a_figure_is_not_a_stated_zero():
    found = _found("发生政府信息公开行政复议2件,被依法纠错0件。")
    assert found.get("stats_legacy.appeals.reconsideration.total") != 0


@pytest.mark.parametrize(
    "text",
    [
        "2017年,通过政府网站主动公开政府信息800条。",
        "全年通过政务微博主动公开信息800条。",
        "通过政务新媒体平台主动公开政府信息800条。",
    ],
)
def test_channel_qualified_figure_does_not_become_proactive_total(text):
    assert "stats_legacy.proactive.total" not in _found(text)


def test_website_figure_goes_to_the_website_channel():
    found = _found("全年主动公开政府信息1200条,其中通过政府网站公开政府信息800条。")
    assert found == {"stats_legacy.proactive.total": 1200, "stats_legacy.proactive.channels.website": 800}


def test_disagreeing_figures_are_left_null_with_a_warning():
    result = parse_prose("全年主动公开政府信息1200条。另外,全年主动公开政府信息1300条。", "stats_legacy", 2017)
    assert result.values == ()
    assert result.warnings == ("stats_legacy.proactive.total: the prose states different figures (1200, 1300); left null",)


def test_repeated_equal_figure_is_one_value_quoting_the_first():
    text = "全年主动公开政府信息1200条。总之,全年主动公开政府信息1200条。"
    [value] = parse_prose(text, "stats_legacy", 2017).values
    assert (value.value, value.start) == (1200, text.index("全年主动"))
    assert text[value.start : value.end] == value.quote


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


@pytest.mark.parametrize(
    ("text", "website"),
    [
        ("全年通过县政府门户网站主动公开政府信息4511条,开展意见征集9期。", 4511),
        ("2018年通过官方网站发布信息1683条,网站访问量1395万人次。", 1683),
        ("厅门户网站推送信息2000条,浏览量达613万人次,“河北人社”微信公众号推送信息1300条。", 2000),
        ("2022年厅门户网站发布工作动态、通知公告、规范性文件、政策解读等各类信息3301篇。", 3301),
    ],
)
def test_website_figure_through_the_site_or_beside_other_channels_is_the_website_channel(text, website):
    found = _found(text, "legacy", None)
    assert found.get("stats_legacy.proactive.channels.website") == website
    assert "stats_legacy.proactive.total" not in found


def test_channels_closed_by_every_channel_together_give_the_proactive_total():
    text = "2016年,全市各级、各部门积极通过网站、报纸、微博及微信等各类渠道主动公开政府信息55655条。"
    assert _found(text, "legacy", 2016) == {"stats_legacy.proactive.total": 55655}


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("2013年我厅主动公开信息总数共计293条,其中规范性文件公开28条。", 293),
        ("全年公开信息766条。向省档案馆、省图书馆移交规范性文件10份。", 766),
    ],
)
def test_proactive_total_in_other_common_wordings(text, total):
    assert _found(text, "legacy", None)["stats_legacy.proactive.total"] == total


def test_normative_documents_among_the_proactive_total_in_legacy_reports_only():
    text = "2013年我厅主动公开信息总数共计293条,其中规范性文件公开28条。"
    assert _found(text, "legacy", 2013)["stats_legacy.proactive.normative_docs"] == 28
    assert "stats_legacy.proactive.normative_docs" not in _found(text, "gov2021", 2013)


def test_channel_figures_without_a_unit_at_the_end_of_the_clause():
    text = (
        "2017年,通过县政府网站主动公开政府信息共34920;二是通过政务微博公开政府信息1997;"
        "三是通过政务微信公开政府信息1120;通过新闻发布会、电视报刊等其他渠道主动公开政府信息1350条。"
    )
    assert _found(text) == {
        "stats_legacy.proactive.channels.website": 34920,
        "stats_legacy.proactive.channels.weibo": 1997,
        "stats_legacy.proactive.channels.wechat": 1120,
        "stats_legacy.proactive.channels.other": 1350,
    }


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("结合实际不断丰富和拓展信息公开渠道,参加新闻发布会3次,及时发布科技创新方面重要信息。", 3),
        ("召开或参加新闻发布会2次,发布政策解读16条。", 2),
        ("全年召开8场新闻发布会。", 8),
    ],
)
def test_press_conferences_held_or_attended(text, count):
    assert _found(text, "legacy", None)["stats_legacy.responses.press_conferences"] == count


def test_leaders_attending_press_conferences_is_not_the_press_conference_count():
    assert "stats_legacy.responses.press_conferences" not in _found("主要负责同志参加新闻发布会2次。")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("全年累计发布解读类信息21条,打造文字、图文、视频等多种解读形式。", 21),
        ("公开政府常务会议7期,解读信息发布7条。", 7),
        ("通过厅门户网站公开发布解读材料12篇。", 12),
    ],
)
def test_policy_interpretations_in_other_common_wordings(text, count):
    assert _found(text, "gov2021", None)["stats_legacy.responses.policy_interpretations"] == count


def test_request_channels_from_prose():
    text = "2017年省人社厅受理政府信息依申请公开30件,其中网上申请10件,现场申请5件,信函申请15件。"
    found = _found(text)
    assert (
        found["stats_legacy.requests.channels.online"],
        found["stats_legacy.requests.channels.in_person"],
        found["stats_legacy.requests.channels.letter"],
    ) == (10, 5, 15)


def test_combined_letter_or_fax_channel_is_not_the_letter_channel():
    assert "stats_legacy.requests.channels.letter" not in _found("信函、传真申请5件。")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("三、依申请公开政府信息情况。均未向申请人收取费用。", "stats_legacy.operations.fees_collected"),
        ("(三)本年度无向政府信息公开申请人进行收费的情况。", "stats_legacy.operations.fees_collected"),
        ("2016年,全市政府信息公开没有任何收费。", "stats_legacy.operations.fees_collected"),
        ("2013年度我厅未发生有关政府信息公开方面的收费及免费情况。", "stats_legacy.operations.fees_waived"),
        ("2015年,我厅未收取和减免任何与政府信息公开相关的费用。", "stats_legacy.operations.fees_waived"),
        ("2017年度我县未接到依申请公开政府信息的申请。", "stats_legacy.requests.received"),
    ],
)
def test_stated_zeros_in_other_common_wordings(text, key):
    assert _found(text, "legacy", None)[key] == 0


def test_appeal_figure_is_kept_beside_a_stated_zero_of_the_other_appeal():
    found = _found("本年度我厅首次受理政府信息公开行政复议1件,未受理行政诉讼案件。", "legacy", 2015)
    assert found == {"stats_legacy.appeals.reconsideration.total": 1, "stats_legacy.appeals.litigation.total": 0}


def test_year_in_a_stated_zero_and_a_run_together_heading_do_not_hide_it():
    text = (
        "(六)其他处理(七)总计22四、政府信息公开行政复议、行政诉讼情况"
        "2019年河北省工业和信息化厅未发生涉及政府信息公开的行政复议、行政诉讼案件。"
    )
    assert _found(text, "gov2019", 2019) == {
        "stats_2019.appeals.reconsideration.total": 0,
        "stats_2019.appeals.litigation_direct.total": 0,
        "stats_2019.appeals.litigation_after_reconsideration.total": 0,
    }


def test_prose_letter_figure_stays_out_when_the_table_counts_letters_and_faxes_together():
    from pathlib import Path

    from extractor.documents import load_document
    from extractor.merge import prefer
    from extractor.parsers import parse_document

    source = Path(__file__).resolve().parents[1] / "evals" / "docs" / "001_8d8ab1cc33b56129.txt"
    _, tables, prose = parse_document(load_document(source).text)
    parsed = prefer(tables, prose, "table", "prose")
    found = {v.path: v.value for v in parsed.values}
    assert found["stats_legacy.requests.channels.letter_or_fax"] == 5  # the form: 3.信函、传真申请数 5
    assert "stats_legacy.requests.channels.letter" not in found  # the prose: 信函申请5条


def test_a_clause_with_no_digit_still_states_its_zeros():
    assert _found("本年度不收取任何费用。", "legacy", 2017) == {"stats_legacy.operations.fees_collected": 0}
    assert _found("全年未收到政府信息公开申请。", "legacy", 2017) == {"stats_legacy.requests.received": 0}


def test_statement_after_a_run_together_heading_escapes_the_flattened_tables_period_words():
    text = (
        "第二十条第(五)项信息内容上一年项目数量本年增/减处理决定数量行政许可3+14"
        "三、收到和处理政府信息公开申请情况2020年未收到政府信息公开申请。"
    )
    assert _found(text, "gov2019", 2020) == {"stats_2019.requests.new_received.total": 0}


def test_zero_appeals_after_a_run_together_heading_escape_the_tables_carried_over_row():
    text = (
        "(七)总计5四、结转下年度继续办理0上年结转政府信息公开申请数量0"
        "四、政府信息公开行政复议、行政诉讼情况2019年未发生涉及政府信息公开的行政复议、行政诉讼案件。"
    )
    assert _found(text, "gov2019", 2019) == {
        "stats_2019.appeals.reconsideration.total": 0,
        "stats_2019.appeals.litigation_direct.total": 0,
        "stats_2019.appeals.litigation_after_reconsideration.total": 0,
    }


def test_an_enumeration_that_is_no_heading_keeps_its_years_period():
    assert _found("2016年一、二季度受理政府信息公开申请14件。") == {}


@pytest.mark.parametrize(
    "text",
    [
        "“某某发布”微信公众号坚持每日推送更新,全年发布信息1234篇。",
        "“某某发布”微信公众号全年发布信息1234篇,“某某发布”视频号发布信息56条。",
        "微信公众号“某某发布”2017年共发布信息1234条。",
    ],
)
def test_a_named_official_account_gives_the_wechat_channel(text):
    assert _found(text) == {"stats_legacy.proactive.channels.wechat": 1234}


@pytest.mark.parametrize(
    "text",
    [
        "全年通过“某某发布”微信公众号、政务微博发布政务信息1234条。",
        "门户网站和微信公众号发布信息1234条。",
        "“某某发布”微信公众号关注人数达1234人。",
    ],
)
def test_an_account_counted_with_another_channel_or_its_followers_gives_no_wechat_figure(text):
    assert "stats_legacy.proactive.channels.wechat" not in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "全年通过门户网站发布各类政务信息1234条,其中规范性文件5件。",
        "全年通过门户网站主动公开政务信息1234件。",
        "厅网站全年发布新闻、文件、通知、通报等信息1234条。",
        "全年在厅门户网站主动公开各类文件信息1234条,由我厅办理的建议提案复文56件。",
    ],
)
def test_website_figure_in_other_wordings_gives_the_website_channel(text):
    assert _found(text, "gov2021", 2017) == {"stats_legacy.proactive.channels.website": 1234}


def test_year_total_with_its_website_part_gives_both():
    found = _found("2017年共发布信息1234条,其中政府网站公开政府信息数567条,发布了8期《信息快报》。")
    assert found == {"stats_legacy.proactive.total": 1234, "stats_legacy.proactive.channels.website": 567}


@pytest.mark.parametrize(
    "text",
    [
        "发布政策类文件89条、重要政策文件解读12条;发布基础教育信息30条。",
        "全年通过门户网站主动公开政务信息664件。其中,文件类47件,公示公告85个,政策解读12个,其他事项520个。",
    ],
)
def test_policy_interpretations_as_an_item_of_a_published_list(text):
    assert _found(text, "gov2021", 2022)["stats_legacy.responses.policy_interpretations"] == 12


def test_no_request_matter_received_is_a_stated_zero():
    assert _found("2017年,某某厅未受理依申请信息公开事项。") == {"stats_legacy.requests.received": 0}


def test_no_complaint_about_a_disclosure_matter_is_no_zero_of_requests():
    assert "stats_legacy.requests.received" not in _found("本年度未收到政府信息公开事项的投诉。")


def test_a_weibo_listed_after_another_channel_gives_no_weibo_figure():
    assert _found("全年通过“某某发布”微信公众号、政务微博发布信息1234条。") == {}


def test_requests_received_by_letter_give_the_letter_channel_and_the_requests_received():
    assert _found("2019年收到3份以信函形式提出的信息公开申请,已按时答复办结。", "gov2019", 2019) == {
        "stats_legacy.requests.channels.letter": 3,
        "stats_2019.requests.new_received.total": 3,
    }
    assert _found("2016年,某某厅收到2份以信函形式提出的信息公开申请。", year=2016) == {
        "stats_legacy.requests.channels.letter": 2,
        "stats_legacy.requests.received": 2,
    }


def test_a_number_of_enquiries_before_the_word_request_is_no_request_count():
    assert _found("2016年,某某厅收到3件咨询,收到信息公开申请的有关问题。", year=2016) == {}


def test_requests_answered_follow_the_requests_of_their_clause():
    assert _found("2016年,我厅共收到信息公开申请1件,办理答复1件。", year=2016) == {
        "stats_legacy.requests.received": 1,
        "stats_legacy.requests.answered": 1,
    }
    assert _found("2016年,网上咨询办理答复300件。", year=2016) == {}


def test_reconsideration_matters_with_their_result_give_the_total_and_the_upheld():
    text = "2016年,在依申请公开政府信息中,某某厅处理3件属维持具体行政行为的行政复议事项。"
    assert _found(text, year=2016) == {
        "stats_legacy.appeals.reconsideration.total": 3,
        "stats_legacy.appeals.reconsideration.upheld": 3,
    }
    assert _found("2016年,某某厅处理3件属维持具体行政行为的行政复议事项。", year=2016) == {}  # not said to be disclosure's


def test_information_given_free_to_applicants_states_no_fee_collected():
    assert _found("2016年,我厅全部免费为申请人提供政府信息。", year=2016) == {"stats_legacy.operations.fees_collected": 0}
    assert _found("全部免费为申请人提供政府信息。", year=2016) == {"stats_legacy.operations.fees_collected": 0}
    assert _found("2016年,在档案馆免费提供政府信息查阅服务。", year=2016) == {}


def test_an_accounts_picture_and_text_posts_are_its_figures():
    assert _found("河北人社微信公众号共推送图文消息1600条,阅读量达862.1万人次。", "gov2021", 2022) == {
        "stats_legacy.proactive.channels.wechat": 1600
    }
    text = "2016年参加新闻发布会2次,省政府门户网站网络访谈1次,通过微信公众平台“科冀汇”发布图文(含视频)信息800篇。"
    assert _found(text, year=2016) == {
        "stats_legacy.responses.press_conferences": 2,
        "stats_legacy.responses.online_interviews": 1,
        "stats_legacy.proactive.channels.wechat": 800,
    }


def test_hotspots_named_by_their_topics_are_the_hotspots_figure():
    text = "2016年,通过网站、微博等不同方式回应公众关注的我省产业结构调整、企业融资担保等方面的热点20次。"
    assert _found(text, year=2016) == {"stats_legacy.responses.hotspots": 20}


def test_a_points_channel_title_makes_its_figure_that_channels_never_the_total():
    text = "3、“河北工信”政务微博。2016年发布信息300条,收到网民提问、留言20余条。4、“河北工信”微信公众号。"
    assert _found(text, year=2016) == {"stats_legacy.proactive.channels.weibo": 300}
    assert _found("(二)政务客户端。2016年发布信息300条。", year=2016) == {}  # a channel with no key: nothing


def test_a_title_that_names_no_channel_leaves_the_total():
    assert _found("(一)主动公开情况。2016年发布信息500条。", year=2016) == {"stats_legacy.proactive.total": 500}


def test_a_township_report_states_its_total_with_the_forms_row_name_and_its_zeros_in_plain_words() -> None:
    """遂溪县建新镇 2018 (Guangdong): the form's row name 主动公开政府信息数 before the number; no request received,
    no fee, in everyday words."""
    text = (
        "2018年度我镇主动公开政府信息数22条,其中线上信息公开15条。\n"
        "2018年度我镇没有接到群众主动要求公开政府信息的申请。\n"
        "2018年度,我镇政府信息公开没有收费。"
    )
    values = {v.path: v.value for v in parse_prose(text, "stats_legacy", 2018).values}
    assert values["stats_legacy.proactive.total"] == 22
    assert values["stats_legacy.requests.received"] == 0
    assert values["stats_legacy.operations.fees_collected"] == 0
