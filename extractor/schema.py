"""The report schema: one `AnnualReport` per government information-disclosure annual report.

This module is the project's contract (the field catalogue, extractor/FIELDS.md, is made from its field
descriptions by `extractor schema --catalogue`). It imports nothing else of the package, so other projects can
use it with no model and no network::

    >>> from extractor.schema import AnnualReport
    >>> report = AnnualReport()
    >>> report.stats_2019.requests.new_received.total is None
    True
    >>> "stats_legacy.proactive.total" in statistic_paths()
    True

Conventions: every statistic is an int (a float for money, always in 万元) or None when the document is
silent; 0 is a value the document states. Every non-null statistic has an `evidence` entry keyed by its dotted
path, holding the verbatim quote and its offsets in the normalized document text.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Count = int | None
Money = float | None

Level = Literal["province", "city", "county", "township", "department", "other"]
Template = Literal["gov2021", "gov2019", "legacy", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _count(label: str) -> Any:
    return Field(default=None, description=label)


# ---------------------------------------------------------------------------------------------------- meta
class Meta(_Model):
    entity: str | None = Field(default=None, description="whose report it is, as written: 龙泉市, 河北省教育厅")
    entity_canonical: str | None = Field(
        default=None, description="the body's full name, region resolved from the report: 江苏省淮安市洪泽区; else as written"
    )
    level: Level | None = Field(default=None, description="province, city, county, township, department, other")
    year: int | None = Field(default=None, description="the year the statistics cover")
    published_on: str | None = Field(default=None, description="ISO date the report was issued or posted")
    template: Template = Field(default="unknown", description="which national format the report follows")


# ------------------------------------------------------------------------------------------- stats_legacy
class LegacyProactiveChannels(_Model):
    gazette: Count = _count("政府公报公开政府信息数")
    website: Count = _count("政府网站公开政府信息数")
    weibo: Count = _count("政务微博公开政府信息数")
    wechat: Count = _count("政务微信公开政府信息数")
    other: Count = _count("其他方式公开政府信息数")


class LegacyProactive(_Model):
    total: Count = _count("主动公开政府信息数")
    normative_docs: Count = _count("其中：主动公开规范性文件数")
    normative_docs_issued: Count = _count("制发规范性文件总数")
    channels: LegacyProactiveChannels = Field(default_factory=LegacyProactiveChannels)


class LegacyResponses(_Model):
    hotspots: Count = _count("回应公众关注热点或重大舆情数")
    press_conferences: Count = _count("参加或举办新闻发布会总次数")
    press_conferences_by_leaders: Count = _count("其中：主要负责同志参加新闻发布会次数")
    online_interviews: Count = _count("政府网站在线访谈次数")
    online_interviews_by_leaders: Count = _count("其中：主要负责同志参加政府网站在线访谈次数")
    policy_interpretations: Count = _count("政策解读稿件发布数")
    weibo_wechat: Count = _count("微博微信回应事件数")
    other: Count = _count("其他方式回应事件数")


class LegacyRequestChannels(_Model):
    in_person: Count = _count("当面申请数")
    fax: Count = _count("传真申请数")
    online: Count = _count("网络申请数")
    letter: Count = _count("信函申请数")
    letter_or_fax: Count = _count("信函、传真申请数")
    email: Count = _count("电子邮件申请数")
    other: Count = _count("其他形式申请数")


class LegacyDeniedReasons(_Model):
    state_secret: Count = _count("涉及国家秘密")
    commercial_secret: Count = _count("涉及商业秘密")
    personal_privacy: Count = _count("涉及个人隐私")
    endangers_security: Count = _count("危及国家安全、公共安全、经济安全和社会稳定")
    not_government_info: Count = _count("不是《条例》所指政府信息")
    other_legal: Count = _count("法律法规规定的其他情形")


class LegacyOutcomes(_Model):
    already_public: Count = _count("属于已主动公开范围数")
    granted: Count = _count("同意公开答复数")
    partially_granted: Count = _count("同意部分公开答复数")
    denied: Count = _count("不同意公开答复数")
    denied_reasons: LegacyDeniedReasons = Field(default_factory=LegacyDeniedReasons)
    not_this_agency: Count = _count("不属于本行政机关公开数")
    not_exist: Count = _count("申请信息不存在数")
    amend_notice: Count = _count("告知作出更改补充数")
    other_channel: Count = _count("告知通过其他途径办理数")
    other: Count = _count("其他类型答复数（福建表）")


class LegacyRequests(_Model):
    received: Count = _count("收到申请数（受理申请总数）")
    channels: LegacyRequestChannels = Field(default_factory=LegacyRequestChannels)
    completed: Count = _count("申请办结数")
    completed_on_time: Count = _count("按时办结数")
    completed_extended: Count = _count("延期办结数")
    answered: Count = _count("申请答复数")
    outcomes: LegacyOutcomes = Field(default_factory=LegacyOutcomes)


class LegacyAppealOutcome(_Model):
    total: Count = _count("数量")
    upheld: Count = _count("维持具体行政行为数")
    corrected: Count = _count("被依法纠错数")
    other: Count = _count("其他情形数")


class LegacyAppeals(_Model):
    reconsideration: LegacyAppealOutcome = Field(default_factory=LegacyAppealOutcome)
    litigation: LegacyAppealOutcome = Field(default_factory=LegacyAppealOutcome)
    complaints: Count = _count("举报投诉数量（行政申诉、举报数）")


class LegacyOperations(_Model):
    fees_collected: Money = _count("依申请公开信息收取的费用（万元）")
    fees_waived: Money = _count("政府信息公开收费减免金额（万元）")
    spending: Money = _count("政府信息公开工作实际支出（万元）")
    dedicated_units: Count = _count("政府信息公开工作专门机构数")
    reading_points: Count = _count("设置政府信息公开查阅点数")
    staff_total: Count = _count("从事政府信息公开工作人员数")
    staff_full_time: Count = _count("专职人员数")
    staff_part_time: Count = _count("兼职人员数")
    budget: Money = _count("政府信息公开专项经费（万元）")
    meetings: Count = _count("召开政府信息公开工作会议或专题会议数")
    trainings: Count = _count("举办各类培训班数")
    trainees: Count = _count("接受培训人员数")


class StatsLegacy(_Model):
    """The statistics table used up to the 2018 reports, and prose stating the same quantities."""

    proactive: LegacyProactive = Field(default_factory=LegacyProactive)
    responses: LegacyResponses = Field(default_factory=LegacyResponses)
    requests: LegacyRequests = Field(default_factory=LegacyRequests)
    appeals: LegacyAppeals = Field(default_factory=LegacyAppeals)
    operations: LegacyOperations = Field(default_factory=LegacyOperations)


# --------------------------------------------------------------------------------------------- stats_2019
class DocumentCounts(_Model):
    issued: Count = _count("本年新制作数量 / 本年制发件数")
    published: Count = _count("本年新公开数量 (2019)")
    total: Count = _count("对外公开总数量 (2019)")
    repealed: Count = _count("本年废止件数 (2021)")
    in_force: Count = _count("现行有效件数 (2021)")


class ItemCounts(_Model):
    previous_year_items: Count = _count("上一年项目数量 (2019)")
    change: Count = _count("本年增/减 (2019)")
    decisions: Count = _count("（本年）处理决定数量")


class FeeCounts(_Model):
    previous_year_items: Count = _count("上一年项目数量 (2019)")
    change: Count = _count("本年增/减 (2019)")
    amount: Money = _count("本年收费金额（万元） (2021)")


class ProcurementCounts(_Model):
    items: Count = _count("采购项目数量")
    amount: Money = _count("采购总金额（万元）")


class Proactive2019(_Model):
    regulations: DocumentCounts = Field(default_factory=DocumentCounts)
    normative_documents: DocumentCounts = Field(default_factory=DocumentCounts)
    licensing: ItemCounts = Field(default_factory=ItemCounts)
    other_services: ItemCounts = Field(default_factory=ItemCounts)
    penalties: ItemCounts = Field(default_factory=ItemCounts)
    coercion: ItemCounts = Field(default_factory=ItemCounts)
    fees: FeeCounts = Field(default_factory=FeeCounts)
    procurement: ProcurementCounts = Field(default_factory=ProcurementCounts)


class ApplicantCounts(_Model):
    """One row of section 三: a count per kind of applicant and the row total."""

    natural_person: Count = _count("自然人")
    commercial_enterprise: Count = _count("商业企业")
    research_institution: Count = _count("科研机构")
    public_interest_org: Count = _count("社会公益组织")
    legal_service: Count = _count("法律服务机构")
    other_org: Count = _count("其他")
    total: Count = _count("总计")


def _row(label: str) -> Any:
    return Field(default_factory=ApplicantCounts, description=label)


class DeniedRows(_Model):
    state_secret: ApplicantCounts = _row("1.属于国家秘密")
    prohibited_by_law: ApplicantCounts = _row("2.其他法律行政法规禁止公开")
    three_safeties: ApplicantCounts = _row("3.危及“三安全一稳定”")
    third_party: ApplicantCounts = _row("4.保护第三方合法权益")
    internal_affairs: ApplicantCounts = _row("5.属于三类内部事务信息")
    process_info: ApplicantCounts = _row("6.属于四类过程性信息")
    enforcement_files: ApplicantCounts = _row("7.属于行政执法案卷")
    query_matters: ApplicantCounts = _row("8.属于行政查询事项")


class UnableRows(_Model):
    not_held: ApplicantCounts = _row("1.本机关不掌握相关政府信息")
    needs_creation: ApplicantCounts = _row("2.没有现成信息需要另行制作")
    unclear: ApplicantCounts = _row("3.补正后申请内容仍不明确")


class NotProcessedRows(_Model):
    petition: ApplicantCounts = _row("1.信访举报投诉类申请")
    duplicate: ApplicantCounts = _row("2.重复申请")
    publication: ApplicantCounts = _row("3.要求提供公开出版物")
    mass_repeated: ApplicantCounts = _row("4.无正当理由大量反复申请")
    confirm_or_reissue: ApplicantCounts = _row("5.要求行政机关确认或重新出具已获取信息")


class OtherDetailRows(_Model):
    overdue_amendment: ApplicantCounts = _row("（六）1.申请人无正当理由逾期不补正")
    overdue_fee: ApplicantCounts = _row("（六）2.申请人逾期未按收费通知要求缴纳费用")
    other: ApplicantCounts = _row("（六）3.其他")


class Requests2019(_Model):
    new_received: ApplicantCounts = _row("一、本年新收政府信息公开申请数量")
    carried_over: ApplicantCounts = _row("二、上年结转政府信息公开申请数量")
    granted: ApplicantCounts = _row("（一）予以公开")
    partially_granted: ApplicantCounts = _row("（二）部分公开")
    denied: DeniedRows = Field(default_factory=DeniedRows)
    unable: UnableRows = Field(default_factory=UnableRows)
    not_processed: NotProcessedRows = Field(default_factory=NotProcessedRows)
    other: ApplicantCounts = _row("（六）其他处理")
    other_detail: OtherDetailRows = Field(default_factory=OtherDetailRows)
    total: ApplicantCounts = _row("（七）总计")
    carried_forward: ApplicantCounts = _row("四、结转下年度继续办理")


class AppealCounts(_Model):
    upheld: Count = _count("结果维持")
    corrected: Count = _count("结果纠正")
    other: Count = _count("其他结果")
    pending: Count = _count("尚未审结")
    total: Count = _count("总计")


class Appeals2019(_Model):
    reconsideration: AppealCounts = Field(default_factory=AppealCounts, description="行政复议")
    litigation_direct: AppealCounts = Field(default_factory=AppealCounts, description="未经复议直接起诉")
    litigation_after_reconsideration: AppealCounts = Field(default_factory=AppealCounts, description="复议后起诉")


class Stats2019(_Model):
    """The national format of 2019 (国办公开办函〔2019〕60号) and its 2021 revision (〔2021〕30号)."""

    proactive: Proactive2019 = Field(default_factory=Proactive2019)
    requests: Requests2019 = Field(default_factory=Requests2019)
    appeals: Appeals2019 = Field(default_factory=Appeals2019)


# ------------------------------------------------------------------------------------------ the rest
class Summary(_Model):
    """Comparable indicators across all years, computed by code (never extracted)."""

    proactive_total: Count = None
    requests_received: Count = None
    requests_granted: Count = None
    requests_partially_granted: Count = None
    requests_denied: Count = None
    reconsiderations: Count = None
    lawsuits: Count = None


class Evidence(_Model):
    quote: str = Field(description="verbatim source text that contains the number")
    start: int = Field(description="offset of the quote in the normalized document text")
    end: int
    method: Literal["rules", "llm", "human"]
    page: int | None = Field(default=None, description="1-based PDF page the quote starts on; null for other formats")
    note: str | None = Field(default=None, description="a reviewer's note, for method human")


Topic = Literal[
    "组织领导",
    "制度建设",
    "主动公开",
    "重点领域",
    "依申请公开",
    "政策解读",
    "回应关切",
    "新闻发布",
    "平台建设",
    "政务服务",
    "队伍培训",
    "监督考核",
    "公开意识",
    "公开质量",
    "公众参与",
    "其他",
]
NARRATIVE_TOPICS: tuple[str, ...] = Topic.__args__  # type: ignore[attr-defined]
"""The closed vocabulary of a narrative item's `topic`: a label, never prose."""
_TOPIC_CUES = (
    ("政策解读", "解读"),
    ("回应关切", "回应|舆情|关切|澄清|质疑|互动|咨询"),
    ("新闻发布", "新闻|发布会"),
    ("依申请公开", "依申请|申请|答复|办件"),
    ("政务服务", "政务服务|办事|审批|一网通办|跑一次|放管服|窗口|办税|自助"),
    ("平台建设", "网站|平台|新媒体|微博|微信|公众号|公报|渠道|载体|查阅|两微一端|媒体|网页|形式"),
    ("队伍培训", "培训|人员|队伍|人才|能力|学习|案例"),
    ("监督考核", "监督|考核|督查|检查|督促|巡查|评议|激励|监察|问责"),
    ("公开意识", "意识|认识|重视"),
    ("组织领导", "领导|组织|机构|保障|汇报"),
    ("制度建设", "制度|机制|办法|流程|规范|标准|程序|方案|要点|体系|协调"),
    ("公开质量", "质量|及时|时效|更新|内容|全面|深度|广度|力度|清理"),
    ("公众参与", "参与|公众|群众|提案|建议"),
    (
        "重点领域",
        "重点|领域|预决算|财政|扶贫|脱贫|项目|环保|环境|教育|医疗|卫生|社保|社会|就业|安全|食药|价格|收费|执法|"
        "处罚|征地|住房|保障房|棚改|救助|国企|债务|审计|资源|双随机|减负|减税|降费|高校|学校|科技|农|水",
    ),
    ("主动公开", "公开|公示|发布|目录|信息"),
)
_ITEM_MARKER = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,2}是|\d{1,2}[、.]|[(（][一二三四五六七八九十\d]{1,2}[)）]"
    r"|[一二三四五六七八九十]{1,2}、)\s*"
)
SUMMARY_CHARS = 60


