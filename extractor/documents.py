"""Documents: read a report file (.txt/.md, .html/.htm, .pdf, .docx) into one normalized text.

Every later stage works on `Document.text`, the normalized text, and every offset points into it. Tables keep
their structure in the text: an HTML or Word table row becomes one line with its cells separated by `` | ``
(an empty cell stays visible as ``| |``), so the parsers can tell a blank cell from a missing one::

    <tr><td>规章</td><td>0</td><td></td><td>3</td></tr>   ->   '规章 | 0 | | 3'

Encodings are detected by content, not by name: a BOM, else strict UTF-8, else strict GB18030 (a superset of
GBK and GB2312). A file that is none of these, or that is binary under a text name, is a `DocumentError`.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import DocumentError
from extractor.textnorm import normalize_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
MAX_BYTES = 50 * 1024 * 1024
"""Far past any real report (the largest real PDFs with scanned annexes stay under 20 MB)."""
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class Document:
    """A report ready for chunking: its normalized text and where it came from."""

    path: str
    format: str
    encoding: str | None
    sha256: str
    text: str
    page_starts: tuple[int, ...] = ()
    """For a PDF, the offset in `text` where each page begins (the first is 0); empty for other formats."""

    @property
    def name(self) -> str:
        return Path(self.path).stem

    def page_of(self, offset: int) -> int | None:
        """The 1-based PDF page holding `text[offset]`; None for a document that has no pages.

        >>> Document("r.pdf", "pdf", None, "", "第一页\\n第二页", page_starts=(0, 4)).page_of(5)
        2
        >>> Document("r.txt", "txt", None, "", "正文").page_of(1) is None
        True
        """
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


def load_document(path: str | Path) -> Document:
    """Read and normalize one report file; raise `DocumentError` with a one-line reason when it can't be.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(p, "wb").write("2018年全年主动公开政府信息２６４５条".encode("gbk"))
    >>> doc = load_document(p)
    >>> doc.encoding, doc.text
    ('gb18030', '2018年全年主动公开政府信息2645条')
    """
    file = Path(path)
    name = str(path)
    if not file.exists():
        raise DocumentError("no such file", path=name)
    if not file.is_file():
        raise DocumentError("not a regular file", path=name)
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type '{suffix or '(none)'}' (use {', '.join(SUPPORTED_SUFFIXES)})", path=name)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(f"file is {size // (1024 * 1024)} MB, past the {MAX_BYTES // (1024 * 1024)} MB limit", path=name)
        data = file.read_bytes()
    except PermissionError:
        raise DocumentError("permission denied", path=name) from None
    except OSError as exc:
        raise DocumentError(f"cannot read file ({exc.strerror or exc})", path=name) from None
    if not data.strip():
        raise DocumentError("file is empty", path=name)
    encoding: str | None = None
    pages: list[str] = []
    if suffix == ".pdf":
        pages = _pdf_pages(data, name)
        raw, fmt = join_wrapped_lines([line for page in pages for line in page.split("\n")]), "pdf"
    elif suffix == ".docx":
        raw, fmt = _docx_text(data, name), "docx"
    else:
        raw, encoding = decode_bytes(data, name)
        fmt = "html" if suffix in (".html", ".htm") or _looks_like_html(raw) else "txt"
        if fmt == "html":
            raw = html_to_text(raw, name)
    text = normalize_text(raw)
    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        raise DocumentError("no text found in the document", path=name)
    return Document(
        path=name,
        format=fmt,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        page_starts=page_starts(text, pages) if pages else (),
    )


def decode_bytes(data: bytes, name: str = "") -> tuple[str, str]:
    """Decode text by content: BOMs, then strict UTF-8, then strict GB18030.

    >>> decode_bytes("政府信息".encode("utf-8"))
    ('政府信息', 'utf-8')
    >>> decode_bytes("政府信息".encode("gbk"))
    ('政府信息', 'gb18030')
    >>> decode_bytes("政府信息".encode("utf-32"))
    ('政府信息', 'utf-32')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise DocumentError(f"text is not valid {codec.upper()} ({exc.reason} at byte {exc.start})", path=name) from None
    if _is_binary(data):
        raise DocumentError("binary data, not text", path=name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DocumentError("text is neither UTF-8 nor GB18030/GBK", path=name)


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
"""Byte-order marks, UTF-32's first: its little-endian mark begins with UTF-16's."""


def _is_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(sample) * 0.05


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in head)


