"""Reading table rows in every shape scraping leaves them, anchored on the rows' printed labels.

A national table reaches us as an HTML/Word table (cells joined by ``|``), as space- or line-separated cells
(PDF text, CR-separated crawler dumps) or with its cells run together with no separator at all. The reader finds
each row's label in order, then reads the numbers between that label and the next row's label:

    >>> spec = RowSpec("r", r"一、本年新收政府信息公开申请数量", COLUMNS_7, sums=((6, (0, 1, 2, 3, 4, 5)),))
    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21", [spec])]
    [((21, 0, 0, 0, 0, 0, 21),)]

Run-together cells are split into every reading with the right number of cells (no leading zeros, a sign only
in a signed column) that satisfies the row's own sums (`cell_readings`); `reconstruct` then chooses among the
rows' readings by the whole table's arithmetic. ``640020470`` has one reading as seven cells whose first six add
up to the seventh; a row printed one digit per cell is certain; a row whose separators were lost only in part
is cut the same way:

    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量640020470", [spec])]
    [((64, 0, 0, 2, 0, 4, 70),)]
    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量5000005", [spec])]
    [((5, 0, 0, 0, 0, 0, 5),)]
    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量120 000012", [spec])]
    [((12, 0, 0, 0, 0, 0, 12),)]
    >>> [r.candidates for r in read_rows("一、本年新收政府信息公开申请数量0 0 0 0 0 00", [spec])]
    [((0, 0, 0, 0, 0, 0, 0),)]

When cells are separated but some are missing (a scraper dropped the empty ones) the row cannot be aligned
on its own (no candidates here); `reconstruct` then reads the whole table as one that dropped its blank cells.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from extractor.records import FieldValue, Number

COLUMNS_7 = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_interest_org",
    "legal_service",
    "other_org",
    "total",
)
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
    orders: tuple[tuple[int, int], ...] = ()
    """(larger, smaller) column pairs: 历年累计 ≥ 本年度, 对外公开总数量 ≥ 本年新公开数量 (checked when both are printed)."""
    not_negative: tuple[tuple[int, ...], ...] = ()
    """Columns whose sum is a count, never negative: 上一年项目数量 + 本年增/减."""

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
    piped: bool = False
    """The row's cells were separated by pipes (an HTML, Word or Markdown table): a run is exactly one cell."""


def fuzzy(label: str) -> str:
    r"""A regex for a printed label that tolerates line breaks and spaces between characters.

    >>> bool(re.search(fuzzy("保护第三方合法权益"), "4.保护第三\n方合法权益"))
    True
    """
    return r"\s*".join(re.escape(ch) for ch in label if not ch.isspace())


