"""Text rules shared by the parsers and grounding: is a number a figure of the report year, and is it exact?

A figure counts only when its clause speaks of the report year (not 累计, 以来, 上年, another year) and the
number is not an approximation (3000余, 近百, 约). The prose parsers and the check of a model's answer
(`extractor.grounding`) apply the same rules, so both live here, below both.

    >>> speaks_of_another_period("《条例》实施以来累计公开3万条", 2017)
    True
    >>> is_approximate("公开信息3000余条", 4, 8), is_approximate("公开信息3000条", 4, 8)
    (True, False)

A period word governs the comma-part that holds it (and a part with no figure passes it on to the next), not
every figure of the sentence (`governed_by_another_period`).
"""

from __future__ import annotations

import re

_OTHER_PERIOD = re.compile(r"累计|历年|以来|截至|截止|同比|上年|去年|上一年|往年|增长|下降|提高|减少")
_THIS_YEARS_TOTAL = re.compile(r"(?:全年|本年度?)累计")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_APPROXIMATE_AFTER = re.compile(r"\s*(?:余|多|左右|以上|万(?!元)|亿)")
_APPROXIMATE_BEFORE = re.compile(r"(?:近|约|超过|逾|达到?|将近)\s*$")
# the longest word _APPROXIMATE_BEFORE can match, with room for the spaces between it and the number
_BEFORE_WINDOW = 12


def mentions_another_year(clause: str, year: int | None) -> bool:
    """Whether `clause` names years and the report year is not among them.

    >>> mentions_another_year("2016年受理申请14件", 2017), mentions_another_year("2016年受理申请14件", 2016)
    (True, False)
    """
    years = {int(y) for y in _YEAR.findall(clause)}
    return year is not None and bool(years) and year not in years


def speaks_of_another_period(clause: str, year: int | None) -> bool:
    """Whether a clause speaks of another period than the report year (累计, 以来, 上年, another year…).

    >>> speaks_of_another_period("《条例》实施以来累计公开3万条", 2017), speaks_of_another_period("2016年受理申请14件", 2016)
    (True, False)
    >>> speaks_of_another_period("全年累计受理申请14件", 2016)
    False
    """
    return bool(_OTHER_PERIOD.search(clause) and not _THIS_YEARS_TOTAL.search(clause)) or mentions_another_year(clause, year)


def is_approximate(text: str, start: int, end: int) -> bool:
    """Whether the number at `text[start:end]` is an approximation (300余, 近百, 约…).

    Only the few characters before the number are looked at, so a text's numbers are checked in time linear
    in its length (searching the whole prefix for each number took time growing with its square).

    >>> is_approximate("公开信息3000余条", 4, 8), is_approximate("公开信息3000条", 4, 8)
    (True, False)
    >>> is_approximate("全年约 3000条", 4, 8)
    True
    """
    before = text[max(0, start - _BEFORE_WINDOW) : start]
    return bool(_APPROXIMATE_AFTER.match(text, end) or _APPROXIMATE_BEFORE.search(before))


_PART = re.compile(r"[^,，;；]+")
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?![\d.])(?!\s*(?:年|月|日|号|时))")
_CONTINUES = re.compile(r"\s*(?:其中|含|包括|包含)")
OPENING_YEAR = re.compile(r"\s*(?:[一二三四五六七八九十]+、[^,。;]{0,24}?)?((?:19|20)\d\d)\s*年(?:度)?\s*[,，]")
"""A sentence that opens on a year and a comma (2016年,… or 五、复议情况2016年,…): that year is every clause's."""
_UNTIL_YEAR_END = re.compile(r"(?:截至|截止)(?:到|至)?\s*(?:(?P<year>(?:19|20)\d\d)\s*年?\s*)?(?:12\s*月?\s*(?:末|底|31\s*日?)|年底|年末)")
"""截至 the last day of a year: 截至2017年12月31日, 截至2017年底, 截至12月末, and 截至20171231日 (a scrape that
lost 年 and 月)."""


def governed_by_another_period(sentence: str, position: int, year: int | None) -> bool:
    """Whether the figure at `sentence[position]` is governed by a word of another period (累计, 以来, 截至…).

    A period word governs the comma-part that holds it, and a part with no figure of its own ("截至2017年底,",
    "《条例》实施以来,") passes it on to the next; a part that opens with 其中 divides the figure before it, so
    it shares its period. Other figures of the sentence stay the report year's:

    >>> s = "2020年,在厅网站公开信息2100余条,微信公众平台累计发布信息1465条,共举办新闻发布会10次"
    >>> governed_by_another_period(s, s.index("1465"), 2020), governed_by_another_period(s, s.index("10次"), 2020)
    (True, False)
    >>> s = "截至2017年底,累计受理申请100件,其中网上申请50件"
    >>> governed_by_another_period(s, s.index("50"), 2017)
    True

    累计 in the statement that a sentence's opening report year leads into ("2018年,…累计357条", no other start
    named) sums that year; a 累计 further on in the sentence does not (the first example). 截至 the end of the
    report year counts the year, when it names that year or the sentence names an opening inside it:

    >>> s = "2018年,我厅网站主动公开政府信息累计357条"
    >>> governed_by_another_period(s, s.index("357"), 2018), governed_by_another_period(s, s.index("357"), 2019)
    (False, True)
    >>> s = "2016年10月开通“河北工信”微信公众号,截至12月末发布信息260条"
    >>> governed_by_another_period(s, s.index("260"), 2016), governed_by_another_period("截至12月末发布信息260条", 10, 2016)
    (False, True)
    >>> s = "截至2017年12月31日,通过政府网站公开政府信息34920条"
    >>> governed_by_another_period(s, s.index("349"), 2017), governed_by_another_period(s, s.index("349"), 2018)
    (False, True)
    """
    governed = previous_has_figure = False
    for part in _PART.finditer(sentence):
        if part.start() > position:
            break
        text = part.group(0)
        carried = governed and (_CONTINUES.match(text) is not None or not previous_has_figure)
        governed = carried or _speaks_of_another_period_in(text, part.start(), sentence, year)
        previous_has_figure = _FIGURE.search(text) is not None
    return governed


def _speaks_of_another_period_in(part: str, part_start: int, sentence: str, year: int | None) -> bool:
    words = {m.group(0) for m in _OTHER_PERIOD.finditer(part)}
    if not words or _THIS_YEARS_TOTAL.search(part):
        return False
    opening = OPENING_YEAR.match(sentence)
    if words == {"累计"} and opening is not None and opening.end() == part_start and int(opening.group(1)) == year:
        return False  # "2018年,我厅网站主动公开政府信息累计357条": the statement the report year opens sums the year
    return not (words <= {"截至", "截止"} and year is not None and _counts_the_report_year(part, sentence, year))


def _counts_the_report_year(part: str, sentence: str, year: int) -> bool:
    """截至 the end of the report year, named with its year ("截至2017年12月31日") or counted from an opening
    the sentence names inside that year ("2016年10月开通…,截至12月末"): the year's figure."""
    until = _UNTIL_YEAR_END.search(part)
    if until is None:
        return False
    if until.group("year") is not None:
        return int(until.group("year")) == year
    opening = rf"{year}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?(?:正式)?(?:开通|上线|启用|开设|创建|建成)"
    return re.search(opening, sentence) is not None
