"""Small report texts in the national formats, written the way scraped reports arrive."""

from __future__ import annotations

from pathlib import Path

COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "public_interest_org", "legal_service", "other_org", "total")

ZERO_ROW = "0000000"

# (label, cells as printed) for a 2021-format section 三, cells run together as crawlers leave them
SECTION_3_2021 = [
    ("一、本年新收政府信息公开申请数量", "121010014"),
    ("二、上年结转政府信息公开申请数量", ZERO_ROW),
    ("三、本年度办理结果", ""),
    ("(一)予以公开", "101010012"),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", ZERO_ROW),
    ("(三)不予公开", ""),
    ("1.属于国家秘密", ZERO_ROW),
    ("2.其他法律行政法规禁止公开", ZERO_ROW),
    ("3.危及“三安全一稳定”", ZERO_ROW),
    ("4.保护第三方合法权益", ZERO_ROW),
    ("5.属于三类内部事务信息", ZERO_ROW),
    ("6.属于四类过程性信息", ZERO_ROW),
    ("7.属于行政执法案卷", ZERO_ROW),
    ("8.属于行政查询事项", ZERO_ROW),
    ("(四)无法提供", ""),
    ("1.本机关不掌握相关政府信息", "2000002"),
    ("2.没有现成信息需要另行制作", ZERO_ROW),
    ("3.补正后申请内容仍不明确", ZERO_ROW),
    ("(五)不予处理", ""),
    ("1.信访举报投诉类申请", ZERO_ROW),
    ("2.重复申请", ZERO_ROW),
    ("3.要求提供公开出版物", ZERO_ROW),
    ("4.无正当理由大量反复申请", ZERO_ROW),
    ("5.要求行政机关确认或重新出具已获取信息", ZERO_ROW),
    ("(六)其他处理", ""),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ZERO_ROW),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ZERO_ROW),
    ("3.其他", ZERO_ROW),
    ("(七)总计", "121010014"),
    ("四、结转下年度继续办理", ZERO_ROW),
]


SPLIT = {"121010014": "12 1 0 1 0 0 14", "101010012": "10 1 0 1 0 0 12", "2000002": "2 0 0 0 0 0 2"}
"""The intended reading of each non-zero run in SECTION_3_2021."""


def section_3_text(rows: list[tuple[str, str]]) -> str:
    return (
        "三、收到和处理政府信息公开申请情况\n"
        + "\n".join(label + cells for label, cells in rows)
        + "\n四、政府信息公开行政复议、行政诉讼情况\n"
    )


def spaced(rows: list[tuple[str, str]], overrides: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The same table with its cells separated by spaces (as PDF text gives them), some rows replaced."""
    overrides = overrides or {}
    return [(label, overrides.get(label, " " + SPLIT.get(cells, " ".join(cells)) if cells else "")) for label, cells in rows]


LEGACY_REPORT = """灵山县2017年政府信息公开工作年度报告
一、概述
2017年,全县主动公开政府信息39387条。
二、依申请公开情况
全年共受理政府信息公开申请25件。
三、行政复议和行政诉讼情况
本年度未发生政府信息公开行政复议、行政诉讼案件。
"""

GOV2021_REPORT = (
    """河北省某厅2021年政府信息公开工作年度报告
一、总体情况
2021年,本厅主动公开政府信息1136条。
二、主动公开政府信息情况
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 0 0 0
"""
    + section_3_text(spaced(SECTION_3_2021))
    + """结果维持 结果纠正 其他结果 尚未审结 总计
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
"""
)


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A real PDF at `path` with one text line per entry, in a CID font that carries Chinese."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        if y < 40:
            page.showPage()
            page.setFont("STSong-Light", 11)
            y = 800
        page.drawString(50, y, line)
        y -= 20
    page.showPage()
    page.save()
    return path
