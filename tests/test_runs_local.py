"""Batch runs in real life: the fault table (every bad input next to good reports), kill -9 and resume, two
runs on one folder, a worker that dies, and the options that decide how a batch runs.

Each fault case builds its bad input for real, runs `extractor extract` over it together with two good
reports, and checks the one stderr line naming it, the exit status, that the good reports' outputs are whole
and right, and that no temporary file is left."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from openai_server import Reply, answer, hang, status
from samples import GOV2021_REPORT, LEGACY_REPORT

from extractor.cli import main
from extractor.errors import DocumentError, printable
from extractor.llm.settings import ModelSettings
from extractor.output import csv_dtypes
from extractor.pipeline import NOT_A_REPORT, extract_file
from extractor.runs import local as batch
from extractor.runs.local import BatchOptions, BatchResult, output_names, run_batch
from extractor.runs.lock import LOCK_NAME, output_folder_lock
from extractor.schema import AnnualReport

REPO = Path(__file__).resolve().parent.parent
NEWS_PAGE = """<!doctype html><html><head><title>我市召开春季农业生产工作会议</title></head><body>
<h1>我市召开春季农业生产工作会议</h1><p>2023年3月12日，市政府召开全市春季农业生产工作会议，部署春耕备耕工作。
会议强调，要抓好粮食生产，确保全年粮食播种面积稳定在500万亩以上。</p></body></html>"""
ENGLISH_NOTES = """Minutes of the county council, 12 March 2023.
The council discussed the spring planting season and the new bus timetable. No decisions were taken.
"""
WRONG_TEMPLATE = """某县2022年政府信息公开工作年度报告
一、概述
2022年,全县主动公开政府信息1200条。
二、政府信息公开统计
统计指标 | 单位 | 统计数
主动公开政府信息数 | 条 | 1200
"""
"""A 2022 report still in the legacy format (the 2021 national form applies from 2021)."""


# ------------------------------------------------------------------------------------------ building bad inputs
def _pdf(path: Path, *, text: str | None = None, password: str | None = None) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    encrypt = StandardEncryption(password, ownerPassword="owner") if password else None
    page = canvas.Canvas(str(path), encrypt=encrypt)
    if text:
        page.drawString(72, 720, text)
    else:  # a scan: shapes only, no text layer
        page.rect(72, 72, 400, 600, fill=1)
        page.circle(300, 400, 80)
    page.showPage()
    page.save()


def _unreadable(folder: Path) -> tuple[Path, str]:
    """A file this process cannot read: chmod 000, or (root reads anything) a link to a file that is gone."""
    if os.geteuid() != 0:
        path = folder / "locked.txt"
        path.write_text(LEGACY_REPORT, encoding="utf-8")
        path.chmod(0)
        return path, "permission denied"
    path = folder / "dangling.txt"
    path.symlink_to(folder / "deleted.txt")
    return path, "no such file"


def _docx_without_document(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")


@functools.cache
def _docx_bombs() -> tuple[bytes, bytes]:
    """A real Word package whose document.xml unpacks to 1 GiB (1 MB on disk), and the same package lying that
    the part is 4 KiB (built once: deflating 1 GiB takes seconds)."""
    import docx

    template = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("某县2019年政府信息公开工作年度报告")
    document.save(template)
    bomb = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        for part in source.infolist():
            data = source.read(part)
            if part.filename != "word/document.xml":
                package.writestr(part.filename, data)
                continue
            head, tail = data.split(b"</w:body>")
            with package.open("word/document.xml", "w") as stream:
                stream.write(head)
                for _ in range(1024):
                    stream.write(b" " * (1 << 20))
                stream.write(b"</w:body>" + tail)
    honest = bomb.getvalue()
    liar = bytearray(honest)
    with zipfile.ZipFile(bomb) as package:
        part = package.getinfo("word/document.xml")
    name = part.filename.encode()
    central = liar.index(b"PK\x01\x02")  # the central directory: find the part's entry by its name
    while liar[central + 46 : central + 46 + len(name)] != name:
        central = liar.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", liar, central + 24, 4096)  # uncompressed size, central directory
    struct.pack_into("<I", liar, part.header_offset + 22, 4096)  # and local header
    return honest, bytes(liar)


def _docx_bomb(name: str, lying: bool, reason: str) -> Callable[[Path], tuple[Path, str]]:
    def build(folder: Path) -> tuple[Path, str]:
        (folder / name).write_bytes(_docx_bombs()[lying])
        return folder / name, reason

    return build


@dataclass(frozen=True)
class Fault:
    """One bad input: how to build it (in the input folder or beside it) and a pattern of the reason expected on
    its line."""

    id: str
    build: Callable[[Path], tuple[Path, str]]
    in_folder: bool = True
    """Found by searching the folder; else named on the command line."""


def _write(name: str, content: bytes | str, reason: str) -> Callable[[Path], tuple[Path, str]]:
    def build(folder: Path) -> tuple[Path, str]:
        path = folder / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path, reason

    return build


def _made(name: str, make: Callable[[Path], object], reason: str) -> Callable[[Path], tuple[Path, str]]:
    def build(folder: Path) -> tuple[Path, str]:
        make(folder / name)
        return folder / name, reason

    return build


def _huge(folder: Path) -> tuple[Path, str]:
    path = folder / "huge.txt"
    with path.open("wb") as file:  # sparse: 60 MB on paper, nothing on disk
        file.truncate(60 * 1024 * 1024)
    return path, "file is 60 MB, past the 50 MB limit"


def _fifo(folder: Path) -> tuple[Path, str]:
    os.mkfifo(folder / "pipe.txt")
    return folder / "pipe.txt", "not a regular file"


def _empty_folder(folder: Path) -> tuple[Path, str]:
    (folder.parent / "nothing_here").mkdir()
    (folder.parent / "nothing_here" / "readme.xlsx").write_bytes(b"x")
    return folder.parent / "nothing_here", r"no report files \(\.txt, \.md, \.html, \.htm, \.pdf, \.docx\) in this folder"


def _folder_named_like_a_report(folder: Path) -> tuple[Path, str]:
    (folder.parent / "report.txt").mkdir()
    return folder.parent / "report.txt", "no report files"


FAULTS = [
    Fault("empty file", _write("empty.txt", b"", "file is empty")),
    Fault("whitespace only", _write("blank.txt", b" \n\t\r\n  ", "file is empty")),
    Fault("binary garbage named .txt", _write("garbage.txt", bytes(range(256)) * 64, "binary data, not text")),
    Fault("binary garbage named .pdf", _write("garbage.pdf", bytes(range(256)) * 64, r"not a PDF file \(no %PDF header\)")),
    Fault("broken PDF body", _write("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 64, r"PDF cannot be opened \(.+\)")),
    Fault("PDF without a text layer (scanned)", _made("scanned.pdf", _pdf, r"PDF has no text layer \(scanned images\?\); OCR it first")),
    Fault(
        "encrypted PDF",
        _made("encrypted.pdf", lambda p: _pdf(p, text="2017 report", password="secret"), r"PDF is encrypted \(password required\)"),
    ),
    Fault(
        "corrupt DOCX (not a zip)",
        _write("corrupt.docx", b"PK\x03\x04" + bytes(range(256)) * 16, r"not a Word \.docx file \(not a zip package\)"),
    ),
    Fault("corrupt DOCX (zip without a document)", _made("hollow.docx", _docx_without_document, r"corrupt \.docx \(\w+\)")),
    Fault(
        "Word lock file left beside an open report",
        _write("~$report.docx", b"\x0bZhang San" + b"\x00" * 151, r"not a Word \.docx file \(not a zip package\)"),
    ),
    Fault(
        "old binary .doc renamed .docx",
        _write("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088, r"not a Word \.docx file \(not a zip package\)"),
    ),
    Fault(
        "unsupported suffix named on the command line",
        _write("stats.xls", b"\xd0\xcf\x11\xe0" * 64, r"unsupported file type '\.xls' \(use \.txt, .*\)"),
        in_folder=False,
    ),
    Fault("unreadable file", _unreadable),
    Fault("file far past any real report's size", _huge),
    Fault(
        "text neither UTF-8 nor GBK",
        _write("latin.txt", b"annual report \x80\x80 of the county " * 4, r"text is neither UTF-8 nor GB18030/GBK"),
    ),
    Fault("text too short to be a report", _write("stub.txt", "年度报告", "no text found in the document")),
    Fault("HTML news page that mentions a year", _write("news.html", NEWS_PAGE, re.escape(NOT_A_REPORT))),
    Fault("English text that is not a report", _write("notes.txt", ENGLISH_NOTES, re.escape(NOT_A_REPORT))),
    Fault(
        "UTF-16 text cut short (odd length)",
        _write("odd.txt", LEGACY_REPORT.encode("utf-16")[:-1], r"text is not valid UTF-16 \(truncated data at byte \d+\)"),
    ),
    Fault(
        "DOCX zip bomb (1 MB unpacking to 1 GiB)",
        _docx_bomb(
            "bomb.docx",
            False,
            r"\.docx part word/document\.xml unpacks to 1025 MB, "
            r"past the 50 MB limit \(a zip bomb\?\)",
        ),
    ),
    Fault("DOCX zip bomb that lies about its size", _docx_bomb("liar.docx", True, r"corrupt \.docx \(BadZipFile\)")),
    Fault(
        "HTML nested past the parser's hard limit",
        _write(
            "deep.html",
            "<div>" * 3000 + LEGACY_REPORT,
            r"HTML cannot be read whole \(Excessive depth in "
            r"document: 2048\)",
        ),
    ),
    Fault("newline in the name of a bad file", _write("two\nlines.txt", b"", "file is empty")),
    Fault("named pipe with a report suffix", _fifo),
    Fault("folder holding no report", _empty_folder, in_folder=False),
    Fault("folder named like a report file", _folder_named_like_a_report, in_folder=False),
]


@pytest.fixture
def good(tmp_path) -> Path:
    """An input folder with two good reports."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "lingshan_2017.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (folder / "hebei_2021.txt").write_text(GOV2021_REPORT, encoding="utf-8")
    return folder


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["extract", *argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _assert_good_outputs(out: Path) -> None:
    """The two good reports are written whole and right, and no temporary file is left anywhere."""
    legacy = AnnualReport.model_validate_json((out / "lingshan_2017.json").read_text(encoding="utf-8"))
    assert legacy.stats_legacy.proactive.total == 39387
    gov = AnnualReport.model_validate_json((out / "hebei_2021.json").read_text(encoding="utf-8"))
    assert gov.meta.template == "gov2021" and gov.summary.requests_received == 14
    table = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())
    assert {"hebei_2021", "lingshan_2017"} <= set(table["file"])
    assert not [p for p in out.parent.rglob("*.tmp")]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_bad_input_is_one_line_exit_1_and_every_other_report_is_written(fault, good, tmp_path, capsys):
    bad, reason = fault.build(good)
    out = tmp_path / "out"
    code, err = _run(capsys, str(good), *([] if fault.in_folder else [str(bad)]), "-o", str(out), "--no-llm")
    assert code == 1
    named = [line for line in err.splitlines() if printable(bad.name) in line]
    assert len(named) == 1, err
    assert re.fullmatch(rf"extractor: {re.escape(printable(str(bad)))}: {reason}.*", named[0]), named[0]
    assert "2 extracted, 0 already current, 1 failed" in err
    _assert_good_outputs(out)
    assert sorted(p.name for p in out.glob("*.json")) == ["hebei_2021.json", "lingshan_2017.json"]


