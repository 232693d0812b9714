"""Model-path cost per report against a live endpoint: seconds, requests, tokens in and out, and the scores.

    python evals/benchmark_model.py [NAME ...] [--base-url URL] [--model NAME] [--json OUT]

Runs `extract_document` with a model reader on each gold document whose name contains one of NAME (default:
the three prose-only sample reports, 阳泉 2016, 灵山 2017, 长兴 2019), with no response cache, so every request
is sent and timed. `--warm-up NAME` first extracts another gold document, untimed, so that the server has
seen every task's instructions, as it has after the first report of a batch run. Serve the local model first
(`bash evals/local_model.sh serve`); the defaults are its address and name. Prints one line per report and the
mean, for example:

    002_eecb39734b1bbce8: 149.1 s (server CPU 162.2 s), 3 requests, 3,115 tokens in, 178 out, stats F1 0.966
    (0 halluc.), highlights/problems/improvements F1 0.86/1.00/1.00

(measured with a busy machine: load 2.5–3 from other programs, server with one thread).

Seconds depend on what else the machine runs (a second busy process slows a 2-thread llama.cpp server
many times over); requests and tokens do not. With `--server-pid PID` (Linux) it also reports the CPU seconds
the server process spent on each report (under contention these grow too: cache misses, spinning threads).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from extractor.documents import load_document
from extractor.evaluation.gold import load_cases
from extractor.evaluation.scoring import score_document
from extractor.llm.client import ModelClient
from extractor.llm.reader import ModelReader
from extractor.llm.settings import ModelSettings
from extractor.pipeline import extract_document

SAMPLES = ("002_eecb39734b1bbce8", "003_20c293b9e1dc9265", "004_bc36cf730a6aa635")
"""The prose-only sample reports: 阳泉 2016, 灵山 2017, 长兴 2019."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(SAMPLES))
    parser.add_argument("--base-url", default="http://127.0.0.1:8012/v1")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--evals", default=str(Path(__file__).resolve().parent))
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--server-pid", type=int, help="the server's process id: report its CPU seconds per report")
    parser.add_argument(
        "--warm-up",
        metavar="NAME",
        help="first extract this gold document, untimed: the server then holds each task's prefix, as in a batch run",
    )
    args = parser.parse_args()
    settings = ModelSettings.from_options(base_url=args.base_url, model=args.model, use_cache=False, environ={})
    assert settings is not None
    reader = ModelReader(ModelClient(settings))
    cases = load_cases(Path(args.evals))
    if args.warm_up:
        for case in cases:
            if args.warm_up in case.name:
                extract_document(load_document(case.source), reader)
                print(f"warmed up on {case.name} (not timed)", flush=True)
                break
    rows = []
    for case in cases:
        if not any(name in case.name for name in args.names):
            continue
        document = load_document(case.source)
        cpu_before = _cpu_seconds(args.server_pid)
        started = time.perf_counter()
        prediction = extract_document(document, reader)
        seconds = time.perf_counter() - started
        server_cpu = _cpu_seconds(args.server_pid) - cpu_before
        score = score_document(case.name, case.gold, prediction, document.text)
        use = prediction.run.accounting
        row = {
            "name": case.name,
            "seconds": round(seconds, 1),
            "server_cpu_seconds": round(server_cpu, 1),
            "requests": use["requests"],
            "tokens_in": use["tokens_in"],
            "tokens_out": use["tokens_out"],
            "statistics_f1": round(score.stats.f1, 3),
            "hallucinations": score.stats.hallucinations,
            **{f"{kind}_f1": round(counts.f1, 3) for kind, counts in score.narrative.items()},
        }
        rows.append(row)
        print(_line(row), flush=True)
    if not rows:
        print("benchmark_model: no gold document matches", file=sys.stderr)
        return 1
    mean = {key: round(sum(r[key] for r in rows) / len(rows), 3) for key in rows[0] if key != "name"}
    print(_line({"name": f"mean of {len(rows)}", **mean}))
    if args.json:
        Path(args.json).write_text(json.dumps({"reports": rows, "mean": mean}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process `pid` so far (0 when not given)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _line(row: dict[str, object]) -> str:
    return (
        f"{row['name']}: {row['seconds']:.1f} s (server CPU {row['server_cpu_seconds']:.1f} s), {row['requests']:g} requests, "
        f"{row['tokens_in']:,.0f} tokens in, "
        f"{row['tokens_out']:,.0f} out, stats F1 {row['statistics_f1']:.3f} ({row['hallucinations']:g} halluc.), "
        f"highlights/problems/improvements F1 {row['highlights_f1']:.2f}/{row['problems_f1']:.2f}/"
        f"{row['improvements_f1']:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
