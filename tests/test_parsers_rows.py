"""The row reader: cells in every shape scraping leaves them, and the arithmetic that settles run-together rows."""

from __future__ import annotations

from extractor.parsers.rows import (
    COLUMNS_7,
    Equation,
    RowReading,
    RowSpec,
    distrust_splits_where_cells_dropped,
    read_rows,
    resolve,
    split_run,
)

SUM_7 = ((6, (0, 1, 2, 3, 4, 5)),)
NEW = RowSpec("new", r"本年新收政府信息公开申请数量", COLUMNS_7, sums=SUM_7)


def test_pipe_separated_cells_with_blank_cell_are_aligned_as_null():
    spec = RowSpec("reg", "规章", ("issued", "repealed", "in_force"))
    [reading] = read_rows("规章 | 5 | | 3", [spec])
    assert reading.candidates == ((5, None, 3),)


def test_run_together_row_with_several_readings_keeps_all_of_them():
    [reading] = read_rows("本年新收政府信息公开申请数量121010014", [NEW])
    assert set(reading.candidates) == {(1, 2, 1, 0, 10, 0, 14), (1, 2, 10, 1, 0, 0, 14), (12, 1, 0, 1, 0, 0, 14)}


def test_run_that_cannot_add_up_is_a_problem_not_a_guess():
    [reading] = read_rows("本年新收政府信息公开申请数量1111111", [NEW])
    assert reading.candidates == ()
    assert "cannot be split into 7 cells that add up" in reading.problem


def test_too_few_separated_cells_cannot_be_aligned():
    [reading] = read_rows("本年新收政府信息公开申请数量 21 21", [NEW])
    assert reading.candidates == ()
    assert reading.problem == "2 cells printed for 7 columns, so they cannot be aligned"


def test_too_many_cells_is_a_problem():
    spec = RowSpec("reg", "规章", ("a", "b"))
    [reading] = read_rows("规章 1 2 3", [spec])
    assert reading.candidates == ()
    assert reading.problem == "3 cells printed for 2 columns"


def test_separated_cells_are_kept_as_printed_even_when_the_row_does_not_add_up():
    [reading] = read_rows("本年新收政府信息公开申请数量 21 0 0 0 0 0 20", [NEW])
    assert reading.candidates == ((21, 0, 0, 0, 0, 0, 20),)


def test_unit_between_label_and_value_is_skipped():
    spec = RowSpec("trainees", "接受培训人员数")
    [reading] = read_rows("(三)接受培训人员数 人次 130", [spec])
    assert reading.candidates == ((130,),)


def test_year_and_approximation_after_a_number_are_not_cells():
    spec = RowSpec("x", "受理申请")
    assert read_rows("受理申请2023年", [spec])[0].candidates == ()
    assert read_rows("受理申请300余件", [spec])[0].candidates == ()


def test_list_number_of_the_next_row_is_not_a_cell():
    a, b = RowSpec("a", "甲项"), RowSpec("b", "乙项")
    readings = read_rows("甲项 5 2.乙项 7", [a, b])
    assert [r.candidates for r in readings] == [((5,),), ((7,),)]


def test_label_too_far_after_the_previous_row_is_not_read():
    a, b = RowSpec("a", "甲项"), RowSpec("b", "乙项")
    readings = read_rows("甲项 5\n" + "无关文字。" * 100 + "乙项 7", [a, b], max_gap=50)
    assert [r.spec.key for r in readings] == ["a"]


def test_money_column_keeps_decimals_and_count_column_rejects_them():
    money = RowSpec("fee", "收费金额", ("amount",), money=(0,))
    count = RowSpec("n", "件数")
    assert read_rows("收费金额 12.5", [money])[0].candidates == ((12.5,),)
    assert read_rows("件数 12.5", [count])[0].candidates == ()


def test_signed_column_accepts_a_minus_and_others_do_not():
    assert split_run("3-12", 3, signed=(1,)) == [(3, -1, 2)]
    assert split_run("3-12", 3) == []


def test_split_run_never_reads_leading_zeros():
    assert split_run("0102", 3) == [(0, 10, 2)]