def test_unexpected_exception_is_an_internal_error_line_for_that_file_only(good, tmp_path, capsys, monkeypatch):
    (good / "trigger.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    real = batch.extract_file_and_text

    def fragile(path, settings=None, **options):
        if path.endswith("trigger.txt"):
            raise RuntimeError("unexpected\nstate")
        return real(path, settings, **options)

    monkeypatch.setattr(batch, "extract_file_and_text", fragile)
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 1
    assert f"extractor: {good / 'trigger.txt'}: internal error: RuntimeError: unexpected state" in err.splitlines()
    _assert_good_outputs(tmp_path / "out")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork to carry the patch")
def test_worker_process_that_dies_fails_its_file_only(good, tmp_path, capsys, monkeypatch):
    for copy in range(6):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    (good / "killer.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    real = batch.extract_file_and_text

    def deadly(path, settings=None, **options):
        if path.endswith("killer.txt"):
            os._exit(3)  # what a segfault in a native library looks like from outside
        return real(path, settings, **options)

    monkeypatch.setattr(batch, "extract_file_and_text", deadly)
    monkeypatch.setattr(batch, "_pool", _forked_pool)
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm", "--workers", "2")
    assert code == 1
    assert [line for line in err.splitlines() if "killer.txt" in line] == [
        f"extractor: {good / 'killer.txt'}: internal error: the worker process died reading this file (a crash in a native library?)"
    ]
    assert "8 extracted, 0 already current, 1 failed" in err
    _assert_good_outputs(tmp_path / "out")
    assert len(list((tmp_path / "out").glob("copy*.json"))) == 6


def _forked_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


# ----------------------------------------------------------------- faults of a real run that are not bad input
def test_file_name_that_is_not_utf8_is_extracted_and_rerun_and_tabled(good, tmp_path, capsys):
    name = os.fsdecode(b"\xd5\xfe\xb8\xae.txt")  # GBK bytes, as a Windows zip unpacks them on Linux
    (good / name).write_text(LEGACY_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0, err
    assert "3 extracted, 0 already current, 0 failed" in err
    written = json.loads((out / "\\xd5\\xfe\\xb8\\xae.json").read_text(encoding="utf-8"))
    assert written["run"]["source"] == f"{good}/\\xd5\\xfe\\xb8\\xae.txt"
    assert written["stats_legacy"]["proactive"]["total"] == 39387
    assert "\\xd5\\xfe\\xb8\\xae" in set(pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())["file"])
    _assert_good_outputs(out)
    code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0 and "0 extracted, 3 already current, 0 failed" in err


def test_bad_file_whose_name_is_not_utf8_is_one_printable_line(good, tmp_path):
    (good / os.fsdecode(b"\xb0\xec.txt")).write_bytes(b"")
    process = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(good), "-o", str(tmp_path / "out"), "--no-llm"], cwd=REPO, capture_output=True
    )
    assert process.returncode == 1
    assert process.stderr.decode("utf-8").splitlines()[0] == f"extractor: {good}/\\xb0\\xec.txt: file is empty"


