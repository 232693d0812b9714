"""A table reconstructed as a whole: one reading per row that satisfies all of the table's arithmetic at once.

Each row found by `read_rows` comes with its candidate readings (one when the printing is certain). When a row
cannot be read as the full set of columns (a scraper dropped the blank cells: ``22`` under seven columns, a row
label with no numbers) the whole table is read as one that dropped its blank cells: every row's cells may stand
in any of the columns, in order, the others blank. Then an exact search finds every assignment of one reading
per row that satisfies every `Equation` of the table (a blank cell counting 0). A cell is taken when every such
assignment gives it the same printed value; every other cell stays null, with one warning per row naming the
readings that fit. Figures the report states elsewhere (`evidence`, e.g. the prose restating a cell) narrow the
readings when some agree with them, and are ignored when none does.

Two rows printed ``22`` in a seven-column table that dropped its blanks, linked by column equations, agree on
the total (2) but not on which applicant column holds the other 2:

    >>> from extractor.parsers.rows import COLUMNS_7, RowSpec, read_rows
    >>> rows = [RowSpec(k, k, COLUMNS_7, sums=((6, (0, 1, 2, 3, 4, 5)),)) for k in ("新收", "总计")]
    >>> equations = [Equation((("新收", c),), (("总计", c),)) for c in range(7)]
    >>> cells, warnings = reconstruct(read_rows("新收22\\n总计22", rows), equations)
    >>> cells["总计"]
    (None, None, None, None, None, None, 2)
    >>> warnings[0].split(" (")[0]
    '新收: 6 readings fit the table, which disagree'

Why the search ends quickly: rows are grouped into the sets that share an equation (rows no equation links
are settled alone); within a group the rows with fewest readings, then those most equations name (the totals),
are tried first; each equation is checked as soon as its last row is assigned, and before that a partial
choice is cut as soon as it exceeds a side already complete (cells are counts, never negative); every row has at most
`MAX_CANDIDATES` readings and a group's search stops after `MAX_STEPS` partial assignments, leaving that
group's uncertain cells null with a warning. A national table has at most a few dozen rows, most of them
certain, so real groups need a few hundred steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from extractor.parsers.rows import Equation, RowReading, RowSpec, cell_readings
from extractor.records import Number

MAX_STEPS = 200_000

Cells = tuple[Number | None, ...]


def reconstruct(
    readings: Sequence[RowReading], equations: Sequence[Equation], evidence: Mapping[str, Number] | None = None
) -> tuple[dict[str, Cells], list[str]]:
    """The cells of every row (None where uncertain or blank) and the warnings saying what stayed uncertain."""
    readings = as_dropped_blanks(readings) if shows_dropped_cells(readings) else list(readings)
    options = {r.spec.key: list(r.candidates) for r in readings if r.candidates}
    warnings = [f"{r.spec.key}: {r.problem}" for r in readings if r.problem and not r.candidates]
    chosen = {k: c[0] for k, c in options.items() if len(c) == 1}
    ambiguous = {k for k, c in options.items() if len(c) > 1}
    equations = through_unread_rows(equations, set(options))
    usable = [e for e in equations if all(k in options for k, _ in e.left + e.right) and any(k in ambiguous for k, _ in e.left + e.right)]
    specs = {r.spec.key: r.spec for r in readings}
    for group in _groups(options, usable):
        if not ambiguous.intersection(group):
            continue
        links = [e for e in usable if e.left[0][0] in group or e.right[0][0] in group]
        everything = {k: options[k] for k in group}
        narrowed = {k: _agreeing(options[k], specs[k], evidence or {}) for k in group}
        seen, complete = _search(narrowed, links)
        if complete and not any(seen.values()) and narrowed != everything:
            seen, complete = _search(everything, links)
        for key in [k for k in group if k in ambiguous]:
            fits = seen[key] if complete else []
            tied = {c for e in links for k, c in e.left + e.right if k == key}
            chosen[key] = _agreed(fits, len(options[key][0]), tied)
            if not fits or (len(set(fits)) > 1 and None in chosen[key]):
                warnings.append(_warning(key, fits, options[key], complete))
    return chosen, warnings


def through_unread_rows(equations: Sequence[Equation], read: set[str]) -> list[Equation]:
    """The equations, plus those that still hold where a row could not be read at all: a cell of an unread row
    that one equation gives as the sum of read cells is replaced by that sum in the other equations naming it.

    A broken （七）总计 row still ties 一 + 二 = （七） + 四 through its outcome rows: 一 + 二 = outcomes + 四.

    >>> rules = [Equation((("一", 0), ("二", 0)), (("七", 0), ("四", 0))), Equation((("甲", 0), ("乙", 0)), (("七", 0),))]
    >>> [(e.left, e.right) for e in through_unread_rows(rules, {"一", "二", "四", "甲", "乙"})[2:]]
    [((('一', 0), ('二', 0)), (('四', 0), ('甲', 0), ('乙', 0)))]
    """
    derived = []
    for known in equations:
        for lone, parts in ((known.right, known.left), (known.left, known.right)):
            cell = lone[0]
            if known.at_least or len(lone) != 1 or cell[0] in read or any(k not in read for k, _ in parts):
                continue
            for other in equations:
                if other is known or other.at_least:
                    continue
                if cell in other.left:
                    derived.append(Equation(_replaced(other.left, cell, parts), other.right))
                elif cell in other.right:
                    derived.append(Equation(other.left, _replaced(other.right, cell, parts)))
    return [*equations, *derived]


def _replaced(side: tuple[tuple[str, int], ...], cell: tuple[str, int], parts: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    return tuple(c for c in side if c != cell) + parts


def shows_dropped_cells(readings: Sequence[RowReading]) -> bool:
    """Whether a row could not be read as a full set of cells: a multi-column row with no numbers at all, or
    numbers no full reading fits. The table then lost its blank cells, every row alike."""
    return any(
        (not r.candidates and any(run is not None for run in r.runs))
        or (not r.candidates and not r.runs and not r.spec.may_be_blank and len(r.spec.columns) > 1)
        for r in readings
    )


def as_dropped_blanks(readings: Sequence[RowReading]) -> list[RowReading]:
    """Every row read again as a row that may have lost its blank cells."""
    again = []
    for r in readings:
        candidates, problem = cell_readings(r.spec, r.runs, r.piped, dropped=True)
        again.append(RowReading(r.spec, r.start, r.end, candidates, problem, r.runs, r.piped))
    return again


def _groups(options: Mapping[str, list[Cells]], equations: Sequence[Equation]) -> list[list[str]]:
    """The rows in sets linked by shared equations (union-find over the rows each equation names)."""
    parent = {k: k for k in options}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for equation in equations:
        keys = [k for k, _ in equation.left + equation.right]
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    groups: dict[str, list[str]] = {}
    for key in options:
        groups.setdefault(root(key), []).append(key)
    return list(groups.values())


def _agreeing(candidates: list[Cells], spec: RowSpec, evidence: Mapping[str, Number]) -> list[Cells]:
    """The readings that agree with every figure stated elsewhere for this row, or all of them when none does."""
    wanted = {i: evidence[spec.path(i)] for i in range(len(candidates[0])) if spec.path(i) in evidence}
    if len(candidates) < 2 or not wanted:
        return candidates
    agreeing = [c for c in candidates if all(c[i] == v for i, v in wanted.items())]
    return agreeing or candidates


def _search(options: Mapping[str, list[Cells]], equations: Sequence[Equation]) -> tuple[dict[str, list[Cells]], bool]:
    """Every reading of each row that takes part in some assignment satisfying all `equations`; False when the
    search stopped at `MAX_STEPS` before trying every assignment."""
    links = {k: sum(k == key for e in equations for key, _ in e.left + e.right) for k in options}
    order = sorted(options, key=lambda k: (len(options[k]), -links[k]))
    position = {k: i for i, k in enumerate(order)}
    due: list[list[Equation]] = [[] for _ in order]
    pending: list[list[Equation]] = [[] for _ in order]
    for equation in equations:
        rows = sorted({position[k] for k, _ in equation.left + equation.right})
        due[rows[-1]].append(equation)
        for row in rows[:-1]:
            pending[row].append(equation)
    seen: dict[str, dict[Cells, None]] = {k: {} for k in order}
    assignment: dict[str, Cells] = {}
    steps = 0

    def walk(index: int) -> bool:
        nonlocal steps
        if index == len(order):
            for key, cells in assignment.items():
                seen[key][cells] = None
            return True
        key = order[index]
        for cells in options[key]:
            steps += 1
            if steps > MAX_STEPS:
                return False
            assignment[key] = cells
            fits = all(e.holds(assignment) for e in due[index]) and all(e.may_hold(assignment) for e in pending[index])
            if fits and not walk(index + 1):
                return False
        del assignment[key]
        return True

    complete = walk(0)
    return {k: list(v) for k, v in seen.items()}, complete


def _agreed(fits: list[Cells], width: int, tied: set[int]) -> Cells:
    """Each cell's value where every fitting reading prints the same one, else None.

    A cell that the table's equations tie (`tied` columns) is also taken when the readings differ only in
    printing it as 0 or leaving it blank: ``0 0 0 0 0 0`` under seven columns whose balance makes every cell 0.
    """
    cells: list[Number | None] = []
    for column in range(width):
        values = {f[column] for f in fits}
        if len(values) == 1:
            cells.append(values.pop())
        elif column in tied and values == {0, None}:
            cells.append(0)
        else:
            cells.append(None)
    return tuple(cells)


def _warning(key: str, fits: list[Cells], candidates: list[Cells], complete: bool) -> str:
    def shown(readings: list[Cells]) -> str:
        text = " / ".join("|".join("_" if v is None else str(v) for v in r) for r in readings[:6])
        return text + (f" / … ({len(readings)} in all)" if len(readings) > 6 else "")

    if not complete:
        return f"{key}: too many readings to settle ({shown(candidates)}); left null"
    if not fits:
        return f"{key}: no reading satisfies the table's arithmetic ({shown(candidates)}); left null"
    return f"{key}: {len(fits)} readings fit the table, which disagree ({shown(fits)}); uncertain cells left null"
