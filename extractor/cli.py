"""The command line: `extractor extract`, `extractor compare`, `extractor eval`, `extractor schema` (the README's
"Using it" section is the reference).

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

from extractor.errors import ConfigError, ExtractorError, printable
from extractor.llm.settings import MODES, ModelSettings
from extractor.output import LABEL_STYLES, TABLE_FORMATS
from extractor.runs.local import LARGE_BATCH, BatchOptions, run_batch
from extractor.schema import AnnualReport
from extractor.timelimit import DEFAULT_TIME_LIMIT
from extractor.version import __version__


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
        print(f"extractor: {printable(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("extractor: interrupted; finished outputs are kept, rerun to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `extractor schema | head`: the reader took what it wanted and left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the exit's flush is quiet too
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    commands = parser.add_subparsers(dest="command")

    extract = commands.add_parser("extract", help="extract reports to JSON and CSV")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders (searched recursively)")
    extract.add_argument("-o", "--out", default="extracted", type=_folder_name, help="output folder (default ./extracted)")
    extract.add_argument(
        "--format",
        action="append",
        choices=TABLE_FORMATS,
        default=[],
        help="also write reports.jsonl / reports.parquet / values.csv (long: one row per value)",
    )
    extract.add_argument(
        "--labels",
        choices=LABEL_STYLES,
        default="keys",
        help="table headers: dotted keys (default) or zh, the national form's Chinese labels (columns.csv)",
    )
    extract.add_argument("--force", action="store_true", help="re-extract reports whose output is current")
    extract.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help=f"parser processes, parsers-only runs (default: every core from {LARGE_BATCH} reports on, else 1)",
    )
    extract.add_argument("--no-llm", action="store_true", help="parsers only")
    extract.add_argument(
        "--time-limit",
        type=_positive_seconds,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"seconds to read one file before it fails alone (default {DEFAULT_TIME_LIMIT:g}; the model's time not counted)",
    )
    model = _add_model_options(extract)
    model.add_argument(
        "--batch",
        action="store_true",
        help="send the model requests through the OpenAI Batch API (cheaper, answers within 24 h); a killed run resumes its batch",
    )
    model.add_argument("--batch-id", default=None, metavar="ID", help="resume this batch (implies --batch)")
    model.add_argument(
        "--batch-poll", type=float, default=30.0, metavar="SECONDS", help="seconds between looks at the batch's status (default 30)"
    )
    extract.set_defaults(run=_extract)

    compare = commands.add_parser("compare", help="year over year: OUT/compare.csv, one row per body and statistic")
    compare.add_argument("out", metavar="OUT", help="an output folder of extractor extract")
    compare.set_defaults(run=_compare)

    evaluate = commands.add_parser("eval", help="score the extractor against the gold set in evals/")
    evaluate.add_argument("--evals", default=None, help="evals folder (default: the repository's evals/)")
    evaluate.add_argument("--report", default=None, help="write the JSON report here")
    evaluate.add_argument("--markdown", default=None, help="write a Markdown report here")
    evaluate.add_argument("--live", action="store_true", help="call the configured model endpoint and re-record evals/recordings.jsonl")
    evaluate.add_argument("--only", default=None, metavar="TEXT", help="only the gold documents whose name contains TEXT")
    evaluate.add_argument("--no-llm", action="store_true", help="score the parsers alone (no recorded or live model answers)")
    _add_model_options(evaluate)
    evaluate.set_defaults(run=_eval)

    review = commands.add_parser("review", help="write a static review site into OUT/review/")
    review.add_argument("out", metavar="OUT", help="an output folder of extractor extract")
    review.set_defaults(run=_review)

    schema = commands.add_parser("schema", help="print the JSON Schema of AnnualReport")
    schema.add_argument(
        "--catalogue",
        action="store_true",
        help="print the field catalogue (Markdown: every field and table column with its label and unit)",
    )
    schema.set_defaults(run=_schema)
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    model = parser.add_argument_group("model")
    model.add_argument("--model", default=os.environ.get("EXTRACTOR_MODEL"), help="model name (env EXTRACTOR_MODEL)")
    model.add_argument(
        "--base-url",
        default=os.environ.get("OPENAI_BASE_URL"),
        help="OpenAI-compatible endpoint (env OPENAI_BASE_URL; key from OPENAI_API_KEY)",
    )
    model.add_argument(
        "--llm-mode",
        choices=MODES,
        default=None,
        help="structured-output mode (default: json_object for a server on this machine, else tools)",
    )
    model.add_argument("--timeout", type=_positive_seconds, default=None, help="seconds to wait for one answer")
    model.add_argument(
        "--cache-dir",
        default=os.environ.get("EXTRACTOR_CACHE_DIR"),
        help="response cache (default: the user cache folder; env EXTRACTOR_CACHE_DIR)",
    )
    model.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    model.add_argument("--refresh", action="store_true", help="ask the model again and overwrite cached answers")
    model.add_argument("--concurrency", type=_positive, default=1, help="parallel model requests")
    model.add_argument(
        "-v", "--verbose", action="store_true", help="also show each retry and what the libraries underneath log (openai, instructor)"
    )
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


def _positive_seconds(text: str) -> float:
    """An option's number of seconds, more than 0 (argparse makes anything else a usage error)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return seconds


