"""The commonest prose statements of the table quantities, and stated zeros.

Each rule reads one clause (text between 。；, or a line break). A clause that names another year yields
nothing; a period word (累计, 历年, 以来, 截至, 同比, 上年) silences the figures of the comma-part that holds it
(`extractor.textrules.governed_by_another_period`), and an approximation (300余, 近百, 约) its own number:
null beats wrong.

    >>> found = parse_prose("2018年,全市共受理政府信息公开申请25件。", "stats_legacy", 2018)
    >>> [(v.path, v.value, v.quote) for v in found.values]
    [('stats_legacy.requests.received', 25, '受理政府信息公开申请25件')]
    >>> [v.path for v in parse_prose("《条例》实施以来累计主动公开政府信息373127条。", "stats_legacy", 2017).values]
    []
    >>> text = "2020年,在厅网站主动公开各类文件信息2100余条,“河北人社”微信公众平台累计发布信息1465条,共举办参加新闻发布会10次。"
    >>> [(v.path, v.value) for v in parse_prose(text, "stats_legacy", 2020).values]
    [('stats_legacy.responses.press_conferences', 10)]
    >>> [(v.path, v.value) for v in parse_prose("本年度未发生政府信息公开行政复议、行政诉讼案件。", "stats_2019", 2022).values]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('stats_2019.appeals.reconsideration.total', 0), ('stats_2019.appeals.litigation_direct.total', 0),
     ('stats_2019.appeals.litigation_after_reconsideration.total', 0)]

Counts stated as matters with their result, and zeros stated as a free service, are read too:

    >>> text = "2016年,某厅收到2份以信函形式提出的信息公开申请;全部免费为申请人提供政府信息。"
    >>> [(v.path, v.value) for v in parse_prose(text, "stats_legacy", 2016).values]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('stats_legacy.requests.received', 2), ('stats_legacy.requests.channels.letter', 2),
     ('stats_legacy.operations.fees_collected', 0)]

Channels are read where the report names one on its own: an official account, a website.

    >>> [(v.path, v.value) for v in parse_prose("“某某发布”微信公众号坚持每日推送,全年发布信息1234篇。", "stats_2019", 2023).values]
    [('stats_legacy.proactive.channels.wechat', 1234)]
    >>> [v.path for v in parse_prose("全年通过“某某发布”微信公众号、政务微博发布信息1234条。", "stats_2019", 2023).values]
    []
    >>> [(v.path, v.value) for v in parse_prose("2016年共发布信息987条,其中政府网站公开政府信息数654条。", "stats_legacy", 2016).values]
    [('stats_legacy.proactive.total', 987), ('stats_legacy.proactive.channels.website', 654)]

Which key a quantity goes to depends on the statistics block of the report's format (`block`, from the format
registry): a 2019/2021 report's tables have cells for requests and appeals (`stats_2019`), but none for
proactive totals or policy interpretations (`stats_legacy`).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from extractor.records import FieldValue, ParseResult
from extractor.textrules import governed_by_another_period, is_approximate, mentions_another_year

N = r"(?P<n>\d+)"
_CHANNEL_WORDS = r"网站|网|微博|微信|渠道|平台|公报|新媒体|栏目|专栏|客户端"
_CLAUSE = re.compile(r"[^。;!?\n]+")
_SECTION_HEADING = re.compile(r"(?<![一二三四五六七八九十第])[一二三四五六七八九十]{1,2}、(?=[^。;!?\n,]{2,30}?(?:情况|事项))")
"""A section heading of the report ("三、收到和处理政府信息公开申请情况") run together with the text before it, as a
flattened table leaves it: a new clause starts there."""
_LOOK_BACK = 40
"""How far before a figure the rules look for a word that qualifies it (约, 通过…网站): a bounded window, so
that a text with no sentence punctuation costs time in proportion to its length, not its square."""
_SENTENCE_WINDOW = 400
"""How far from a website figure the rest of its sentence is searched for other channels' figures."""


@dataclass(frozen=True)
class ProseRule:
    """A statement pattern and the key its number fills; `zero` rules state a 0 with no digit."""

    legacy_key: str | None
    modern_key: str | None
    pattern: str
    zero: bool = False
    money_per_yuan: bool = False


