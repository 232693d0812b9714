"""The row reader: cells in every shape scraping leaves them, and the arithmetic that settles run-together rows."""

from __future__ import annotations

from extractor.parsers.rows import COLUMNS_7, RowSpec, cell_readings, cut_run, read_rows

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
    assert "cannot be split into 7 cells that add up" in (reading.problem or "")


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
    signed = RowSpec("x", "x", ("a", "b", "c"), signed=(1,))
    assert read_rows("x3-12", [signed])[0].candidates == ((3, -1, 2),)
    assert read_rows("x3-12", [RowSpec("x", "x", ("a", "b", "c"))])[0].candidates == ()


def test_cutting_a_run_never_reads_leading_zeros():
    assert cut_run("0102", 3) == (("0", "10", "2"),)
    assert cut_run("00", 1) == ()


def test_one_digit_per_cell_row_is_certain():
    [reading] = read_rows("本年新收政府信息公开申请数量5000005", [NEW])
    assert reading.candidates == ((5, 0, 0, 0, 0, 0, 5),)


def test_row_that_lost_its_separators_in_part_is_cut_by_its_sum():
    assert read_rows("本年新收政府信息公开申请数量120 000012", [NEW])[0].candidates == ((12, 0, 0, 0, 0, 0, 12),)
    assert read_rows("本年新收政府信息公开申请数量0 0 0 0 0 00", [NEW])[0].candidates == ((0,) * 7,)


def test_pipe_separated_cell_is_never_cut():
    spec = RowSpec("a", "甲", ("x", "y"))
    [reading] = read_rows("甲 | 12 |", [spec])
    assert reading.candidates == ()
    assert reading.piped


def test_row_of_a_table_that_dropped_blanks_may_stand_in_any_columns():
    spec = RowSpec("a", "甲", ("x", "y", "total"), sums=((2, (0, 1)),))
    assert cell_readings(spec, ["3", "3"], dropped=True) == (((3, None, 3), (None, 3, 3)), None)
    assert cell_readings(spec, [], dropped=True) == (((None, None, None),), None)


def test_cumulative_never_below_the_year_when_both_are_printed():
    spec = RowSpec("a", "甲", ("",), printed_columns=2, take=(0,), orders=((1, 0),))
    candidates, _ = cell_readings(spec, ["246813579"])
    assert candidates == ((2,), (24,), (246,), (2468,))  # 24681|3579 would make the cumulative the smaller


def test_last_year_items_plus_change_is_never_negative():
    spec = RowSpec("a", "甲", ("previous", "change", "decisions"), signed=(1,), not_negative=((0, 1),))
    assert cell_readings(spec, ["1-10"], dropped=True) == (((1, -1, 0),), None)


def test_two_rows_merged_into_one_line_are_shared_in_order():
    a = RowSpec("a", "1.属于国家秘密", COLUMNS_7, sums=SUM_7)
    b = RowSpec("b", "2.其他法律行政法规禁止公开", COLUMNS_7, sums=SUM_7)
    text = "1.属于国家秘密\n2.其他法律行政法规禁止公开 0 0 0 0 0 0 0 1 0 0 0 0 0 1\n"
    first, second = read_rows(text, [a, b])
    assert first.candidates == ((0,) * 7,)
    assert second.candidates == ((1, 0, 0, 0, 0, 0, 1),)
    assert first.end == second.end


def test_rows_printed_out_of_order_are_found_when_asked():
    a, b = RowSpec("a", "规章", ("n",)), RowSpec("b", "行政许可", ("n",))
    assert [r.spec.key for r in read_rows("行政许可 3\n规章 5", [a, b])] == ["a"]
    readings = read_rows("行政许可 3\n规章 5", [a, b], any_order=True)
    assert [(r.spec.key, r.candidates) for r in readings] == [("b", ((3,),)), ("a", ((5,),))]


def test_out_of_order_label_with_no_numbers_is_not_taken_as_a_row():
    a, b = RowSpec("a", "规章", ("n",)), RowSpec("b", "行政许可", ("n",))
    readings = read_rows("行政许可事项目录。\n规章 5", [a, b], any_order=True)
    assert [r.spec.key for r in readings] == ["a"]
