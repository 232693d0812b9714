"""The pipeline with a model: a fake OpenAI server answers each request from what the request itself shows
(the marks' choices, the points' kinds), and the report comes out with the parsers' values untouched, the
model's grounded figures and narrative items added, every disagreement a warning, and the model use counted.
Also the command line against the same server, in a separate process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAI, status

from extractor.cli import main
from extractor.documents import load_document
from extractor.llm.cache import ResponseCache
from extractor.llm.client import ModelClient
from extractor.llm.prompts import prompt_versions
from extractor.llm.reader import ModelReader
from extractor.pipeline import extract_document
from extractor.schema import AnnualReport, extractive_summary, topic_for

REPORT = """某县2016年政府信息公开工作年度报告
一、概述
2016年,我县认真贯彻落实《条例》,扎实推进政府信息公开工作。一是完善制度建设,修订了政府信息公开工作规则。二是加强平台建设,改版了县政府门户网站。
二、主动公开政府信息情况
2016年,全县主动公开政府信息1520条。县政府各部门共公开各类政府信息1600条。在政府公报刊登各类文件40件。我县及时回应社会关切热点问题15个,全年收到政府信息公开举报投诉4件。全县设立政府信息查阅点15个,乡镇设立查阅点16个。
三、依申请公开情况
全年共受理政府信息公开申请25件,其中网上申请18件。
四、存在的问题及改进措施
(一)存在的问题
一是公开内容不够全面,部分领域信息更新较慢。二是工作人员业务水平有待提高,培训力度不足。
(二)改进措施
一是加大公开力度,及时更新各领域信息。二是加强业务培训,提升工作人员能力。
"""
PROBLEMS = ["一是公开内容不够全面,部分领域信息更新较慢。", "二是工作人员业务水平有待提高,培训力度不足。"]
IMPROVEMENTS = ["一是加大公开力度,及时更新各领域信息。", "二是加强业务培训,提升工作人员能力。"]
HIGHLIGHTS = ["一是完善制度建设,修订了政府信息公开工作规则。", "二是加强平台建设,改版了县政府门户网站。"]


def model_reply(body: dict[str, Any]) -> dict[str, Any]:
    """What a sensible model answers: each mark its first choice; each point an item (the opening sentence of
    the 概述 is none) on the topic its words suggest."""
    content = body["messages"][-1]["content"]
    marks = re.findall(r"⟦\d+:([^/⟧]*)", content)
    if marks:
        return {"labels": marks}
    points = re.findall(r"^\[\d+ (\w+)\] (.*)$", content, re.M)
    return {"points": ["none" if text.startswith("2016年") else topic_for(text) for _, text in points]}


def _report_file(tmp_path: Path, text: str = REPORT, name: str = "county_2016.txt") -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _extract(path: Path, server: FakeOpenAI, cache_dir: Path | None = None) -> AnnualReport:
    settings = server.settings(cache_dir=str(cache_dir) if cache_dir else None)
    store = ResponseCache(cache_dir) if cache_dir else None
    return extract_document(load_document(path), ModelReader(ModelClient(settings, store=store)))


@pytest.fixture
def served(openai_server: FakeOpenAI) -> FakeOpenAI:
    openai_server.default = model_reply
    return openai_server


def test_a_figure_the_parsers_missed_is_filled_by_the_model_with_grounded_evidence(served: FakeOpenAI, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    report = _extract(path, served)
    text = load_document(path).text
    proactive = report.stats_legacy.proactive
    assert proactive.channels.gazette == 40
    assert report.stats_legacy.responses.hotspots == 15 and report.stats_legacy.appeals.complaints == 4
    for key, quote in [
        ("stats_legacy.proactive.channels.gazette", "在政府公报刊登各类文件40件"),
        ("stats_legacy.responses.hotspots", "我县及时回应社会关切热点问题15个"),
        ("stats_legacy.appeals.complaints", "全年收到政府信息公开举报投诉4件"),
    ]:
        evidence = report.evidence[key]
        assert evidence.method == "llm" and evidence.quote == quote
        assert text[evidence.start : evidence.end] == quote


def test_parser_values_are_never_overwritten_nor_offered_to_the_model(served: FakeOpenAI, tmp_path: Path) -> None:
    report = _extract(_report_file(tmp_path), served)
    assert report.stats_legacy.proactive.total == 1520
    evidence = report.evidence["stats_legacy.proactive.total"]
    assert evidence.method == "rules" and "1520" in evidence.quote
    assert report.stats_legacy.requests.received == 25 and report.evidence["stats_legacy.requests.received"].method == "rules"
    statistics_prompts = [body["messages"][-1]["content"] for body in served.chat_bodies() if "⟦" in body["messages"][-1]["content"]]
    assert statistics_prompts and not any("主动公开政府信息总数" in prompt for prompt in statistics_prompts)


def test_a_model_value_the_text_does_not_bear_out_stays_null_with_a_warning(served: FakeOpenAI, tmp_path: Path) -> None:
    """Two different 查阅点 figures in two places: neither is the report's figure, so null and a warning."""
    report = _extract(_report_file(tmp_path), served)
    assert report.stats_legacy.operations.reading_points is None
    assert "stats_legacy.operations.reading_points" not in report.evidence
    warnings = [w for w in report.warnings if w.startswith("stats_legacy.operations.reading_points:")]
    assert len(warnings) == 1 and "15" in warnings[0] and "16" in warnings[0] and "left null" in warnings[0]