# ------------------------------------------------------------------------------------------------- HTML
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "table",
    "tbody",
    "thead",
    "tr",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "title",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}


def html_to_text(markup: str, name: str = "") -> str:
    """Render HTML as plain text: block elements on their own lines, each table row as `cell | cell`.

    The parser reads past libxml2's default cut-offs (elements nested 256 deep, a text node or attribute of
    10 MB: an inline base64 image), which would silently drop the rest of the page; a page that still passes
    the hard ones (2048 levels) is a `DocumentError`, never a text with its end missing.

    >>> html_to_text("<p>二、主动公开</p><table><tr><td>规章</td><td>0</td><td></td></tr></table>")
    '二、主动公开\\n规章 | 0 |'
    >>> html_to_text("<div>" * 3000 + "x", "deep.html")
    Traceback (most recent call last):
    extractor.errors.DocumentError: deep.html: HTML cannot be read whole (Excessive depth in document: 2048)
    """
    import lxml.html

    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return markup
    cut = [error for error in parser.error_log if error.level_name == "FATAL"]
    if cut:
        raise DocumentError(f"HTML cannot be read whole ({cut[0].message.split(',')[0]})", path=name)
    parts: list[str] = []
    _render(root, parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(parts))
    return re.sub(r"\n{2,}", "\n", text).strip()


def _render(root: object, parts: list[str]) -> None:
    """Append the text of `root` and its descendants to `parts`, depth first, with a stack of its own (a page
    nested thousands deep would pass Python's recursion limit)."""
    stack: list[object] = [root]
    while stack:
        element = stack.pop()
        if isinstance(element, str):
            parts.append(element)
            continue
        tag = getattr(element, "tag", None)
        tail = getattr(element, "tail", None) or ""
        if not isinstance(tag, str) or tag.lower() in _SKIP_TAGS:  # comments, processing instructions, scripts
            parts.append(tail)
            continue
        tag = tag.lower()
        if tag == "tr":
            cells = [
                _cell_text(cell)
                for cell in element  # type: ignore[attr-defined]
                if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
            ]
            parts.append("\n" + " | ".join(cells) + "\n" + tail)
            continue
        block = "\n" if tag in _BLOCK_TAGS else ""
        parts.append(block + (element.text or ""))  # type: ignore[attr-defined]
        stack.append(block + tail)
        stack.extend(reversed(list(element)))  # type: ignore[call-overload]


def _cell_text(cell: object) -> str:
    text = cell.text_content()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", text).strip().replace("|", "/")


# -------------------------------------------------------------------------------------------------- PDF
_LIST_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d))")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?)\s*$")
"""Page numbers are dropped before wrapped lines are joined, so a paragraph that runs over a page joins up."""


def _pdf_pages(data: bytes, name: str) -> list[str]:
    """The text of each page, its lines joined by newlines, page-number lines dropped."""
    import pypdfium2 as pdfium

    if not data.startswith(b"%PDF"):
        raise DocumentError("not a PDF file (no %PDF header)", path=name)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason:
            raise DocumentError("PDF is encrypted (password required)", path=name) from None
        raise DocumentError(f"PDF cannot be opened ({exc})", path=name) from None
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    kept = [
        "\n".join(line for line in page.replace("\r\n", "\n").replace("\r", "\n").split("\n") if not _PAGE_NUMBER.match(line))
        for page in pages
    ]
    if len(re.sub(r"\s", "", "".join(kept))) < MIN_TEXT_CHARS:
        raise DocumentError("PDF has no text layer (scanned images?); OCR it first", path=name)
    return kept


