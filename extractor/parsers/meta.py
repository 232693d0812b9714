"""Report metadata from the text itself (never the file name): entity, level, year, template, published_on.

    >>> meta = parse_meta("当前位置: 首页\\n2018年龙泉市政府信息公开年度报告\\n生成时间:2019-02-26 11:35:15\\n汇总19个乡镇(街道)")
    >>> meta["entity"], meta["level"], meta["year"], meta["published_on"], meta["template"]
    ('龙泉市', 'county', 2018, '2019-02-26', 'legacy')
    >>> parse_meta("河北省教育厅2021年政府信息公开工作年度报告\\n信息内容 本年制发件数")["level"]
    'department'
"""

from __future__ import annotations

import re
from typing import Any

from extractor.parsers.table_2019 import version_of

_TITLE = re.compile(
    r"(?P<before>[^\n。,:;]{0,40}?)\s*(?P<year>(?:19|20)\d\d)\s*年度?\s*(?P<after>[^\n。,:;]{0,30}?)\s*"
    r"(?:政府信息公开|政务公开)[^\n。]{0,12}?(?:年度报告|工作报告|年报|报告|总结)")
_PERIOD = re.compile(r"统计期限(?:为|是|自|从)?\s*((?:19|20)\d\d)\s*年")
_PLACE = r"[\u4e00-\u9fff]{1,12}?(?:省|自治区|市|自治州|州|盟|地区|县|自治县|旗|区|镇|乡|街道)"
_BODY = r"[\u4e00-\u9fff]{2,30}?(?:厅|局|委员会|委|办公厅|办公室|办|署|院|中心|政府)"
_DEPARTMENT_END = re.compile(r"(?:厅|局|委员会|委|办公厅|办公室|办|署|院|中心|所|站|馆|队)$")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


def parse_meta(text: str) -> dict[str, Any]:
    """Entity, level, year, published_on and template, each None (template 'unknown') when not found."""
    head = text[:1500]
    entity, year = None, None
    title = _TITLE.search(head)
    if title:
        year = int(title.group("year"))
        entity = _entity_from(title.group("before")) or _entity_from(title.group("after"))
    if year is None:
        period = _PERIOD.search(text)
        year = int(period.group(1)) if period else _first_year(head)
    if entity is None:
        entity = _entity_from_body(head)
    template = _template(text, year)
    return {"entity": entity, "level": _level(entity, text), "year": year,
            "published_on": _published_on(text), "template": template}


def _entity_from(fragment: str) -> str | None:
    fragment = re.sub(r"^.*(?:当前位置|首页|>|\|)\s*", "", fragment).strip(" ()（）【】")
    fragment = re.sub(r"关于|印发|发布|^[年度]+", "", fragment)
    match = re.search(rf"({_BODY}|{_PLACE})$", fragment) or re.search(rf"^({_BODY}|{_PLACE})", fragment)
    if not match:
        return None
    name = match.group(1)
    government = re.fullmatch(rf"({_PLACE})人民政府", name)
    return government.group(1) if government else name


def _entity_from_body(head: str) -> str | None:
    for pattern in (r"发布机构[::]\s*(" + _BODY + ")", r"(?:汇总|在)\s*(?:19|20)\d\d\s*年度?\s*(" + _PLACE + ")",
                    r"(?:^|[\s,。:;(])((?:[\u4e00-\u9fff]{1,5}(?:省|自治区|市))[\u4e00-\u9fff]{1,12}?(?:厅|局|委员会|办公厅))",
                    r"^(" + _BODY + r")\s*$"):
        match = re.search(pattern, head, re.M)
        if match:
            return _entity_from(match.group(1)) or match.group(1)
    return None


def _first_year(head: str) -> int | None:
    match = re.search(r"((?:19|20)\d\d)\s*年", head)
    return int(match.group(1)) if match else None


def _level(entity: str | None, text: str) -> str | None:
    if not entity:
        return None
    if _DEPARTMENT_END.search(entity) and not entity.endswith("政府"):
        return "department"
    if entity.endswith(("省", "自治区")) or entity in _MUNICIPALITIES:
        return "province"
    if entity.endswith(("县", "旗", "区")):
        return "county"
    if entity.endswith(("镇", "乡", "街道")):
        return "township"
    if entity.endswith(("州", "盟", "地区")):
        return "city"
    if entity.endswith("市"):
        # a prefecture-level city reports on its counties and districts; a county-level city on townships
        return "city" if re.search(r"县\s*[(（]?\s*(?:市|区)|各县|县区|区县", text[:6000]) else "county"
    return "other"


def _template(text: str, year: int | None) -> str:
    version = version_of(text)
    if version:
        return version
    if re.search(r"本年新收政府信息公开申请数量|收到和处理政府信息公开申请情况", text):
        return "gov2021" if year and year >= 2021 else "gov2019"
    if re.search(r"主动公开政府信息数|收到申请数|受理政府信息公开申请总数|主动公开文件数", text):
        return "legacy"
    if year is None:
        return "unknown"
    return "legacy" if year <= 2018 else ("gov2019" if year <= 2020 else "gov2021")


_ISO = re.compile(r"(?:发布|生成|成文|印发|更新)?(?:时间|日期)\s*[::]\s*((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
_STAMP = re.compile(r"((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})\s+\d{1,2}:\d{2}")
_CN_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"0": "0", "O": "0", "o": "0"}
_CN_NUMERAL_DATE = re.compile(r"([〇○零一二三四五六七八九0Oo]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _published_on(text: str) -> str | None:
    """The posting date the page states, else the signature date in the report's last lines."""
    posted = _ISO.search(text[:1500]) or _STAMP.search(text[:800])
    if posted:
        return _iso(*posted.groups())
    tail = text[-400:]
    dates = list(_CN_DATE.finditer(tail))
    if dates:
        return _iso(*dates[-1].groups())
    numeral = list(_CN_NUMERAL_DATE.finditer(tail.replace("○", "〇").replace("零", "〇")))
    if numeral:
        year_text, month, day = numeral[-1].groups()
        year = "".join(_CN_DIGITS.get(c, "") for c in year_text)
        if len(year) == 4:
            return _iso(year, str(_small_numeral(month)), str(_small_numeral(day)))
    return None


def _small_numeral(numeral: str) -> int:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + digits[numeral[1]]
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return digits[tens] * 10 + (digits[ones] if ones else 0)
    return digits[numeral]


def _iso(year: str, month: str, day: str) -> str | None:
    m, d = int(month), int(day)
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{int(year):04d}-{m:02d}-{d:02d}"