def _as_a_user_who_cannot_read(folder: Path, run: Callable[[], int]) -> tuple[int, str]:
    """Call `run` (a command line run) in a process that cannot read `folder`, and return its exit status and
    stderr: chmod 000 for a user; as root (who reads anything), a forked child that drops to `nobody`."""
    if os.geteuid() != 0:
        folder.chmod(0)
        try:
            stream = io.StringIO()
            with contextlib.redirect_stderr(stream):
                return run(), stream.getvalue()
        finally:
            folder.chmod(0o755)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        code = 70
        try:
            os.setgid(65534)
            os.setuid(65534)
            sys.stderr = os.fdopen(writer, "w", encoding="utf-8")
            code = run()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, encoding="utf-8") as child_stderr:
        err = child_stderr.read()
    return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]), err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to drop privileges as root")
def test_folder_that_cannot_be_read_is_named_as_a_failure_not_skipped(good, tmp_path):
    base = Path(tempfile.mkdtemp())  # as root the run is nobody's, who must reach the inputs: not under tmp_path
    try:
        shutil.copytree(good, base / "in")
        (base / "in" / "locked").mkdir(mode=0o700)
        (base / "in" / "locked" / "county_2019.txt").write_text(LEGACY_REPORT, encoding="utf-8")
        (base / "out").mkdir()
        for path in (base, base / "in", *(base / "in").glob("*.txt")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        if os.geteuid() == 0:
            os.chown(base / "out", 65534, 65534)
        code, err = _as_a_user_who_cannot_read(
            base / "in" / "locked", lambda: main(["extract", str(base / "in"), "-o", str(base / "out"), "--no-llm"])
        )
        assert code == 1, err
        assert f"extractor: {base / 'in' / 'locked'}: cannot read this folder (Permission denied)" in err.splitlines()
        assert "2 extracted, 0 already current, 1 failed" in err
        assert "Traceback" not in err
        _assert_good_outputs(base / "out")
    finally:
        shutil.rmtree(base)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
@pytest.mark.parametrize("lying", [False, True], ids=["honest sizes", "lying sizes"])
def test_docx_bomb_is_refused_in_bounded_memory(tmp_path, lying):
    (tmp_path / "bomb.docx").write_bytes(_docx_bombs()[lying])
    # VmHWM: this process's own peak (getrusage's ru_maxrss can carry the forking parent's size across exec)
    measure = (
        "import sys\nfrom extractor.cli import main\n"
        f"code = main(['extract', {str(tmp_path / 'bomb.docx')!r}, '-o', {str(tmp_path / 'out')!r}, '--no-llm'])\n"
        "print(next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')))\n"
        "sys.exit(code)"
    )
    process = subprocess.run([sys.executable, "-c", measure], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert process.returncode == 1 and "bomb.docx: " in process.stderr, process.stderr
    peak_mib = int(process.stdout) / 1024  # Linux reports KiB
    assert peak_mib < 300, f"peak memory {peak_mib:.0f} MiB"


def _single_line_text(megabytes: float) -> str:
    """A report's words run together on one line with no sentence punctuation, as a bad scrape leaves them."""
    clauses = ["在政府网站主动公开政府信息{}条 ", "行政复议{}件 ", "召开{}场新闻发布会 ", "公开信息{}余条 ", "收取费用{}元 "]
    words = [clauses[n % len(clauses)].format(n % 997) for n in range(int(megabytes * 1e6) // 20)]
    return "某县2019年政府信息公开工作年度报告 " + "".join(words)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_file_past_the_time_limit_fails_alone_in_one_line(good, tmp_path, capsys, workers):
    (good / "endless.txt").write_text(_single_line_text(12), encoding="utf-8")
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm", "--time-limit", "0.5", "--workers", workers)
    assert code == 1
    assert f"extractor: {good / 'endless.txt'}: reading took longer than the 0.5 s limit per file (--time-limit)" in (err.splitlines())
    assert "2 extracted, 0 already current, 1 failed" in err
    _assert_good_outputs(tmp_path / "out")


def _report_page(before: str) -> str:
    """The legacy sample report as a web page, its text after `before`."""
    paragraphs = "".join(f"<p>{line}</p>" for line in LEGACY_REPORT.splitlines())
    return f"<!doctype html><html><body>{before}{paragraphs}</body></html>"


@pytest.mark.parametrize(
    "before",
    [
        "<div>" * 1500 + "导航" + "</div>" * 1500,
        f'<img src="data:image/png;base64,{"iVBORw0KGgo" * (12 * 1024 * 1024 // 11)}">',
    ],
    ids=["nested 1500 deep", "12 MB inline image"],
)
def test_html_past_the_parser_default_limits_is_read_whole(good, tmp_path, capsys, before):
    (good / "page.html").write_text(_report_page(before), encoding="utf-8")
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "page.json").read_text(encoding="utf-8"))
    assert report["stats_legacy"]["proactive"]["total"] == 39387


@contextlib.contextmanager
def _small_disk(folder: Path, size: int) -> Iterator[Callable[[int], None]]:
    """A real filesystem of `size` bytes at `folder` (a tmpfs: root only), and a way to resize it."""
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and shutil.which("mount")
        and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True).returncode == 0
    )
    if not mounted:
        pytest.skip("mounting a small tmpfs needs root")

    def resize(new_size: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={new_size}", str(folder)], check=True)

    try:
        yield resize
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _pages(path: Path) -> int:
    return -(-path.stat().st_size // 4096)


@pytest.mark.parametrize("room", ["every report, not the tables", "the first report only"])
def test_full_disk_is_one_line_per_file_and_the_summary_and_a_rerun_finishes(good, tmp_path, capsys, room):
    _run(capsys, str(good), "-o", str(tmp_path / "sizes"), "--no-llm")  # how much room each output takes
    sizes = tmp_path / "sizes"
    # the lock and the first report (in name order): its JSON and its text file
    pages = 1 + _pages(sizes / "hebei_2021.json") + _pages(sizes / "text" / "hebei_2021.txt")
    if room.startswith("every"):
        pages += _pages(sizes / "lingshan_2017.json") + _pages(sizes / "text" / "lingshan_2017.txt")
    out = tmp_path / "disk" / "out"
    with _small_disk(tmp_path / "disk", pages * 4096) as resize:
        code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
        assert code == 1
        lines = err.splitlines()
        if room.startswith("every"):
            assert lines[-1] == f"extractor: 2 extracted, 0 already current, 1 failed; output in {out}/"
        else:
            # its JSON or its text file, whichever the disk refuses first
            assert lines[0] in (
                f"extractor: {good / 'lingshan_2017.txt'}: cannot write {target} (No space left on device)"
                for target in (out / "lingshan_2017.json", out / "text" / "lingshan_2017.txt")
            )
            assert lines[-1] == f"extractor: 1 extracted, 0 already current, 2 failed; output in {out}/"
        assert lines[-2] == (
            f"extractor: {out / 'reports.csv'}: cannot write the tables (No space left on device); "
            "the reports written are kept, rerun to write them"
        )
        assert not (out / "reports.csv").exists() and not list(out.glob(".*.tmp"))
        _assert_every_output_whole(out)
        resize(1024 * 1024)
        code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
        assert code == 0, err
        _assert_good_outputs(out)


def test_utf32_text_is_read_as_utf32(good, tmp_path, capsys):
    (good / "utf32.txt").write_bytes(LEGACY_REPORT.encode("utf-32"))
    code, _ = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 0
    assert json.loads((tmp_path / "out" / "utf32.json").read_text(encoding="utf-8"))["stats_legacy"]["proactive"]["total"] == 39387


def test_python_entry_point_raises_what_the_command_line_says(good, tmp_path, capsys):
    (good / "notes.txt").write_text(ENGLISH_NOTES, encoding="utf-8")
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 1
    with pytest.raises(DocumentError) as raised:
        extract_file(good / "notes.txt")
    assert f"extractor: {raised.value}" in err.splitlines()


def test_count_past_any_real_one_is_null_with_a_warning_and_every_table_loads(good, tmp_path, capsys):
    garbled = LEGACY_REPORT.replace("39387", "12345678901234567890")
    assert garbled != LEGACY_REPORT
    (good / "garbled.txt").write_text(garbled, encoding="utf-8")
    out = tmp_path / "out"
    code, err = _run(capsys, str(good), "-o", str(out), "--no-llm", "--format", "parquet")
    assert code == 0, err
    report = json.loads((out / "garbled.json").read_text(encoding="utf-8"))
    assert report["stats_legacy"]["proactive"]["total"] is None
    assert "stats_legacy.proactive.total" not in report["evidence"]
    assert (
        "stats_legacy.proactive.total: 12345678901234567890 is not a plausible figure (past 1000000000); left null" in (report["warnings"])
    )
    table = pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes()).set_index("file")
    assert pd.isna(table.loc["garbled", "stats_legacy.proactive.total"])
    assert table.loc["lingshan_2017", "stats_legacy.proactive.total"] == 39387
    assert len(pd.read_parquet(out / "reports.parquet")) == 3


def test_text_cells_that_start_a_formula_are_quoted_and_numbers_are_not(good, tmp_path, capsys):
    (good / "=HYPERLINK(x).txt").write_text(LEGACY_REPORT, encoding="utf-8")
    (good / "-1.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    out = tmp_path / "out"
    code, _ = _run(capsys, str(good), "-o", str(out), "--no-llm", "--format", "jsonl")
    assert code == 0
    rows = {row[0]: row for row in csv.reader(io.StringIO((out / "reports.csv").read_text(encoding="utf-8-sig")))}
    assert {"'=HYPERLINK(x)", "'-1", "lingshan_2017"} <= set(rows)
    total = rows["file"].index("stats_legacy.proactive.total")
    assert rows["'-1"][total] == rows["lingshan_2017"][total] == "39387"
    assert {json.loads(line)["file"] for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()} >= {
        "=HYPERLINK(x)",
        "-1",
    }


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_outputs_get_the_mode_the_umask_gives(good, tmp_path, umask):
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(good), "-o", str(out), "--no-llm"],
        cwd=REPO,
        check=True,
        capture_output=True,
        umask=umask,
    )
    for name in ("lingshan_2017.json", "hebei_2021.json", "reports.csv"):
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask, name


