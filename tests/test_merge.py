"""Merging two sources for one report: the first wins, nulls are filled from the second, every disagreement is
a warning, and both sources' own warnings are kept."""

from __future__ import annotations

from extractor.merge import prefer
from extractor.records import FieldValue, ParseResult

RECEIVED = "stats_legacy.requests.received"
TOTAL = "stats_legacy.proactive.total"
ONLINE = "stats_legacy.requests.channels.online"


def _value(path: str, value: float, quote: str = "q", start: int = 0, method: str = "rules") -> FieldValue:
    return FieldValue(path, value, quote, start, start + len(quote), method)


def test_the_first_sources_values_are_kept_with_their_evidence() -> None:
    parsers = ParseResult((_value(RECEIVED, 25, "收到申请数25", 3),))
    model = ParseResult((_value(RECEIVED, 25, "受理申请25件", 40, "llm"),))
    merged = prefer(parsers, model, "parsers", "model")
    assert merged.values == parsers.values
    assert merged.warnings == ()  # agreement is no news


def test_nulls_of_the_first_source_are_filled_from_the_second_in_order() -> None:
    parsers = ParseResult((_value(RECEIVED, 25),))
    model = ParseResult((_value(TOTAL, 900, "主动公开900条", 10, "llm"), _value(ONLINE, 12, "网上申请12件", 30, "llm")))
    merged = prefer(parsers, model, "parsers", "model")
    assert [(v.path, v.value, v.method) for v in merged.values] == [(RECEIVED, 25, "rules"), (TOTAL, 900, "llm"), (ONLINE, 12, "llm")]
    assert merged.values[1] is model.values[0]


def test_each_disagreement_is_one_warning_naming_both_values_and_the_kept_one() -> None:
    parsers = ParseResult((_value(RECEIVED, 25, "收到申请数25"), _value(TOTAL, 900, "主动公开900条")))
    model = ParseResult((_value(RECEIVED, 26, "受理申请26件", method="llm"), _value(TOTAL, 901, "公开901条", method="llm")))
    merged = prefer(parsers, model, "parsers", "model")
    assert [(v.path, v.value) for v in merged.values] == [(RECEIVED, 25), (TOTAL, 900)]
    assert len(merged.warnings) == 2
    for warning, (path, said, quote, kept) in zip(merged.warnings, [(RECEIVED, 26, "受理申请26件", 25), (TOTAL, 901, "公开901条", 900)]):
        assert warning.startswith(f"{path}: the model says {said} ('{quote}')"), warning
        assert f"the parsers says {kept}" in warning and warning.endswith("value is kept") and "\n" not in warning


def test_a_second_value_for_a_key_the_second_source_filled_is_not_added_twice() -> None:
    model = ParseResult((_value(ONLINE, 12, "a", method="llm"), _value(ONLINE, 13, "b", method="llm")))
    merged = prefer(ParseResult(), model, "parsers", "model")
    assert [(v.path, v.value) for v in merged.values] == [(ONLINE, 12)]
    assert len(merged.warnings) == 1 and "says 13" in merged.warnings[0] and "says 12" in merged.warnings[0]


def test_both_sources_warnings_are_kept_first_then_second_then_conflicts() -> None:
    parsers = ParseResult((_value(RECEIVED, 25),), ("table cut short",))
    model = ParseResult((_value(RECEIVED, 30, method="llm"),), ("narrative: no recorded answer", "x: left null"))
    merged = prefer(parsers, model, "parsers", "model")
    assert merged.warnings[:3] == ("table cut short", "narrative: no recorded answer", "x: left null")
    assert len(merged.warnings) == 4 and merged.warnings[3].startswith(f"{RECEIVED}: the model says 30")


def test_zero_is_a_value_not_a_null() -> None:
    parsers = ParseResult((_value(RECEIVED, 0, "未收到申请"),))
    merged = prefer(parsers, ParseResult((_value(RECEIVED, 4, method="llm"),)), "table", "prose")
    assert [(v.path, v.value) for v in merged.values] == [(RECEIVED, 0)]
    assert len(merged.warnings) == 1


def test_equal_int_and_float_values_do_not_disagree() -> None:
    merged = prefer(ParseResult((_value(RECEIVED, 25),)), ParseResult((_value(RECEIVED, 25.0),)), "a", "b")
    assert merged.warnings == ()


def test_the_inputs_are_not_changed() -> None:
    parsers = ParseResult((_value(RECEIVED, 25),), ("w1",))
    model = ParseResult((_value(TOTAL, 9),), ("w2",))
    prefer(parsers, model, "parsers", "model")
    assert parsers == ParseResult((_value(RECEIVED, 25),), ("w1",)) and model == ParseResult((_value(TOTAL, 9),), ("w2",))
