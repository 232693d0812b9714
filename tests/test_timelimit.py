"""The per-file time limit: it fails the file even through a broad `except`, and leaves no timer behind."""

from __future__ import annotations

import contextlib
import signal
import threading
import time

import pytest

from extractor.errors import DocumentError
from extractor.timelimit import time_limit


def test_limit_is_not_swallowed_by_a_broad_except_in_the_block():
    with pytest.raises(DocumentError, match=r"slow\.txt: reading took longer than the 0\.05 s limit"), time_limit(0.05, "slow.txt"):
        for _ in range(200):
            with contextlib.suppress(Exception):  # a parser's or a library's catch-all
                time.sleep(0.01)


def test_block_within_the_limit_leaves_no_timer_and_the_old_handler():
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5, "quick.txt"):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_outside_the_main_thread_the_block_runs_unlimited():
    finished = []

    def work() -> None:
        with time_limit(0.01, "threaded.txt"):
            time.sleep(0.05)
        finished.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert finished == [True]
