"""The national statistics tables, laid out from the schema: sections, tables, rows and columns with the labels
the schema's field descriptions give (and the form's own headings where the schema has none).

The 2019/2021 blocks are grids, one row per table line and one column per applicant kind or count; the legacy
block is the list the pre-2019 form was (one line per figure). Every statistic appears in exactly one cell:

    >>> from extractor.schema import statistic_paths
    >>> placed = [key for section in sections("stats_2019", "unknown") for table in section.tables
    ...           for row in table.rows for key in row.keys if key]
    >>> sorted(placed) == sorted(p for p in statistic_paths() if p.startswith("stats_2019."))
    True
    >>> requests = sections("stats_2019", "gov2021")[1]
    >>> requests.title, [c.label for c in requests.tables[0].columns][:2]
    ('三、收到和处理政府信息公开申请情况', ['自然人', '商业企业'])
    >>> [(r.label, r.keys[-1]) for r in requests.tables[0].rows[:1]]
    [('一、本年新收政府信息公开申请数量', 'stats_2019.requests.new_received.total')]

Columns that belong to the other edition of the modern form are left out unless the report fills them:
`published` (2019 only) is not a column of a 2021 report's proactive table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from pydantic import BaseModel

from extractor.columns import GROUP_LABELS
from extractor.schema import AnnualReport, get_path

_HEADINGS = {
    **GROUP_LABELS,
    "stats_2019.proactive": "二、主动公开政府信息情况",
    "stats_2019.requests": "三、收到和处理政府信息公开申请情况",
    "stats_2019.appeals": "四、政府信息公开行政复议、行政诉讼情况",
    "stats_2019.requests.denied": "（三）不予公开",
    "stats_2019.requests.unable": "（四）无法提供",
    "stats_2019.requests.not_processed": "（五）不予处理",
    "stats_2019.requests.other_detail": "（六）其他处理：明细",
    "stats_legacy.proactive": "主动公开情况",
    "stats_legacy.responses": "回应解读情况",
    "stats_legacy.requests": "依申请公开情况",
    "stats_legacy.appeals": "行政复议、行政诉讼和举报投诉",
    "stats_legacy.operations": "费用、机构人员、经费、会议和培训",
    "stats_legacy.proactive.channels": "通过不同渠道和方式公开政府信息的情况",
    "stats_legacy.requests.channels": "申请方式",
    "stats_legacy.requests.outcomes": "答复情况",
    "stats_legacy.requests.outcomes.denied_reasons": "不同意公开的原因",
    "stats_legacy.appeals.reconsideration": "政府信息公开行政复议",
    "stats_legacy.appeals.litigation": "政府信息公开行政诉讼",
}
"""Headings the national forms print where the schema's fields have no description of their own."""
_EDITION_MARKS = {"gov2019": " (2021)", "gov2021": " (2019)"}
"""A column whose label ends so belongs to the other edition of the modern form."""
LIST_COLUMN = "数量"


@dataclass(frozen=True)
class Column:
    name: str
    label: str


@dataclass(frozen=True)
class Row:
    """One line of a table: its dotted path, its label, and one statistic key per column (None for a heading
    line, which spans the table)."""

    path: str
    label: str
    keys: tuple[str | None, ...]
    depth: int = 0

    @property
    def is_heading(self) -> bool:
        return not any(self.keys)


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    path: str
    title: str
    tables: tuple[Table, ...]


def label_of(path: str, description: str | None) -> str:
    """A row or section label: the form's heading, else the field's description, else its name.

    >>> label_of("stats_2019.proactive.fees", None), label_of("x.y", "本年"), label_of("x.y", None)
    ('行政事业性收费', '本年', 'y')
    """
    return _HEADINGS.get(path) or description or path.rsplit(".", 1)[-1]


def block_for(template: str) -> tuple[str, ...]:
    """The statistics blocks a report of `template` fills: the modern one, the legacy one, or (unknown) both.

    >>> block_for("gov2021"), block_for("unknown")
    (('stats_2019',), ('stats_2019', 'stats_legacy'))
    """
    if template in ("gov2019", "gov2021"):
        return ("stats_2019",)
    if template == "legacy":
        return ("stats_legacy",)
    return ("stats_2019", "stats_legacy")


