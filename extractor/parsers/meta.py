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

from extractor.entities import body_named_at_end, written_in_full
from extractor.parsers.formats import detect_template

_TITLE = re.compile(
    r"(?P<before>[^\n。,:;]{0,40}?)\s*(?P<year>(?:19|20)\d\d)\s*年度?\s*(?P<after>[^\n。,:;]{0,30}?)\s*"
    r"(?:政府信息公开|政务公开)[^。]{0,12}?(?:年度报告|工作报告|年报|报告|总结)"
)
_PERIOD = re.compile(r"统计期限(?:为|是|自|从)?\s*((?:19|20)\d\d)\s*年")
_PLACE = r"[\u4e00-\u9fff]{1,12}?(?:省|自治区|市|自治州|州|盟|地区|县|自治县|旗|区|镇|乡|街道)"
_BODY = r"[\u4e00-\u9fff]{2,30}?(?:厅|局|委员会|委|办公厅|办公室|办|署|院|中心|政府)"
_DEPARTMENT_END = re.compile(r"(?:厅|局|委员会|委|办公厅|办公室|办|署|院|中心|所|站|馆|队)$")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


def parse_meta(text: str) -> dict[str, Any]:
    """Entity, level, year, published_on and template, each None (template 'unknown') when not found."""
    head = text[:1500]
    entity, year = None, None
    title = _title(head)
    if title:
        year = int(title.group("year"))
        entity = _entity_from(title.group("before")) or _entity_from(title.group("after"))
    if year is None:
        period = _PERIOD.search(text)
        year = int(period.group(1)) if period else _first_year(head)
    signer, signed_on = _signature(text, year)
    if entity is None:
        entity = _entity_from_body(head, signer)
    if entity is not None:
        entity = written_in_full(entity, text)
    template = _template(text, year)
    return {
        "entity": entity,
        "level": _level(entity, text),
        "year": year,
        "published_on": _posted_on(head) or signed_on,
        "template": template,
    }


def names_a_report(text: str) -> bool:
    """Whether the text presents itself as a disclosure report: the report's title near its start, or the
    headings of the national form's tables (a news page that mentions a year does neither).

    >>> names_a_report("灵山县2017年政府信息公开工作年度报告"), names_a_report("2023年3月12日,市政府召开春耕会议")
    (True, False)
    """
    return _title(text[:1500]) is not None or _template(text, None) != "unknown"


def _title(head: str) -> re.Match[str] | None:
    """The report's own title; never a title the text cites (《…关于做好2016年政府信息公开年度报告…的通知》)."""
    for title in _TITLE.finditer(head):
        if not re.search(r"《|关于|做好|转发|印发", title.group("before")):
            return title
    return None


def _entity_from(fragment: str) -> str | None:
    fragment = re.sub(r"^.*(?:当前位置|首页|>|\|)\s*", "", fragment).strip(" ()（）【】")
    fragment = re.sub(r"关于|印发|发布|^[年度]+", "", fragment)
    match = re.search(rf"({_BODY}|{_PLACE})$", fragment) or re.search(rf"^({_BODY}|{_PLACE})", fragment)
    if not match:
        return None
    name = match.group(1)
    government = re.fullmatch(rf"({_PLACE})人民政府", name)
    return government.group(1) if government else name


_ORG = (
    rf"(?:{_PLACE}|省|市|县|区)?[\u4e00-\u9fff]{{1,20}}?"
    r"(?:厅|局|委员会|委|办公厅|办公室|署|院|中心|人民政府|政府|领导小组)"
)
_SELF_NAMED = (
    # 本报告由河北省教育厅编制 / 河北省工业和信息化厅编写了《…》
    re.compile(rf"由\s*({_ORG})\s*(?:负责)?(?:编制|编写|起草)"),
    re.compile(rf"(?:^|[,。;\s])({_ORG})\s*编(?:制|写)了"),
    re.compile(r"发布机构[::]\s*(" + _BODY + ")"),
    re.compile(r"(?:汇总|在)\s*(?:19|20)\d\d\s*年度?\s*(" + _PLACE + ")"),
    # the opening of the first section: 2018年,河北省教育厅认真贯彻… / 2019年以来,河北省科学技术厅深入贯彻…
    re.compile(
        rf"(?<!\d)(?:19|20)\d\d\s*年(?:度|以来)?\s*[,]?\s*({_ORG})"
        r"(?=认真|坚持|深入|全面|积极|持续|始终|紧紧|高度|按照|严格|进一步|不断|紧密|紧扣|围绕|以习近平|聚焦)"
    ),
)


def _entity_from_body(head: str, signer: str | None) -> str | None:
    """The body's own name for itself: "由…编制", the signature above the closing date, the first section's subject."""
    candidates = [pattern.search(head, re.M) for pattern in _SELF_NAMED[:2]]
    names = [m.group(1) for m in candidates if m] + ([signer] if signer else [])
    names += [m.group(1) for m in (pattern.search(head) for pattern in _SELF_NAMED[2:]) if m]
    for name in names:
        entity = _clean_entity(name)
        if entity:
            return entity
    return None