def _folder_name(text: str) -> str:
    """An option's folder name, not empty (argparse makes an empty one a usage error)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder name, not an empty one")
    return text


def _extract(args: argparse.Namespace) -> int:
    missing = [path for path in args.paths if not os.path.lexists(path)]
    if missing:  # a mistyped path: said before any folder is made or any work done
        raise ConfigError("no such file or folder", path=missing[0])
    settings = None if args.no_llm else _model_settings(args)
    batch_api = args.batch or args.batch_id is not None
    if settings is None and not args.no_llm and not batch_api:
        print(
            "extractor: no model endpoint configured (--base-url / OPENAI_BASE_URL): running the parsers only; narrative fields stay empty",
            file=sys.stderr,
        )
    options = BatchOptions(
        out_dir=Path(args.out),
        formats=tuple(dict.fromkeys(args.format)),
        force=args.force,
        workers=args.workers,
        settings=settings,
        labels=args.labels,
        time_limit=args.time_limit,
    )
    if batch_api:
        from extractor.runs.batch_api import run_with_batch_api

        return run_with_batch_api(args.paths, options, batch_id=args.batch_id, poll=args.batch_poll).exit_status
    return run_batch(args.paths, options).exit_status


def _model_settings(args: argparse.Namespace) -> ModelSettings | None:
    """The model options of `extract` as settings; None when no endpoint is configured."""
    return ModelSettings.from_options(
        base_url=args.base_url,
        model=args.model,
        mode=args.llm_mode,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        refresh=args.refresh,
        concurrency=args.concurrency,
        timeout=args.timeout,
    )


def _compare(args: argparse.Namespace) -> int:
    from extractor.compare import flagged_lines, summary_line, write_comparison
    from extractor.dataset import report_outputs

    out = Path(args.out)
    if not out.is_dir() or not report_outputs(out):
        raise ConfigError("no report outputs (<name>.json) here; run extractor extract -o OUT first", path=str(out))
    try:
        comparison, path, notices = write_comparison(out)
    except OSError as exc:
        raise ConfigError(f"cannot write {out / 'compare.csv'} ({exc.strerror})", path=str(out)) from None
    for notice in notices:
        print(f"extractor: {notice}", file=sys.stderr)
    print(summary_line(comparison, path), file=sys.stderr)
    for line in flagged_lines(comparison):
        print(line, file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from extractor.evaluation.runner import run_eval

    if args.live and args.no_llm:
        raise ConfigError("--live and --no-llm exclude each other")
    settings = _model_settings(args) if args.live else None
    if args.live and settings is None:
        raise ConfigError("--live needs a model endpoint: give --base-url and --model (or OPENAI_BASE_URL, EXTRACTOR_MODEL)")
    return run_eval(
        evals_dir=args.evals, report_path=args.report, markdown_path=args.markdown, live=settings, only=args.only, no_llm=args.no_llm
    )


def _review(args: argparse.Namespace) -> int:
    from extractor.review.site import write_review

    site = write_review(Path(args.out))
    for problem in site.problems:
        print(f"extractor: {problem}", file=sys.stderr)
    if site.texts_missing:
        print(
            f"extractor: {site.texts_missing} report(s) without their text/<name>.txt: their pages show the quotes alone", file=sys.stderr
        )
    print(
        f"extractor: {site.reports} report pages, {site.bodies} body pages"
        f"{'' if site.compare_found else ' (no compare.csv: no year-over-year flags)'}; open {site.index}",
        file=sys.stderr,
    )
    return 1 if site.problems else 0


def _schema(args: argparse.Namespace) -> int:
    if args.catalogue:
        from extractor.columns import field_catalogue

        print(field_catalogue(), end="")
        return 0
    print(json.dumps(AnnualReport.model_json_schema(), ensure_ascii=False, indent=1))
    sys.stdout.flush()  # a closed pipe is found here, inside `main`
    return 0


if __name__ == "__main__":
    sys.exit(main())
