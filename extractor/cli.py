"""The command line: `extractor extract`, `extractor eval`, `extractor schema` (contract: README, CLI section).

Exit status: 0 all reports written; 1 some reports failed (each named on stderr in one line, the rest
written); 2 usage error. Bad input never prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from extractor import __version__
from extractor.batch import LARGE_BATCH, BatchOptions, run_batch
from extractor.errors import ConfigError, ExtractorError
from extractor.llm.settings import MODES, ModelSettings
from extractor.output import TABLE_FORMATS
from extractor.schema import AnnualReport


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with _showing_logs(verbose=getattr(args, "verbose", False)):
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
    extract.add_argument("--format", action="append", choices=TABLE_FORMATS, default=[],
                         help="also write reports.jsonl / reports.parquet")
    extract.add_argument("--force", action="store_true", help="re-extract reports whose output is current")
    extract.add_argument("--workers", type=_positive, default=None,
                         help=f"parser processes, parsers-only runs (default: every core from {LARGE_BATCH} reports on, else 1)")
    extract.add_argument("--no-llm", action="store_true", help="parsers only")
    model = _add_model_options(extract)
    model.add_argument("--batch", action="store_true",
                       help="send the model requests through the OpenAI Batch API (cheaper, answers within 24 h); "
                            "a killed run resumes its batch")
    model.add_argument("--batch-id", default=None, metavar="ID", help="resume this batch (implies --batch)")
    model.add_argument("--batch-poll", type=float, default=30.0, metavar="SECONDS",
                       help="seconds between looks at the batch's status (default 30)")
    extract.set_defaults(run=_extract)

    evaluate = commands.add_parser("eval", help="score the extractor against the gold set in evals/")
    evaluate.add_argument("--evals", default=None, help="evals folder (default: the repository's evals/)")
    evaluate.add_argument("--report", default=None, help="write the JSON report here")
    evaluate.add_argument("--markdown", default=None, help="write a Markdown report here")
    evaluate.add_argument("--live", action="store_true",
                          help="call the configured model endpoint and re-record evals/recordings.jsonl")
    evaluate.add_argument("--only", default=None, metavar="TEXT", help="only the gold documents whose name contains TEXT")
    _add_model_options(evaluate)
    evaluate.set_defaults(run=_eval)

    schema = commands.add_parser("schema", help="print the JSON Schema of AnnualReport")
    schema.set_defaults(run=_schema)
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    model = parser.add_argument_group("model")
    model.add_argument("--model", default=os.environ.get("EXTRACTOR_MODEL"), help="model name (env EXTRACTOR_MODEL)")
    model.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"),
                       help="OpenAI-compatible endpoint (env OPENAI_BASE_URL; key from OPENAI_API_KEY)")
    model.add_argument("--llm-mode", choices=MODES, default=None,
                       help="structured-output mode (default: json_object for a server on this machine, else tools)")
    model.add_argument("--timeout", type=float, default=None, help="seconds to wait for one answer")
    model.add_argument("--cache-dir", default=os.environ.get("EXTRACTOR_CACHE_DIR"),
                       help="response cache (default: the user cache folder; env EXTRACTOR_CACHE_DIR)")
    model.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    model.add_argument("--refresh", action="store_true", help="ask the model again and overwrite cached answers")
    model.add_argument("--concurrency", type=_positive, default=1, help="parallel model requests")
    model.add_argument("-v", "--verbose", action="store_true",
                       help="also show each retry and what the libraries underneath log (openai, instructor)")
    return model


class _OneLine(logging.Formatter):
    """A log record as one stderr line: `extractor: warning: ...`; other libraries' records (-v) name their logger."""

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(record.getMessage().split())
        if not record.name.startswith("extractor"):
            text = f"[{record.name}] {text}"
        if record.levelno >= logging.WARNING:
            text = f"{record.levelname.lower()}: {text}"
        return f"extractor: {text}"


@contextmanager
def _showing_logs(*, verbose: bool) -> Iterator[None]:
    """For the command's duration, what the user sees of what the library logs: the package's notes and
    warnings, one line each on stderr; with -v its debug lines too and other libraries' records. Other
    libraries' loggers are left as they are: one handler on the root logger chooses (and keeps their records
    off Python's last-resort stderr output)."""
    root, package = logging.getLogger(), logging.getLogger("extractor")
    levels = root.level, package.level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    if not verbose:
        handler.addFilter(lambda record: record.name == "extractor" or record.name.startswith("extractor."))
    root.addHandler(handler)
    package.setLevel(logging.DEBUG if verbose else logging.INFO)
    if verbose:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        package.setLevel(levels[1])


def _positive(text: str) -> int:
    """An option's whole number, at least 1 (argparse makes anything else a usage error)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return number


def _extract(args: argparse.Namespace) -> int:
    settings = None if args.no_llm else _model_settings(args)
    batch_api = args.batch or args.batch_id is not None
    if settings is None and not args.no_llm and not batch_api:
        print("extractor: no model endpoint configured (--base-url / OPENAI_BASE_URL): running the parsers only; "
              "narrative fields stay empty", file=sys.stderr)
    options = BatchOptions(out_dir=Path(args.out), formats=tuple(dict.fromkeys(args.format)), force=args.force,
                           workers=args.workers, settings=settings)
    if batch_api:
        from extractor.llm.batch_api import run_with_batch_api

        return run_with_batch_api(args.paths, options, batch_id=args.batch_id, poll=args.batch_poll).exit_status
    return run_batch(args.paths, options).exit_status


def _model_settings(args: argparse.Namespace) -> ModelSettings | None:
    """The model options of `extract` as settings; None when no endpoint is configured."""
    return ModelSettings.from_options(base_url=args.base_url, model=args.model, mode=args.llm_mode,
                                      cache_dir=args.cache_dir, use_cache=not args.no_cache, refresh=args.refresh,
                                      concurrency=args.concurrency, timeout=args.timeout)


def _eval(args: argparse.Namespace) -> int:
    from extractor.evaluation.runner import run_eval

    settings = _model_settings(args) if args.live else None
    if args.live and settings is None:
        raise ConfigError("--live needs a model endpoint: give --base-url and --model (or OPENAI_BASE_URL, EXTRACTOR_MODEL)")
    return run_eval(evals_dir=args.evals, report_path=args.report, markdown_path=args.markdown, live=settings,
                    only=args.only)


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(AnnualReport.model_json_schema(), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
