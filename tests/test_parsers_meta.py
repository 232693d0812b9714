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


@pytest.mark.parametrize(("title", "level"), [
    ("某镇2015年政务公开工作总结", "township"),
    ("浙江省2015年政府信息公开工作年度报告", "province"),
    ("上海市2015年政府信息公开工作年度报告", "province"),
    ("某某县2015年政府信息公开工作年度报告", "county"),
    ("某市财政局2015年政府信息公开工作年度报告", "department"),
])
def test_level_follows_the_entity_name(title, level):
    assert parse_meta(title)["level"] == level


@pytest.mark.parametrize(("text", "template"), [
    ("某县2020年政府信息公开工作年度报告\n信息内容 本年新制作数量 本年新公开数量", "gov2019"),
    ("某县2018年政府信息公开工作年度报告\n信息内容 本年制发件数 本年废止件数", "gov2021"),
    ("某县2017年政府信息公开工作年度报告\n(一)主动公开政府信息数 1200", "legacy"),
    ("某县2022年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量", "gov2021"),
    ("某县2020年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量", "gov2019"),
    ("某县2016年政府信息公开工作年度报告", "legacy"),
    ("某县2023年政府信息公开工作年度报告", "gov2021"),
    ("没有年份的文字", "unknown"),
])
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
    meta, _ = parse_document("正文没有标题,也没有年份。" * 3)
    assert (meta["entity"], meta["year"], meta["template"]) == (None, None, "unknown")