_UPHELD_MATTERS = (
    rf"(?:政府信息公开|依申请公开|信息公开)[^。;]{{0,30}}?(?:处理|办理|受理|收到|发生)(?:了)?{N}\s*(?:件|起|宗|个)"
    r"(?:属于?|为)?维持(?:原)?具体行政行为的行政复议(?:事项|案件)"
)
_PICTURES_AND_TEXT = r"图文(?:[(（][^)）]{1,6}[)）])?(?:信息|消息)?"
"""An account's posts: 图文消息, 图文(含视频)信息."""
_L = "stats_legacy."
_M = "stats_2019."
_TOTAL = _L + "proactive.total"
_WEBSITE = _L + "proactive.channels.website"
RULES = [
    ProseRule(
        _L + "proactive.total",
        _L + "proactive.total",
        rf"^(?:(?!{_CHANNEL_WORDS}).)*?主动公开(?:各类|各种)?(?:政府)?信息(?:总数|总量|数)?(?:共计?|合计|为)?{N}\s*(?:条|件)",
    ),
    # a list of channels closed by 等各类渠道 is every channel together: "通过网站、报纸、微博及微信等各类渠道主动公开政府信息55655条"
    ProseRule(_TOTAL, _TOTAL, rf"等(?:各类|多种|各种)?(?:渠道|途径|方式|平台)主动公开(?:各类)?(?:政府)?信息(?:共计?)?{N}\s*条"),
    # "2017年共发布信息1669条": the year's figure with no channel named before it
    ProseRule(
        _TOTAL,
        _TOTAL,
        rf"^(?:(?!{_CHANNEL_WORDS}).)*?(?:全年|本年度?|(?:19|20)\d\d\s*年度?)(?:共|累计)?(?:公开|发布)(?:各类|各种)?(?:政府)?信息"
        rf"(?:共计?)?{N}\s*条",
    ),
    ProseRule(_L + "proactive.normative_docs", None, rf"其中(?:主动公开)?(?:的)?规范性文件(?:公开)?{N}\s*(?:条|件)"),
    # "门户网站主动公开政务信息664件", "厅网站全年发布新闻、文件等信息733条", "政府网站公开政府信息数774条"
    ProseRule(
        _WEBSITE,
        _WEBSITE,
        rf"(?:政府|门户|官方|[厅局委])网站(?:平台)?(?:上)?(?:全年|本年度?)?(?:主动)?(?:公开|发布|推送)(?:了)?"
        rf"(?:[^,。;:]{{0,30}}?等)?(?:各类|各种)?(?:政府|政务|文件)?信息(?:数量?)?(?:共计?|累计)?{N}\s*(?:条|篇|件|$)",
    ),
    ProseRule(
        _L + "proactive.channels.other",
        _L + "proactive.channels.other",
        rf"(?:其他|其它)(?:渠道|方式|途径)(?:主动)?公开(?:各类)?(?:政府)?信息(?:共计?)?{N}\s*条",
    ),
    ProseRule(
        _L + "requests.received",
        _M + "requests.new_received.total",
        rf"(?:受理|收到|接收|接到)(?:[^,。;:咨询]{{0,10}}?)(?:政府信息公开|依申请公开|信息公开)(?:的)?(?:申请|信息)?(?:事项|件)?"
        rf"(?:共计?|合计)?{N}\s*(?:件|条|个|份|宗)",
    ),
    # the number first, the channel between it and the noun: "收到2份以信函形式提出的信息公开申请"
    ProseRule(
        _L + "requests.received",
        _M + "requests.new_received.total",
        rf"(?:受理|收到|接收|接到)(?:了)?{N}\s*(?:份|件|个|宗)(?:[^,。;:咨询]{{0,12}}?)(?:政府信息公开|依申请公开|信息公开)(?:的)?申请",
    ),
    # "(信息公开申请1件,)办理答复1件": the answers of the requests the clause counts
    ProseRule(_L + "requests.answered", None, rf"(?:政府信息公开|依申请公开|信息公开)申请[^。;]{{0,20}}?办理答复(?:共计?)?{N}\s*件"),
    ProseRule(
        _L + "appeals.reconsideration.total",
        _M + "appeals.reconsideration.total",
        rf"(?<!复议后提起)行政复议(?:案件)?(?:共计?)?{N}\s*(?:件|起|宗|个)",
    ),
    # a number of matters with their result, in a clause about disclosure: "在依申请公开政府信息中,…处理3件属维持具体
    # 行政行为的行政复议事项" states the total and that all were upheld
    *(
        ProseRule(_L + f"appeals.reconsideration.{part}", _M + f"appeals.reconsideration.{part}", _UPHELD_MATTERS)
        for part in ("total", "upheld")
    ),
    ProseRule(_L + "appeals.litigation.total", None, rf"(?<![复议][和及与、])行政诉讼(?:案件)?(?:共计?)?{N}\s*(?:件|起|宗|个)"),
    ProseRule(
        _L + "responses.policy_interpretations",
        _L + "responses.policy_interpretations",
        rf"(?:发布|制作|推出|开展|刊发|编发)(?:了)?[^,。;]{{0,8}}?政策解读(?:稿件|材料|信息|文章|产品)?(?:共计?)?"
        rf"{N}\s*(?:篇|条|件|期|个|次)",
    ),
    ProseRule(
        _L + "responses.policy_interpretations",
        _L + "responses.policy_interpretations",
        rf"(?:发布|刊发|编发)(?:政策)?解读(?:类)?(?:信息|稿件|材料|文章)(?:共计?)?{N}\s*(?:篇|条|件)",
    ),
    ProseRule(
        _L + "responses.policy_interpretations",
        _L + "responses.policy_interpretations",
        rf"(?:^|[,])(?:政策)?解读(?:类)?(?:信息|稿件|材料)(?:发布|刊发)(?:共计?)?{N}\s*(?:篇|条|件)",
    ),
    # an item of a list of what was published: "发布政策类文件89条、重要政策文件解读20条", "其中,文件类47件,政策解读12个"
    ProseRule(
        _L + "responses.policy_interpretations",
        _L + "responses.policy_interpretations",
        rf"(?:^|[,、])(?:重要|重大|重点)?政策(?:性)?(?:文件)?解读(?:类)?(?:稿件|材料|信息|文章)?(?:共计?)?{N}\s*(?:篇|条|件|个)",
    ),
    ProseRule(
        _L + "responses.press_conferences",
        _L + "responses.press_conferences",
        rf"(?<!负责同志参加)(?<!负责人参加)(?<!领导参加)新闻发布会(?:共计?)?{N}\s*(?:场|次)",
    ),
    ProseRule(
        _L + "responses.press_conferences", _L + "responses.press_conferences", rf"(?:召开|举办)(?:或参加)?(?:了)?{N}\s*(?:场|次)新闻发布会"
    ),
    ProseRule(
        _L + "responses.online_interviews",
        _L + "responses.online_interviews",
        rf"(?:在线|网络)访谈(?:活动|节目)?(?:共计?)?{N}\s*(?:次|期|场)",
    ),
    ProseRule(
        _L + "responses.hotspots",
        _L + "responses.hotspots",
        rf"回应(?:公众|社会)?(?:关注)?(?:的)?热点(?:问题)?(?:和|或|及|、)?(?:重大)?舆情(?:共计?)?{N}\s*(?:次|件|条)",
    ),
    # "回应公众关注的我省产业结构调整、…等方面的热点20次"
    ProseRule(
        _L + "responses.hotspots",
        _L + "responses.hotspots",
        rf"回应(?:公众|社会)(?:关注)?的[^,。;]{{1,40}}?等方面的热点(?:问题)?(?:共计?)?{N}\s*(?:次|件|条)",
    ),
    ProseRule(_L + "responses.weibo_wechat", _L + "responses.weibo_wechat", rf"微博微信回应(?:事件)?{N}\s*(?:次|件)"),
    ProseRule(
        _L + "proactive.channels.weibo",
        _L + "proactive.channels.weibo",
        rf"(?<![、和及与])政务微博(?:主动)?(?:公开|发布)(?:政府)?(?:信息)?(?:共计?)?{N}\s*(?:条|$)",
    ),
    ProseRule(
        _L + "proactive.channels.wechat",
        _L + "proactive.channels.wechat",
        rf"(?<![、和及与])政务微信(?:主动)?(?:公开|发布)(?:政府)?(?:信息)?(?:共计?)?{N}\s*(?:条|$)",
    ),
    # an official account named on its own: "“某某发布”微信公众号坚持每日推送,全年发布信息1000篇"; an account listed
    # with another channel ("网站、微信公众号发布…", "微信公众号、政务微博发布…") counts both, so it is no wechat figure
    ProseRule(
        _L + "proactive.channels.wechat",
        _L + "proactive.channels.wechat",
        rf"(?<![、和及与”])(?:“[^”]{{1,12}}”)?微信(?:公众号|公众平台)(?:(?!{_CHANNEL_WORDS}|视频号|抖音|头条)[^。;]){{0,20}}?"
        rf"(?:公开|发布|推送)(?:了)?(?:各类)?(?:政府|政务)?(?:信息|文章|稿件|{_PICTURES_AND_TEXT})(?:共计?)?{N}\s*(?:条|篇)",
    ),
    ProseRule(_L + "requests.channels.online", _L + "requests.channels.online", rf"(?:网上|网络|在线)申请{N}\s*(?:件|条)"),
    ProseRule(_L + "requests.channels.in_person", _L + "requests.channels.in_person", rf"(?:当面|现场)申请{N}\s*(?:件|条)"),
    ProseRule(_L + "requests.channels.letter", _L + "requests.channels.letter", rf"(?<![、和及与或])信函申请{N}\s*(?:件|条)"),
    ProseRule(
        _L + "requests.channels.letter",
        _L + "requests.channels.letter",
        rf"(?:收到|受理|接到)(?:了)?{N}\s*(?:份|件)(?:以|通过)信函(?:形式|方式)?(?:提出|提交)的",
    ),
    ProseRule(_L + "requests.outcomes.granted", None, rf"(?<!部分)(?<!不)(?<!不予)同意公开(?:答复)?{N}\s*件"),
    ProseRule(_L + "requests.outcomes.already_public", None, rf"属于已主动公开(?:范围)?(?:的)?(?:信息)?{N}\s*(?:件|条)"),
    ProseRule(_L + "requests.outcomes.not_this_agency", None, rf"不属于本(?:行政)?机关公开(?:范围)?(?:的)?(?:信息)?{N}\s*(?:件|条)"),
    ProseRule(_L + "requests.outcomes.not_exist", None, rf"申请(?:的)?信息不存在{N}\s*(?:件|条)"),
    ProseRule(_L + "requests.outcomes.other_channel", None, rf"告知(?:通过)?其他途径办理{N}\s*(?:件|条)"),
    ProseRule(
        _L + "operations.fees_collected",
        _L + "operations.fees_collected",
        rf"收取[^。;,]{{0,16}}?(?:费用?|处理费)(?:共计?)?{N}\s*元",
        money_per_yuan=True,
    ),
    ProseRule(
        _L + "operations.fees_collected",
        _L + "operations.fees_collected",
        r"(?:未|没有|不)(?:向[^。;,]{0,12}?)?(?:发生|收取)(?:任何)?[^。;,]{0,16}?(?:费用|收费|处理费)",
        zero=True,
    ),
    ProseRule(
        _L + "operations.fees_collected",
        _L + "operations.fees_collected",
        r"无向[^。;,]{0,16}?(?:进行)?收费|(?:没有|未发生)任何收费|(?:政府信息公开|依申请公开|信息公开)[^。;,]{0,6}?(?:没有|未|不)收费",
        zero=True,
    ),
    # "全部免费为申请人提供政府信息": information given to applicants free of charge
    ProseRule(
        _L + "operations.fees_collected",
        _L + "operations.fees_collected",
        r"免费(?:为|向)申请人提供|(?:为|向)申请人免费提供",
        zero=True,
    ),
    ProseRule(
        _L + "operations.fees_waived",
        None,
        r"(?:未|没有|不)(?:发生|收取)[^。;]{0,20}?(?:收费|收取)?(?:和|及|与|、)(?:减免|免费)",
        zero=True,
    ),
    ProseRule(
        _L + "requests.received",
        _M + "requests.new_received.total",
        r"(?:未|没有)(?:收到|受理|接到)(?:任何)?[^。;,]{0,12}?(?:政府信息公开|依申请公开|信息公开|公开政府信息)(?:政府信息)?(?:的)?"
        r"(?:申请|事项(?!的?(?:投诉|举报|咨询|复议|诉讼)))",
        zero=True,
    ),
]
_ZERO_APPEALS = re.compile(r"(?:未|没有|无)(?:发生|出现|产生|收到|接到)?[^。;]{0,30}?行政复议")
_ZERO_LITIGATION = re.compile(r"(?:未|没有|无)(?:发生|出现|产生|收到|接到)?[^。;]{0,40}?行政诉讼")


