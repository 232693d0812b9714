"""A time limit on reading one file, so that one pathological file fails alone instead of stalling a batch.

The parsers run in time proportional to a text's length (a 6 MB single-line text takes seconds), so the limit
is a backstop for what nobody has foreseen: it fails the file with a `DocumentError` and the run goes on.

    >>> import time
    >>> with time_limit(0.05, "slow.txt"):
    ...     while True:
    ...         time.sleep(0.01)
    Traceback (most recent call last):
    extractor.errors.DocumentError: slow.txt: reading took longer than the 0.05 s limit per file (--time-limit)

It is enforced with a timer signal, so only in a process's main thread and on a platform that has one (not
Windows); elsewhere the block runs unlimited. Every batch reads its files in a main thread: the parsers-only run
and the worker processes of a parallel one, and a run with a model, whose threads only ask the model
(`extractor.pipeline.read_file`). Native code (PDFium, lxml) is interrupted when it returns to Python.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from extractor.errors import DocumentError

DEFAULT_TIME_LIMIT = 120.0
"""Seconds per file: real reports take well under one; the worst text measured (6 MB, one line) a few."""


class _TimeUp(BaseException):
    """Raised by the timer in the middle of any code: not an `Exception`, so that no broad `except` in a parser
    or a library swallows it; `time_limit` turns it into the file's `DocumentError`."""


@contextmanager
def time_limit(seconds: float | None, path: str) -> Iterator[None]:
    """Run the block under a limit of `seconds` (None: no limit), failing `path` when it is passed."""
    if seconds is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimeUp:  # from the block, or from the timer firing as the block ended
        raise DocumentError(f"reading took longer than the {seconds:g} s limit per file (--time-limit)", path=path) from None
    finally:
        signal.signal(signal.SIGALRM, previous)
