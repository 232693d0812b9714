"""Whole-table reconstruction: one reading per row that satisfies every equation of the table at once."""

from __future__ import annotations

from extractor.parsers.reconstruct import MAX_STEPS, reconstruct
from extractor.parsers.rows import COLUMNS_7, Equation, RowReading, RowSpec, read_rows

SUM_7 = ((6, (0, 1, 2, 3, 4, 5)),)


def _spec(key: str, label: str) -> RowSpec:
    return RowSpec(key, label, COLUMNS_7, sums=SUM_7)


def _balance(*keys: str) -> list[Equation]:
    new, carried, total, forward = keys
    return [Equation(((new, c), (carried, c)), ((total, c), (forward, c))) for c in range(7)]


def test_the_reading_that_satisfies_the_equations_is_chosen():
    spec = RowSpec("a", "甲", ("x", "y", "z"), sums=((2, (0, 1)),))
    other = RowSpec("b", "乙", ("x", "y", "z"), sums=((2, (0, 1)),))
    ambiguous = RowReading(spec, 0, 1, ((1, 10, 11), (11, 0, 11)))
    certain = RowReading(other, 2, 3, ((11, 0, 11),))
    cells, warnings = reconstruct([ambiguous, certain], [Equation((("a", c),), (("b", c),)) for c in range(3)])
    assert cells["a"] == (11, 0, 11)
    assert warnings == []


def test_ambiguous_table_gives_null_and_one_warning_naming_the_candidates():
    spec = RowSpec("a", "甲", ("x", "y", "z"))
    cells, warnings = reconstruct([RowReading(spec, 0, 1, ((1, 10, 11), (11, 0, 11)))], [])
    assert cells["a"] == (None, None, 11)
    assert warnings == ["a: 2 readings fit the table, which disagree (1|10|11 / 11|0|11); uncertain cells left null"]


def test_no_reading_that_satisfies_the_arithmetic_leaves_the_row_null():
    readings = [
        RowReading(RowSpec("a", "甲", ("x", "y")), 0, 1, ((1, 2), (2, 1))),
        RowReading(RowSpec("b", "乙", ("x", "y")), 2, 3, ((5, 5),)),
    ]
    cells, warnings = reconstruct(readings, [Equation((("a", 0),), (("b", 0),))])
    assert cells["a"] == (None, None)
    assert cells["b"] == (5, 5)
    assert "no reading satisfies the table's arithmetic" in warnings[0]


def test_a_certain_row_is_kept_as_printed_when_the_arithmetic_fails():
    readings = read_rows("一、新收 3 0 0 0 0 0 3\n七、总计 4 0 0 0 0 0 4", [_spec("new", "一、新收"), _spec("total", "七、总计")])
    cells, _warnings = reconstruct(readings, [Equation((("new", c),), (("total", c),)) for c in range(7)])
    assert cells["new"] == (3, 0, 0, 0, 0, 0, 3)
    assert cells["total"] == (4, 0, 0, 0, 0, 0, 4)


def test_row_with_a_dropped_zero_is_completed_when_the_balance_ties_every_cell():
    specs = [_spec("new", "一、新收"), _spec("carried", "二、结转"), _spec("total", "七、总计"), _spec("forward", "四、下年")]
    text = "一、新收 3 0 0 0 0 0 3\n二、结转 0 0 0 0 0 0\n七、总计 3 0 0 0 0 0 3\n四、下年 0 0 0 0 0 0 0"
    cells, _warnings = reconstruct(read_rows(text, specs), _balance("new", "carried", "total", "forward"))
    assert cells["carried"] == (0, 0, 0, 0, 0, 0, 0)


def test_printed_cells_that_contradict_the_balance_are_not_read():
    specs = [_spec("new", "一、新收"), _spec("carried", "二、结转"), _spec("total", "七、总计"), _spec("forward", "四、下年")]
    text = "一、新收 3 0 0 0 0 0 3\n二、结转 9 9\n七、总计 3 0 0 0 0 0 3\n四、下年 0 0 0 0 0 0 0"
    cells, warnings = reconstruct(read_rows(text, specs), _balance("new", "carried", "total", "forward"))
    assert cells["carried"] == (None,) * 7
    assert any(w.startswith("carried: no reading satisfies") for w in warnings)


def test_table_that_dropped_blanks_agrees_on_the_totals_only():
    specs = [_spec("new", "一、新收"), _spec("carried", "二、结转"), _spec("total", "七、总计"), _spec("forward", "四、下年")]
    cells, warnings = reconstruct(
        read_rows("一、新收22\n二、结转\n七、总计22\n四、下年", specs), _balance("new", "carried", "total", "forward")
    )
    assert cells["new"] == (None,) * 6 + (2,)
    assert cells["total"] == (None,) * 6 + (2,)
    assert cells["carried"] == (None,) * 7  # printed blank: null, never 0
    assert any(w.startswith("new: 6 readings fit the table") for w in warnings)


def test_a_figure_the_prose_restates_settles_the_reading():
    spec = RowSpec("reg", "规章", ("issued", "repealed", "in_force"))
    [reading] = read_rows("规章 | 22 | 235 |\n", [spec])
    cells, _ = reconstruct([reading], [], {"reg.issued": 22})
    assert cells["reg"][0] == 22
    cells, warnings = reconstruct([reading], [])
    assert cells["reg"] == (None, None, None)
    assert "3 readings fit the table" in warnings[0]


def test_a_figure_no_reading_agrees_with_is_ignored():
    spec = RowSpec("a", "甲", ("x", "y", "z"))
    cells, _ = reconstruct([RowReading(spec, 0, 1, ((1, 10, 11), (11, 0, 11)))], [], {"a.x": 7})
    assert cells["a"] == (None, None, 11)


def test_search_that_would_take_too_long_stops_and_leaves_null():
    # 12 rows of 4 readings tied by one equation whose two sides stay open until the last row: 4**12 > MAX_STEPS
    specs = [RowSpec(f"r{i}", f"行{i}", ("x", "y")) for i in range(12)]
    readings = [RowReading(s, i, i + 1, ((1, 2), (2, 1), (3, 0), (0, 3))) for i, s in enumerate(specs)]
    assert MAX_STEPS < 4**12
    equation = Equation(tuple((s.key, 0) for s in specs), tuple((s.key, 1) for s in specs))
    cells, warnings = reconstruct(readings, [equation])
    assert cells["r5"] == (None, None)
    assert any("too many readings to settle" in w for w in warnings)


def test_many_rows_that_dropped_blanks_are_settled_by_pruning_on_the_totals():
    specs = [RowSpec(k, k, ("a", "b", "total"), sums=((2, (0, 1)),)) for k in ("总计", *(f"行{i}" for i in range(20)))]
    text = "总计 20 20\n" + "".join(f"行{i} 1 1\n" for i in range(20))
    outcomes = [Equation(tuple((f"行{i}", c) for i in range(20)), (("总计", c),)) for c in range(3)]
    cells, warnings = reconstruct(read_rows(text, specs), outcomes)
    assert cells["总计"] == (None, None, 20)
    assert cells["行3"] == (None, None, 1)
    assert warnings[0].startswith("总计: 2 readings fit the table")
    assert MAX_STEPS < 2**21  # assignments there are; pruning on the complete 总计 side finds the 2 that fit
