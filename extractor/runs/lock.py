"""One run per output folder at a time: an OS lock on `OUT/.extractor.lock`, held for the whole run.

Atomic writes alone keep every file whole, but two runs on one folder would do the same work twice and the
last would write tables holding only its own inputs; the lock also makes removing a killed run's temporary
files safe. The OS releases the lock when its process dies, however it dies, so no stale lock is ever left.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with output_folder_lock(folder):
    ...     try:
    ...         with output_folder_lock(folder):
    ...             pass
    ...     except ConfigError as refused:
    ...         print(refused.message.split(" (")[0])
    another extractor run is writing to this folder
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from extractor.errors import ConfigError

LOCK_NAME = ".extractor.lock"


@contextmanager
def output_folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block (see the module docstring); `ConfigError` when another
    run holds it or the folder cannot be made or written to."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = (out_dir / LOCK_NAME).open("a+", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot create or write to the output folder ({exc.strerror})", path=str(out_dir)) from None
    with handle:
        handle.seek(0)  # Windows locks a byte range: always the first byte
        if not _try_lock(handle):
            raise ConfigError(
                f"another extractor run is writing to this folder ({_holder(handle)}); wait for it to "
                "finish or choose another output folder with -o",
                path=str(out_dir),
            )
        try:
            handle.truncate()
            handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            handle.flush()
        except OSError as exc:
            raise ConfigError(f"cannot write to the output folder ({exc.strerror})", path=str(out_dir)) from None
        yield


def _holder(handle: IO[str]) -> str:
    """Who holds the lock, as its holder wrote it (Windows may refuse the read while the lock is held)."""
    try:
        return handle.read().strip() or "another process"
    except OSError:
        return "another process"


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
