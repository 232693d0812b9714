"""Batch runs: many report files in, one JSON per report out, the tables at the end; built to be left alone.

`run_batch` finds the report files under the paths given, skips those whose output is current, extracts the
rest, writes each output (`OUT/<name>.json`, and `OUT/text/<name>.txt`, the normalized text its evidence
offsets index) as soon as it is ready, and at the end rebuilds the folder's tables from every report JSON in
it, the person's corrections applied (`extractor.dataset`; when the run has at least one output: a run whose
every input failed, a mistyped path say, leaves the tables of the last run alone). What it promises:

- never loses work: each output is written atomically (temporary file + rename) by this process as results
  arrive, so a run killed at any moment (even SIGKILL) loses only the reports in flight and leaves no
  truncated file; the temporary files a killed run leaves are removed by the next run;
- resumes: an output is current when it was made from the same input bytes with the same `run_identity`
  (extractor version, model, prompt versions) and is complete; a rerun skips current outputs (`force` redoes
  them);
- a report whose model requests failed (an endpoint that stalls, fails or refuses the key is given up for
  the run after a few failures; see `extractor.llm.client.EndpointHealth`) is still written, with what the
  parsers and the rest of the model's reading found, `run.complete: false` and a warning starting `model: `;
  it is named in one line at the end, makes the exit status 1, and a rerun redoes it;
- never stops for one bad file and never hides one: every file that fails (bad input, an unreadable file,
  or an unexpected exception, even one that kills a worker process) becomes one `Failure` line naming it,
  printed in the summary at the end; every other report is still done;
- one run per output folder at a time: a run holds an OS lock on `OUT/.extractor.lock` and a second run on
  the same folder stops at once with a message naming the first one. Atomic writes alone would keep every
  file whole, but two runs would do the same work twice and the last one would write tables holding only
  its own inputs; the lock also makes removing a killed run's temporary files safe. The OS releases the
  lock when its process dies, however it dies, so no stale lock is ever left to clean up by hand.

Parser work runs in worker processes (all cores for a batch of `LARGE_BATCH` files or more); with a model
configured, reports run in threads, `settings.concurrency` at a time (the model's wait is I/O).

    >>> import io, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "lingshan.txt").write_text("灵山县2017年政府信息公开工作年度报告\\n全年全县主动公开政府信息39387条。",
    ...                                          encoding="utf-8")
    >>> _ = (folder / "empty.txt").write_bytes(b"")
    >>> log = io.StringIO()
    >>> result = run_batch([str(folder)], BatchOptions(out_dir=folder / "out"), log)
    >>> result.extracted, result.skipped, [failure.reason for failure in result.failures], result.exit_status
    (1, 0, ['file is empty'], 1)
    >>> print(log.getvalue().replace(str(folder), "IN"), end="")
    extractor: IN/empty.txt: file is empty
    extractor: 1 extracted, 0 already current, 1 failed; output in IN/out/
    >>> sorted(p.name for p in (folder / "out").iterdir())
    ['.extractor.lock', 'columns.csv', 'lingshan.json', 'reports.csv', 'text']
    >>> run_batch([str(folder / "lingshan.txt")], BatchOptions(out_dir=folder / "out"), log).skipped
    1
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from extractor.atomic import TEMPORARY_GLOB, write_atomic
from extractor.checks import UNREADABLE
from extractor.dataset import build_dataset
from extractor.documents import SUPPORTED_SUFFIXES, Document
from extractor.errors import ConfigError, ExtractorError, printable
from extractor.llm.settings import ModelSettings
from extractor.output import parquet_available, report_json
from extractor.pipeline import Parsed, extract_file_and_text, extract_read, model_run, read_file, run_identity
from extractor.records import NOT_READ
from extractor.runs.lock import output_folder_lock
from extractor.schema import AnnualReport
from extractor.timelimit import DEFAULT_TIME_LIMIT

LARGE_BATCH = 8
"""From this many reports to extract, a parsers-only run uses every core by default."""


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch (the `extractor extract` options)."""

    out_dir: Path
    formats: tuple[str, ...] = ()
    """Tables besides reports.csv and columns.csv: "jsonl", "parquet", "long" (values.csv)."""
    labels: str = "keys"
    """Table headers: "keys" (dotted keys) or "zh" (the national form's Chinese labels)."""
    force: bool = False
    """Extract again even when the output is current."""
    workers: int | None = None
    """Parser worker processes; None: every core for a large parsers-only batch, else 1."""
    settings: ModelSettings | None = None
    """The model to use; None runs the parsers alone."""
    progress: bool | None = None
    """Show a progress line on the error stream; None: when it is a terminal."""
    time_limit: float | None = DEFAULT_TIME_LIMIT
    """Seconds to read and parse one file before it fails (`extractor.timelimit`); None: no limit."""