def parse_prose(text: str, block: str, year: int | None) -> ParseResult:
    """Read prose statements of table quantities from the whole text (see module docstring); `block` is the
    statistics block of the report's format, 'stats_2019' or 'stats_legacy'."""
    modern = block == "stats_2019"
    found: dict[str, list[FieldValue]] = defaultdict(list)
    lone_website: list[FieldValue] = []
    points = _channel_points(text)
    for clause_start, body in _clauses(text):
        if not _WORTH_READING.search(body) or mentions_another_year(body, year):
            continue
        has_digit = _DIGIT.search(body) is not None
        zeros = _zero_appeals(body, clause_start, modern) if "复议" in body or "诉讼" in body else []
        zeros = [zero for zero in zeros if not governed_by_another_period(body, zero.start - clause_start, year)]
        for rule in RULES:
            key = rule.modern_key if modern else rule.legacy_key
            if key is None or not (rule.zero or has_digit):
                continue
            if any(zero.path == key for zero in zeros):
                continue  # "受理行政复议1起…没有因政府信息公开而被提起的行政复议": the 1 is not about disclosure
            for match in _compiled(rule.pattern).finditer(body):
                value = _value(rule, match, body)
                if value is not None and not governed_by_another_period(body, match.start("n" if not rule.zero else 0), year):
                    start = clause_start + match.start()
                    channel = _point_channel(points, start)
                    if key == _TOTAL and channel is not None:
                        if not channel:
                            continue  # a channel the statistics have no key for (客户端): not the body's total
                        key_here = channel
                    else:
                        key_here = key
                    field = FieldValue(key_here, value, match.group(0), start, clause_start + match.end())
                    if key_here == _WEBSITE and channel is None and not _website_is_a_channel(text, clause_start, body, match):
                        lone_website.append(field)
                    else:
                        found[key_here].append(field)
        for zero in zeros:
            found[zero.path].append(zero)
    _place_lone_website_figures(found, lone_website)
    if _LETTER_OR_FAX.search(text):
        found.pop(_L + "requests.channels.letter", None)  # the report counts letters and faxes as one channel
    values: list[FieldValue] = []
    warnings: list[str] = []
    for key, candidates in found.items():
        distinct = {v.value for v in candidates}
        if len(distinct) == 1:
            values.append(candidates[0])
        else:
            warnings.append(f"{key}: the prose states different figures ({', '.join(map(str, sorted(distinct)))}); left null")
    return ParseResult(tuple(values), tuple(warnings))


