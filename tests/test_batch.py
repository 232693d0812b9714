"""Batch runs in real life: the fault table (every bad input next to good reports), kill -9 and resume, two
runs on one folder, a worker that dies, and the options that decide how a batch runs.

Each fault case builds its bad input for real, runs `extractor extract` over it together with two good
reports, and checks the one stderr line naming it, the exit status, that the good reports' outputs are whole
and right, and that no temporary file is left."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from openai_server import Reply, answer, hang, status
from samples import GOV2021_REPORT, LEGACY_REPORT

from extractor import batch
from extractor.batch import LOCK_NAME, BatchOptions, BatchResult, _locked, output_names, run_batch
from extractor.cli import main
from extractor.llm.settings import ModelSettings
from extractor.output import csv_dtypes
from extractor.schema import AnnualReport

REPO = Path(__file__).resolve().parent.parent
needs_model_client = pytest.mark.skipif(not (REPO / "extractor" / "llm" / "client.py").exists(),
                                        reason="the model client (issue 5) is not in this tree yet")
NEWS_PAGE = """<!doctype html><html><head><title>我市召开春季农业生产工作会议</title></head><body>
<h1>我市召开春季农业生产工作会议</h1><p>3月12日，市政府召开全市春季农业生产工作会议，部署春耕备耕工作。
会议强调，要抓好粮食生产，确保全年粮食播种面积稳定在500万亩以上。</p></body></html>"""
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
    Fault("binary garbage named .pdf", _write("garbage.pdf", bytes(range(256)) * 64,
                                              r"not a PDF file \(no %PDF header\)")),
    Fault("broken PDF body", _write("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 64,
                                    r"PDF cannot be opened \(.+\)")),
    Fault("PDF without a text layer (scanned)", _made("scanned.pdf", _pdf,
                                                      r"PDF has no text layer \(scanned images\?\); OCR it first")),
    Fault("encrypted PDF", _made("encrypted.pdf", lambda p: _pdf(p, text="2017 report", password="secret"),
                                 r"PDF is encrypted \(password required\)")),
    Fault("corrupt DOCX (not a zip)", _write("corrupt.docx", b"PK\x03\x04" + bytes(range(256)) * 16,
                                             r"not a Word \.docx file \(not a zip package\)")),
    Fault("corrupt DOCX (zip without a document)", _made("hollow.docx", _docx_without_document,
                                                         r"corrupt \.docx \(\w+\)")),
    Fault("Word lock file left beside an open report", _write("~$report.docx", b"\x0bZhang San" + b"\x00" * 151,
                                                             r"not a Word \.docx file \(not a zip package\)")),
    Fault("old binary .doc renamed .docx", _write("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088,
                                                 r"not a Word \.docx file \(not a zip package\)")),
    Fault("unsupported suffix named on the command line", _write("stats.xls", b"\xd0\xcf\x11\xe0" * 64,
                                                                 r"unsupported file type '\.xls' \(use \.txt, .*\)"),
          in_folder=False),
    Fault("unreadable file", _unreadable),
    Fault("missing path", lambda folder: (folder.parent / "gone.pdf", "no such file or folder"), in_folder=False),
    Fault("file far past any real report's size", _huge),
    Fault("text neither UTF-8 nor GBK", _write("latin.txt", b"annual report \x80\x80 of the county " * 4,
                                               r"text is neither UTF-8 nor GB18030/GBK")),
    Fault("text too short to be a report", _write("stub.txt", "年度报告", "no text found in the document")),
    Fault("HTML page that is not a report", _write("news.html", NEWS_PAGE,
                                                   "not an annual report: no report year, statistics table or "
                                                   "figure found")),
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
    named = [line for line in err.splitlines() if bad.name in line]
    assert len(named) == 1, err
    assert re.fullmatch(rf"extractor: {re.escape(str(bad))}: {reason}.*", named[0]), named[0]
    assert "2 extracted, 0 already current, 1 failed" in err
    _assert_good_outputs(out)
    assert sorted(p.name for p in out.glob("*.json")) == ["hebei_2021.json", "lingshan_2017.json"]


def test_unexpected_exception_is_an_internal_error_line_for_that_file_only(good, tmp_path, capsys, monkeypatch):
    (good / "trigger.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    real = batch.extract_file

    def fragile(path, settings=None):
        if path.endswith("trigger.txt"):
            raise RuntimeError("unexpected\nstate")
        return real(path, settings)

    monkeypatch.setattr(batch, "extract_file", fragile)
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm")
    assert code == 1
    assert f"extractor: {good / 'trigger.txt'}: internal error: RuntimeError: unexpected state" in err.splitlines()
    _assert_good_outputs(tmp_path / "out")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork to carry the patch")
def test_worker_process_that_dies_fails_its_file_only(good, tmp_path, capsys, monkeypatch):
    for copy in range(6):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    (good / "killer.txt").write_text(LEGACY_REPORT, encoding="utf-8")
    real = batch.extract_file

    def deadly(path, settings=None):
        if path.endswith("killer.txt"):
            os._exit(3)  # what a segfault in a native library looks like from outside
        return real(path, settings)

    monkeypatch.setattr(batch, "extract_file", deadly)
    monkeypatch.setattr(batch, "_pool", _forked_pool)
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm", "--workers", "2")
    assert code == 1
    assert [line for line in err.splitlines() if "killer.txt" in line] == [
        f"extractor: {good / 'killer.txt'}: internal error: the worker process died reading this file "
        "(a crash in a native library?)"]
    assert "8 extracted, 0 already current, 1 failed" in err
    _assert_good_outputs(tmp_path / "out")
    assert len(list((tmp_path / "out").glob("copy*.json"))) == 6


def _forked_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


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
    (out / ".lingshan_2017.json.k2j4x9.tmp").write_text('{"meta": {"enti', encoding="utf-8")
    code, _ = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0
    _assert_good_outputs(out)


def test_output_folder_that_cannot_be_created_is_a_usage_error(good, tmp_path, capsys):
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "taken"), "--no-llm")
    assert code == 2
    assert err.startswith(f"extractor: {tmp_path / 'taken'}: cannot create or write to the output folder (")
    assert err.count("\n") == 1


def test_second_run_on_a_folder_in_use_stops_with_a_message_and_touches_nothing(good, tmp_path, capsys):
    out = tmp_path / "out"
    with _locked(out):
        code, err = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 2
    assert err == (f"extractor: {out}: another extractor run is writing to this folder (pid {os.getpid()}, started "
                   f"{err.split('started ')[1].split(')')[0]}); wait for it to finish or choose another output "
                   "folder with -o\n")
    assert [p.name for p in out.iterdir()] == [".extractor.lock"]
    code, _ = _run(capsys, str(good), "-o", str(out), "--no-llm")
    assert code == 0


def test_parquet_without_pyarrow_is_a_usage_error_before_any_work(good, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(batch, "parquet_available", lambda: False)
    code, err = _run(capsys, str(good), "-o", str(tmp_path / "out"), "--no-llm", "--format", "parquet")
    assert code == 2
    assert err == "extractor: --format parquet needs pyarrow: pip install 'extractor[parquet]'\n"
    assert not (tmp_path / "out").exists()


def test_tables_hold_the_current_outputs_of_this_runs_inputs_only(good, tmp_path, capsys):
    out = tmp_path / "out"
    _run(capsys, str(good), "-o", str(out), "--no-llm")
    code, _ = _run(capsys, str(good / "lingshan_2017.txt"), "-o", str(out), "--no-llm", "--format", "jsonl",
                   "--format", "parquet")
    assert code == 0
    assert pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())["file"].tolist() == ["lingshan_2017"]
    assert pd.read_parquet(out / "reports.parquet")["file"].tolist() == ["lingshan_2017"]
    assert [json.loads(line)["file"] for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()] == [
        "lingshan_2017"]
    assert (out / "hebei_2021.json").exists()


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
    files = [tmp_path / "a" / "r.txt", tmp_path / "b" / "r.txt", tmp_path / "b" / "r.pdf",
             tmp_path / "x" / "c" / "s.txt", tmp_path / "y" / "c" / "s.txt"]
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
    return subprocess.Popen([sys.executable, "-m", "extractor", "extract", *argv, "--no-llm"], cwd=REPO,
                            stderr=subprocess.PIPE, text=True)


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
    assert rerun.returncode == 0, err
    assert f"{total - done} extracted, {done} already current, 0 failed" in err
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
    codes = sorted([first.returncode, second.returncode])
    assert codes in ([0, 0], [0, 2]), errors
    if codes == [0, 2]:
        refused = next(err for err in errors if "another extractor run" in err)
        assert re.fullmatch(rf"extractor: {re.escape(str(out))}: another extractor run is writing to this folder "
                            r"\((pid \d+, started [\d: -]+|another process)\); wait for it to finish or choose another output folder "
                            r"with -o\n", refused)
    assert len(list(out.glob("*.json"))) == total
    _assert_every_output_whole(out)
    assert not list(out.glob("*.tmp"))
    assert len(pd.read_csv(out / "reports.csv", encoding="utf-8-sig", dtype=csv_dtypes())) == total


def test_with_a_model_reports_run_in_threads_and_model_use_is_summed_once(good, tmp_path, monkeypatch):
    for copy in range(4):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    real = batch.extract_file
    threads: set[str] = set()

    def with_model(path, settings=None):
        import threading

        threads.add(threading.current_thread().name)
        time.sleep(0.02)
        report = real(path)
        return report.model_copy(update={"run": report.run.model_copy(update={
            "model": settings.model, "accounting": {"requests": 2, "tokens_in": 300, "cache_hits": 1}})})

    monkeypatch.setattr(batch, "extract_file", with_model)
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


# ------------------------------------------------------------------------------- the model path (issue 5's client)
def _model(server_url: str, tmp_path: Path, **overrides) -> ModelSettings:
    return ModelSettings(**{"base_url": server_url, "model": "m", "mode": "json_schema", "cache_dir": str(tmp_path / "cache"),
                            "transport_retries": 2, "max_wait": 0.05, "timeout": 5.0, "concurrency": 2, **overrides})


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
            return [instance(item) for item in node["prefixItems"]] if "prefixItems" in node else [
                instance(node["items"])] * node.get("minItems", 0)
        return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(kind)

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
    assert re.search(r"extractor: (\d+) extracted \(\1 incomplete: rerun to complete them\)", err), err


@needs_model_client
def test_429_storm_that_never_ends_writes_each_report_incomplete_in_one_line(needs_model, tmp_path, capsys, openai_server):
    good = needs_model
    out = tmp_path / "out"
    openai_server.default = status(429, headers={"retry-after-ms": "5"})
    result, err = _model_run(good, out, _model(openai_server.base_url, tmp_path), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete), result.failures) == (1, 2, 2, ())
    _assert_written_incomplete(good, out, err, "429")
    assert "given up" not in err  # a rate limit is waited out, request by request, not a sick endpoint


@needs_model_client
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


@needs_model_client
def test_connection_refused_gives_the_endpoint_up_once_and_writes_every_report_incomplete(needs_model, tmp_path, capsys,
                                                                                          caplog):
    good = needs_model
    out = tmp_path / "out"
    result, err = _model_run(good, out, _model("http://127.0.0.1:9/v1", tmp_path, transport_retries=6), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 2, 2)
    _assert_written_incomplete(good, out, err, "connect")
    assert len(_given_up(caplog)) == 1


@needs_model_client
def test_always_500_is_given_up_after_three_failures_for_the_whole_run(needs_model, tmp_path, capsys, caplog, openai_server):
    good = needs_model
    for copy in range(4):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    openai_server.default = status(500)
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path, transport_retries=6,
                                                            concurrency=1), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 6, 6)
    _assert_written_incomplete(good, tmp_path / "out", err, "HTTP 500")
    assert len(openai_server.chat_bodies()) == 3  # for the run, not per report nor per request
    assert len(_given_up(caplog)) == 1


@needs_model_client
def test_a_stalled_endpoint_costs_the_run_one_timeout_not_one_per_report(needs_model, tmp_path, capsys, caplog, openai_server,
                                                                         monkeypatch):
    monkeypatch.setattr("extractor.llm.client.FAILING_FOR", 0.5)  # the default timeout and FAILING_FOR are both 120 s
    good = needs_model
    openai_server.default = hang(30)
    started = time.monotonic()
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path, timeout=0.5,
                                                            transport_retries=6, concurrency=2), capsys)
    assert time.monotonic() - started < 5
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 2, 2)
    _assert_written_incomplete(good, tmp_path / "out", err, "did not answer in time")
    assert len(openai_server.chat_bodies()) <= 2 and len(_given_up(caplog)) == 1


@needs_model_client
@pytest.mark.parametrize("code", [401, 403])
def test_a_refused_key_ends_the_model_part_at_once_naming_openai_api_key(needs_model, tmp_path, capsys, caplog, openai_server,
                                                                        code):
    good = needs_model
    openai_server.default = status(code)
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path, concurrency=1), capsys)
    assert (result.exit_status, result.extracted, len(result.incomplete)) == (1, 2, 2)
    _assert_written_incomplete(good, tmp_path / "out", err, f"HTTP {code}")
    assert len(openai_server.chat_bodies()) == 1
    [line] = _given_up(caplog)
    assert "OPENAI_API_KEY" in line and "--base-url" in line


@needs_model_client
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


@needs_model_client
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
    assert len(openai_server.chat_bodies()) == 2 * sent
    _assert_good_outputs(tmp_path / "second")


@needs_model_client
def test_cache_folder_that_cannot_be_written_warns_once_and_the_run_goes_on(good, tmp_path, capsys, caplog, openai_server):
    (tmp_path / "cache").write_text("a file where the cache folder should be", encoding="utf-8")
    openai_server.default = _neutral_answer
    result, err = _model_run(good, tmp_path / "out", _model(openai_server.base_url, tmp_path), capsys)
    assert (result.exit_status, result.extracted) == (0, 2), err
    warnings = [r for r in caplog.records if str(tmp_path / "cache") in r.getMessage()]
    assert len(warnings) == 1, f"said once per run, not once per thread: {warnings}"
    _assert_good_outputs(tmp_path / "out")


@needs_model_client
def test_model_failures_on_the_command_line_are_one_line_each_and_nothing_else(needs_model, tmp_path, openai_server):
    good = needs_model
    openai_server.default = status(429, headers={"retry-after-ms": "5"})
    process = subprocess.run([sys.executable, "-m", "extractor", "extract", str(good), "-o", str(tmp_path / "out"),
                              "--base-url", openai_server.base_url, "--model", "m", "--cache-dir", str(tmp_path / "c"),
                              "--concurrency", "2"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert process.returncode == 1
    lines = process.stderr.splitlines()
    assert all(line.startswith("extractor: ") for line in lines), process.stderr  # no library log lines
    assert len([line for line in lines if "lingshan_2017.txt" in line]) == 1
    assert len([line for line in lines if "hebei_2021.txt" in line]) == 1


@needs_model_client
@pytest.mark.parametrize("concurrency", ["1", "4"])
def test_ctrl_c_stops_a_run_waiting_on_a_stalled_model_at_once(needs_model, tmp_path, openai_server, concurrency):
    good = needs_model
    for copy in range(6):
        shutil.copy(good / "lingshan_2017.txt", good / f"copy{copy}.txt")
    openai_server.default = hang(60)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "extractor", "extract", str(good), "-o", str(out), "--base-url",
                                openai_server.base_url, "--model", "m", "--cache-dir", str(tmp_path / "c"),
                                "--concurrency", concurrency], cwd=REPO, stderr=subprocess.PIPE, text=True)
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