@pytest.mark.parametrize(
    "argv",
    [["--timeout", "-5"], ["--timeout", "nan"], ["-o", ""], ["-o", " "]],
    ids=["negative timeout", "timeout not a number", "empty output folder", "blank output folder"],
)
def test_bad_option_values_are_usage_errors(good, tmp_path, capsys, argv, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["extract", str(good), "--no-llm", *argv])
    assert stop.value.code == 2
    assert "error: argument" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [good]


def test_missing_input_path_is_a_usage_error_that_makes_no_folder(good, tmp_path, capsys):
    code, err = _run(capsys, str(good), str(tmp_path / "gone.pdf"), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 2
    assert err == f"extractor: {tmp_path / 'gone.pdf'}: no such file or folder\n"
    assert not (tmp_path / "out").exists()


def test_schema_into_a_closed_pipe_ends_quietly():
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before a byte is written, as `| head` leaves
    process = subprocess.run(
        [sys.executable, "-m", "extractor", "schema"], cwd=REPO, stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60
    )
    os.close(writer)
    assert (process.returncode, process.stderr) == (0, "")


def test_python_m_extractor_works_from_the_folder_holding_the_clone(tmp_path):
    (tmp_path / "extractor").symlink_to(REPO)  # a clone is a folder named extractor holding the package extractor/
    process = subprocess.run([sys.executable, "-m", "extractor", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (process.returncode, process.stderr) == (0, ""), process.stderr
    assert process.stdout.startswith("extractor ")


# ---------------------------------------------------------------------------------------- inputs that succeed
def test_gbk_text_is_extracted(good, tmp_path, capsys):
    (good / "gbk.txt").write_bytes(LEGACY_REPORT.replace("灵山县", "合浦县").encode("gbk"))
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "gbk.json").read_text(encoding="utf-8"))
    assert report["meta"]["entity"] == "合浦县"
    assert report["stats_legacy"]["proactive"]["total"] == 39387


def test_utf16_text_with_bom_is_extracted(good, tmp_path, capsys):
    (good / "utf16.txt").write_bytes(LEGACY_REPORT.encode("utf-16"))
    code, _ = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 0
    assert json.loads((tmp_path / "out" / "utf16.json").read_text(encoding="utf-8"))["meta"]["year"] == 2017


def test_report_in_the_wrong_template_is_read_by_its_content_not_its_year(good, tmp_path, capsys):
    (good / "wrong.txt").write_text(WRONG_TEMPLATE, encoding="utf-8")
    code, _ = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 0
    report = json.loads((tmp_path / "out" / "wrong.json").read_text(encoding="utf-8"))
    assert (report["meta"]["year"], report["meta"]["template"]) == (2022, "legacy")
    assert report["stats_legacy"]["proactive"]["total"] == 1200
    assert not [path for path in report["evidence"] if path.startswith("stats_2019.")]


def test_unsupported_files_inside_a_folder_are_not_inputs(good, tmp_path, capsys):
    (good / "budget.xlsx").write_bytes(b"PK\x03\x04")
    (good / "scan.png").write_bytes(b"\x89PNG")
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 0
    assert "2 extracted, 0 already current, 0 failed" in err


# ------------------------------------------------------------------------------------------- resume and folders
def test_truncated_output_from_an_older_run_is_redone(good, tmp_path, capsys):
    out = tmp_path / "out"
    _run(capsys, str(good), "-o", str(out), "--no-llm")
    text = (out / "hebei_2021.json").read_text(encoding="utf-8")
    (out / "hebei_2021.json").write_text(text[: len(text) // 2], encoding="utf-8")
    code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0
    assert "1 extracted, 1 already current, 0 failed" in err
    _assert_good_outputs(out)


def test_output_of_another_model_or_version_is_not_current(good, tmp_path, capsys):
    out = tmp_path / "out"
    _run(capsys, str(good), "-o", str(out), "--no-llm")
    for name, key, value in (("hebei_2021", "model", "some-model"), ("lingshan_2017", "extractor_version", "0.0.1")):
        data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        data["run"][key] = value
        (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert "2 extracted, 0 already current, 0 failed" in err
    assert json.loads((out / "hebei_2021.json").read_text(encoding="utf-8"))["run"]["model"] is None


def test_temporary_files_left_by_a_killed_run_are_removed(good, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lingshan_2017.json.k2j4x9.extractor.tmp").write_text('{"meta": {"enti', encoding="utf-8")
    (out / ".notes.tmp").write_text("the user's own file", encoding="utf-8")
    code, _ = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0
    assert not (out / ".lingshan_2017.json.k2j4x9.extractor.tmp").exists()
    assert (out / ".notes.tmp").read_text(encoding="utf-8") == "the user's own file"
    (out / ".notes.tmp").unlink()
    _assert_good_outputs(out)


def test_output_folder_that_cannot_be_created_is_a_usage_error(good, tmp_path, capsys):
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "taken"), "--no-llm")
    assert code == 2
    assert err.startswith(f"extractor: {tmp_path / 'taken'}: cannot create or write to the output folder (")
    assert err.count("\n") == 1


def test_second_run_on_a_folder_in_use_stops_with_a_message_and_touches_nothing(good, tmp_path, capsys):
    out = tmp_path / "out"
    with output_folder_lock(out):
        code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 2
    assert err == (
        f"extractor: {out}: another extractor run is writing to this folder (pid {os.getpid()}, started "
        f"{err.split('started ')[1].split(')')[0]}); wait for it to finish or choose another output "
        "folder with -o\n"
    )
    assert [p.name for p in out.iterdir()] == [".extractor.lock"]
    code, _ = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0


def test_parquet_without_pyarrow_is_a_usage_error_before_any_work(good, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(batch, "parquet_available", lambda: False)
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm", "--format", "parquet")
    assert code == 2
    assert err == "extractor: --format parquet needs pyarrow: pip install 'extractor[parquet]'\n"
    assert not (tmp_path / "out").exists()


def test_tables_hold_every_report_in_the_folder_not_only_this_runs_inputs(good, tmp_path, capsys):
    out = tmp_path / "out"
    _run(capsys, str(good / "hebei_2021.txt"), "-o", str(out), "--no-llm")
    code, _ = _run(capsys, str(good / "lingshan_2017.txt"), "-o", str(out), "--no-llm", "--format", "jsonl", "--format", "parquet")
    assert code == 0
    both = ["hebei_2021", "lingshan_2017"]
    assert pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())["file"].tolist() == both
    assert pd.read_parquet(out / "reports.parquet")["file"].tolist() == both
    assert [json.loads(line)["file"] for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()] == both


# ----------------------------------------------------------------------------------------------- how it runs
def test_progress_line_is_drawn_in_place_on_a_terminal_and_cleared_at_the_end(good, tmp_path):
    stream = io.StringIO()
    run_batch([str(good)], BatchOptions(out_dir=tmp_path / "out", progress=True), stream)
    text = stream.getvalue()
    assert "\r\x1b[Kextractor: 2/2 · 2 extracted · 0 current · 0 failed" in text
    assert "\r\x1b[Kextractor: 2 extracted, 0 already current, 0 failed" in text  # the bar is gone first


def test_progress_line_never_wraps_on_a_narrow_terminal(good, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    stream = io.StringIO()
    run_batch([str(good)], BatchOptions(out_dir=tmp_path / "out", progress=True), stream)
    frames = stream.getvalue().split("\n")[0].split("\r\x1b[K")
    assert frames[1] == "extractor: 2/2 · 2 extracted · 0 current"[:39]
    assert all(len(frame) <= 39 for frame in frames[:-1])


def test_no_progress_line_when_stderr_is_not_a_terminal(good, tmp_path):
    stream = io.StringIO()
    run_batch([str(good)], BatchOptions(out_dir=tmp_path / "out"), stream)
    assert "\r" not in stream.getvalue()


def test_parallel_workers_write_the_same_outputs_as_one(good, tmp_path):
    for copy in range(10):
        shutil.copy(good / "hebei_2021.txt", good / f"copy{copy}.txt")
    one, two = tmp_path / "one", tmp_path / "two"
    run_batch([str(good)], BatchOptions(out_dir=one, workers=1), io.StringIO())
    result = run_batch([str(good)], BatchOptions(out_dir=two, workers=2), io.StringIO())
    assert (result.extracted, result.exit_status) == (12, 0)
    for path in one.glob("*.json"):
        assert path.read_text(encoding="utf-8") == (two / path.name).read_text(encoding="utf-8")
    assert (one / "reports.csv").read_bytes() == (two / "reports.csv").read_bytes()


@pytest.mark.parametrize(("todo", "workers", "expected"), [(7, None, 1), (8, None, os.cpu_count() or 1), (100, 1, 1)])
def test_default_workers_are_every_core_for_a_large_parsers_only_batch(todo, workers, expected, tmp_path):
    assert batch._workers(BatchOptions(out_dir=tmp_path, workers=workers), todo) == expected


def test_workers_option_must_be_a_positive_number(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["extract", str(tmp_path), "--workers", "0"])
    assert stop.value.code == 2
    assert "--workers: expected a whole number of at least 1, not '0'" in capsys.readouterr().err


def test_stems_that_collide_get_distinct_names_with_folder_and_suffix(tmp_path):
    files = [
        tmp_path / "a" / "r.txt",
        tmp_path / "b" / "r.txt",
        tmp_path / "b" / "r.pdf",
        tmp_path / "x" / "c" / "s.txt",
        tmp_path / "y" / "c" / "s.txt",
    ]
    names = output_names(files)
    assert len(set(names.values())) == len(files)
    assert names[files[0]] == "a__r"
    assert names[files[2]] == "b__r.pdf"
    assert names[files[3]] == "x__c__s.txt"


# -------------------------------------------------------------------------------- real processes: kill, overlap
def _corpus(folder: Path, copies: int) -> int:
    folder.mkdir()
    sources = sorted((REPO / "evals" / "docs").iterdir())
    for copy in range(copies):
        for source in sources:
            shutil.copyfile(source, folder / f"{copy:02d}_{source.name}")
    return copies * len(sources)


def _extract_process(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "extractor", "extract", *argv, "--no-llm"], cwd=REPO, stderr=subprocess.PIPE, text=True)


def _assert_every_output_whole(out: Path) -> None:
    for path in out.glob("*.json"):
        AnnualReport.model_validate_json(path.read_text(encoding="utf-8"))


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
def test_kill_9_mid_batch_then_rerun_finishes_only_what_is_missing(tmp_path):
    total = _corpus(tmp_path / "in", 3)
    out = tmp_path / "out"
    process = _extract_process(str(tmp_path / "in"), "-o", str(out), "--workers", "2")
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.json"))) < 5 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert len(workers) == 2
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers), "worker processes outlived the killed run"
    done = len(list(out.glob("*.json")))
    assert 5 <= done < total
    _assert_every_output_whole(out)
    assert not (out / "reports.csv").exists()

    rerun = _extract_process(str(tmp_path / "in"), "-o", str(out))
    _, err = rerun.communicate(timeout=120)
    # exit 1 only for the reports whose tables no parser reads (incomplete, each named in a line)
    assert rerun.returncode == (1 if ": incomplete: " in err else 0), err
    assert re.search(rf"{total - done} extracted( \(\d+ incomplete\))?, {done} already current, 0 failed", err), err
    assert len(list(out.glob("*.json"))) == total
    _assert_every_output_whole(out)
    assert not list(out.glob("*.tmp"))
    assert len(pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())) == total


def test_two_runs_at_once_on_one_folder_never_corrupt_it(tmp_path):
    total = _corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    first = _extract_process(str(tmp_path / "in"), "-o", str(out), "--workers", "1")
    second = _extract_process(str(tmp_path / "in"), "-o", str(out), "--workers", "1")
    errors = [first.communicate(timeout=120)[1], second.communicate(timeout=120)[1]]
    # a run that wrote reports whose tables no parser reads exits 1 (each named incomplete): as good as 0 here
    codes = sorted(
        0 if code == 1 and ": incomplete: " in text and " 0 failed" in text else code
        for code, text in ((first.returncode, errors[0]), (second.returncode, errors[1]))
    )
    assert codes in ([0, 0], [0, 2]), errors
    if codes == [0, 2]:
        refused = next(err for err in errors if "another extractor run" in err)
        assert re.fullmatch(
            rf"extractor: {re.escape(str(out))}: another extractor run is writing to this folder "
            r"\((pid \d+, started [\d: -]+|another process)\); wait for it to finish or choose another output folder "
            r"with -o\n",
            refused,
        )
    assert len(list(out.glob("*.json"))) == total
    _assert_every_output_whole(out)
    assert not list(out.glob("*.tmp"))
    assert len(pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())) == total