def test_resolve_picks_the_reading_that_satisfies_the_equations():
    spec = RowSpec("a", "甲", ("x", "y", "z"), sums=((2, (0, 1)),))
    other = RowSpec("b", "乙", ("x", "y", "z"), sums=((2, (0, 1)),))
    ambiguous = RowReading(spec, 0, 1, ((1, 10, 11), (11, 0, 11)))
    certain = RowReading(other, 2, 3, ((11, 0, 11),))
    equations = [Equation((("a", c),), (("b", c),)) for c in range(3)]
    cells, warnings = resolve([ambiguous, certain], equations)
    assert cells["a"] == (11, 0, 11)
    assert warnings == []


def test_resolve_leaves_disagreeing_cells_null_with_a_warning():
    spec = RowSpec("a", "甲", ("x", "y", "z"))
    ambiguous = RowReading(spec, 0, 1, ((1, 10, 11), (11, 0, 11)))
    cells, warnings = resolve([ambiguous], [])
    assert cells["a"] == (None, None, 11)
    assert len(warnings) == 1 and "several readings fit" in warnings[0]


def test_resolve_says_when_no_reading_satisfies_the_arithmetic():
    spec = RowSpec("a", "甲", ("x", "y"))
    other = RowSpec("b", "乙", ("x", "y"))
    readings = [RowReading(spec, 0, 1, ((1, 2), (2, 1))), RowReading(other, 2, 3, ((5, 5),))]
    cells, warnings = resolve(readings, [Equation((("a", 0),), (("b", 0),))])
    assert cells["a"] == (None, None)
    assert "no reading satisfies the table's arithmetic" in warnings[0]


def test_row_with_too_few_cells_is_completed_from_the_balance_when_printed_cells_fit():
    spec = lambda key, label: RowSpec(key, label, COLUMNS_7, sums=SUM_7)  # noqa: E731
    specs = [spec("new", "一、新收"), spec("carried", "二、结转"), spec("total", "七、总计"), spec("forward", "四、下年")]
    text = "一、新收 3 0 0 0 0 0 3\n二、结转 0 0 0 0 0 0\n七、总计 3 0 0 0 0 0 3\n四、下年 0 0 0 0 0 0 0"
    readings = read_rows(text, specs)
    equations = [Equation((("new", c), ("carried", c)), (("total", c), ("forward", c))) for c in range(7)]
    cells, warnings = resolve(readings, equations)
    assert cells["carried"] == (0, 0, 0, 0, 0, 0, 0)
    assert any("completed from the table's arithmetic" in w for w in warnings)


def test_completion_is_refused_when_printed_cells_contradict_the_derived_ones():
    spec = lambda key, label: RowSpec(key, label, COLUMNS_7, sums=SUM_7)  # noqa: E731
    specs = [spec("new", "一、新收"), spec("carried", "二、结转"), spec("total", "七、总计"), spec("forward", "四、下年")]
    text = "一、新收 3 0 0 0 0 0 3\n二、结转 9 9\n七、总计 3 0 0 0 0 0 3\n四、下年 0 0 0 0 0 0 0"
    equations = [Equation((("new", c), ("carried", c)), (("total", c), ("forward", c))) for c in range(7)]
    cells, warnings = resolve(read_rows(text, specs), equations)
    assert "carried" not in cells
    assert any(w.startswith("carried: 2 cells printed") for w in warnings)


def test_split_is_distrusted_once_the_table_shows_it_dropped_blank_cells():
    spec = RowSpec("a", "甲", ("x", "y", "z"))
    zeros = RowReading(spec, 0, 1, ((0, 0, 0),), runs=("000",))
    glued = RowReading(spec, 2, 3, ((2, 2, 2),), runs=("222",))
    dropped = RowReading(spec, 4, 5, (), "2 cells", ("5", "5"))
    kept = distrust_splits_where_cells_dropped([zeros, glued, dropped])
    assert kept[0].candidates == ((0, 0, 0),)  # "000" cannot be fewer cells
    assert kept[1].candidates == ()
    assert "dropped its blank cells" in kept[1].problem


def test_splits_are_trusted_in_a_table_that_kept_every_cell():
    spec = RowSpec("a", "甲", ("x", "y", "z"))
    glued = RowReading(spec, 2, 3, ((2, 2, 2),), runs=("222",))
    assert distrust_splits_where_cells_dropped([glued]) == [glued]