def page_starts(text: str, pages: list[str]) -> tuple[int, ...]:
    """Where each page begins in the normalized `text` made from `pages`.

    Joining wrapped lines and normalizing change only whitespace and character widths, so the text's visible
    characters (width-folded, as `textnorm.fold_for_match` compares quotes) are the pages' visible characters in page
    order: page k begins at the text character whose count of visible characters before it equals the pages
    before k hold.

    >>> page_starts("一、总体情况\\n主动公开政府信息1136条。", ["一、总体情况\\n主动公开政", "府信息１１３６条。"])
    (0, 12)
    """
    lengths = [len(_visible(normalize_text(page))) for page in pages]
    boundaries = [sum(lengths[:k]) for k in range(len(pages))]
    starts: list[int] = []
    seen = 0
    index = 0
    for boundary in boundaries:
        while index < len(text) and seen < boundary:
            seen += len(_visible(text[index]))
            index += 1
        while index < len(text) and text[index].isspace():  # a page begins at its first visible character
            index += 1
        starts.append(min(index, len(text)) if boundary else 0)
    return tuple(starts)


def _visible(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def join_wrapped_lines(lines: list[str]) -> str:
    """Join lines a PDF wrapped at the right margin, keep short lines (headings, table rows) apart.

    A line is a wrap when it is nearly as wide as the page's text column and does not end a sentence.

    >>> join_wrapped_lines(["一、总体情况", "2023年，我区在政府网站平台主动公开政", "府信息1136条。", "规章 0 0 0"])
    '一、总体情况\\n2023年，我区在政府网站平台主动公开政府信息1136条。\\n规章 0 0 0'
    """
    widths = sorted(_display_width(line.strip()) for line in lines if line.strip())
    if not widths:
        return ""
    column = widths[min(len(widths) - 1, int(len(widths) * 0.9))]
    out: list[str] = []
    joining = False
    for line in lines:
        stripped = line.strip()
        if joining and out and stripped and not _LIST_MARKER.match(stripped):
            out[-1] += stripped
        else:
            out.append(stripped)
        joining = bool(stripped) and _display_width(stripped) >= 0.85 * column and not re.search(r"[。！？；：!?;:]$", stripped)
    return "\n".join(out)


def _display_width(line: str) -> float:
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in line)


# ------------------------------------------------------------------------------------------------- DOCX
MAX_PART_BYTES = MAX_BYTES
"""The most one part of a .docx may unpack to (a real report's document.xml is a few MB)."""
MAX_UNPACKED_BYTES = 4 * MAX_BYTES
"""The most a whole .docx may unpack to, images included."""


def _check_unpacked_sizes(data: bytes, name: str) -> None:
    """Refuse a .docx whose parts unpack past the limits (a zip bomb: 1 MB that unpacks to 1 GB) in bounded
    memory: the sizes the package declares first, then every part streamed through 1 MB at a time, which
    proves the declarations true (`zipfile` stops a part at its declared size, and a part that would unpack
    further fails its checksum). Python-docx, which reads each part whole, then reads nothing larger.

    >>> import io, zipfile
    >>> package = io.BytesIO()
    >>> with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as docx:
    ...     docx.writestr("word/document.xml", b" " * (MAX_PART_BYTES + 1))
    >>> _check_unpacked_sizes(package.getvalue(), "bomb.docx")
    Traceback (most recent call last):
    extractor.errors.DocumentError: bomb.docx: .docx part word/document.xml unpacks to 51 MB, past the 50 MB limit (a zip bomb?)
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            for part in parts:
                if part.file_size > MAX_PART_BYTES:
                    raise DocumentError(
                        f".docx part {part.filename} unpacks to {_mib(part.file_size)} MB, past "
                        f"the {_mib(MAX_PART_BYTES)} MB limit (a zip bomb?)",
                        path=name,
                    )
            total = sum(part.file_size for part in parts)
            if total > MAX_UNPACKED_BYTES:
                raise DocumentError(
                    f".docx unpacks to {_mib(total)} MB, past the {_mib(MAX_UNPACKED_BYTES)} MB limit (a zip bomb?)", path=name
                )
            for part in parts:
                with package.open(part) as stream:
                    while stream.read(1024 * 1024):
                        pass
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise DocumentError(f"corrupt .docx ({type(exc).__name__})", path=name) from None


def _mib(size: int) -> int:
    return -(-size // (1024 * 1024))


def _docx_text(data: bytes, name: str) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError("not a Word .docx file (not a zip package)", path=name)
    _check_unpacked_sizes(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise DocumentError(f"corrupt .docx ({type(exc).__name__})", path=name) from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(re.sub(r"\s+", " ", cell.text).strip().replace("|", "/"))
                lines.append(" | ".join(cells))
    return "\n".join(lines)
