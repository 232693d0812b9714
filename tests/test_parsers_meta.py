"""Metadata from the text itself: entity, level, year, template and the date it was published."""

from __future__ import annotations

import pytest

from extractor.parsers import parse_document
from extractor.parsers.meta import parse_meta


def test_people_government_suffix_is_dropped_from_entity():
    meta = parse_meta("三明市人民政府2017年政府信息公开工作年度报告\n各县(市、区)政府")
    assert meta["entity"] == "三明市"
    assert meta["level"] == "city"  # it speaks of its counties


def test_county_level_city_without_counties_is_county_level():
    assert parse_meta("龙泉市2018年政府信息公开工作年度报告\n汇总19个乡镇")["level"] == "county"


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("某镇2015年政务公开工作总结", "township"),
        ("浙江省2015年政府信息公开工作年度报告", "province"),
        ("上海市2015年政府信息公开工作年度报告", "province"),
        ("某某县2015年政府信息公开工作年度报告", "county"),
        ("某市财政局2015年政府信息公开工作年度报告", "department"),
    ],
)
def test_level_follows_the_entity_name(title, level):
    assert parse_meta(title)["level"] == level


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("某县2020年政府信息公开工作年度报告\n信息内容 本年新制作数量 本年新公开数量", "gov2019"),
        ("某县2018年政府信息公开工作年度报告\n信息内容 本年制发件数 本年废止件数", "gov2021"),
        ("某县2017年政府信息公开工作年度报告\n(一)主动公开政府信息数 1200", "legacy"),
        ("某县2022年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量", "gov2021"),
        ("某县2020年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量", "gov2019"),
        ("某县2016年政府信息公开工作年度报告", "legacy"),
        ("某县2023年政府信息公开工作年度报告", "gov2021"),
        ("没有年份的文字", "unknown"),
    ],
)
def test_template_from_table_headers_then_from_the_year(text, template):
    assert parse_meta(text)["template"] == template


def test_year_from_statistics_period_when_the_title_has_none():
    assert parse_meta("关于政府信息公开工作的说明\n本报告统计期限为2022年1月1日至12月31日。")["year"] == 2022


def test_published_on_from_posting_time_in_the_page_head():
    meta = parse_meta("首页>信息公开\n发布时间:2019-2-6\n某县2018年政府信息公开工作年度报告\n正文。\n2019年1月20日")
    assert meta["published_on"] == "2019-02-06"


def test_published_on_from_signature_date_in_chinese_numerals():
    meta = parse_meta("南京市2019年政府信息公开工作年度报告\n正文。\n南京市人民政府办公厅\n二〇二〇年一月二十一日")
    assert meta["published_on"] == "2020-01-21"


def test_impossible_date_is_not_a_published_date():
    assert parse_meta("某县2018年政府信息公开工作年度报告\n正文。\n2019年13月40日")["published_on"] is None


def test_file_name_is_never_used_for_metadata():
    meta, _, _ = parse_document("正文没有标题,也没有年份。" * 3)
    assert (meta["entity"], meta["year"], meta["template"]) == (None, None, "unknown")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("2013年,我厅认真贯彻落实《条例》。\n门户网站主动公开的内容有待进一步丰富等。\n\n河北省教育厅\n2014年1月16日", "河北省教育厅"),
        (
            "2015年,我厅认真落实《条例》。进一步加强政务微博、微信和手机WAP网站等信息公开渠道建设。河北省科学技术厅2016年2月29日",
            "河北省科学技术厅",
        ),
        (
            "2023年我厅未收取信息处理费。河北省人力资源和社会保障厅2023年1月29日更多信息请关注官方微信“河北人社”",
            "河北省人力资源和社会保障厅",
        ),
    ],
)
def test_signature_above_the_closing_date_names_a_titleless_report(text, entity):
    assert parse_meta(text)["entity"] == entity
    assert parse_meta(text)["level"] == "department"


def test_report_compiled_by_statement_names_the_entity():
    text = "本报告是根据《中华人民共和国政府信息公开条例》及我省相关规定,由河北省教育厅编制。内容包括概述。"
    assert parse_meta(text)["entity"] == "河北省教育厅"


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("一、总体情况2022年,省工业和信息化厅坚持以习近平新时代中国特色社会主义思想为指导", "省工业和信息化厅"),
        ("一、总体情况 2019年以来,河北省科学技术厅深入贯彻党中央、国务院和省委、省政府对信息公开工作部署", "河北省科学技术厅"),
    ],
)
def test_subject_of_the_first_section_names_the_entity(text, entity):
    assert parse_meta(text)["entity"] == entity