@dataclass(frozen=True)
class Failure:
    """One file that gave no output, and why, in words a user can act on.

    >>> Failure("in/a.pdf", "PDF is encrypted (password required)").line
    'in/a.pdf: PDF is encrypted (password required)'
    >>> Failure("in/a\\nb.txt", "file is empty").line  # one line, whatever the name holds
    'in/a\\\\nb.txt: file is empty'
    """

    path: str
    reason: str

    @property
    def line(self) -> str:
        return printable(f"{self.path}: {self.reason}")


@dataclass(frozen=True)
class BatchResult:
    """What a run did: counts, the failures in input order, model use summed over the reports it extracted."""

    extracted: int
    skipped: int
    failures: tuple[Failure, ...]
    accounting: Mapping[str, int] = field(default_factory=dict)
    tables: tuple[Path, ...] = ()
    incomplete: tuple[Failure, ...] = ()
    """Reports written without part of the model's reading, and what was not read."""

    @property
    def exit_status(self) -> int:
        """0 when every report was written whole, 1 when any failed or is incomplete."""
        return 1 if self.failures or self.incomplete else 0


@dataclass(frozen=True)
class Outcome:
    """One report's result as it comes back from a worker: the output's text, or why there is none."""

    text: str | None
    accounting: Mapping[str, int] = field(default_factory=dict)
    failure: str | None = None
    document_text: str | None = None
    """The normalized text the output's evidence offsets index (written as OUT/text/<name>.txt)."""
    incomplete: str | None = None
    """Written, but without part of the model's reading: what was not read."""


# ------------------------------------------------------------------------------------------- inputs and outputs
def find_inputs(paths: list[str]) -> tuple[list[Path], list[Failure]]:
    """Report files under `paths`, each once, in the order given (folders searched recursively, their files
    sorted), and a failure for each path that is missing or a folder holding no report file.

    In a folder only the report suffixes count (a spreadsheet next to the reports is not an input), but a
    broken link or other non-file with a report suffix is kept, so that it fails with its reason rather than
    vanish. A file named on the command line is always an input, whatever its suffix.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("b.txt", "a.pdf", "notes.xlsx"):
    ...     _ = (folder / name).write_text("x")
    >>> files, failures = find_inputs([str(folder), str(folder / "a.pdf"), str(folder / "gone.txt")])
    >>> [f.name for f in files], [f.reason for f in failures]
    (['a.pdf', 'b.txt'], ['no such file or folder'])
    """
    files: dict[Path, Path] = {}
    failures: list[Failure] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            unreadable = len(failures)
            found = _report_files(path, failures)
            if not found and len(failures) == unreadable:
                failures.append(Failure(raw, f"no report files ({', '.join(SUPPORTED_SUFFIXES)}) in this folder"))
        elif path.exists() or path.is_symlink():
            found = [path]
        else:
            failures.append(Failure(raw, "no such file or folder"))
            continue
        for file in found:
            files.setdefault(Path(os.path.abspath(file)), file)
    return list(files.values()), failures


def _report_files(folder: Path, failures: list[Failure]) -> list[Path]:
    """The files with a report suffix under `folder`, sorted, following links to folders (each folder once);
    a failure for each folder that cannot be read, so that its reports are named missing, never skipped.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "sub").mkdir()
    >>> _ = (folder / "sub" / "r.txt").write_text("x")
    >>> (folder / "sub" / "loop").symlink_to(folder)
    >>> [str(p.relative_to(folder)) for p in _report_files(folder, [])]
    ['sub/r.txt']
    """

    def cannot_read(error: OSError) -> None:
        failures.append(Failure(str(error.filename), f"cannot read this folder ({error.strerror})"))

    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for root, folders, names in os.walk(folder, onerror=cannot_read, followlinks=True):
        try:
            status = os.stat(root)
        except OSError as exc:
            cannot_read(exc)
            continue
        if (status.st_dev, status.st_ino) in seen:
            folders.clear()
            continue
        seen.add((status.st_dev, status.st_ino))
        found.extend(Path(root, name) for name in names if Path(name).suffix.lower() in SUPPORTED_SUFFIXES)
    return sorted(found)


