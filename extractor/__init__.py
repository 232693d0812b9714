"""extractor: Chinese government information-disclosure annual reports to verified, structured data.

The public Python API; the command line (`extractor extract`) is a thin layer over the same two calls:

- `extract(path)`: one report file → one `AnnualReport` (raises `DocumentError` for a file that is not a
  readable report, exactly where the command line prints its one line and counts a failure);
- `extract_many(paths, out_dir)`: many files and folders → one JSON per report and the tables in `out_dir`,
  with resume, workers and the failure list, as `extractor extract` does; returns a `BatchResult`.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "lingshan.txt").write_text("灵山县2017年政府信息公开工作年度报告\\n全年全县主动公开政府信息39387条。",
    ...                                          encoding="utf-8")
    >>> report = extract(folder / "lingshan.txt")
    >>> report.meta.entity, report.stats_legacy.proactive.total
    ('灵山县', 39387)
    >>> result = extract_many([folder], folder / "out")
    >>> result.extracted, result.exit_status
    (1, 0)

Pass `ModelSettings(base_url=..., model=...)` as `settings` to let a model read what the parsers leave.
Importing the package stays light (the schema, the errors and the settings); the pipeline loads on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.errors import ConfigError, DocumentError, ExtractorError, ModelError
from extractor.llm.settings import ModelSettings
from extractor.schema import AnnualReport
from extractor.version import __version__

if TYPE_CHECKING:
    from extractor.runs.local import BatchResult

__all__ = [
    "AnnualReport",
    "ConfigError",
    "DocumentError",
    "ExtractorError",
    "ModelError",
    "ModelSettings",
    "__version__",
    "extract",
    "extract_many",
]


def extract(path: str | Path, settings: ModelSettings | None = None) -> AnnualReport:
    """Read one report file and extract it: parsers, then the model when `settings` are given.

    Raises `DocumentError` when the file is not a readable report, `ModelError` when a model request fails for
    good."""
    from extractor.pipeline import extract_file

    return extract_file(path, settings)


def extract_many(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    settings: ModelSettings | None = None,
    formats: Sequence[str] = (),
    force: bool = False,
    workers: int | None = None,
) -> BatchResult:
    """Extract every report under `paths` into `out_dir` as `extractor extract` does (resume, atomic outputs,
    one failure line per bad file on stderr, the tables at the end); the result counts what happened."""
    from extractor.runs.local import BatchOptions, run_batch

    options = BatchOptions(out_dir=Path(out_dir), formats=tuple(formats), force=force, workers=workers, settings=settings, progress=False)
    return run_batch([str(path) for path in paths], options)