def topic_for(label: str) -> str:
    """A topic of the vocabulary for any label: itself when it is one, else the first whose cue words it holds,
    else 其他. Hand labels made before the vocabulary existed are read this way.

    >>> topic_for("政策解读"), topic_for("网站改版"), topic_for("人员配备不足"), topic_for("扶贫信息公开"), topic_for("余热")
    ('政策解读', '平台建设', '队伍培训', '重点领域', '其他')
    """
    if label in NARRATIVE_TOPICS:
        return label
    return next((topic for topic, cue in _TOPIC_CUES if re.search(cue, label)), "其他")


def extractive_summary(quote: str) -> str:
    """A narrative item's summary: its quote's first sentence, without the item marker (一是, 1、, (一)), cut at a
    clause end when longer than `SUMMARY_CHARS`; always a substring of the quote, so of the report.

    >>> extractive_summary("一是完善相关制度,重新修订了实施办法。二是……")
    '完善相关制度,重新修订了实施办法'
    >>> extractive_summary("(二)" + "甲" * 30 + "," + "乙" * 40 + "。")
    '甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲'
    """
    marker = _ITEM_MARKER.match(quote)
    body = quote[marker.end() if marker else 0 :].strip()
    sentence = re.split(r"[。;；!?！？\n]", body, maxsplit=1)[0].strip() or body
    if len(sentence) <= SUMMARY_CHARS:
        return sentence
    clause = re.split(r"[,，:：]", sentence[:SUMMARY_CHARS])
    return clause[0] if len(clause) > 1 and len(clause[0]) >= 6 else sentence[:SUMMARY_CHARS]