def output_names(files: list[Path]) -> dict[Path, str]:
    """One output name per input: its stem; where stems collide, its folder's name first; where that still
    collides, more folders and the suffix, until every name is unique. Names are valid UTF-8 whatever the
    input's name holds (`errors.printable`), so that the JSON and the tables can hold them.

    >>> list(output_names([Path("x/a/r.txt"), Path("x/b/r.txt"), Path("x/b/s.pdf"), Path("x/b/s.txt"),
    ...                    Path("x/b/t.txt")]).values())
    ['a__r', 'b__r', 'b__s.pdf', 'b__s.txt', 't']
    """

    def name(file: Path, level: int) -> str:
        if level == 0:
            return printable(file.stem)
        if level == 1:
            return printable(f"{file.parent.name}__{file.stem}")
        return printable("__".join([*file.absolute().parent.parts[1:][-(level - 1) :], file.name]))

    levels = dict.fromkeys(files, 0)
    deepest = max((len(file.absolute().parts) for file in files), default=0)
    while True:
        names = {file: name(file, level) for file, level in levels.items()}
        counts = Counter(names.values())
        clashing = [file for file, value in names.items() if counts[value] > 1]
        if not clashing:
            return names
        if all(levels[file] > deepest for file in clashing):  # only "a__b/c.txt" and "a/b__c.txt" get here
            return {file: f"{value}__{index}" if file in clashing else value for index, (file, value) in enumerate(names.items())}
        for file in clashing:
            levels[file] += 1


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_path(output: Path) -> Path:
    """Where the normalized text of a report output is kept: OUT/text/<name>.txt beside OUT/<name>.json."""
    return output.parent / "text" / f"{output.stem}.txt"