def _clauses(text: str) -> Iterator[tuple[int, str]]:
    """The clauses of `text`: runs between 。;!? and line breaks, cut again before a run-together section heading.

    A flattened table runs into the next section, so the table's 上一年项目数量 would make the next section's
    statement a clause about another period; cut at the heading, the statement is read:

    >>> list(_clauses("行政许可上一年项目数量12三、收到和处理政府信息公开申请情况本年未收到申请。"))
    [(0, '行政许可上一年项目数量12'), (13, '三、收到和处理政府信息公开申请情况本年未收到申请')]

    Enumerations that are not headings stay whole ("一、二季度", a heading word needs 情况 or 事项 soon after):

    >>> list(_clauses("2016年一、二季度受理申请14件"))
    [(0, '2016年一、二季度受理申请14件')]
    """
    for clause in _CLAUSE.finditer(text):
        start = clause.start()
        for heading in _SECTION_HEADING.finditer(text, start + 1, clause.end()):
            yield start, text[start : heading.start()]
            start = heading.start()
        yield start, text[start : clause.end()]


_POINT_TITLE = re.compile(
    r"(?:^|(?<=[\n。])|(?<=\s\s))[^\S\n]*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.]|[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）])"
    r"[^。;,:：\d\n]{0,24}?(?P<channel>网站|微博|微信公众号|微信公众平台|公众号|微信|客户端|APP|政报|公报)\s*[。:：]"
)
"""A numbered point whose title is a channel: "3、“河北工信”政务微博。", "(二)门户网站:"."""
_SENTENCE_END = re.compile(r"[。\n]")
_CHANNEL_KEYS = {"网站": _WEBSITE, "微博": _L + "proactive.channels.weibo", "政报": _L + "proactive.channels.gazette"}
_CHANNEL_KEYS |= {"公报": _CHANNEL_KEYS["政报"], "客户端": "", "APP": ""}
_CHANNEL_KEYS |= dict.fromkeys(("微信公众号", "微信公众平台", "公众号", "微信"), _L + "proactive.channels.wechat")


