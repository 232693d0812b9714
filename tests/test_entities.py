"""One body across years: canonical names from the reports themselves, the shipped tables, the user's file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractor.documents import load_document
from extractor.entities import (
    body_named_at_end,
    canonical_entity,
    expand_abbreviation,
    prefecture_provinces,
    provinces,
    written_in_full,
)
from extractor.pipeline import extract_document

DOCS = Path(__file__).resolve().parent.parent / "evals" / "docs"

CORPUS_BODIES = {
    "江苏省淮安市洪泽区": ["02_hongzequ_2023.pdf", "03_hongzequ_2024.pdf"],
    "河北省教育厅": ["06_hebei_jyt_2013.txt", "09_hebei_jyt_2018.txt", "13_hebei_jyt_2021.txt"],
    "河北省科学技术厅": ["07_hebei_kjt_2015.txt", "12_hebei_kjt_2019.txt"],
    "河北省人力资源和社会保障厅": ["08_hebei_rst_2017.txt", "15_hebei_rst_2023.txt"],
    "河北省工业和信息化厅": ["11_hebei_gxt_2019.txt", "14_hebei_gxt_2022.txt", "16_hebei_gxt_2020.txt"],
}


@pytest.mark.parametrize("canonical", sorted(CORPUS_BODIES))
def test_corpus_body_has_one_canonical_name_across_its_years(canonical):
    reports = [extract_document(load_document(DOCS / name)) for name in CORPUS_BODIES[canonical]]
    assert [report.meta.entity_canonical for report in reports] == [canonical] * len(reports)
    assert len({report.meta.year for report in reports}) == len(reports)


def test_statistics_table_without_any_name_has_no_canonical_name():
    """10_hebei_jyt_2018_tongjibiao is a bare table: no body is named anywhere in it (a correction can set it)."""
    report = extract_document(load_document(DOCS / "10_hebei_jyt_2018_tongjibiao.txt"))
    assert report.meta.entity is None and report.meta.entity_canonical is None


@pytest.mark.parametrize(
    ("entity", "text", "canonical"),
    [
        ("洪泽区", "2023年,淮安市洪泽区人民政府办公室…", "江苏省淮安市洪泽区"),
        ("洪泽区", "2023年,洪泽区认真贯彻淮安市委、市政府的部署…", "江苏省淮安市洪泽区"),  # the one city named
        ("省人社厅", "按照《河北省政务公开工作要点》,省人社厅…", "河北省人力资源和社会保障厅"),
        ("省科技厅", "石家庄市…省科技厅…", "河北省科学技术厅"),  # a named city counts as its province
        ("市教育局", "淮安市2020年…市教育局", "江苏省淮安市教育局"),
        ("三明市", "", "福建省三明市"),
        ("延边朝鲜族自治州", "", "吉林省延边朝鲜族自治州"),
        ("上海市人民政府办公厅", "上海市…江苏省…", "上海市人民政府办公厅"),
        ("河北省人力资源社会保障厅", "", "河北省人力资源和社会保障厅"),
    ],
)
def test_region_and_full_name_come_from_the_report_and_the_tables(entity, text, canonical):
    assert canonical_entity(entity, text) == canonical


@pytest.mark.parametrize(
    ("entity", "text"),
    [
        ("省教育厅", "河北省…山西省…"),  # two provinces named: not certain
        ("省教育厅", "按照省委、省政府部署"),  # none named
        ("洪泽区", "淮安市…宿迁市…"),  # two cities, neither written before the name
        ("某街道", ""),
    ],
)
def test_name_stays_as_written_when_the_report_does_not_settle_the_region(entity, text):
    assert canonical_entity(entity, text) == entity


def test_no_entity_has_no_canonical_name():
    assert canonical_entity(None, "河北省") is None


def test_abbreviation_is_expanded_only_at_the_end_of_the_name_and_only_once():
    assert expand_abbreviation("河北省人社厅") == "河北省人力资源和社会保障厅"
    assert expand_abbreviation("河北省人力资源和社会保障厅") == "河北省人力资源和社会保障厅"
    assert expand_abbreviation("省发展改革委") == "省发展和改革委员会"
    assert expand_abbreviation("某县人民政府办公室") == "某县人民政府办公室"
    assert expand_abbreviation("人社厅机关党委") == "人社厅机关党委"


def test_region_table_has_every_province_once_and_unique_prefectures():
    assert len(provinces()) == len(set(provinces())) == 31
    cities = prefecture_provinces()
    assert len(cities) >= 330
    assert set(cities.values()) <= set(provinces())
    assert Counter(cities.values())["江苏省"] == 13 and Counter(cities.values())["河北省"] == 11


def test_a_body_name_closing_a_run_together_signature_starts_at_its_region():
    assert body_named_at_end("六、其他需要报告的事项无河北省人力资源和社会保障厅") == "河北省人力资源和社会保障厅"
    assert body_named_at_end("其他需要报告的事项无淮安市洪泽区人民政府") == "淮安市洪泽区人民政府"
    assert body_named_at_end("其他需要报告的事项无") is None
    assert body_named_at_end("确保政务公开工作高质量完成") is None


def test_a_short_name_becomes_the_full_name_only_when_the_report_writes_it():
    text = "2019年,省人社厅认真贯彻…六、其他需要报告的事项无河北省人力资源和社会保障厅"
    assert written_in_full("省人社厅", text) == "河北省人力资源和社会保障厅"
    assert written_in_full("省人社厅", "2019年,省人社厅认真贯彻《河北省实施〈条例〉办法》") == "省人社厅"
    assert written_in_full("洪泽区", "淮安市洪泽区人民政府,江苏省淮安市洪泽区") == "洪泽区"  # a full name: as written
