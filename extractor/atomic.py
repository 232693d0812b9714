"""Atomic file writing: a reader never sees a half-written file, whoever writes it (outputs, the response cache).

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "x.json"
>>> write_atomic(target, "{}")
>>> target.read_text(encoding="utf-8")
'{}'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TEMPORARY_SUFFIX = ".extractor.tmp"
TEMPORARY_GLOB = f".*{TEMPORARY_SUFFIX}"
"""The names `atomic_file` gives its temporary files, what a killed run can leave behind: a run cleans up
these and no other file (a `.notes.tmp` of the user's own is left alone)."""


def _file_mode() -> int:
    """The mode a file made by `open` gets under this process's umask (read once, before any thread starts:
    reading the umask means setting it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


@contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file opened for writing in the same folder as `path` under a temporary name, renamed over `path`
    when the block ends without error, removed otherwise: a reader never sees a half-written file, and a
    process killed mid-write (SIGKILL included) leaves at most a hidden `.NAME.*.extractor.tmp` file, never a
    truncated `path`. The file gets the mode any new file gets under the umask (`mkstemp` alone makes 0600,
    which colleagues on a shared server could not read).

    There is no fsync: it would cost a quarter of the parser path's throughput, and it guards only against
    the machine itself going down, after which a file the disk never received reads as empty or truncated:
    not valid JSON, so not current, so the next run extracts it again (and it rebuilds the tables anyway).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_file(target) as out:
    ...     _ = out.write("一")
    >>> target.read_text(encoding="utf-8"), [p.name for p in target.parent.iterdir()]
    ('一', ['x.txt'])
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    text = "b" not in mode
    try:
        os.chmod(temporary, FILE_MODE)
        with os.fdopen(handle, mode, encoding="utf-8" if text else None, newline="" if text else None) as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through `atomic_file`."""
    with atomic_file(path, "wb") as file:
        file.write(content.encode("utf-8") if isinstance(content, str) else content)
