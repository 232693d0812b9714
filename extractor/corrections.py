"""What a person writes into the output folder, applied to the reports every time the tables are written:
`OUT/corrections.csv` (values checked and corrected by hand) and `OUT/entities.csv` (body names).

corrections.csv has the columns ``file, key, value, note``: `file` as in reports.csv (the output's name),
`key` a statistic's dotted key (or one of `CORRECTABLE_META`), `value` the right value, where an empty value
means the report does not state it (null), and `note` why. A corrected statistic's evidence says
``"method": "human"`` with the note (and keeps the quote's place in the text when the extractor had found
one); the summary and the arithmetic warnings follow the corrected values. A line naming an unknown file or
key, or with a value that is not one, is one warning and is skipped; nothing else stops.

entities.csv has the columns ``entity, entity_canonical``: a report whose `meta.entity` (or computed
`meta.entity_canonical`) equals `entity` gets `entity_canonical`. A correction of `meta.entity_canonical`
for one file wins over it.

Both files may be UTF-8 (with or without BOM, as Excel saves "CSV UTF-8") or GBK/GB18030 (as Excel saves
"CSV" on a Chinese system). The corrections stay in the reports' JSON files; removing a line from
corrections.csv takes effect when that report is extracted again (`--force`).

    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (out / "corrections.csv").write_text("file,key,value,note\\nr,stats_legacy.proactive.total,120,p.3\\n"
    ...                                          "r,stats_legacy.nothing,1,\\n", encoding="utf-8")
    >>> corrections, notices = read_corrections(out)
    >>> corrections[0].value, notices
    (120, ["corrections.csv line 3: unknown key 'stats_legacy.nothing'; line skipped"])
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.checks import arithmetic_warnings, compute_summary
from extractor.documents import decode_bytes
from extractor.errors import DocumentError
from extractor.schema import AnnualReport, money_paths, set_path, statistic_paths

CORRECTIONS_NAME = "corrections.csv"
ENTITIES_NAME = "entities.csv"
CORRECTABLE_META = ("meta.entity", "meta.entity_canonical", "meta.level", "meta.year", "meta.published_on")
"""The metadata a correction may set besides the statistics (a report with no name in it, a wrong year)."""


@dataclass(frozen=True)
class Correction:
    """One line of corrections.csv, its value parsed (None: the report does not state it)."""

    file: str
    key: str
    value: int | float | str | None
    note: str | None
    line: int


def read_corrections(out_dir: Path, files: set[str] | None = None) -> tuple[list[Correction], list[str]]:
    """The usable lines of OUT/corrections.csv (none when there is no such file) and a notice per bad line, in
    line order; with `files` (the report names of the folder), a line naming another file is a bad line."""
    rows, notices = _read_table(out_dir / CORRECTIONS_NAME, ("file", "key", "value"))
    statistics = set(statistic_paths())
    corrections = []
    for line, row in rows:
        where = f"{CORRECTIONS_NAME} line {line}"
        file, key, raw = row.get("file", "").strip(), row.get("key", "").strip(), row.get("value", "").strip()
        if files is not None and file not in files:
            notices.append(f"{where}: no report {file!r} in {out_dir} (file as in reports.csv); line skipped")
            continue
        if key not in statistics and key not in CORRECTABLE_META:
            notices.append(f"{where}: unknown key {key!r}; line skipped")
            continue
        try:
            value = _parse_value(key, raw)
        except ValueError as exc:
            notices.append(f"{where}: {exc}; line skipped")
            continue
        corrections.append(Correction(file, key, value, row.get("note", "").strip() or None, line))
    return corrections, notices


def _parse_value(key: str, raw: str) -> int | float | str | None:
    """A correction's value in the key's type; '' is None.

    >>> _parse_value("stats_legacy.operations.budget", "2.5"), _parse_value("meta.year", "2019")
    (2.5, 2019)
    >>> _parse_value("stats_legacy.proactive.total", "1,136"), _parse_value("stats_legacy.proactive.total", "")
    (1136, None)
    >>> _parse_value("stats_legacy.proactive.total", "12.5")
    Traceback (most recent call last):
    ValueError: value '12.5' for stats_legacy.proactive.total is not a whole number
    """
    if raw == "":
        return None
    if key.startswith("meta.") and key != "meta.year":
        return raw
    number = raw.replace(",", "").replace("，", "")
    if key in money_paths():
        try:
            return float(number)
        except ValueError:
            raise ValueError(f"value {raw!r} for {key} is not a number (万元)") from None
    try:
        return int(number)
    except ValueError:
        raise ValueError(f"value {raw!r} for {key} is not a whole number") from None


def read_entity_names(out_dir: Path) -> tuple[dict[str, str], list[str]]:
    """OUT/entities.csv as {entity: entity_canonical} (empty when there is no such file), and its notices."""
    rows, notices = _read_table(out_dir / ENTITIES_NAME, ("entity", "entity_canonical"))
    names = {}
    for line, row in rows:
        entity, canonical = row.get("entity", "").strip(), row.get("entity_canonical", "").strip()
        if not entity or not canonical:
            notices.append(f"{ENTITIES_NAME} line {line}: needs both an entity and an entity_canonical; line skipped")
            continue
        names[entity] = canonical
    return names, notices


def _read_table(path: Path, required: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The data rows of a person's CSV file with their line numbers; one notice when it cannot be used."""
    try:
        text, _ = decode_bytes(path.read_bytes(), path.name)
    except FileNotFoundError:
        return [], []
    except (OSError, DocumentError) as exc:
        return [], [f"{path.name}: cannot be read ({getattr(exc, 'strerror', None) or exc}); not applied"]
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        return [], [f"{path.name}: needs the columns {', '.join(required)} (missing {', '.join(missing)}); not applied"]
    reader.fieldnames = header
    rows = [
        (index + 2, {k: v or "" for k, v in row.items() if isinstance(k, str)})
        for index, row in enumerate(reader)
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]
    return rows, []