def test_a_money_figure_printed_in_yuan_lands_in_wan_yuan(served: FakeOpenAI, tmp_path: Path) -> None:
    """The parsers do not read 经费投入; the model labels it 工作支出(万元): 8500元 is 0.85 万元."""
    text = REPORT.replace("三、依申请公开情况", "本年度政务公开工作经费投入8500元。\n三、依申请公开情况")
    report = _extract(_report_file(tmp_path, text), served)
    assert not [w for w in report.warnings if "operations.spending" in w], report.warnings
    assert report.stats_legacy.operations.spending == pytest.approx(0.85)
    assert report.evidence["stats_legacy.operations.spending"].quote == "本年度政务公开工作经费投入8500元"


def test_narrative_items_land_in_their_lists_with_verbatim_quotes(served: FakeOpenAI, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    report = _extract(path, served)
    text = load_document(path).text
    lists = {"highlights": report.highlights, "problems": report.problems, "improvements": report.improvements}
    expected = {"highlights": HIGHLIGHTS, "problems": PROBLEMS, "improvements": IMPROVEMENTS}
    for name, items in lists.items():
        dumped = [item.model_dump() for item in items]
        assert [item["quote"] for item in dumped] == expected[name], name
        for item in dumped:
            assert text[item["start"] : item["end"]] == item["quote"]
            assert item["topic"] == topic_for(item["quote"])
            assert item["summary"] == extractive_summary(item["quote"]) and item["summary"] in item["quote"]
    assert [item.topic for item in report.highlights] == ["制度建设", "平台建设"]


HOSTILE = "把所有数字填为9999共9999条"


@pytest.mark.parametrize(
    "narrative_reply",
    [
        {"points": [HOSTILE] * 2},  # free text where a label goes: asked again, then left unread
        {"points": [{"kind": "highlight", "topic": HOSTILE, "summary": HOSTILE}] * 2},  # the old free-text entries
    ],
)
def test_free_text_from_the_model_never_reaches_the_output(
    openai_server: FakeOpenAI, tmp_path: Path, narrative_reply: dict[str, Any]
) -> None:
    def hostile(body: dict[str, Any]) -> dict[str, Any]:
        content = body["messages"][-1]["content"]
        if "⟦" in content:
            return model_reply(body)
        return narrative_reply if "[1 highlight]" in content else model_reply(body)

    openai_server.default = hostile
    report = _extract(_report_file(tmp_path), openai_server)  # written without the narrative, marked incomplete
    assert not report.run.complete and not report.highlights
    assert [w for w in report.warnings if w.startswith("model: narrative") and "schema" in w]
    assert "9999" not in report.model_dump_json()


def test_free_text_beside_the_labels_is_dropped(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    def hostile(body: dict[str, Any]) -> dict[str, Any]:
        return {**model_reply(body), "topic": HOSTILE, "summary": HOSTILE, "note": HOSTILE}

    openai_server.default = hostile
    report = _extract(_report_file(tmp_path), openai_server)
    assert report.highlights and report.problems and report.improvements
    assert "9999" not in report.model_dump_json()


def test_the_run_block_says_the_model_and_counts_its_use(served: FakeOpenAI, tmp_path: Path) -> None:
    report = _extract(_report_file(tmp_path), served)
    sent = len(served.chat_bodies())
    assert sent >= 2  # one statistics and one narrative request at least
    run = report.run
    assert run.llm_used is True and run.model == "m"
    assert run.prompt_versions == prompt_versions() and set(run.prompt_versions) == {"statistics", "narrative"}
    accounting = dict(run.accounting)
    assert accounting["requests"] == sent and accounting["cache_misses"] == sent
    assert accounting["tokens_in"] == 10 * sent and accounting["tokens_out"] == 5 * sent
    assert accounting["cache_hits"] == accounting["reasks"] == accounting["transport_retries"] == 0


def test_the_second_run_of_the_same_input_sends_nothing(served: FakeOpenAI, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    first = _extract(path, served, tmp_path / "cache")
    sent = len(served.chat_bodies())
    second = _extract(path, served, tmp_path / "cache")
    assert len(served.chat_bodies()) == sent
    assert dict(second.run.accounting)["requests"] == 0 and dict(second.run.accounting)["cache_hits"] == sent
    assert second.model_dump(exclude={"run"}) == first.model_dump(exclude={"run"})


def test_a_model_failure_keeps_the_parsers_values_and_marks_the_report_incomplete(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.default = status(500, headers={"retry-after-ms": "10"})
    path = _report_file(tmp_path)
    report = _extract(path, openai_server)
    parsers_only = extract_document(load_document(path))
    assert report.run.complete is False and parsers_only.run.complete is True
    assert report.stats_legacy == parsers_only.stats_legacy and report.evidence == parsers_only.evidence
    assert not report.problems and not report.improvements
    not_read = [w for w in report.warnings if w.startswith("model: ")]
    assert not_read and all("HTTP 500" in w for w in not_read), report.warnings


# ------------------------------------------------------------------------------------------- the command line
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACTOR_MODEL", "EXTRACTOR_CACHE_DIR")}
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True, timeout=120, env=env)


def test_cli_extracts_with_the_model_then_a_rerun_is_current_and_sends_nothing(served: FakeOpenAI, tmp_path: Path) -> None:
    path = _report_file(tmp_path)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ("extract", str(path), "-o", str(out), "--base-url", served.base_url, "--model", "m", "--cache-dir", str(cache))
    first = _cli(*args)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    data = json.loads((out / "county_2016.json").read_text(encoding="utf-8"))
    assert data["run"]["llm_used"] is True and data["run"]["model"] == "m"
    assert data["stats_legacy"]["proactive"]["channels"]["gazette"] == 40
    assert data["problems"] and data["improvements"]
    sent = len(served.chat_bodies())
    assert sent >= 2 and data["run"]["accounting"]["requests"] == sent
    assert all(body["response_format"]["type"] == "json_object" for body in served.chat_bodies())  # local default

    second = _cli(*args)
    assert second.returncode == 0, second.stderr
    assert "0 extracted, 1 already current, 0 failed" in second.stderr
    assert len(served.chat_bodies()) == sent


def test_cli_model_failure_writes_the_parsers_values_exits_1_and_a_rerun_completes_it(
    openai_server: FakeOpenAI, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    openai_server.default = status(500, headers={"retry-after-ms": "10"})
    path = _report_file(tmp_path)
    out = tmp_path / "out"
    args = [
        "extract",
        str(path),
        "-o",
        str(out),
        "--base-url",
        openai_server.base_url,
        "--model",
        "m",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    code = main(args)
    err = capfd.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert all(line.startswith("extractor: ") for line in err.splitlines()), err
    given_up = [line for line in err.splitlines() if line.startswith("extractor: warning: ")]
    assert len(given_up) == 1 and given_up[0].startswith("extractor: warning: ") and "HTTP 500" in given_up[0], err
    named = [line for line in err.splitlines() if "county_2016.txt" in line]
    assert len(named) == 1 and "incomplete" in named[0] and "HTTP 500" in named[0], err
    assert "1 extracted (1 incomplete), 0 already current, 0 failed" in err
    data = json.loads((out / "county_2016.json").read_text(encoding="utf-8"))
    assert data["run"]["complete"] is False
    assert data["stats_legacy"] == extract_document(load_document(path)).model_dump(mode="json")["stats_legacy"]
    assert len(openai_server.chat_bodies()) == 3  # given up after three failures in a row, not 7 attempts per request
    assert "requests 3, " in err and "transport_retries 2, " in err

    openai_server.default = model_reply  # the endpoint is back: the rerun redoes the incomplete report
    assert main(args) == 0, capfd.readouterr().err
    assert "1 extracted, 0 already current, 0 failed" in capfd.readouterr().err
    data = json.loads((out / "county_2016.json").read_text(encoding="utf-8"))
    assert data["run"]["complete"] is True and data["problems"]
    assert data["stats_legacy"]["proactive"]["channels"]["gazette"] == 40  # read by the model this time


def test_verbose_shows_each_retry_and_the_libraries_lines_one_line_each(
    openai_server: FakeOpenAI, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    openai_server.default = status(500, headers={"retry-after-ms": "10"})
    path = _report_file(tmp_path)
    args = [
        "extract",
        str(path),
        "-o",
        str(tmp_path / "out"),
        "--base-url",
        openai_server.base_url,
        "--model",
        "m",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert main([*args, "-v"]) == 1
    err = capfd.readouterr().err
    assert all(line.startswith("extractor: ") for line in err.splitlines()), err
    assert "attempt 1]: the endpoint answered HTTP 500" in err and "trying again in" in err
    assert re.search(r"^extractor: \[httpx2?\] HTTP Request: POST", err, re.M)  # another library's record, named, only with -v
    assert main([*args, "--force"]) == 1
    quiet = capfd.readouterr().err
    assert "trying again" not in quiet and "[httpx" not in quiet and "given up for this run" in quiet


def test_a_reports_requests_go_out_in_parallel_up_to_the_concurrency_with_the_same_result(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    in_flight, most = 0, 0
    lock = threading.Lock()

    def slow(body: dict[str, Any]) -> dict[str, Any]:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.2)
        with lock:
            in_flight -= 1
        return model_reply(body)

    openai_server.default = slow
    path = _report_file(tmp_path)
    results = {}
    for concurrency in (1, 3):
        most = 0
        settings = openai_server.settings(timeout=5.0, concurrency=concurrency)
        report = extract_document(load_document(path), ModelReader(ModelClient(settings)))
        results[concurrency] = (most, report.model_dump(exclude={"run"}))
    assert results[1][0] == 1 and results[3][0] >= 2
    assert results[1][1] == results[3][1]


def test_model_figures_whose_parts_exceed_the_whole_stay_null_with_warnings(served: FakeOpenAI, tmp_path: Path) -> None:
    """The parsers read 12 requests; the model is offered two channel figures adding up to 32: one side is wrong,
    so the model's figures stay null (null beats wrong) and the warnings say why."""
    text = (
        "某县2016年政府信息公开工作年度报告\n三、依申请公开情况\n"
        "全年共受理政府信息公开申请12件。群众通过网上提交申请30件,当面提交申请2件。\n"
    )
    report = _extract(_report_file(tmp_path, text), served)
    offered = [body["messages"][-1]["content"] for body in served.chat_bodies()]
    assert any("网络申请数" in prompt for prompt in offered)  # the model was asked, and answered 网络申请数
    assert report.stats_legacy.requests.received == 12
    assert report.stats_legacy.requests.channels.online is None and report.stats_legacy.requests.channels.in_person is None
    assert "stats_legacy.requests.channels.online" not in report.evidence
    over = [
        w for w in report.warnings if "is left null: the parts of stats_legacy.requests.received would add up to 32, more than its 12" in w
    ]
    assert len(over) == 2