def test_with_a_model_reports_run_in_threads_and_model_use_is_summed_once(good, tmp_path, monkeypatch):
    for copy in range(4):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    real = batch.extract_read  # a run with a model reads each file in its main thread, then asks the model in threads
    threads: set[str] = set()

    def with_model(document, parsed, settings=None):
        import threading

        threads.add(threading.current_thread().name)
        time.sleep(0.02)
        report, text = real(document, parsed)
        return report.model_copy(
            update={
                "run": report.run.model_copy(
                    update={"model": settings.model, "accounting": {"requests": 2, "tokens_in": 300, "cache_hits": 1}}
                )
            }
        ), text

    monkeypatch.setattr(batch, "extract_read", with_model)
    settings = ModelSettings(base_url="http://127.0.0.1:9/v1", model="qwen", concurrency=3)
    stream = io.StringIO()
    result = run_batch([str(good)], BatchOptions(out_dir=tmp_path / "out", settings=settings), stream)
    assert result.extracted == 6 and dict(result.accounting) == {"requests": 12, "tokens_in": 1800, "cache_hits": 6}
    assert stream.getvalue().splitlines()[-1] == "extractor: model use: requests 12, tokens_in 1800, cache_hits 6"
    assert len(threads) == 3 and "MainThread" not in threads