def apply_to_report(data: dict[str, Any], names: dict[str, str], corrections: list[Correction]) -> list[str]:
    """Apply entities.csv and this report's corrections to `data` (a report's JSON dict) in place; a notice for
    each correction the report's schema refuses (then that correction is not applied)."""
    meta = data.setdefault("meta", {})
    canonical = names.get(meta.get("entity") or "") or names.get(meta.get("entity_canonical") or "")
    if canonical:
        meta["entity_canonical"] = canonical
    notices = []
    corrected_statistics = False
    for correction in corrections:
        trial = json.loads(json.dumps(data))
        _apply(trial, correction)
        try:
            AnnualReport.model_validate(trial)
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"] if exc.errors() else str(exc)
            notices.append(
                f"{CORRECTIONS_NAME} line {correction.line}: {correction.key} = {correction.value!r} is not "
                f"a valid value ({reason}); line skipped"
            )
            continue
        _apply(data, correction)
        corrected_statistics = corrected_statistics or correction.key.startswith("stats_")
    if corrected_statistics:
        data["summary"] = compute_summary(data, meta.get("template") or "unknown")
        kept = [w for w in data.get("warnings", []) if not w.startswith("arithmetic:")]
        data["warnings"] = kept + arithmetic_warnings(data)
    return notices


def _apply(data: dict[str, Any], correction: Correction) -> None:
    set_path(data, correction.key, correction.value)
    if not correction.key.startswith("stats_"):
        return
    evidence = data.setdefault("evidence", {})
    found = evidence.get(correction.key) or {}
    evidence[correction.key] = {
        "quote": found.get("quote", ""),
        "start": found.get("start", 0),
        "end": found.get("end", 0),
        "method": "human",
        "page": found.get("page"),
        "note": correction.note,
    }
