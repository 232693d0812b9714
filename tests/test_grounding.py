"""Grounding: a model's figure becomes a value only when the report's own text, inside its window, states it
for the report year; everything else is a one-line warning and the value stays null."""

from __future__ import annotations

import pytest

from extractor.grounding import ground_figure, not_for_the_year
from extractor.records import FieldValue

ONLINE = "stats_legacy.requests.channels.online"
FEES = "stats_legacy.operations.fees_collected"
TEXT = (
    "一、概述\n2016年,全市主动公开政府信息3000余条。\n"
    "四、依申请公开情况\n2016年,全市共受理政府信息公开申请１４件，其中网络申请 12 件。\n"
    "五、收费情况\n本年度收取政府信息公开信息处理费3940元。"
)


def _accepted(result: FieldValue | str, text: str = TEXT) -> FieldValue:
    assert isinstance(result, FieldValue), result
    assert text[result.start : result.end] == result.quote
    assert result.method == "llm"
    return result


def _rejected(result: FieldValue | str, path: str) -> str:
    assert isinstance(result, str), result
    assert "\n" not in result and result.startswith(f"{path}: ") and result.endswith("left null")
    return result


def _window(text: str, start_marker: str, end_marker: str | None = None) -> tuple[int, int]:
    start = text.index(start_marker)
    return start, text.index(end_marker, start) if end_marker else len(text)


def test_a_quote_found_in_its_window_is_accepted_with_exact_offsets() -> None:
    window = _window(TEXT, "四、", "五、")
    found = _accepted(ground_figure(ONLINE, 12, "其中网络申请 12 件", TEXT, window, 2016))
    assert found.value == 12 and isinstance(found.value, int)
    assert found.path == ONLINE and window[0] <= found.start < found.end <= window[1]


@pytest.mark.parametrize("quote", ["其中网络申请12件", "其中网络申请１２件", "其中 网络申请  12件", "网络申请12 件"])
def test_width_and_whitespace_differences_in_the_quote_are_ignored(quote: str) -> None:
    found = _accepted(ground_figure(ONLINE, 12, quote, TEXT, _window(TEXT, "四、", "五、"), 2016))
    assert found.quote.replace(" ", "").endswith("网络申请12件")


def test_full_width_digits_in_the_text_are_found_from_an_ascii_quote() -> None:
    path = "stats_legacy.requests.received"
    found = _accepted(ground_figure(path, 14, "共受理政府信息公开申请14件", TEXT, _window(TEXT, "四、"), 2016))
    assert found.quote == "共受理政府信息公开申请１４件" and found.value == 14


def test_a_quote_outside_the_window_is_rejected_even_though_the_text_has_it() -> None:
    window = _window(TEXT, "五、")
    assert "其中网络申请 12 件" in TEXT
    warning = _rejected(ground_figure(ONLINE, 12, "其中网络申请12件", TEXT, window, 2016), ONLINE)
    assert "is not in the text" in warning


def test_a_quote_the_text_does_not_hold_is_rejected() -> None:
    warning = _rejected(ground_figure(ONLINE, 12, "网上申请12件", TEXT, (0, len(TEXT)), 2016), ONLINE)
    assert "is not in the text" in warning and "12" in warning


def test_a_quote_that_does_not_state_the_number_is_rejected() -> None:
    warning = _rejected(ground_figure(ONLINE, 13, "其中网络申请12件", TEXT, (0, len(TEXT)), 2016), ONLINE)
    assert "said 13" in warning and "does not state it" in warning


def test_a_number_only_part_of_a_longer_number_is_not_stated() -> None:
    text = "全年受理申请120件。"
    result = ground_figure("stats_legacy.requests.received", 12, "全年受理申请120件", text, (0, len(text)), 2016)
    assert isinstance(result, str), f"12 accepted from a quote printing 120: {result}"


def test_an_approximate_figure_is_rejected() -> None:
    path = "stats_legacy.proactive.total"
    warning = _rejected(ground_figure(path, 3000, "全市主动公开政府信息3000余条", TEXT, (0, len(TEXT)), 2016), path)
    assert "approximate" in warning


@pytest.mark.parametrize(
    ("text", "quote", "value"),
    [
        ("截至2016年底,累计公开政府信息5000条。", "累计公开政府信息5000条", 5000),
        ("《条例》实施以来,共公开政府信息8000条。", "共公开政府信息8000条", 8000),
        ("2015年受理申请20件,2016年受理申请30件。", "2015年受理申请20件", 20),
        ("与上年相比,上年受理申请20件。", "上年受理申请20件", 20),
    ],
)
def test_a_cumulative_or_other_year_clause_is_rejected(text: str, quote: str, value: int) -> None:
    path = "stats_legacy.requests.received"
    warning = _rejected(ground_figure(path, value, quote, text, (0, len(text)), 2016), path)
    assert "another period" in warning


