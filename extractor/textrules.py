"""Text rules shared by the parsers and grounding: is a number a figure of the report year, and is it exact?

A figure counts only when its clause speaks of the report year (not 累计, 以来, 上年, another year) and the
number is not an approximation (3000余, 近百, 约). The prose parsers and the check of a model's answer
(`extractor.grounding`) apply the same rules, so both live here, below both.

    >>> speaks_of_another_period("《条例》实施以来累计公开3万条", 2017)
    True
    >>> is_approximate("公开信息3000余条", 4, 8), is_approximate("公开信息3000条", 4, 8)
    (True, False)
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