def sections(block: str, template: str, data: dict[str, Any] | None = None) -> list[Section]:
    """The sections of one statistics block as `template` prints them; `data` (a report's dump) keeps an
    other-edition column that the report fills."""
    model = _submodel(AnnualReport, block)
    found = []
    for name, field in model.model_fields.items():
        path = f"{block}.{name}"
        items = list(_items(_submodel(model, name), path, 0, grid=block == "stats_2019"))
        found.append(Section(path, label_of(path, field.description), tuple(_tables(items, template, data))))
    return found


def stated_only(found: list[Section], data: dict[str, Any]) -> list[Section]:
    """`found` cut to the rows that hold a value in `data` (for a block outside the report's template).

    >>> data = {"stats_legacy": {"operations": {"fees_collected": 0}}}
    >>> [(s.title, [r.label for t in s.tables for r in t.rows]) for s in stated_only(sections("stats_legacy", "gov2021"), data)]
    [('费用、机构人员、经费、会议和培训', ['依申请公开信息收取的费用（万元）'])]
    """
    kept = []
    for section in found:
        tables = []
        for table in section.tables:
            rows = tuple(r for r in table.rows if any(get_path(data, key) is not None for key in r.keys if key))
            if rows:
                tables.append(Table(table.columns, rows))
        if tables:
            kept.append(Section(section.path, section.title, tuple(tables)))
    return kept


def _submodel(model: type[BaseModel], name: str) -> type[BaseModel]:
    annotation = model.model_fields[name].annotation
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation


def _is_model(annotation: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _items(model: type[BaseModel], prefix: str, depth: int, *, grid: bool) -> Any:
    """("leaf", path, label, depth), ("heading", path, label, depth) or ("row", path, label, depth, model) in form order."""
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}"
        annotation = field.annotation
        if not _is_model(annotation):
            yield ("leaf", path, label_of(path, field.description), depth)
        elif grid and not any(_is_model(f.annotation) for f in annotation.model_fields.values()):
            yield ("row", path, label_of(path, field.description), depth, annotation)
        else:
            yield ("heading", path, label_of(path, field.description), depth)
            yield from _items(annotation, path, depth + 1, grid=grid)


def _tables(items: list[Any], template: str, data: dict[str, Any] | None) -> list[Table]:
    tables: list[Table] = []
    rows: list[Row] = []
    kind: Any = None
    headings: list[Row] = []
    for item in items:
        if item[0] == "heading":
            headings.append(Row(item[1], item[2], (None,), item[3]))
            continue
        this_kind = item[4] if item[0] == "row" else LIST_COLUMN
        if this_kind is not kind and rows:
            tables.append(_table(kind, rows, template, data))
            rows = []
        kind = this_kind
        if headings:
            rows.extend(headings)
            headings = []
        if item[0] == "row":
            rows.append(Row(item[1], item[2], tuple(f"{item[1]}.{name}" for name in item[4].model_fields), item[3]))
        else:
            rows.append(Row(item[1], item[2], (item[1],), item[3]))
    if rows:
        tables.append(_table(kind, rows, template, data))
    return tables


def _table(kind: Any, rows: list[Row], template: str, data: dict[str, Any] | None) -> Table:
    if kind == LIST_COLUMN:
        return Table((Column("value", LIST_COLUMN),), tuple(rows))
    columns = [Column(name, field.description or name) for name, field in kind.model_fields.items()]
    other_edition = _EDITION_MARKS.get(template)
    keep = [
        index
        for index, column in enumerate(columns)
        if other_edition is None
        or not column.label.endswith(other_edition)
        or any(get_path(data or {}, row.keys[index] or "") is not None for row in rows if not row.is_heading)
    ]
    width = len(keep)
    kept_rows = tuple(Row(r.path, r.label, (None,) * width if r.is_heading else tuple(r.keys[i] for i in keep), r.depth) for r in rows)
    return Table(tuple(columns[i] for i in keep), kept_rows)