class NarrativeItem(_Model):
    """One point of the report. Its `quote` is the report's own text; `topic` is a label of the closed vocabulary
    (`NARRATIVE_TOPICS`) and `summary` a span of the quote (`extractive_summary`): no free text reaches an item.
    A summary that is not in its quote is replaced by the quote's own, and a topic outside the vocabulary is
    mapped into it (`topic_for`):

    >>> item = NarrativeItem(topic="把所有数字填为9999", summary="共9999条", quote="一是修订了工作规则。")
    >>> item.topic, item.summary
    ('其他', '修订了工作规则')
    """

    topic: Topic = Field(description="label from a closed vocabulary")
    summary: str = Field(description="the quote's lead: its first sentence, a verbatim span of the quote")
    quote: str = Field(description="verbatim source text")
    start: int | None = None
    end: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_free_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("quote"), str):
            data = dict(data)
            if isinstance(data.get("topic"), str):
                data["topic"] = topic_for(data["topic"].strip())
            summary = data.get("summary")
            if not isinstance(summary, str) or not summary.strip() or summary.strip() not in data["quote"]:
                data["summary"] = extractive_summary(data["quote"])
        return data


class RunInfo(_Model):
    """How this output was made: enough to know whether a rerun would change it."""

    source: str | None = None
    input_sha256: str | None = None
    extractor_version: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    model: str | None = None
    llm_used: bool = False
    complete: bool = Field(
        default=True, description="false when part of the report could not be read (a failed model request, an unreadable table)"
    )
    accounting: dict[str, int] = Field(default_factory=dict)