@pytest.mark.parametrize(
    ("text", "entity", "level"),
    [
        ("正文。\n长兴县人民政府 2020年1月19日 | 打印 关闭", "长兴县", "county"),
        ("正文。\n某某县人民政府办公室\n2020年1月", "某某县", "county"),
        ("正文。\n三明市政务公开工作领导小组\n2018年1月16日", "三明市", "county"),
    ],
)
def test_government_office_or_working_group_signs_for_the_place(text, entity, level):
    meta = parse_meta(text)
    assert (meta["entity"], meta["level"]) == (entity, level)


@pytest.mark.parametrize(
    "text",
    [
        "2013年,我厅认真贯彻落实《条例》,扎实推进政府信息公开。",
        "2019年,市政府办公室坚持以人民为中心。本年度无向申请人收费的情况。2020年1月29日更多信息请关注官方微信",
        "根据《条例》要求,请联系:河北省科技厅办公室。2015年,我厅认真落实《条例》。",
    ],
)
def test_entity_is_none_when_the_text_never_names_itself(text):
    assert parse_meta(text)["entity"] is None


def test_title_the_report_cites_is_not_its_own_title():
    text = (
        "本报告根据《山西省人民政府办公厅关于做好2016年政府信息公开年度报告和统计报送工作的通知》要求,"
        "在2016年阳泉市各县(区)政府和市直各有关单位报送的政府信息公开年度报告的基础上汇总。"
    )
    assert parse_meta(text)["entity"] == "阳泉市"


@pytest.mark.parametrize(
    "text",
    [
        "某县2019年政府信息公开工作年度报告\n本年度报告中所列数据的统计期限自2019年1月1日起至2019年12月31日止。",
        "某县2019年政府信息公开工作年度报告\n正文。\n本报告统计期限为2019年1月1日至12月31日",
        "某县2019年政府信息公开工作年度报告\n正文。数据截至2019年12月31日",
        "统计时间:2019年1月1日至2019年12月31日\n某县2019年政府信息公开工作年度报告",
        "某县2019年政府信息公开工作年度报告\n正文。全县于2020年1月15日召开专题会议部署年报工作。",
    ],
)
def test_reporting_period_or_a_date_in_the_prose_is_never_the_published_date(text):
    assert parse_meta(text)["published_on"] is None


def test_published_on_from_signature_date_followed_by_page_boilerplate():
    text = "某厅2017年政府信息公开工作年度报告\n(三)本年度无向政府信息公开申请人进行收费的情况。2018年1月29日更多信息请关注官方微信"
    assert parse_meta(text)["published_on"] == "2018-01-29"


def test_signature_date_before_the_report_year_is_not_the_published_date():
    assert parse_meta("某县2019年政府信息公开工作年度报告\n正文。\n某县人民政府\n2018年1月20日")["published_on"] is None


def test_a_signature_run_into_its_date_names_the_body():
    text = (
        "根据《中华人民共和国政府信息公开条例》规定,现将我厅政务公开工作报告如下:一、总体情况2020年,全年共受理"
        "政府信息公开申请78件。六、其他需要报告的事项无河北省人力资源和社会保障厅2021年1月27日更多信息请关注官方微信“河北人社”"
    )
    meta = parse_meta(text)
    assert (meta["entity"], meta["published_on"], meta["level"]) == ("河北省人力资源和社会保障厅", "2021-01-27", "department")


def test_the_full_name_the_report_writes_is_preferred_over_its_short_form():
    text = (
        "本报告的电子版可在河北省科学技术厅网站查询下载。如对本报告有任何疑问,请与河北省科技厅办公室联系"
        "(地址:石家庄市裕华东路105号)。一、概述 2016年,省科技厅坚持把政府信息公开工作摆上重要议事日程。"
    )
    assert parse_meta(text)["entity"] == "河北省科学技术厅"
    assert parse_meta(text.replace("河北省科学技术厅网站", "厅网站"))["entity"] == "省科技厅"  # no full name written