def _clean_entity(name: str) -> str | None:
    """A name as written, minus what is not the body: a government's office or working group signs for the place."""
    name = re.sub(r"^(?:由|经|请联系)", "", name.strip())
    if re.match(r"[我本该各全]|(?:省|市|县|区|镇|乡)(?:人民)?政府", name) or len(name) < 3:
        return None
    place = re.fullmatch(rf"({_PLACE})(?:人民政府|政府)(?:办公室|办公厅)?", name) or re.fullmatch(
        rf"({_PLACE})(?:人民政府)?(?:政务公开|政府信息公开)[\u4e00-\u9fff]{{0,8}}(?:领导小组|办公室)", name
    )
    return place.group(1) if place else name


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
    detected = detect_template(text, year)
    if detected:
        return detected
    if year is None:
        return "unknown"
    return "legacy" if year <= 2018 else ("gov2019" if year <= 2020 else "gov2021")


_ISO = re.compile(
    r"(?<!统计)(?<!截止)(?<!数据)(?:发布|生成|成文|印发|更新)?(?:时间|日期)\s*[::]\s*"
    r"((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})"
)
_STAMP = re.compile(r"((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})\s+\d{1,2}:\d{2}")
_CN_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"0": "0", "O": "0", "o": "0"}
_CN_NUMERAL_DATE = re.compile(r"([〇○零一二三四五六七八九0Oo]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _posted_on(head: str) -> str | None:
    """The posting date a web page states in its head ("发布时间:2019-2-6"), never a period's first day."""
    for posted in (*_ISO.finditer(head), *_STAMP.finditer(head[:800])):
        if not _RANGE_AFTER.match(head, posted.end()):
            return _iso(*posted.groups())
    return None


_RANGE_AFTER = re.compile(r"\s*(?:起|开始)?\s*(?:至|到|止|-|~|—|－)")
_RANGE_BEFORE = re.compile(r"(?:截至|截止|至|到|自|从|于|在|为|期限|范围)\s*$")
_SIGNATURE_END = re.compile(r"\s*(?:$|\n|\||更多|打印|关闭|附件|扫一扫|分享|来源|责任编辑|相关|上一篇|下一篇|[(（])")
_CN_MONTH = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月(?!\s*\d)")


def _signature(text: str, year: int | None) -> tuple[str | None, str | None]:
    """The signature at the end of the report: the signing body and the date under it, each None when absent.

    A date counts only where it closes the text (or only page boilerplate follows), is not part of a period or
    range ("2019年1月1日至12月31日", "截至2019年12月31日") and is not before the report year; a signature dated
    only by month names the body but gives no date:

        >>> _signature("正文。\\n长兴县人民政府 2020年1月19日 |||| 打印 关闭", 2019)
        ('长兴县人民政府', '2020-01-19')
        >>> _signature("本报告统计期限为2019年1月1日至12月31日", 2019)
        (None, None)
        >>> _signature("正文。\\n某某县人民政府办公室\\n2020年1月", 2019)
        ('某某县人民政府办公室', None)

    A signature run together with the text before it and its date is read from the region its name starts with:

        >>> _signature("六、其他需要报告的事项无河北省人力资源和社会保障厅2021年1月27日更多信息请关注", 2020)
        ('河北省人力资源和社会保障厅', '2021-01-27')
    """
    tail = re.sub(r"[|\s]*\|[|\s]*", " | ", text[-3000:])[-500:].replace("○", "〇").replace("零", "〇")
    found: list[tuple[re.Match[str], int, str | None]] = []
    for match in _CN_DATE.finditer(tail):
        found.append((match, int(match.group(1)), _iso(*match.groups())))
    for match in _CN_NUMERAL_DATE.finditer(tail):
        year_text, month, day = match.groups()
        digits = "".join(_CN_DIGITS.get(c, "") for c in year_text)
        if len(digits) == 4:
            found.append((match, int(digits), _iso(digits, str(_small_numeral(month)), str(_small_numeral(day)))))
    for match in _CN_MONTH.finditer(tail):
        found.append((match, int(match.group(1)), None))
    for match, signed_year, date in sorted(found, key=lambda f: f[0].start(), reverse=True):
        if (
            _RANGE_AFTER.match(tail, match.end())
            or not _SIGNATURE_END.match(tail, match.end())
            or _RANGE_BEFORE.search(tail, 0, match.start())
        ):
            continue
        if year is not None and signed_year < year:
            continue
        if date is None and match.re is not _CN_MONTH:
            return None, None  # an impossible date closes the text: no date, and no signer to trust
        before = re.split(r"[。;!?,:\n|]|\s", tail[: match.start()].rstrip())[-1]
        signer = re.fullmatch(_ORG, before) if len(before) <= 25 else None
        return (signer.group(0) if signer else body_named_at_end(before[-40:])), date
    return None, None


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