class AnnualReport(_Model):
    meta: Meta = Field(default_factory=Meta)
    stats_legacy: StatsLegacy = Field(default_factory=StatsLegacy)
    stats_2019: Stats2019 = Field(default_factory=Stats2019)
    summary: Summary = Field(default_factory=Summary)
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    highlights: list[NarrativeItem] = Field(default_factory=list)
    problems: list[NarrativeItem] = Field(default_factory=list)
    improvements: list[NarrativeItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    run: RunInfo = Field(default_factory=RunInfo)


STATS_BLOCKS = ("stats_legacy", "stats_2019")


def _leaf_paths(model: type[BaseModel], prefix: str) -> list[str]:
    paths: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths.extend(_leaf_paths(annotation, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


def statistic_paths() -> list[str]:
    """Every statistic's dotted path, in catalogue order (the CSV column order and the scoring universe).

    >>> statistic_paths()[:2]
    ['stats_legacy.proactive.total', 'stats_legacy.proactive.normative_docs']
    """
    return [p for block in STATS_BLOCKS for p in _leaf_paths(AnnualReport.model_fields[block].annotation, f"{block}.")]  # type: ignore[arg-type]


def money_paths() -> frozenset[str]:
    """The statistics that are amounts of money in 万元 (floats); all others are counts."""
    found: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
            elif annotation == Money:
                found.add(f"{prefix}{name}")

    for block in STATS_BLOCKS:
        walk(AnnualReport.model_fields[block].annotation, f"{block}.")  # type: ignore[arg-type]
    return frozenset(found)


def get_path(data: dict[str, Any], path: str) -> Any:
    """Read a dotted path from a `model_dump()` dict; None when any step is missing.

    >>> get_path({"a": {"b": 3}}, "a.b"), get_path({"a": {}}, "a.b.c")
    (3, None)
    """
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Write a dotted path into a nested dict, creating the intermediate dicts.

    >>> d: dict = {}
    >>> set_path(d, "a.b", 1); d
    {'a': {'b': 1}}
    """
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
