"""Reading table rows in every shape scraping leaves them, anchored on the rows' printed labels.

A national table reaches us as an HTML/Word table (cells joined by ``|``), as space- or line-separated cells
(PDF text, CR-separated crawler dumps) or with its cells run together with no separator at all. The reader finds
each row's label in order, then reads the numbers between that label and the next row's label:

    >>> spec = RowSpec("r", r"一、本年新收政府信息公开申请数量", COLUMNS_7, sums=((6, (0, 1, 2, 3, 4, 5)),))
    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21", [spec])]
    [((21, 0, 0, 0, 0, 0, 21),)]

Run-together cells are split into every reading with the right number of cells (no leading zeros, a sign only
in a signed column) that satisfies the row's own sums; `resolve` then applies the table's column arithmetic.
``640020470`` has one reading as seven cells whose first six add up to the seventh:

    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量640020470", [spec])]
    [((64, 0, 0, 2, 0, 4, 70),)]

When cells are separated but some are missing (a scraper dropped the empty ones) the row cannot be aligned
and has no candidates; the pipeline leaves its values null with a warning saying why.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractor.records import FieldValue, Number

COLUMNS_7 = ("natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
             "legal_service", "other_org", "total")
MAX_CANDIDATES = 2000
MAX_FILLER = 45
_UNIT = r"(?:万元|人次|元|条|件|次|个|人|篇|期|场|项|份|家|起)"
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_RUN = re.compile(r"(?:[+-]?\d+(?:\.\d+)?)+")
_SEPARATOR = re.compile(r"[ \t\n|]+")
_UNIT_TOKEN = re.compile(_UNIT)
_NOTE = re.compile(r"\s*\([^()]{0,80}\)")
_FILLER = re.compile(rf"[^\d+\-。;|]{{0,{MAX_FILLER}}}?(?=[\s|]*[+\-]?\d)")
_NOT_A_CELL_SUFFIX = "年月日号%‰余多倍"


@dataclass(frozen=True)
class RowSpec:
    """A table row: where its values go, its label as a regex, its value columns and its own arithmetic.

    `columns` are leaf names under `key` ("" for a single-value row whose `key` is the full path);
    `sums` lists (total column, part columns) that the row must satisfy; `take` picks columns when the
    printed row has more cells than we keep (e.g. a 本年度 column beside a 历年累计 column); `may_be_blank`
    marks a row the format prints without values (a group heading such as 2021's （六）其他处理).
    """

    key: str
    label: str
    columns: tuple[str, ...] = ("",)
    signed: tuple[int, ...] = ()
    money: tuple[int, ...] = ()
    sums: tuple[tuple[int, tuple[int, ...]], ...] = ()
    printed_columns: int | None = None
    take: tuple[int, ...] | None = None
    may_be_blank: bool = False

    def path(self, column: int) -> str:
        name = self.columns[column]
        return f"{self.key}.{name}" if name else self.key


@dataclass(frozen=True)
class RowReading:
    """A row found in the text: where, and every reading of its cells that fits (one when certain)."""

    spec: RowSpec
    start: int
    end: int
    candidates: tuple[tuple[Number | None, ...], ...]
    problem: str | None = None
    runs: tuple[str | None, ...] = ()


def fuzzy(label: str) -> str:
    r"""A regex for a printed label that tolerates line breaks and spaces between characters.

    >>> bool(re.search(fuzzy("保护第三方合法权益"), "4.保护第三\n方合法权益"))
    True
    """
    return r"\s*".join(re.escape(ch) for ch in label if not ch.isspace())


def read_rows(text: str, specs: Sequence[RowSpec], start: int = 0, end: int | None = None,
              max_gap: int = 1200) -> list[RowReading]:
    """Find the rows of `specs` in order in `text[start:end]` and read their cells.

    A row whose label is not found (within `max_gap` characters of the previous row) is skipped.
    """
    stop = len(text) if end is None else end
    found: list[tuple[RowSpec, int, int]] = []
    cursor = start
    for spec in specs:
        match = _best_match(text, re.compile(spec.label), cursor, stop, max_gap if found else len(text))
        if match is None:
            continue
        found.append((spec, match.start(), match.end()))
        cursor = match.end()
    readings = []
    for index, (spec, label_start, label_end) in enumerate(found):
        region_end = found[index + 1][1] if index + 1 < len(found) else stop
        readings.append(_read_cells(text, spec, label_start, label_end, region_end))
    return readings


def _best_match(text: str, label: re.Pattern[str], cursor: int, stop: int, max_gap: int) -> re.Match[str] | None:
    """The first match of `label` that numbers follow, else the first match (a heading may repeat a label)."""
    first = None
    for match in label.finditer(text, cursor, stop):
        if match.start() - cursor > max_gap:
            break
        first = first or match
        after = _skip_filler(text, match.end(), stop)
        if re.match(r"[\s|]*[+\-]?\d", text[after:after + 12]):
            return match
    return first


def _read_cells(text: str, spec: RowSpec, label_start: int, label_end: int, region_end: int) -> RowReading:
    position = _skip_filler(text, label_end, region_end)
    runs: list[str | None] = []
    last_end = label_end
    pipes_since_value = 0
    while position < region_end:
        separator = _SEPARATOR.match(text, position, region_end)
        if separator:
            pipes = separator.group(0).count("|")
            pipes_since_value += pipes
            if runs and pipes >= 2 and pipes_since_value >= 2:
                runs.extend([None] * (pipes - 1))
            position = separator.end()
            continue
        unit = _UNIT_TOKEN.match(text, position, region_end)
        if unit:
            position = unit.end()
            continue
        run = _RUN.match(text, position, region_end)
        if not run:
            break
        after = run.end()
        if after < region_end and text[after] in ".、" and re.match(r"\d", run.group(0)[-1:]):
            break  # "2." / "3、" begins the next row's list label, not a cell
        if after < region_end and text[after] in _NOT_A_CELL_SUFFIX:
            break  # a date or an approximation in prose ("2023年", "300余"), not a cell
        runs.append(run.group(0))
        pipes_since_value = 0
        last_end = after
        position = after
    while runs and runs[-1] is None:
        runs.pop()
    reading_end = max(last_end, label_end)
    candidates, problem = _candidates(spec, runs)
    return RowReading(spec, label_start, reading_end, candidates, problem, tuple(runs))


def _skip_filler(text: str, position: int, end: int) -> int:
    """Skip what may sit between a label and its numbers: a parenthetical note, wrapped label text, a unit."""
    note = _NOTE.match(text, position, end)
    if note:
        position = note.end()
    filler = _FILLER.match(text, position, end)
    if filler and not re.search(r"[。;]", filler.group(0)):
        return filler.end()
    return position


def _candidates(spec: RowSpec, runs: list[str | None]) -> tuple[tuple[tuple[Number | None, ...], ...], str | None]:
    width = spec.printed_columns or len(spec.columns)
    values = [r for r in runs if r is not None]
    if not values:
        return (), None
    if len(runs) == width:
        cells = tuple(_number(r, i in spec.money) if r is not None else None for i, r in enumerate(runs))
        if any(r is not None and c is None for r, c in zip(runs, cells)):
            return (), f"unreadable cells {runs}"
        return _kept(spec, [cells]), None
    if len(runs) == 1 and spec.take is not None:
        return (), "one cell printed where the form has a year and a cumulative column; which one is unknown"
    if len(runs) == 1 and runs[0] is not None and width > 1:
        split = [c for c in split_run(runs[0], width, spec.signed, spec.money) if _row_sums_hold(spec, c)]
        if not split:
            return (), f"run-together cells '{runs[0]}' cannot be split into {width} cells that add up"
        return _kept(spec, split), None
    if len(runs) < width:
        return (), f"{len(runs)} cells printed for {width} columns, so they cannot be aligned"
    return (), f"{len(runs)} cells printed for {width} columns"


def _kept(spec: RowSpec, rows: Iterable[tuple[Number | None, ...]]) -> tuple[tuple[Number | None, ...], ...]:
    if spec.take is None:
        return tuple(dict.fromkeys(rows))
    return tuple(dict.fromkeys(tuple(row[i] for i in spec.take) for row in rows))


def _number(text: str, money: bool) -> Number | None:
    if not _NUMBER.fullmatch(text):
        return None
    if "." in text:
        return float(text) if money else None
    return float(text) if money else int(text)


def _row_sums_hold(spec: RowSpec, cells: Sequence[Number | None]) -> bool:
    for total, parts in spec.sums:
        part_values = [cells[i] for i in parts]
        if cells[total] is None or any(v is None for v in part_values):
            continue
        if abs(sum(v for v in part_values if v is not None) - cells[total]) > 1e-6:  # type: ignore[operator]
            return False
    return True


def split_run(run: str, width: int, signed: tuple[int, ...] = (), money: tuple[int, ...] = ()) -> list[tuple[Number, ...]]:
    """Every way to read a run of digits as `width` cells: no leading zeros, signs only in signed columns.

    >>> split_run("000", 3)
    [(0, 0, 0)]
    >>> split_run("156-5997", 3, signed=(1,))
    [(156, -5, 997), (156, -59, 97), (156, -599, 7)]
    >>> split_run("96171.6", 1, money=(0,))
    [(96171.6,)]
    """
    results: list[tuple[Number, ...]] = []

    def walk(position: int, column: int, cells: list[Number]) -> None:
        if len(results) >= MAX_CANDIDATES:
            return
        if column == width:
            if position == len(run):
                results.append(tuple(cells))
            return
        pattern = r"[+-]?" if column in signed else ""
        pattern += r"(?:0|[1-9]\d*)"
        if column in money:
            pattern += r"(?:\.\d+)?"
        for length in range(1, len(run) - position + 1):
            piece = run[position:position + length]
            if not re.fullmatch(pattern, piece):
                continue
            if column in money and "." in piece and position + length < len(run) and run[position + length].isdigit():
                continue  # a decimal part runs to the end of the digits
            value: Number = float(piece) if column in money else int(piece)
            walk(position + length, column + 1, [*cells, value])

    walk(0, 0, [])
    return results


def distrust_splits_where_cells_dropped(readings: list[RowReading]) -> list[RowReading]:
    """In a run-together table that lost its empty cells, keep a split only if no shorter reading exists.

    Once a scraper has dropped blank cells, ``222`` under three columns may be 2|2|2 or 22|2 with a blank:
    only a run such as ``000``, which cannot be fewer cells, is still certain.

    >>> spec = RowSpec("a", "a", ("x", "y", "z"))
    >>> rows = [RowReading(spec, 0, 1, ((2, 2, 2),), runs=("222",)), RowReading(spec, 2, 3, (), "2 cells", ("00",))]
    >>> [r.candidates for r in distrust_splits_where_cells_dropped(rows)]
    [(), ()]
    """
    dropped = any(
        (not r.candidates and any(r.runs)) or (not any(r.runs) and not r.spec.may_be_blank and len(r.spec.columns) > 1)
        for r in readings)
    if not dropped:
        return readings
    kept = []
    for reading in readings:
        width = reading.spec.printed_columns or len(reading.spec.columns)
        glued = len(reading.runs) == 1 and reading.runs[0] is not None and width > 1
        if glued and reading.candidates and any(
                split_run(reading.runs[0], fewer, reading.spec.signed, reading.spec.money)  # type: ignore[arg-type]
                for fewer in range(1, width)):
            reading = RowReading(reading.spec, reading.start, reading.end, (),
                                 f"'{reading.runs[0]}' may be fewer cells: this table dropped its blank cells",
                                 reading.runs)
        kept.append(reading)
    return kept


@dataclass(frozen=True)
class Equation:
    """A linear rule of the table: the sum of `left` cells equals the sum of `right` cells.

    Cells are (row key, column index).
    """

    left: tuple[tuple[str, int], ...]
    right: tuple[tuple[str, int], ...]


def resolve(readings: list[RowReading], equations: Sequence[Equation]) -> tuple[dict[str, tuple[Number | None, ...]], list[str]]:
    """Pick each row's cells: certain rows as they are, ambiguous rows by the table's equations.

    Returns the cells per row key (a cell is None when its value stays uncertain) and warnings. A cell of an
    ambiguous row is kept when every reading that satisfies all checkable equations agrees on it.
    """
    readings = [_derived(r, readings, equations) for r in readings]
    by_key = {r.spec.key: r for r in readings if r.candidates}
    warnings = [f"{r.spec.key}: {r.problem}" for r in readings if r.problem]
    ambiguous = [k for k, r in by_key.items() if len(r.candidates) > 1]
    chosen: dict[str, tuple[Number | None, ...]] = {k: r.candidates[0] for k, r in by_key.items()
                                                     if len(r.candidates) == 1}
    if not ambiguous:
        return chosen, warnings
    usable = [e for e in equations if all(k in by_key for k, _ in e.left + e.right)
              and any(k in ambiguous for k, _ in e.left + e.right)]
    combos = 1
    for key in ambiguous:
        combos *= len(by_key[key].candidates)
    survivors: list[tuple[tuple[Number | None, ...], ...]] = []
    if combos <= 200_000:
        for combo in itertools.product(*(by_key[k].candidates for k in ambiguous)):
            trial = {**chosen, **dict(zip(ambiguous, combo))}
            if all(_holds(e, trial) for e in usable):
                survivors.append(combo)
    for index, key in enumerate(ambiguous):
        options = {combo[index] for combo in survivors}
        width = len(by_key[key].candidates[0])
        cells = tuple(
            next(iter({o[c] for o in options})) if options and len({o[c] for o in options}) == 1 else None
            for c in range(width))
        chosen[key] = cells
        if any(c is None for c in cells):
            shown = " / ".join("|".join(str(v) for v in o) for o in list(by_key[key].candidates)[:4])
            why = "no reading satisfies the table's arithmetic" if not options else "several readings fit"
            warnings.append(f"{key}: run-together cells are ambiguous ({why}: {shown}); uncertain cells left null")
    return chosen, warnings


def _derived(reading: RowReading, readings: list[RowReading], equations: Sequence[Equation]) -> RowReading:
    """A row printed with too few cells, completed by the table's equations when they fix every cell.

    The completion is kept only when the printed cells appear, in order, among the derived ones, e.g. a
    row 二 printed as six zeros whose seven cells the balance 一 + 二 = (七) + 四 makes all zero.
    """
    if reading.candidates or not any(reading.runs):
        return reading
    known = {r.spec.key: r.candidates[0] for r in readings if len(r.candidates) == 1}
    derived: list[Number] = []
    for column in range(len(reading.spec.columns)):
        value = _solve(reading.spec.key, column, known, equations)
        if value is None:
            return reading
        derived.append(value)
    printed = iter(_number(r, False) for r in reading.runs if r is not None)
    wanted = next(printed, None)
    for value in derived:
        if wanted is not None and value == wanted:
            wanted = next(printed, None)
    if wanted is not None:
        return reading
    note = f"{reading.problem}; completed from the table's arithmetic as {'|'.join(map(str, derived))}"
    return RowReading(reading.spec, reading.start, reading.end, (tuple(derived),), note, reading.runs)


def _solve(key: str, column: int, known: dict[str, tuple[Number | None, ...]],
           equations: Sequence[Equation]) -> Number | None:
    for equation in equations:
        sides = (equation.left, equation.right)
        for own, other in (sides, sides[::-1]):
            if (key, column) not in own:
                continue
            rest = [c for c in own if c != (key, column)]
            cells = rest + list(other)
            if all(k in known and known[k][c] is not None for k, c in cells):
                value = sum(known[k][c] for k, c in other) - sum(known[k][c] for k, c in rest)  # type: ignore[misc]
                return value if value >= 0 else None
    return None


def _holds(equation: Equation, cells: dict[str, tuple[Number | None, ...]]) -> bool:
    def total(side: tuple[tuple[str, int], ...]) -> float | None:
        values = [cells[k][c] for k, c in side]
        if any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))

    left, right = total(equation.left), total(equation.right)
    return left is None or right is None or abs(left - right) < 1e-6


def field_values(text: str, readings: list[RowReading], cells: dict[str, tuple[Number | None, ...]]) -> list[FieldValue]:
    """Turn resolved rows into `FieldValue`s quoting the whole printed row."""
    values: list[FieldValue] = []
    for reading in readings:
        row = cells.get(reading.spec.key)
        if row is None:
            continue
        quote = text[reading.start:reading.end]
        values.extend(FieldValue(reading.spec.path(index), value, quote, reading.start, reading.end)
                      for index, value in enumerate(row) if value is not None)
    return values