def _channel_points(text: str) -> list[tuple[int, int, str]]:
    """The numbered points whose title names a channel: (body start, end of the body's first sentence, the
    channel's key, "" for a channel the statistics have no key for). The title governs the figures of the
    sentence that follows it (only that one: where the point ends is not always marked).

    >>> text = "2、工作动态。全年发布信息500条。3、“河北工信”政务微博。2016年发布信息300条。4、其他。"
    >>> [(text[start:end], key) for start, end, key in _channel_points(text)]
    [('2016年发布信息300条', 'stats_legacy.proactive.channels.weibo')]
    """
    points = []
    for title in _POINT_TITLE.finditer(text):
        end = _SENTENCE_END.search(text, title.end())
        points.append((title.end(), end.start() if end else len(text), _CHANNEL_KEYS[title.group("channel")]))
    return points


def _point_channel(points: list[tuple[int, int, str]], position: int) -> str | None:
    """The channel key of the channel point holding `position` ("" for an unkeyed channel), None outside them."""
    return next((key for start, end, key in points if start <= position < end), None)


_LETTER_OR_FAX = re.compile(r"信函[、/和及或]传真申请|传真[、/和及或]信函申请")
_WORTH_READING = re.compile(r"\d|未|没有|无|不|免费")
"""Every rule reads a number or a stated zero (未, 没有, 无, 不, 免费…): a clause with none of these is skipped."""
_DIGIT = re.compile(r"\d")
"""A rule that reads a number (not a stated zero) is tried only on a clause with a digit."""
_THROUGH_SITE = re.compile(r"(?:通过|依托|利用)[^,。;]{0,15}$")
_ON_SITE = re.compile(r"在[^,。;]{0,15}$")
_OTHER_CHANNEL_FIGURE = re.compile(
    r"(?:微博|微信|公众号|公报|客户端|新媒体|报刊|报纸|广播|电视|新闻发布会|头条号|抖音|视频号|其他(?:渠道|方式|途径))"
    r"[^。;\n]{0,30}?\d+\s*(?:条|篇|期|件|次)"
)