def is_current(output: Path, source: Path, identity: Mapping[str, Any]) -> bool:
    """Whether `output` (a report JSON) was made from `source`'s present bytes by a run with this identity
    (`pipeline.run_identity`). A missing, truncated or unreadable output, or an unreadable source, is not;
    nor is one whose text (`text_path`) is missing, nor one whose model part failed (a rerun asks again). A
    report incomplete only because a table in it is unreadable is current: reading it again gives the same."""
    if not text_path(output).is_file():
        return False
    try:
        data = json.loads(output.read_text(encoding="utf-8"))
        run = data["run"]
        model_failed = any(warning.startswith(NOT_READ) for warning in data.get("warnings", []))
        return not model_failed and run["input_sha256"] == sha256_file(source) and all(run.get(k) == v for k, v in identity.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


# ---------------------------------------------------------------------------------------------------- one report
def extract_one(path: str, settings: ModelSettings | None, time_limit: float | None = None) -> Outcome:
    """Extract one report to its output text; every exception becomes the failure's one-line reason."""
    try:
        return _written(*extract_file_and_text(path, settings, time_limit=time_limit))
    except Exception as exc:
        return _failure(path, exc)


def read_one(path: str, time_limit: float | None) -> tuple[Document, Parsed] | Outcome:
    """`pipeline.read_file`, or the failure's `Outcome`, worded as `extract_one` words it."""
    try:
        return read_file(path, time_limit)
    except Exception as exc:
        return _failure(path, exc)


def finish_one(path: str, read: tuple[Document, Parsed], settings: ModelSettings | None) -> Outcome:
    """The rest of `extract_one` for a file `read_one` has read: the model, the checks, the output text."""
    try:
        return _written(*extract_read(*read, settings))
    except Exception as exc:
        return _failure(path, exc)


def _written(report: AnnualReport, text: str) -> Outcome:
    return Outcome(report_json(report), report.run.accounting, document_text=text, incomplete=_not_read(report))


def _failure(path: str, exc: Exception) -> Outcome:
    """The one-line reason a file failed: the error's own words (its path said once), or an internal error."""
    if isinstance(exc, ExtractorError):
        where = ExtractorError(exc.message, chunk=exc.chunk, attempt=exc.attempt) if exc.path == path else exc
        return Outcome(None, failure=_one_line(str(where)))
    return Outcome(None, failure=_one_line(f"internal error: {type(exc).__name__}: {exc}"))


def _not_read(report: AnnualReport) -> str | None:
    """What part of an incomplete report was not read, in one line (None for a complete report): the model's
    part that failed, or a statistics table present in the report that no parser could read."""
    if report.run.complete:
        return None
    model = next((w[len(NOT_READ) :] for w in report.warnings if w.startswith(NOT_READ)), None)
    unread = model or next((w for w in report.warnings if UNREADABLE in w), "part of the report was not read")
    return _one_line(unread)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------------------- the run
def run_batch(paths: list[str], options: BatchOptions, stderr: TextIO | None = None) -> BatchResult:
    """Run one batch (see the module docstring); progress, failures and the summary go to `stderr`.

    Raises `ConfigError` before doing any work when the run cannot start: an output folder that cannot be
    made or written to, another run on it, parquet asked without pyarrow.
    """
    err = sys.stderr if stderr is None else stderr
    out_dir = options.out_dir
    if "parquet" in options.formats and not parquet_available():
        raise ConfigError("--format parquet needs pyarrow: pip install 'extractor[parquet]'")
    files, failures = find_inputs(paths)
    names = output_names(files)
    identity = run_identity(options.settings)
    with output_folder_lock(out_dir):
        for leftover in out_dir.glob(TEMPORARY_GLOB):
            leftover.unlink(missing_ok=True)
        todo = [f for f in files if options.force or not is_current(out_dir / f"{names[f]}.json", f, identity)]
        failed: dict[Path, Failure] = {}
        incomplete: dict[Path, Failure] = {}
        accounting: dict[str, int] = {}
        progress = Progress(len(files), err, enabled=err.isatty() if options.progress is None else options.progress)
        progress.count(skipped=len(files) - len(todo))

        def deliver(file: Path, outcome: Outcome) -> None:
            if outcome.text is not None:
                try:
                    write_atomic(text_path(out_dir / f"{names[file]}.json"), outcome.document_text or "")
                    write_atomic(out_dir / f"{names[file]}.json", outcome.text)
                except OSError as exc:
                    outcome = Outcome(None, failure=f"cannot write {out_dir / names[file]}.json ({exc.strerror})")
            if outcome.failure is not None:
                failed[file] = Failure(str(file), outcome.failure)
                progress.count(failed=1)
                return
            if outcome.incomplete is not None:
                incomplete[file] = Failure(str(file), f"incomplete: {outcome.incomplete}")
            for key, value in outcome.accounting.items():
                accounting[key] = accounting.get(key, 0) + value
            progress.count(extracted=1)

        try:
            _extract_all(todo, options.settings, _workers(options, len(todo)), deliver, options.time_limit)
        finally:
            progress.close()
        written = [f for f in files if f not in failed]
        tables: tuple[Path, ...] = ()
        notices: tuple[str, ...] = ()
        unwritten: list[Failure] = []
        if written:
            try:
                dataset = build_dataset(out_dir, options.formats, options.labels)
                tables, notices = dataset.tables, dataset.notices
            except OSError as exc:  # a full disk, say: the report JSONs written stay, a rerun writes the tables
                unwritten.append(
                    Failure(
                        str(out_dir / "reports.csv"),
                        f"cannot write the tables ({exc.strerror or exc}); the reports written are kept, rerun to write them",
                    )
                )
    for notice in notices:
        print(f"extractor: {notice}", file=err)
    failures += [failed[f] for f in files if f in failed] + unwritten
    result = BatchResult(
        extracted=len(todo) - len(failed),
        skipped=len(files) - len(todo),
        failures=tuple(failures),
        accounting=accounting,
        tables=tuple(tables),
        incomplete=tuple(incomplete[f] for f in files if f in incomplete),
    )
    for failure in result.failures + result.incomplete:
        print(f"extractor: {failure.line}", file=err)
    unfinished = f" ({len(result.incomplete)} incomplete)" if result.incomplete else ""
    print(
        f"extractor: {result.extracted} extracted{unfinished}, {result.skipped} already current, {len(result.failures)} failed; "
        f"output in {printable(str(out_dir))}/",
        file=err,
    )
    if accounting:
        print("extractor: model use: " + ", ".join(f"{key} {value}" for key, value in accounting.items()), file=err)
    return result


def _workers(options: BatchOptions, todo: int) -> int:
    if options.settings is not None:
        return options.settings.concurrency
    if options.workers is not None:
        return options.workers
    return (os.cpu_count() or 1) if todo >= LARGE_BATCH else 1


# -------------------------------------------------------------------------------------------------- the workers
Deliver = Callable[[Path, Outcome], None]


def _extract_all(
    files: list[Path], settings: ModelSettings | None, workers: int, deliver: Deliver, time_limit: float | None = None
) -> None:
    """Extract `files`, handing each outcome to `deliver` in this process as soon as it is ready. With a model,
    an interrupted run (Ctrl-C) interrupts the requests in flight and starts no other report."""
    if settings is not None:
        with model_run(settings) as interrupt:
            if workers <= 1:
                for file in files:
                    deliver(file, extract_one(str(file), settings, time_limit))
                return
            with ThreadPoolExecutor(workers) as threads:
                try:
                    _feed(threads, deque(files), 2 * workers, settings, deliver, time_limit)
                except BaseException:
                    interrupt()
                    threads.shutdown(wait=False, cancel_futures=True)
                    raise
        return
    if workers <= 1:
        for file in files:
            deliver(file, extract_one(str(file), settings, time_limit))
        return
    queue = deque(files)
    while queue:
        with _pool(workers) as pool:
            suspects = _feed(pool, queue, 2 * workers, None, deliver, time_limit)
        for file in suspects:  # in flight when a worker died: each alone, to find the one that kills it
            with _pool(1) as alone:
                if _feed(alone, deque([file]), 1, None, deliver, time_limit):
                    deliver(
                        file,
                        Outcome(None, failure="internal error: the worker process died reading this file (a crash in a native library?)"),
                    )


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=_exit_with_parent, initargs=(os.getpid(),))


