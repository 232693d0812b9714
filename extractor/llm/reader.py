"""The model's part of one report: route the pieces the parsers could not read, ask, ground the answers.

`ModelReader.read` takes the normalized text, the report's template and year and the spans the parsers
already hold, and returns what the model found: statistics as grounded `FieldValue`s (`method="llm"`) and
narrative items, plus warnings for everything it dropped and why. An answer cut short is asked again in two
halves; a piece that cannot be made smaller is skipped with a warning. A request that fails for good leaves
its piece unread: the reading goes on without it, says so in a warning starting `model: ` and is not
`complete` (the report is written with the rest, marked incomplete, and a rerun asks again). Once the endpoint
is given up for the run (`EndpointGivenUp`), nothing more is sent: answers already in the cache are still used,
and one warning says the rest was not sent. When the run is interrupted, nothing more is asked. A request a
collecting client keeps for the Batch API (`Deferred`) is skipped quietly: that reading is thrown away, only
the requests count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from extractor.chunking import Point, quote_of
from extractor.errors import ModelError
from extractor.grounding import ground_figure
from extractor.llm.client import Accounting, AnswerTruncated, Cancelled, Deferred, EndpointGivenUp, ModelClient, ReplayMiss
from extractor.llm.prompts import load_prompt
from extractor.llm.routing import Mention, figure_mentions, mention_windows, narrative_parts, render_marked
from extractor.llm.tasks import (
    FIGURES,
    NOT_A_FIGURE,
    NOT_AN_ITEM,
    SAME_QUANTITY,
    NarrativeAnswer,
    StatisticsAnswer,
    figure_path,
    narrative_answer,
    render_points,
    statistics_answer,
)
from extractor.parsers.formats import block_of
from extractor.records import NOT_READ, FieldValue
from extractor.schema import extractive_summary

Answer = TypeVar("Answer", bound=BaseModel)
Piece = TypeVar("Piece", Point, Mention)
WINDOW_CHARS = 2400
"""Characters of report text shown per request: large enough that the fixed instructions stay a small share of
the tokens sent (≤ 1.3× the report's own), small enough for a 1.5B model's attention and output limit."""
TABLE_CELLS = 5
"""Parser values under stats_2019 from which a 2019/2021 report counts as having its tables read."""
_LISTS = {"highlight": "highlights", "problem": "problems", "improvement": "improvements"}
_UNSENT = f"{NOT_READ}requests not sent: "


@dataclass
class ModelReading:
    """What the model found in one report, grounded; `warnings` say what was dropped and why; `complete` is
    False when some of it could not be asked (a failed request, an endpoint given up). One request's asking
    keeps its own notes in a `ModelReading` too, taken into the report's with `take_notes`."""

    values: list[FieldValue] = field(default_factory=list)
    narrative: dict[str, list[dict[str, object]]] = field(default_factory=lambda: {"highlights": [], "problems": [], "improvements": []})
    warnings: list[str] = field(default_factory=list)
    complete: bool = True
    unsent: bool = False
    """The endpoint was given up: what the cache does not hold is not sent (said once)."""

    def not_read(self, what: str) -> None:
        self.complete = False
        self.warnings.append(f"{NOT_READ}{what}")

    def take_notes(self, notes: ModelReading) -> None:
        """One request's warnings and completeness, added to this reading; that the endpoint was given up is
        said once, however many requests found it so."""
        for warning in notes.warnings:
            if warning.startswith(_UNSENT):
                if self.unsent:
                    continue
                self.unsent = True
            self.warnings.append(warning)
        self.complete = self.complete and notes.complete


@dataclass(frozen=True)
class Request(Generic[Piece, Answer]):
    """One task on some pieces: the prompt's task, how to build its fields and its answer model from pieces."""

    task: str
    fields: Callable[[list[Piece]], dict[str, str]]
    answer_model: Callable[[list[Piece]], type[Answer]]


Asked = list[tuple[list[Piece], Answer]]


class ModelReader:
    """Runs the statistics and narrative tasks of one report through a `ModelClient`.

    A report's requests are all prepared first, then sent: one at a time by default (a llama.cpp server answers
    one request at a time and reuses the prompt prefix of the one before), or up to `settings.concurrency` at
    once, shared by all reports this reader serves, for an endpoint that answers several in parallel. Answers
    are read back in the order the requests were prepared, so the result does not depend on which came first.
    """

    def __init__(self, client: ModelClient, window_chars: int = WINDOW_CHARS) -> None:
        self.client = client
        self.window_chars = window_chars
        parallel = getattr(client.settings, "concurrency", 1)
        self._pool = ThreadPoolExecutor(parallel, thread_name_prefix="model-request") if parallel > 1 else None

    def read(
        self, text: str, template: str, year: int | None, parsed: Sequence[FieldValue], accounting: Accounting, path: str | None = None
    ) -> ModelReading:
        """What the model finds in `text` besides the parser values `parsed` (see the module docstring)."""
        reading = ModelReading()
        try:
            statistics = self._statistics(text, template, year, parsed, accounting, path)
            narrative = self._narrative(text, accounting, path)
            statistics(reading)
            narrative(reading)
        except Cancelled as stop:
            reading.not_read(f"remaining requests not sent: {stop.message}")
        return reading

    def _send(
        self, request: Request[Piece, Answer], pieces: list[Piece], accounting: Accounting, path: str | None
    ) -> Future[tuple[Asked[Piece, Answer], ModelReading]]:
        """`_ask` for `pieces`, now (one at a time) or in the pool; its answers and notes when done."""

        def ask() -> tuple[Asked[Piece, Answer], ModelReading]:
            notes = ModelReading()
            return self._ask(request, pieces, accounting, path, notes), notes

        if self._pool is not None:
            return self._pool.submit(ask)
        future: Future[tuple[Asked[Piece, Answer], ModelReading]] = Future()
        future.set_result(ask())
        return future

    def _statistics(
        self, text: str, template: str, year: int | None, parsed: Sequence[FieldValue], accounting: Accounting, path: str | None
    ) -> Callable[[ModelReading], None]:
        covered = [(v.start, v.end) for v in parsed]
        held = {v.path for v in parsed}
        known = frozenset(f.label for f in FIGURES if f.path(template) in held).union(
            *(labels for path, labels in SAME_QUANTITY.items() if path in held)
        )
        request: Request[Mention, StatisticsAnswer] = Request(
            "statistics", lambda ms: {"sentences": render_marked(text, ms)}, lambda ms: statistics_answer(tuple(m.choices for m in ms))
        )
        tables_read = sum(v.path.startswith("stats_2019.") for v in parsed) >= TABLE_CELLS
        modern = ("tables" if tables_read else "prose") if block_of(template) == "stats_2019" else ""
        sent = [
            self._send(request, window, accounting, path)
            for window in mention_windows(figure_mentions(text, covered, year, known, modern), self.window_chars)
        ]

        def finish(reading: ModelReading) -> None:
            found: dict[str, list[FieldValue]] = {}
            try:  # what was read before the run was interrupted is kept
                for future in sent:
                    asked, notes = future.result()
                    reading.take_notes(notes)
                    for mentions, answer in asked:
                        for mention, label in zip(mentions, answer.labels):
                            if label == NOT_A_FIGURE:
                                continue
                            key = figure_path(label, template)
                            grounded = ground_figure(key, mention.value, mention.quote, text, mention.sentence, year, mention.money)
                            if isinstance(grounded, str):
                                reading.warnings.append(grounded)
                            else:
                                found.setdefault(key, []).append(grounded)
            finally:
                for key, candidates in found.items():
                    values = {v.value for v in candidates}
                    if len(values) == 1:
                        reading.values.append(candidates[0])
                    else:
                        reading.warnings.append(
                            f"{key}: the model read several values ({', '.join(map(str, sorted(values)))}) in different places; left null"
                        )

        return finish

    def _narrative(self, text: str, accounting: Accounting, path: str | None) -> Callable[[ModelReading], None]:
        kinds: dict[Point, str] = {}
        sent = []
        for part in narrative_parts(text, self.window_chars):
            kinds.update(zip(part.points, part.kinds))
            request = _narrative_request(kinds, dict(zip(part.points, part.optional)))
            sent.append(self._send(request, list(part.points), accounting, path))

        def finish(reading: ModelReading) -> None:
            for future in sent:
                asked, notes = future.result()
                reading.take_notes(notes)
                for points, answer in asked:
                    for point, label in zip(points, answer.points):
                        if label != NOT_AN_ITEM:
                            start, end = quote_of(point)
                            quote = text[start:end]
                            reading.narrative[_LISTS[kinds[point]]].append(
                                {"topic": label, "summary": extractive_summary(quote), "quote": quote, "start": start, "end": end}
                            )

        return finish

    def _ask(
        self, request: Request[Piece, Answer], pieces: list[Piece], accounting: Accounting, path: str | None, notes: ModelReading
    ) -> Asked[Piece, Answer]:
        """Answers for `pieces`, asking again in halves when an answer is cut short; what could not be read goes
        to `notes` (see the module docstring)."""
        prompt = load_prompt(request.task)
        chunk = _label(pieces[0])
        try:
            answer = self.client.ask(
                prompt, prompt.messages(**request.fields(pieces)), request.answer_model(pieces), accounting, path=path, chunk=chunk
            )
        except AnswerTruncated:
            if len(pieces) == 1:
                notes.warnings.append(f'{request.task}: the answer for "{chunk}…" was cut short even alone; skipped')
                return []
            half = len(pieces) // 2
            return self._ask(request, pieces[:half], accounting, path, notes) + self._ask(request, pieces[half:], accounting, path, notes)
        except ReplayMiss:
            notes.complete = False
            notes.warnings.append(f'{request.task}: no recorded answer for "{chunk}…"; skipped')
            return []
        except Deferred:
            return []
        except EndpointGivenUp as exc:
            notes.not_read(f"requests not sent: {exc.message}")
            return []
        except Cancelled:
            raise
        except ModelError as exc:
            notes.not_read(f'{request.task} of "{chunk}…" not read ({exc.message})')
            return []
        return [(pieces, answer)]


def _narrative_request(kinds: dict[Point, str], optional: dict[Point, bool]) -> Request[Point, NarrativeAnswer]:
    """The narrative task for points that may each be an item of its own kind (`kinds`), or none (`optional`)."""

    def fields(points: list[Point]) -> dict[str, str]:
        return {"points": render_points(points, [kinds[p] for p in points])}

    def answer_model(points: list[Point]) -> type[NarrativeAnswer]:
        return narrative_answer(tuple(kinds[p] for p in points), tuple(optional[p] for p in points))

    return Request("narrative", fields, answer_model)


def _label(piece: Point | Mention) -> str:
    """A few words naming a piece in messages."""
    return (piece.text if isinstance(piece, Point) else piece.quote)[:20]
