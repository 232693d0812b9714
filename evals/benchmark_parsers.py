"""Parser-path throughput: reports per second over a folder of reports, with 1 and N worker processes.

    python evals/benchmark_parsers.py [FOLDER] [--copies 50] [--workers 1 2]

Without FOLDER it uses evals/docs (the gold set's sources: PDFs and text, every template), copied `--copies`
times so the run is long enough to time. Prints one line per worker count.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from extractor.batch import find_inputs
from extractor.pipeline import extract_file


def _extract_all(files: list[Path]) -> int:
    for file in files:
        extract_file(file)
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).parent / "docs"))
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    sources, _ = find_inputs([args.folder])
    with tempfile.TemporaryDirectory() as scratch:
        files = []
        for copy in range(args.copies):
            for source in sources:
                target = Path(scratch) / f"{copy:04d}_{source.name}"
                shutil.copyfile(source, target)
                files.append(target)
        for workers in args.workers:
            started = time.perf_counter()
            if workers == 1:
                done = _extract_all(files)
            else:
                shares = [files[i::workers] for i in range(workers)]
                with ProcessPoolExecutor(workers) as pool:
                    done = sum(pool.map(_extract_all, shares))
            elapsed = time.perf_counter() - started
            print(f"{done} reports, {workers} worker(s): {elapsed:.1f} s, {done / elapsed:.0f} reports/s")


if __name__ == "__main__":
    main()
