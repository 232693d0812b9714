"""Reading real files of every supported format, and refusing bad input with a one-line reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from samples import write_pdf as _pdf

from extractor.documents import join_wrapped_lines, load_document
from extractor.errors import DocumentError
from extractor.textnorm import locate

TABLE_ROW = "一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21"


def test_pdf_with_cid_font_reads_back_chinese_text_and_table_row(tmp_path):
    path = _pdf(
        tmp_path / "r.pdf",
        ["某县2021年政府信息公开工作年度报告", "一、总体情况", "2021年,全县主动公开政府信息1136条。", TABLE_ROW, "- 1 -"],
    )
    doc = load_document(path)
    assert doc.format == "pdf"
    assert doc.encoding is None
    assert "某县2021年政府信息公开工作年度报告" in doc.text
    assert "全县主动公开政府信息1136条" in doc.text
    # normalization folds the space between the label and the first number; the cells stay apart
    assert "一、本年新收政府信息公开申请数量21 0 0 0 0 0 21" in doc.text.splitlines()


def test_pdf_page_number_line_is_dropped(tmp_path):
    lines = ["一、总体情况", "2021年,全县在政府网站平台主动公开政府信息1136条。", "- 7 -", "二、主动公开政府信息情况"]
    path = _pdf(tmp_path / "r.pdf", lines)
    assert load_document(path).text.splitlines() == [lines[0], lines[1], lines[3]]


def test_pdf_with_only_a_rectangle_has_no_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(100, 100, 200, 200, fill=1)
    page.showPage()
    page.save()
    with pytest.raises(DocumentError, match="no text layer"):
        load_document(path)


def test_docx_paragraph_and_table_rows_become_pipe_separated_lines(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某市2019年政府信息公开工作年度报告正文第一段")
    table = document.add_table(rows=2, cols=3)
    for r, values in enumerate([("信息内容", "本年新制作数量", "本年新公开数量"), ("规章", "0", "")]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("表后的段落")
    path = tmp_path / "r.docx"
    document.save(str(path))
    doc = load_document(path)
    assert doc.format == "docx"
    lines = doc.text.splitlines()
    assert lines[0] == "某市2019年政府信息公开工作年度报告正文第一段"
    assert "信息内容 | 本年新制作数量 | 本年新公开数量" in lines
    assert any(line.startswith("规章 | 0 |") for line in lines)  # the blank cell stays visible
    assert lines[-1] == "表后的段落"


def test_gbk_text_file_is_decoded_by_content(tmp_path):
    path = tmp_path / "report.txt"
    text = "某县2016年政府信息公开工作年度报告\n全年受理政府信息公开申请２５件。"
    path.write_bytes(text.encode("gbk"))
    doc = load_document(path)
    assert doc.encoding == "gb18030"
    assert doc.format == "txt"
    assert doc.text.endswith("全年受理政府信息公开申请25件。")


def test_utf8_bom_is_stripped_and_reported(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "某县2016年政府信息公开工作年度报告 主动公开政府信息12条".encode())
    doc = load_document(path)
    assert doc.encoding == "utf-8-sig"
    assert doc.text.startswith("某县2016年")
    assert "\ufeff" not in doc.text


def test_html_table_rows_are_rendered_as_pipe_separated_cells(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>x</title><style>td{color:red}</style></head><body>"
        "<p>某区2020年政府信息公开工作年度报告</p><script>var a = 1;</script>"
        "<table><tr><th>信息内容</th><th>本年新制作数量</th></tr>"
        "<tr><td>规章</td><td>0</td><td></td><td>3</td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.format == "html"
    lines = doc.text.splitlines()
    assert "信息内容 | 本年新制作数量" in lines
    assert "规章 | 0 | | 3" in lines
    assert "var a" not in doc.text and "color" not in doc.text


def test_html_saved_as_txt_is_recognised_as_html(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(
        "<!DOCTYPE html><html><body><p>某区2020年政府信息公开工作年度报告</p><table><tr><td>规章</td><td>5</td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.format == "html"
    assert "规章 | 5" in doc.text.splitlines()


def test_same_bytes_give_same_sha256_and_different_bytes_differ(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("某县2016年政府信息公开工作年度报告,主动公开政府信息12条。", encoding="utf-8")
    b.write_text("某县2016年政府信息公开工作年度报告,主动公开政府信息13条。", encoding="utf-8")
    assert load_document(a).sha256 == load_document(a).sha256
    assert load_document(a).sha256 != load_document(b).sha256


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"  \n\t \n", "file is empty"),
        ("garbage.txt", bytes(range(256)) * 20, "binary data"),
        ("fake.pdf", "某县2016年政府信息公开工作年度报告".encode(), "not a PDF file"),
        ("notzip.docx", "这不是一个Word文件,只是文字而已,长度足够".encode(), "not a Word .docx file"),
        ("report.xls", "某县2016年政府信息公开工作年度报告".encode(), "unsupported file type '.xls'"),
        ("noext", "某县2016年政府信息公开工作年度报告".encode(), "unsupported file type '(none)'"),
        ("short.txt", "年度报告".encode(), "no text found"),
        ("mixed.txt", b"report text \x80\xff more text for the year 2016 annual", "neither UTF-8 nor GB18030"),
    ],
)
def test_bad_input_raises_document_error_naming_the_problem(tmp_path, name, data, reason):
    path = _write(tmp_path / name, data)
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    message = str(caught.value)
    assert reason in message
    assert message.startswith(str(path))
    assert "\n" not in message


def test_corrupt_docx_zip_is_a_document_error(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/document.xml", "<not really a document")
    with pytest.raises(DocumentError, match=r"corrupt \.docx"):
        load_document(path)


def test_missing_file_is_a_document_error(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        load_document(tmp_path / "absent.txt")


def test_folder_is_not_a_regular_file(tmp_path):
    folder = tmp_path / "reports.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match="not a regular file"):
        load_document(folder)


def test_wrapped_lines_do_not_swallow_a_following_list_item():
    lines = ["2023年,我区在政府网站平台主动公开政府信息共计一千余条,另外", "二、主动公开政府信息情况", "短行"]
    assert join_wrapped_lines(lines).splitlines()[1] == "二、主动公开政府信息情况"


def _pdf_pages(path: Path, pages: list[list[str]]) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for number, lines in enumerate(pages, 1):
        pdf.setFont("STSong-Light", 11)
        y = 800
        for line in [*lines, f"- {number} -"]:
            pdf.drawString(50, y, line)
            y -= 20
        pdf.showPage()
    pdf.save()
    return path


def test_pdf_keeps_page_boundaries_so_every_offset_has_its_page(tmp_path):
    pages = [
        ["某县2021年政府信息公开工作年度报告", "一、总体情况", "2021年,全县主动公开政府信息1136条。"],
        ["二、主动公开政府信息情况", "规章 0 0 0"],
        ["三、收到和处理政府信息公开申请情况", TABLE_ROW],
    ]
    doc = load_document(_pdf_pages(tmp_path / "r.pdf", pages))
    assert len(doc.page_starts) == 3 and doc.page_starts[0] == 0
    for number, lines in enumerate(pages, 1):
        for line in lines:
            found = locate(line, doc.text)  # normalization may fold a space ('规章 0' -> '规章0')
            assert found is not None and doc.page_of(found[0]) == number, line
    assert "- 2 -" not in doc.text


def test_paragraph_running_over_a_page_has_the_page_it_starts_on(tmp_path):
    wide = "2021年,全县在政府网站平台主动公开政府信息一千一百三十六条,其中规范性文件十二件,政策解读二"
    pages = [["一、总体情况", wide, wide[:-1] + "三"], ["十件。依申请公开情况:收到申请21件。"]]
    doc = load_document(_pdf_pages(tmp_path / "r.pdf", pages))
    joined = doc.text.index(wide[:-1] + "三十件。")  # the wrapped line joined across the page break
    assert doc.page_of(joined) == 1
    assert doc.page_of(doc.text.index("收到申请21件")) == 2


def test_text_formats_have_no_pages(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("某县2021年政府信息公开工作年度报告\n全县主动公开政府信息1136条。", encoding="utf-8")
    doc = load_document(path)
    assert doc.page_starts == () and doc.page_of(5) is None