def test_parsers_only_run_prints_no_model_use_line(good, tmp_path):
    stream = io.StringIO()
    run_batch([str(good)], BatchOptions(out_dir=tmp_path / "out"), stream)
    assert "model use" not in stream.getvalue()


# ---------------------------------------------------------------------------------------------- the model path
def _model(server_url: str, tmp_path: Path, **overrides) -> ModelSettings:
    return ModelSettings(
        **{
            "base_url": server_url,
            "model": "m",
            "mode": "json_schema",
            "cache_dir": str(tmp_path / "cache"),
            "transport_retries": 2,
            "max_wait": 0.05,
            "timeout": 5.0,
            "concurrency": 2,
            **overrides,
        }
    )


def _neutral_answer(body: dict) -> Reply:
    """A valid answer to any request in json_schema mode: the smallest instance of the schema it sends, each
    choice its last option (the model's "none of these")."""
    schema = body["response_format"]["json_schema"]["schema"]
    definitions = schema.get("$defs", {})

    def instance(node: dict):
        if "$ref" in node:
            return instance(definitions[node["$ref"].rsplit("/", 1)[1]])
        if "enum" in node or "const" in node:
            return node["enum"][-1] if "enum" in node else node["const"]
        if "anyOf" in node:
            return instance(node["anyOf"][-1])
        kind = node.get("type")
        if kind == "object":
            return {key: instance(node["properties"][key]) for key in node.get("required", [])}
        if kind == "array":
            return (
                [instance(item) for item in node["prefixItems"]]
                if "prefixItems" in node
                else [instance(node["items"])] * node.get("minItems", 0)
            )
        return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(str(kind))

    return answer(instance(schema))