def read_rows(
    text: str, specs: Sequence[RowSpec], start: int = 0, end: int | None = None, max_gap: int = 1200, any_order: bool = False
) -> list[RowReading]:
    """Find the rows of `specs` in order in `text[start:end]` and read their cells.

    A row whose label is not found (within `max_gap` characters of the previous row) is skipped; with
    `any_order`, a row missed in order is looked for anywhere in the span (a table whose rows a converter
    printed out of order, e.g. a 第二十条 table whose 规章 row follows its 行政许可 row).
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
    if any_order:
        for spec in specs:
            if all(f[0] is not spec for f in found):
                taken = [(f[1], f[2]) for f in found]
                match = _best_match(text, re.compile(spec.label), start, stop, stop - start, numbered_only=True)
                if match and not any(a < match.end() and match.start() < b for a, b in taken):
                    found.append((spec, match.start(), match.end()))
        found.sort(key=lambda f: f[1])
    readings = []
    for index, (spec, label_start, label_end) in enumerate(found):
        region_end = found[index + 1][1] if index + 1 < len(found) else stop
        readings.append(_read_cells(text, spec, label_start, label_end, region_end))
    return _share_merged_lines(readings)


def _share_merged_lines(readings: list[RowReading]) -> list[RowReading]:
    """Give the cells of rows whose numbers sit on one line after all their labels back to each row.

    PDF text often prints a block of labels, then their numbers, or merges two rows' numbers into one line:
    ``1.属于国家秘密\\n2.其他法律行政法规禁止公开 0 0 0 0 0 0 0 1 0 0 0 0 0 1`` has 14 cells for two 7-column
    rows, the first of which printed none; the first seven are its cells. Each row's quote then runs from its
    label to the end of the shared line.
    """
    shared = list(readings)
    for index, reading in enumerate(readings):
        width = reading.spec.printed_columns or len(reading.spec.columns)
        count = len(reading.runs)
        rows = count // width if width > 1 and count % width == 0 else 1
        if rows < 2 or index < rows - 1 or None in reading.runs:
            continue
        group = shared[index - rows + 1 : index + 1]
        if any(r.runs or (r.spec.printed_columns or len(r.spec.columns)) != width for r in group[:-1]):
            continue
        for offset, row in enumerate(group):
            runs = reading.runs[offset * width : (offset + 1) * width]
            candidates, problem = cell_readings(row.spec, runs, reading.piped)
            shared[index - rows + 1 + offset] = RowReading(row.spec, row.start, reading.end, candidates, problem, runs, reading.piped)
    return shared


def _best_match(
    text: str, label: re.Pattern[str], cursor: int, stop: int, max_gap: int, numbered_only: bool = False
) -> re.Match[str] | None:
    """The first match of `label` that numbers follow, else (unless `numbered_only`) the first match (a heading
    may repeat a label)."""
    first = None
    for match in label.finditer(text, cursor, stop):
        if match.start() - cursor > max_gap:
            break
        first = first or match
        after = _skip_filler(text, match.end(), stop)
        if re.match(r"[\s|]*[+\-]?\d", text[after : after + 12]):
            return match
    return None if numbered_only else first


def _read_cells(text: str, spec: RowSpec, label_start: int, label_end: int, region_end: int) -> RowReading:
    position = _skip_filler(text, label_end, region_end)
    runs: list[str | None] = []
    last_end = label_end
    pipes_since_value = 0
    piped = False
    while position < region_end:
        separator = _SEPARATOR.match(text, position, region_end)
        if separator:
            pipes = separator.group(0).count("|")
            piped = piped or pipes > 0
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
    candidates, problem = cell_readings(spec, runs, piped)
    return RowReading(spec, label_start, reading_end, candidates, problem, tuple(runs), piped)


def _skip_filler(text: str, position: int, end: int) -> int:
    """Skip what may sit between a label and its numbers: a parenthetical note, wrapped label text, a unit."""
    note = _NOTE.match(text, position, end)
    if note:
        position = note.end()
    filler = _FILLER.match(text, position, end)
    if filler and not re.search(r"[。;]", filler.group(0)):
        return filler.end()
    return position


def cell_readings(
    spec: RowSpec, runs: Sequence[str | None], piped: bool = False, dropped: bool = False
) -> tuple[tuple[tuple[Number | None, ...], ...], str | None]:
    """Every reading of a row's printed runs as its cells, and why there is none when there is none.

    A run between pipes is one cell; a run of a space-separated or unseparated row is one or more cells run
    together (``120 000012`` is 12|0|0|0|0|0|12). Cells never have leading zeros (a lone ``0`` is a cell),
    a sign only in a signed column, decimals only in a money column. In a table that `dropped` its blank
    cells, the cells read may stand in any of the columns, in order, the others blank (None). When more than
    one reading is possible, or a run had to be cut, only readings that satisfy the row's own rules (`sums`,
    `orders`, `not_negative`, blank cells counting 0) are kept; cells printed apart are kept as printed:

    >>> spec = RowSpec("r", "r", ("a", "b", "total"), sums=((2, (0, 1)),))
    >>> cell_readings(spec, ["12", "3"])
    (((1, 2, 3),), None)
    >>> cell_readings(spec, ["22"], dropped=True)
    (((2, None, 2), (None, 2, 2)), None)
    >>> cell_readings(spec, ["5", "5"])
    ((), '2 cells printed for 3 columns, so they cannot be aligned')
    """
    width = spec.printed_columns or len(spec.columns)
    if all(r is None for r in runs):
        if not dropped or spec.may_be_blank:
            return (), None
        return ((None,) * len(spec.take or spec.columns),), None  # a row printed with every cell blank
    sequences = _sequences(list(runs), width, piped, dropped)
    readings: list[tuple[Number | None, ...]] = []
    for sequence in sequences:
        places = [range(width)] if len(sequence) == width else itertools.combinations(range(width), len(sequence))
        for place in places:
            cells: list[Number | None] = [None] * width
            for column, piece in zip(place, sequence):
                cells[column] = None if piece is None else _cell(piece, column, spec)
            if all(piece is None or cells[column] is not None for column, piece in zip(place, sequence)):
                readings.append(tuple(cells))
            if len(readings) > MAX_CANDIDATES:
                return (), f"'{' '.join(r or '' for r in runs)}' has too many readings to settle"
    if len(readings) > 1 or any(len(sequence) > len(runs) for sequence in sequences):
        readings = [cells for cells in readings if _row_rules_hold(spec, cells)]
        if not readings:
            return (), f"run-together cells '{' '.join(r or '' for r in runs)}' cannot be split into {width} cells that add up"
    if readings:
        return _kept(spec, readings), None
    printed = len(runs)
    if not dropped and printed < width:
        if len(runs) == 1 and spec.take is not None:
            return (), "one cell printed where the form has a year and a cumulative column; which one is unknown"
        if len(runs) == 1 and not piped:
            return (), f"run-together cells '{runs[0]}' cannot be split into {width} cells that add up"
        return (), f"{printed} cells printed for {width} columns, so they cannot be aligned"
    return (), f"{printed} cells printed for {width} columns"


def _sequences(runs: list[str | None], width: int, piped: bool, dropped: bool) -> list[list[str | None]]:
    """The runs cut into cells: exactly `width` of them, or (`dropped`) at most `width`."""
    results: list[list[str | None]] = []

    def walk(index: int, cells: list[str | None]) -> None:
        if len(results) > MAX_CANDIDATES or len(cells) > width:
            return
        if index == len(runs):
            if len(cells) == width or (dropped and cells):
                results.append(cells)
            return
        run = runs[index]
        if run is None or piped:
            walk(index + 1, [*cells, run])
            return
        for count in range(1, width - len(cells) - (len(runs) - index - 1) + 1):
            for pieces in cut_run(run, count):
                walk(index + 1, [*cells, *pieces])

    walk(0, [])
    return results


_PIECE = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")


@functools.cache
def cut_run(run: str, count: int) -> tuple[tuple[str, ...], ...]:
    """Every way to cut `run` into `count` pieces that can each be a cell (no leading zeros).

    >>> cut_run("0102", 3)
    (('0', '10', '2'),)
    """
    if count == 1:
        return ((run,),) if _PIECE.fullmatch(run) else ()
    found: list[tuple[str, ...]] = []
    for length in range(1, len(run) - count + 2):
        head = run[:length]
        if not _PIECE.fullmatch(head) or ("." in head and run[length].isdigit()):
            continue  # a decimal part runs to the end of the digits
        found.extend((head, *rest) for rest in cut_run(run[length:], count - 1))
        if len(found) > MAX_CANDIDATES:
            break
    return tuple(found)


def _cell(piece: str, column: int, spec: RowSpec) -> Number | None:
    if piece[0] in "+-" and column not in spec.signed:
        return None
    return _number(piece.lstrip("+"), column in spec.money)


def _row_rules_hold(spec: RowSpec, cells: Sequence[Number | None]) -> bool:
    """The row's own rules, a blank cell counting 0: its sums, its orders (when both cells are printed), and
    the sums that cannot be negative (last year's items plus this year's change)."""

    def value(column: int) -> float:
        return cells[column] or 0

    if any(abs(sum(value(p) for p in parts) - value(total)) > 1e-6 for total, parts in spec.sums):
        return False
    if any(cells[a] is not None and cells[b] is not None and value(a) < value(b) for a, b in spec.orders):
        return False
    return all(sum(value(c) for c in columns) >= 0 for columns in spec.not_negative)


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


@dataclass(frozen=True)
class Equation:
    """A linear rule of the table: the sum of `left` cells equals the sum of `right` cells (or, `at_least`,
    is at least it). Cells are (row key, column index) of counts, never negative; a blank cell counts 0.

    With some rows not yet chosen, `may_hold` says whether the rule can still hold: a complete side already
    exceeded by the chosen part of the other cannot, since the cells still to come only add.

    >>> rule = Equation((("a", 0), ("b", 0)), (("t", 0),))
    >>> rule.may_hold({"t": (3,), "a": (4,)}), rule.may_hold({"t": (3,), "a": (2,)}), rule.holds({"t": (3,), "a": (2,), "b": (1,)})
    (False, True, True)
    """

    left: tuple[tuple[str, int], ...]
    right: tuple[tuple[str, int], ...]
    at_least: bool = False

    def holds(self, cells: Mapping[str, tuple[Number | None, ...]]) -> bool:
        left = sum(cells[k][c] or 0 for k, c in self.left)
        right = sum(cells[k][c] or 0 for k, c in self.right)
        return left >= right - 1e-6 if self.at_least else abs(left - right) < 1e-6

    def may_hold(self, cells: Mapping[str, tuple[Number | None, ...]]) -> bool:
        def chosen(side: tuple[tuple[str, int], ...]) -> tuple[float, bool]:
            return sum(cells[k][c] or 0 for k, c in side if k in cells), all(k in cells for k, _ in side)

        (left, left_done), (right, right_done) = chosen(self.left), chosen(self.right)
        if left_done and right > left + 1e-6:
            return False
        return self.at_least or not right_done or left <= right + 1e-6


def field_values(text: str, readings: list[RowReading], cells: dict[str, tuple[Number | None, ...]]) -> list[FieldValue]:
    """Turn resolved rows into `FieldValue`s quoting the whole printed row."""
    values: list[FieldValue] = []
    for reading in readings:
        row = cells.get(reading.spec.key)
        if row is None:
            continue
        quote = text[reading.start : reading.end]
        values.extend(
            FieldValue(reading.spec.path(index), value, quote, reading.start, reading.end)
            for index, value in enumerate(row)
            if value is not None
        )
    return values
