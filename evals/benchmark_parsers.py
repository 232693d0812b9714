"""Parser-path throughput of the real batch runner: reports per second, with 1 and 2 worker processes.

    python evals/benchmark_parsers.py [FOLDER] [--reports 1000] [--workers 1 2]

Fills a scratch folder with `--reports` files by copying the reports under FOLDER round-robin (default
evals/docs: the gold set's sources, PDFs and text, every template), then times `extractor.runs.local.run_batch`
over it once per worker count, each time into a fresh output folder: finding inputs, extracting, writing
every JSON atomically and reports.csv, exactly as `extractor extract --no-llm --workers N` does. Prints one
line per worker count, with the CPU time the run used (this process and its workers): on a busy machine a
second worker speeds the run up only when CPU time grows faster than wall time. For example:

    1000 reports, 1 worker(s): 7.1 s, 141 reports/s, 7.0 s CPU (1000 extracted, 0 failed)
"""

from __future__ import annotations

import argparse
import io
import itertools
import resource
import shutil
import tempfile
import time
from pathlib import Path

from extractor.runs.local import BatchOptions, find_inputs, run_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).parent / "docs"))
    parser.add_argument("--reports", type=int, default=1000, help="how many report files to time (default 1000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    sources, _ = find_inputs([args.folder])
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "in"
        inputs.mkdir()
        for index, source in zip(range(args.reports), itertools.cycle(sources)):
            shutil.copyfile(source, inputs / f"{index:05d}_{source.name}")
        for workers in args.workers:
            out = Path(scratch) / f"out{workers}"
            started, cpu = time.perf_counter(), _cpu_seconds()
            result = run_batch([str(inputs)], BatchOptions(out_dir=out, workers=workers), io.StringIO())
            elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
            print(
                f"{args.reports} reports, {workers} worker(s): {elapsed:.1f} s, {args.reports / elapsed:.0f} reports/s, "
                f"{cpu:.1f} s CPU ({result.extracted} extracted, {len(result.failures)} failed)",
                flush=True,
            )
            shutil.rmtree(out)


def _cpu_seconds() -> float:
    """CPU time used so far by this process and its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


if __name__ == "__main__":
    main()