def _exit_with_parent(parent: int) -> None:
    """Worker start-up: end this worker when the batch process is gone. A batch killed by a signal it cannot
    handle (SIGKILL, or SIGTERM's default) cannot shut its pool down, and its idle workers would otherwise
    wait for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _feed(
    pool: Executor, queue: deque[Path], window: int, settings: ModelSettings | None, deliver: Deliver, time_limit: float | None = None
) -> list[Path]:
    """Keep `window` files in flight until `queue` is empty; return the files whose worker died (the pool is
    broken then, and the files not yet started stay in `queue`)."""
    running: dict[Future[Outcome], Path] = {}
    while queue or running:
        while queue and len(running) < window:
            file = queue.popleft()
            if settings is None:
                running[pool.submit(extract_one, str(file), None, time_limit)] = file
                continue
            # threads asking a model: the file is read here, in the main thread, where the time limit applies
            read = read_one(str(file), time_limit)
            if isinstance(read, Outcome):
                deliver(file, read)
            else:
                running[pool.submit(finish_one, str(file), read, settings)] = file
        if not running:
            continue
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            try:
                outcome = future.result()
            except BrokenProcessPool:
                wait(running)
                lost = []
                for ended, file in running.items():
                    if ended.exception() is None:
                        deliver(file, ended.result())
                    else:
                        lost.append(file)
                return lost
            deliver(running.pop(future), outcome)
    return []


# ------------------------------------------------------------------------------------------------------ progress
class Progress:
    """One status line redrawn in place on a terminal (nothing otherwise):

        extractor: 412/1000 · 380 extracted · 25 current · 7 failed · 14.2/s · 41 s left

    cut to the terminal's width, so that it never wraps (a wrapped line cannot be redrawn in place).
    """

    def __init__(self, total: int, stream: TextIO, *, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.extracted = self.skipped = self.failed = 0
        self.started = self.drawn = time.monotonic()

    def count(self, *, extracted: int = 0, skipped: int = 0, failed: int = 0) -> None:
        self.extracted += extracted
        self.skipped += skipped
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self.drawn >= 0.1 or self.extracted + self.failed + self.skipped == self.total):
            self.drawn = now
            width = shutil.get_terminal_size().columns - 1
            self.stream.write("\r\x1b[K" + self.line(now)[:width])
            self.stream.flush()

    def line(self, now: float) -> str:
        """The status line at time `now` (`time.monotonic()`).

        >>> import io
        >>> bar = Progress(100, io.StringIO(), enabled=False)
        >>> bar.count(skipped=10)
        >>> bar.count(extracted=30, failed=2)
        >>> bar.line(bar.started + 4.0)
        'extractor: 42/100 · 30 extracted · 10 current · 2 failed · 8.0/s · 7 s left'
        """
        worked = self.extracted + self.failed
        done = worked + self.skipped
        text = f"extractor: {done}/{self.total} · {self.extracted} extracted · {self.skipped} current · {self.failed} failed"
        elapsed = now - self.started
        if worked and elapsed > 0:
            rate = worked / elapsed
            text += f" · {rate:.1f}/s · {(self.total - done) / rate:.0f} s left"
        return text

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
