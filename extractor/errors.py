"""One exception hierarchy for the whole package, carrying the diagnostics a user needs in one line.

>>> str(DocumentError("no text layer (scanned PDF?)", path="a.pdf"))
'a.pdf: no text layer (scanned PDF?)'
>>> str(ModelError("answer cut short", path="r.txt", chunk="三、收到和处理", attempt=2))
'r.txt [chunk 三、收到和处理, attempt 2]: answer cut short'
"""

from __future__ import annotations

import re


class ExtractorError(Exception):
    """Base class: a problem with one report, said in one line, never a traceback."""

    def __init__(self, message: str, *, path: str | None = None, chunk: str | None = None, attempt: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.chunk = chunk
        self.attempt = attempt

    def __str__(self) -> str:
        where = [f"chunk {self.chunk}"] if self.chunk else []
        if self.attempt is not None:
            where.append(f"attempt {self.attempt}")
        prefix = self.path or ""
        if where:
            prefix = f"{prefix} [{', '.join(where)}]".strip()
        return f"{prefix}: {self.message}" if prefix else self.message


class DocumentError(ExtractorError):
    """The input file cannot be read as a report (missing, empty, binary, encrypted, scanned, too large...)."""


class ModelError(ExtractorError):
    """A model request failed for good (after its retries), or its answer could not be used."""


class ConfigError(ExtractorError):
    """The run is misconfigured (bad option, unusable cache or output folder)."""


class EvalError(ExtractorError):
    """A gold file or the eval set is malformed."""


def printable(text: str) -> str:
    """`text` (a path, or a line naming one) fit for one line of UTF-8: bytes of a file name that are not
    UTF-8 (kept by Python as surrogates) shown as `\\xNN`, control characters (a newline in a name) escaped.

    >>> import os
    >>> printable(os.fsdecode(b"in/\\xb0\\xec.txt")), printable("in/a\\nb.txt"), printable("灵山县.txt")
    ('in/\\\\xb0\\\\xec.txt', 'in/a\\\\nb.txt', '灵山县.txt')
    >>> printable("odd \\ud800")
    'odd \\\\ud800'
    """
    try:
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda control: repr(control.group(0))[1:-1], shown)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
