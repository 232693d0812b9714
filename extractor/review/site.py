"""`extractor review OUT`: the static review site in OUT/review/, built whole in a hidden folder beside it and
then swapped in, so a reader never sees half a site and pages of reports that left the folder do not linger.

    >>> import json, pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> for name, year in (("hz_2023", 2023), ("hz_2024", 2024)):
    ...     _ = (out / f"{name}.json").write_text(json.dumps({"meta": {"entity": "洪泽区", "year": year}}))
    >>> site = write_review(out)
    >>> site.reports, site.bodies, site.problems
    (2, 1, [])
    >>> sorted(str(p.relative_to(out / "review")) for p in (out / "review").rglob("*.html"))[:2]
    ['bodies/deeffb3663ca.html', 'index.html']
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extractor.atomic import write_atomic
from extractor.errors import ConfigError
from extractor.review.folder import ReviewedReport, read_compare, read_reports
from extractor.review.pages import body_page, index_page, report_page

SITE_FOLDER = "review"


@dataclass(frozen=True)
class ReviewSite:
    """What `write_review` wrote: the site's index, how many report and body pages, and the files it skipped."""

    index: Path
    reports: int
    bodies: int
    problems: list[str] = field(default_factory=list)
    texts_missing: int = 0
    compare_found: bool = False


def body_href(body: str) -> str:
    """The page of a body, named by a hash of its name (any name makes a safe, stable file name).

    >>> body_href("江苏省淮安市洪泽区")
    'bodies/bf07522df3c4.html'
    """
    return f"bodies/{hashlib.sha1(body.encode('utf-8')).hexdigest()[:12]}.html"


def bodies_across_years(reports: list[ReviewedReport]) -> dict[str, list[ReviewedReport]]:
    """The bodies with reports for more than one year, each with its reports."""
    by_body: dict[str, list[ReviewedReport]] = defaultdict(list)
    for report in reports:
        if report.body:
            by_body[report.body].append(report)
    return {body: found for body, found in by_body.items() if len({r.year for r in found if r.year is not None}) > 1}


def write_review(out_dir: Path) -> ReviewSite:
    """Write OUT/review/ from every report JSON in `out_dir` (raises `ConfigError` when there is none)."""
    if not out_dir.is_dir():
        raise ConfigError("no such output folder", path=str(out_dir))
    reports, problems = read_reports(out_dir)
    if not reports:
        raise ConfigError("no report JSON files here (run extractor extract first)", path=str(out_dir))
    compare = read_compare(out_dir)
    bodies = bodies_across_years(reports)
    hrefs = {body: body_href(body) for body in bodies}
    building = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{SITE_FOLDER}.", suffix=".tmp"))
    try:
        write_atomic(building / "index.html", index_page(reports, hrefs))
        texts_missing = 0
        for report in reports:
            texts_missing += not report.text_path.is_file()
            write_atomic(building / "reports" / f"{report.name}.html", report_page(report, hrefs.get(report.body or "")))
        for body, found in bodies.items():
            write_atomic(building / hrefs[body], body_page(body, found, compare))
        _swap_in(building, out_dir / SITE_FOLDER)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return ReviewSite(out_dir / SITE_FOLDER / "index.html", len(reports), len(bodies), problems, texts_missing, compare is not None)


def _swap_in(built: Path, site: Path) -> None:
    """Replace `site` by `built`: two renames, the old site removed after."""
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{SITE_FOLDER}.old.", suffix=".tmp"))
        site.rename(old / SITE_FOLDER)
    built.rename(site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