@pytest.fixture
def needs_model(tmp_path) -> Path:
    """Two good reports that both have prose only a model reads (a problems section), so both send requests."""
    folder = tmp_path / "needs_model"
    folder.mkdir()
    problems = "存在的主要问题及改进措施\n一是工作人员业务水平有待提高,培训不够。\n"
    (folder / "lingshan_2017.txt").write_text(LEGACY_REPORT + "\n四、" + problems, encoding="utf-8")
    (folder / "hebei_2021.txt").write_text(GOV2021_REPORT + "\n五、" + problems, encoding="utf-8")
    return folder


def _parsers_first(good: Path, out: Path) -> dict[str, bytes]:
    """Outputs of a parsers-only run: what a failing model run must leave exactly as it found it."""
    run_batch([str(good)], BatchOptions(out_dir=out), io.StringIO())
    return _output_files(out)


def _output_files(out: Path) -> dict[str, bytes]:
    """Every output file's bytes; the folder lock holds only the last run's pid and start time, so not it."""
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != LOCK_NAME}


def _model_run(good: Path, out: Path, settings: ModelSettings, capsys) -> tuple[BatchResult, str]:
    capsys.readouterr()
    stream = io.StringIO()
    result = run_batch([str(good)], BatchOptions(out_dir=out, settings=settings), stream)
    err = stream.getvalue() + capsys.readouterr().err
    assert "Traceback" not in err
    return result, err


def _assert_written_incomplete(good: Path, out: Path, err: str, reason: str) -> None:
    """Each report written with the parsers' values, `run.complete: false`, a `model:` warning holding `reason`
    and one stderr line naming it as incomplete."""
    parsers = out.parent / "parsers_only"
    run_batch([str(good)], BatchOptions(out_dir=parsers), io.StringIO())
    for name in ("lingshan_2017", "hebei_2021"):
        written = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        alone = json.loads((parsers / f"{name}.json").read_text(encoding="utf-8"))
        assert written["run"]["complete"] is False and written["run"]["llm_used"] is True
        assert {k: v for k, v in written.items() if k.startswith("stats_")} == {k: v for k, v in alone.items() if k.startswith("stats_")}
        assert any(w.startswith("model: ") and re.search(reason, w, re.IGNORECASE) for w in written["warnings"]), written["warnings"]
        lines = [line for line in err.splitlines() if line.startswith(f"extractor: {good / name}.txt: ")]
        assert len(lines) == 1 and "incomplete" in lines[0] and re.search(reason, lines[0], re.IGNORECASE), err
    assert re.search(r"extractor: (\d+) extracted \(\1 incomplete\)", err), err


def test_429_storm_that_never_ends_writes_each_report_incomplete_in_one_line(needs_model, tmp_path, capsys, openai_server):
    good = needs_model
    out = tmp_path / "out"
    openai_server.default = status(429, headers={"retry-after-ms": "5"})
    result, err = _model_run(good, out, _model(openai_server.base_url, tmp_path), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete), result.failures) == (1, 2, 2, ())
    _assert_written_incomplete(good, out, err, "429")
    assert "given up" not in err  # a rate limit is waited out, request by request, not a sick endpoint


def test_429_storm_that_passes_is_retried_and_every_report_written(needs_model, tmp_path, capsys, openai_server):
    good = needs_model
    openai_server.script.extend([status(429, headers={"retry-after-ms": "5"})] * 2)
    openai_server.default = _neutral_answer
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path), capsys)
    assert (result.exit_status, result.extracted) == (0, 2), err
    assert result.accounting.get("transport_retries") == 2
    _assert_good_outputs(tmp_path / "out")


def _given_up(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("extractor") and "given up for this run" in r.getMessage()]


def test_connection_refused_gives_the_endpoint_up_once_and_writes_every_report_incomplete(needs_model, tmp_path, capsys, caplog):
    good = needs_model
    out = tmp_path / "out"
    result, err = _model_run(good, out, _model("http://127.0.0.1:9/v1", tmp_path, transport_retries=6), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 2, 2)
    _assert_written_incomplete(good, out, err, "connect")
    assert len(_given_up(caplog)) == 1


def test_always_500_is_given_up_after_three_failures_for_the_whole_run(needs_model, tmp_path, capsys, caplog, openai_server):
    good = needs_model
    for copy in range(4):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    openai_server.default = status(500)
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path, transport_retries=6, concurrency=1), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 6, 6)
    _assert_written_incomplete(good, tmp_path / "out", err, "HTTP 500")
    assert len(openai_server.chat_bodies()) == 3  # for the run, not per report nor per request
    assert len(_given_up(caplog)) == 1


def test_a_stalled_endpoint_costs_the_run_one_timeout_not_one_per_report(needs_model, tmp_path, capsys, caplog, openai_server, monkeypatch):
    monkeypatch.setattr("extractor.llm.client.FAILING_FOR", 0.5)  # the default timeout and FAILING_FOR are both 120 s
    good = needs_model
    openai_server.default = hang(30)
    started = time.monotonic()
    result, err = _model_run(
        good, tmp_path / "out", _model(openai_server.base_url, tmp_path, timeout=0.5, transport_retries=6, concurrency=2), capsys
    )
    assert time.monotonic() - started < 5
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 2, 2)
    _assert_written_incomplete(good, tmp_path / "out", err, "did not answer in time")
    assert len(openai_server.chat_bodies()) <= 2 and len(_given_up(caplog)) == 1