def test_the_report_years_own_figure_next_to_another_years_is_accepted() -> None:
    text = "2015年受理申请20件,2016年受理申请30件。"
    found = _accepted(ground_figure("stats_legacy.requests.received", 30, "2016年受理申请30件", text, (0, len(text)), 2016), text)
    assert found.value == 30


def test_money_in_wan_yuan_is_borne_out_by_a_quote_printed_in_yuan() -> None:
    found = _accepted(ground_figure(FEES, 0.394, "收取政府信息公开信息处理费3940元", TEXT, _window(TEXT, "五、"), 2016, money=True))
    assert found.value == pytest.approx(0.394) and isinstance(found.value, float)


def test_a_yuan_amount_taken_for_wan_yuan_is_not_borne_out() -> None:
    assert isinstance(ground_figure(FEES, 3940, "收取政府信息公开信息处理费3940元", TEXT, _window(TEXT, "五、"), 2016, money=True), str)


def test_money_printed_in_wan_yuan_is_kept_as_printed() -> None:
    text = "本年度政府信息公开工作支出12.5万元。"
    found = _accepted(
        ground_figure("stats_legacy.operations.spending", 12.5, "政府信息公开工作支出12.5万元", text, (0, len(text)), 2016, money=True),
        text,
    )
    assert found.value == 12.5


def test_a_count_is_never_divided_as_money() -> None:
    text = "本年度受理申请3940件。"
    found = _accepted(ground_figure("stats_legacy.requests.received", 3940, "受理申请3940件", text, (0, len(text)), 2016), text)
    assert found.value == 3940 and isinstance(found.value, int)


def test_a_stated_zero_is_accepted_only_from_words_that_state_it() -> None:
    text = "本年度未收到政府信息公开申请。本年度收到政府信息公开申请。"
    path = "stats_legacy.requests.received"
    found = _accepted(ground_figure(path, 0, "未收到政府信息公开申请", text, (0, len(text)), 2016), text)
    assert found.value == 0
    _rejected(ground_figure(path, 0, "本年度收到政府信息公开申请", text, (15, len(text)), 2016), path)


def test_not_for_the_year_reasons() -> None:
    text = "截至2017年12月31日,通过政府网站公开政府信息34920条。《条例》实施以来,累计公开3万余条。2016年公开1200条。公开500余条。"
    at = text.index("34920")
    assert not_for_the_year(text, at, at + 5, 2017) is None
    at = text.index("3万")
    assert not_for_the_year(text, at, at + 1, 2017) == "speaks of another period than the report year"
    at = text.index("1200")
    assert not_for_the_year(text, at, at + 4, 2017) == "speaks of another period than the report year"
    assert not_for_the_year(text, at, at + 4, 2016) is None
    at = text.index("500")
    assert not_for_the_year(text, at, at + 3, 2017) == "gives an approximate figure"


def test_every_accepted_value_is_the_text_between_its_offsets() -> None:
    cases = [
        (ONLINE, 12, "网络申请12件", False),
        ("stats_legacy.requests.received", 14, "申请14件", False),
        (FEES, 0.394, "信息处理费3940元", True),
    ]
    for path, value, quote, money in cases:
        found = _accepted(ground_figure(path, value, quote, TEXT, (0, len(TEXT)), 2016, money=money))
        assert TEXT[found.start : found.end] == found.quote


def test_a_period_word_governs_only_its_comma_part_as_in_the_prose_parsers() -> None:
    text = "2020年,在厅网站主动公开各类文件信息2100余条,“河北人社”微信公众平台累计发布信息1465条,共举办参加新闻发布会10次。"
    at = text.index("1465")
    assert not_for_the_year(text, at, at + 4, 2020) == "speaks of another period than the report year"
    at = text.index("10次")
    assert not_for_the_year(text, at, at + 2, 2020) is None
    text = "截至2017年底,累计受理申请100件,其中网上申请50件。"
    at = text.index("50")
    assert not_for_the_year(text, at, at + 2, 2017) == "speaks of another period than the report year"


def test_a_sentence_opening_on_another_year_is_not_the_report_years_in_any_clause():
    from extractor.grounding import not_for_the_year

    text = "五、复议诉讼情况2016年,本厅共受理行政复议3起,行政诉讼5起,举报投诉15起。"
    start = text.index("5起")
    assert not_for_the_year(text, start, start + 1, 2017) == "speaks of another period than the report year"
    assert not_for_the_year(text, start, start + 1, 2016) is None
