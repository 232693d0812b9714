"""Time `extractor review` on an output folder of `--reports` reports (default 1,000).

    python evals/benchmark_review.py [FOLDER] [--reports 1000] [--years 4]

Extracts the reports under FOLDER (default evals/docs: the gold set's sources, PDFs and text, every template)
once with the real batch runner, writes each one's normalized text to text/<name>.txt where the run did not,
then fills a scratch output folder with `--reports` copies, round-robin, each copy a body's report for one
year (`--years` years per body, so the site has its body pages too). Then times `write_review` over that
folder, exactly as `extractor review OUT` runs it, and prints one line, for example:

    1000 reports, 250 bodies: 6.0 s, 167 reports/s, 5.9 s CPU; site 160 MB
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import resource
import tempfile
import time
from pathlib import Path

from extractor.documents import load_document
from extractor.review.site import write_review
from extractor.runs.local import BatchOptions, find_inputs, output_names, run_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).parent / "docs"))
    parser.add_argument("--reports", type=int, default=1000, help="how many reports in the reviewed folder (default 1000)")
    parser.add_argument("--years", type=int, default=4, help="reports (years) per body (default 4)")
    args = parser.parse_args()
    sources, _ = find_inputs([args.folder])
    with tempfile.TemporaryDirectory() as scratch:
        extracted, out = Path(scratch) / "extracted", Path(scratch) / "out"
        run_batch([args.folder], BatchOptions(out_dir=extracted), io.StringIO())
        originals = []
        for source, name in output_names(sources).items():
            text = extracted / "text" / f"{name}.txt"
            originals.append(
                (
                    json.loads((extracted / f"{name}.json").read_text(encoding="utf-8")),
                    text.read_text(encoding="utf-8") if text.exists() else load_document(source).text,
                )
            )
        (out / "text").mkdir(parents=True)
        for index, (data, text) in zip(range(args.reports), itertools.cycle(originals)):
            name = f"{index:05d}"
            data["meta"].update(entity_canonical=f"测试市第{index // args.years}局", year=2015 + index % args.years)
            (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            (out / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
        started, cpu = time.perf_counter(), _cpu_seconds()
        site = write_review(out)
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        size = sum(p.stat().st_size for p in (out / "review").rglob("*") if p.is_file())
        print(
            f"{site.reports} reports, {site.bodies} bodies: {elapsed:.1f} s, {site.reports / elapsed:.0f} reports/s, "
            f"{cpu:.1f} s CPU; site {size / 1e6:.0f} MB",
            flush=True,
        )


def _cpu_seconds() -> float:
    """CPU time used so far by this process."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


if __name__ == "__main__":
    main()