@pytest.mark.parametrize("code", [401, 403])
def test_a_refused_key_ends_the_model_part_at_once_naming_openai_api_key(needs_model, tmp_path, capsys, caplog, openai_server, code):
    good = needs_model
    openai_server.default = status(code)
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path, concurrency=1), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 2, 2)
    _assert_written_incomplete(good, tmp_path / "out", err, f"HTTP {code}")
    assert len(openai_server.chat_bodies()) == 1
    [line] = _given_up(caplog)
    assert "OPENAI_API_KEY" in line and "--base-url" in line


def test_a_rerun_redoes_only_the_incomplete_reports(needs_model, tmp_path, capsys, openai_server):
    good = needs_model
    (good / "plain.txt").write_text(LEGACY_REPORT, encoding="utf-8")  # nothing a model reads: complete either way
    out = tmp_path / "out"
    openai_server.default = status(500)
    first, _ = _model_run(good, out, _model(openai_server.base_url, tmp_path, concurrency=1), capsys)
    assert (first.extracted, len(first.incomplete)) == (3, 2), first
    plain = (out / "plain.json").read_bytes()
    openai_server.default = _neutral_answer
    second, err = _model_run(good, out, _model(openai_server.base_url, tmp_path, concurrency=1), capsys)
    assert (second.exit_status, second.extracted, second.skipped, second.incomplete) == (0, 2, 1, ()), err
    assert (out / "plain.json").read_bytes() == plain
    assert all(json.loads(p.read_text(encoding="utf-8"))["run"]["complete"] for p in out.glob("*.json"))


def test_a_malformed_cached_answer_is_asked_again_not_a_failure_until_refresh(needs_model, tmp_path, capsys, openai_server):
    from extractor.llm.cache import ResponseCache

    good = needs_model
    openai_server.default = _neutral_answer
    settings = _model(openai_server.base_url, tmp_path)
    _model_run(good, tmp_path / "first", settings, capsys)
    sent = len(openai_server.chat_bodies())
    cache = ResponseCache(tmp_path / "cache")
    for key in list(cache._cache.iterkeys()):
        cache.set(key, {"labels": 7, "points": "garbled"})  # what an older version, or a torn disk, left behind
    result, err = _model_run(good, tmp_path / "second", settings, capsys)
    assert (result.exit_status, result.extracted, result.incomplete, result.failures) == (0, 2, (), ()), err
    # asked again (two reports in threads may share an identical request, so at most as many as the first time)
    assert sent < len(openai_server.chat_bodies()) <= 2 * sent
    _assert_good_outputs(tmp_path / "second")


def test_cache_folder_that_cannot_be_written_warns_once_and_the_run_goes_on(good, tmp_path, capsys, caplog, openai_server):
    (tmp_path / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    openai_server.default = _neutral_answer
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path), capsys)
    assert (result.exit_status, result.extracted) == (0, 2), err
    warnings = [r for r in caplog.records if str(tmp_path / "cache") in r.getMessage()]
    assert len(warnings) == 1, f"said once per run, not once per thread: {warnings}"
    _assert_good_outputs(tmp_path / "out")


def test_model_failures_on_the_command_line_are_one_line_each_and_nothing_else(needs_model, tmp_path, openai_server):
    good = needs_model
    openai_server.default = status(429, headers={"retry-after-ms": "5"})
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "extractor",
            "extract",
            str(good),
            "-o",
            str(tmp_path / "out"),
            "--base-url",
            openai_server.base_url,
            "--model",
            "m",
            "--cache-dir",
            str(tmp_path / "c"),
            "--concurrency",
            "2",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1
    lines = process.stderr.splitlines()
    assert all(line.startswith("extractor: ") for line in lines), process.stderr  # no library log lines
    assert len([line for line in lines if "lingshan_2017.txt" in line]) == 1
    assert len([line for line in lines if "hebei_2021.txt" in line]) == 1


@pytest.mark.parametrize("concurrency", ["1", "4"])
def test_ctrl_c_stops_a_run_waiting_on_a_stalled_model_at_once(needs_model, tmp_path, openai_server, concurrency):
    good = needs_model
    for copy in range(6):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    openai_server.default = hang(60)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "extractor",
            "extract",
            str(good),
            "-o",
            str(out),
            "--base-url",
            openai_server.base_url,
            "--model",
            "m",
            "--cache-dir",
            str(tmp_path / "c"),
            "--concurrency",
            concurrency,
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(openai_server.chat_bodies()) < int(concurrency) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(openai_server.chat_bodies()) == int(concurrency), "the requests never reached the endpoint"
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    interrupted = time.monotonic()
    _, err = process.communicate(timeout=30)
    stopped = time.monotonic() - interrupted
    assert stopped < 10, f"{stopped:.1f} s: it waited for the request (a 60 s hang, a 120 s timeout)"  # ~0.3 s measured
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == "extractor: interrupted; finished outputs are kept, rerun to resume", err
    assert "Traceback" not in err
    _assert_every_output_whole(out)
    assert not list(out.glob("*.tmp"))


@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_model_run_holds_each_file_to_the_time_limit_at_any_concurrency(needs_model, tmp_path, capsys, openai_server, concurrency):
    """The files are read in the main thread, where the time limit's timer works, and only the model is asked in
    the run's threads: the endless file fails alone, the others are written with the model's answers."""
    good = needs_model
    (good / "endless.txt").write_text(_single_line_text(12), encoding="utf-8")
    openai_server.default = _neutral_answer
    settings = _model(openai_server.base_url, tmp_path, concurrency=concurrency)
    capsys.readouterr()
    stream = io.StringIO()
    result = run_batch([str(good)], BatchOptions(out_dir=tmp_path / "out", settings=settings, time_limit=0.5), stream)
    err = stream.getvalue() + capsys.readouterr().err
    assert (result.exit_status, result.extracted) == (1, 2), err
    assert [f.line for f in result.failures] == [
        f"{good / 'endless.txt'}: reading took longer than the 0.5 s limit per file (--time-limit)"
    ]
    for name in ("lingshan_2017", "hebei_2021"):
        written = json.loads((tmp_path / "out" / f"{name}.json").read_text(encoding="utf-8"))
        assert written["run"]["llm_used"] is True and written["run"]["complete"] is True
    assert openai_server.chat_bodies()
