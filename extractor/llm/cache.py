"""Where answers are kept between runs: a disk cache shared by processes, and recorded answers for the eval.

Both map a request key (`request_key`) to the validated answer, as JSON-ready data. The key covers everything
that changes an answer: endpoint, model, structured-output mode, prompt version, answer-schema hash, the
messages and the sampling settings. So a repeated run, or an eval, sends nothing:

    >>> import tempfile
    >>> cache = ResponseCache(tempfile.mkdtemp())
    >>> key = request_key({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    >>> cache.get(key) is None
    True
    >>> cache.set(key, {"items": []}); cache.get(key)
    {'items': []}

A cache that cannot be opened, read or written (a folder that is not writable, a corrupt database) logs one
warning and the run goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any

from extractor.atomic import write_atomic
from extractor.errors import ConfigError

log = logging.getLogger(__name__)


def request_key(parts: dict[str, Any]) -> str:
    """A stable hash of everything that determines an answer."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """diskcache (SQLite) under `directory`: safe when several processes share it."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._cache: Any = None
        self._warned = False
        try:
            import diskcache

            self.directory.mkdir(parents=True, exist_ok=True)
            self._cache = diskcache.Cache(str(self.directory), timeout=30)
        except Exception as exc:
            self._disable(exc)

    @property
    def usable(self) -> bool:
        return self._cache is not None

    def get(self, key: str) -> Any:
        if self._cache is None:
            return None
        try:
            value = self._cache.get(key)
        except Exception as exc:
            self._disable(exc)
            return None
        return json.loads(value) if isinstance(value, str) else None

    def set(self, key: str, value: Any) -> None:
        if self._cache is None:
            return
        try:
            self._cache.set(key, json.dumps(value, ensure_ascii=False))
        except Exception as exc:
            self._disable(exc)

    def _disable(self, exc: BaseException) -> None:
        if not self._warned:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            log.warning("response cache %s unusable (%s); running without it", self.directory, reason)
            self._warned = True
        self._cache = None


class RecordedAnswers:
    """Answers recorded from a real model for the gold set, one JSON line each, committed under `evals/`.

    The first line names the endpoint the answers came from (base URL, model, mode), so a replay computes the
    same request keys without reaching it. `save` rewrites the file atomically, sorted by key.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.header: dict[str, Any] = {}
        self.answers: dict[str, Any] = {}
        self._lock = threading.Lock()
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
            self.header = json.loads(lines[0]) if lines else {}
            for line in lines[1:]:
                record = json.loads(line)
                self.answers[record["key"]] = record["answer"]
        except (OSError, ValueError, KeyError, IndexError) as exc:
            raise ConfigError(f"recorded answers unreadable ({exc})", path=str(self.path)) from None

    def get(self, key: str) -> Any:
        return self.answers.get(key)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self.answers[key] = value

    def save(self) -> None:
        lines = [json.dumps(self.header, ensure_ascii=False, sort_keys=True)]
        lines += [json.dumps({"key": k, "answer": self.answers[k]}, ensure_ascii=False, sort_keys=True) for k in sorted(self.answers)]
        write_atomic(self.path, "\n".join(lines) + "\n")