def _website_is_a_channel(text: str, clause_start: int, clause: str, match: re.Match[str]) -> bool:
    """A website figure is the website channel when the report says so; a lone one is the year's total.

    "通过县政府门户网站主动公开政府信息4511条" (through the website, one channel among others) and a sentence that
    also counts other channels ("厅门户网站推送信息2000条,…“河北人社”微信公众号推送信息1300条") give the channel;
    "2023年,我区在政府网站平台主动公开政府信息1136条" alone is how the report states its total; a website that
    is the subject ("厅门户网站发布…各类信息3301篇") is the channel; so is a figure of one kind of information
    ("在厅门户网站主动公开各类文件信息316条": files, not all the year's information).
    """
    before_figure = max(0, match.start() - _LOOK_BACK)
    if (
        _THROUGH_SITE.search(clause, before_figure, match.start())
        or "文件信息" in match.group(0)
        or not (_ON_SITE.search(clause, before_figure, match.start()) and "主动" in match.group(0))
    ):
        return True
    floor = max(0, clause_start + match.start() - _SENTENCE_WINDOW)
    start = max(text.rfind("。", floor, clause_start), text.rfind("\n", floor, clause_start), floor - 1) + 1
    figure_end = clause_start + match.end()
    window_end = figure_end + _SENTENCE_WINDOW
    ends = [i for i in (text.find("。", figure_end, window_end), text.find("\n", figure_end, window_end)) if i >= 0]
    sentence_end = min(ends) if ends else min(window_end, len(text))
    before, after = text[start : clause_start + match.start()], text[figure_end:sentence_end]
    return bool(_OTHER_CHANNEL_FIGURE.search(before) or _OTHER_CHANNEL_FIGURE.search(after))


