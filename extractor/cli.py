"""The command line: `extractor extract`, `extractor eval`, `extractor schema` (contract: README, CLI section).

Exit status: 0 all reports written; 1 some reports failed (each named on stderr in one line, the rest
written); 2 usage error. Bad input never prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from extractor import __version__
from extractor.documents import SUPPORTED_SUFFIXES
from extractor.errors import ExtractorError
from extractor.output import write_report, write_tables
from extractor.pipeline import extract_file
from extractor.schema import AnnualReport


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except ExtractorError as exc:
        print(f"extractor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("extractor: interrupted; finished outputs are kept, rerun to resume", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    commands = parser.add_subparsers(dest="command")

    extract = commands.add_parser("extract", help="extract reports to JSON and CSV")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders (searched recursively)")
    extract.add_argument("-o", "--out", default="extracted", help="output folder (default ./extracted)")
    extract.add_argument("--format", action="append", choices=["jsonl", "parquet"], default=[],
                         help="also write reports.jsonl / reports.parquet")
    extract.add_argument("--no-llm", action="store_true", help="parsers only")
    extract.add_argument("--model", default=os.environ.get("EXTRACTOR_MODEL"), help="model name (env EXTRACTOR_MODEL)")
    extract.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"),
                         help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    extract.add_argument("--cache-dir", default=os.environ.get("EXTRACTOR_CACHE_DIR"), help="response cache folder")
    extract.add_argument("--concurrency", type=int, default=1, help="parallel model requests")
    extract.add_argument("--force", action="store_true", help="re-extract reports whose output already exists")
    extract.set_defaults(run=_extract)

    evaluate = commands.add_parser("eval", help="score the extractor against the gold set in evals/")
    evaluate.add_argument("--evals", default=None, help="evals folder (default: the repository's evals/)")
    evaluate.add_argument("--report", default=None, help="write the JSON report here")
    evaluate.add_argument("--markdown", default=None, help="write a Markdown report here")
    evaluate.add_argument("--live", action="store_true", help="call the configured model endpoint")
    evaluate.set_defaults(run=_eval)

    schema = commands.add_parser("schema", help="print the JSON Schema of AnnualReport")
    schema.set_defaults(run=_schema)
    return parser


def find_inputs(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Report files under `paths` (folders searched recursively), and one error line per missing path."""
    files: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            errors.append(f"{raw}: no such file or folder")
    return list(dict.fromkeys(files)), errors


def _output_stems(files: list[Path]) -> dict[Path, str]:
    """One output name per input: the file stem, made unique with its parent folder when stems collide."""
    counts: dict[str, int] = {}
    for file in files:
        counts[file.stem] = counts.get(file.stem, 0) + 1
    return {f: f.stem if counts[f.stem] == 1 else f"{f.parent.name}__{f.stem}" for f in files}


def _is_current(path: Path, file: Path) -> dict[str, Any] | None:
    """The existing output for `file` when it was made from the same bytes by this version, else None."""
    import hashlib

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        run = data.get("run", {})
        if run.get("extractor_version") != __version__:
            return None
        if run.get("input_sha256") != hashlib.sha256(file.read_bytes()).hexdigest():
            return None
        return data
    except (OSError, ValueError, AttributeError):
        return None


def _extract(args: argparse.Namespace) -> int:
    files, failures = find_inputs(args.paths)
    for line in failures:
        print(f"extractor: {line}", file=sys.stderr)
    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"extractor: {out_dir}: cannot create output folder ({exc.strerror})", file=sys.stderr)
        return 2
    if not args.no_llm and not args.base_url:
        print("extractor: no model endpoint configured (--base-url / OPENAI_BASE_URL): running the parsers only; "
              "narrative fields stay empty", file=sys.stderr)
    elif not args.no_llm:
        print("extractor: the model path is not available in this version: running the parsers only",
              file=sys.stderr)
    results: dict[str, dict[str, Any]] = {}
    done = skipped = 0
    for file, stem in _output_stems(files).items():
        target = out_dir / f"{stem}.json"
        existing = None if args.force else _is_current(target, file)
        if existing is not None:
            results[stem] = existing
            skipped += 1
            continue
        try:
            report = extract_file(file)
        except ExtractorError as exc:
            failures.append(str(exc))
            print(f"extractor: {exc}", file=sys.stderr)
            continue
        write_report(report, out_dir, stem)
        results[stem] = report.model_dump(mode="json")
        done += 1
    if results:
        write_tables(results, out_dir, tuple(args.format))
    print(f"extractor: {done} extracted, {skipped} already current, {len(failures)} failed; output in {out_dir}/",
          file=sys.stderr)
    return 1 if failures else 0


def _eval(args: argparse.Namespace) -> int:
    from extractor.evaluation.runner import run_eval

    return run_eval(evals_dir=args.evals, report_path=args.report, markdown_path=args.markdown, live=args.live)


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(AnnualReport.model_json_schema(), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