def _place_lone_website_figures(found: dict[str, list[FieldValue]], lone: list[FieldValue]) -> None:
    """A lone website figure is the total unless the prose states a total of its own, of which it is then a part."""
    for field in lone:
        totals = {v.value for v in found.get(_TOTAL, [])}
        if not totals:
            found[_TOTAL].append(FieldValue(_TOTAL, field.value, field.quote, field.start, field.end, field.method))
        elif field.value not in totals:
            found[_WEBSITE].append(field)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _value(rule: ProseRule, match: re.Match[str], clause: str) -> int | float | None:
    if rule.zero:
        return 0
    if is_approximate(clause, match.start("n"), match.end()):
        return None
    number = int(match.group("n"))
    return number / 10000 if rule.money_per_yuan else number


# a comma-separated part, or a run-together section heading ("…(七)总计22四、政府信息公开行政复议…情况2019年…")
_HEADING = r"(?:[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\))"
_APPEAL_PARTS = re.compile(rf"{_HEADING}?(?:(?!{_HEADING})[^,])+")


def _zero_appeals(clause: str, offset: int, modern: bool) -> list[FieldValue]:
    """ "未发生…行政复议、行政诉讼" states zero appeals of each kind the clause names; a year is not a figure.

    >>> [(v.path, v.value) for v in _zero_appeals("(七)总计22四、行政复议、行政诉讼情况2019年未发生行政复议、行政诉讼案件", 0, False)]
    [('stats_legacy.appeals.reconsideration.total', 0), ('stats_legacy.appeals.litigation.total', 0)]
    """
    values: list[FieldValue] = []
    for part in _APPEAL_PARTS.finditer(clause):
        if not re.search(r"\d|纠错|纠正|败诉|被撤销", re.sub(r"(?:19|20)\d\d\s*年度?", "", part.group(0))):
            values.extend(_zero_appeals_in(part.group(0), offset + part.start(), modern))
    return values


def _zero_appeals_in(clause: str, offset: int, modern: bool) -> list[FieldValue]:
    values = []
    reconsideration = _ZERO_APPEALS.search(clause)
    litigation = _ZERO_LITIGATION.search(clause)
    if reconsideration:
        key = "stats_2019.appeals.reconsideration.total" if modern else "stats_legacy.appeals.reconsideration.total"
        values.append(FieldValue(key, 0, reconsideration.group(0), offset + reconsideration.start(), offset + reconsideration.end()))
    if litigation:
        keys = (
            ["stats_2019.appeals.litigation_direct.total", "stats_2019.appeals.litigation_after_reconsideration.total"]
            if modern
            else ["stats_legacy.appeals.litigation.total"]
        )
        values.extend(FieldValue(k, 0, litigation.group(0), offset + litigation.start(), offset + litigation.end()) for k in keys)
    if (reconsideration or litigation) and not modern and re.search(r"申诉|举报|投诉", clause):
        complaint = re.search(r"(?:未|没有|无)[^。;]*?(?:申诉|举报|投诉)", clause)
        if complaint:
            values.append(
                FieldValue("stats_legacy.appeals.complaints", 0, complaint.group(0), offset + complaint.start(), offset + complaint.end())
            )
    return values
