"""What a run needs to know to call a model: endpoint, model, structured-output mode, budgets and cache.

`ModelSettings` is a small frozen record, so it crosses process boundaries (parser workers) and enters the
cache key as plain data. `ModelSettings.from_options` reads the command-line options and falls back to the
environment (`OPENAI_BASE_URL`, `OPENAI_API_KEY`, `EXTRACTOR_MODEL`, `EXTRACTOR_CACHE_DIR`):

    >>> s = ModelSettings.from_options(base_url="http://127.0.0.1:8012/v1", model="qwen", environ={})
    >>> s.mode, s.endpoint_id
    ('json_object', '127.0.0.1:8012/v1')
    >>> ModelSettings.from_options(base_url="https://api.openai.com/v1", model="gpt-4o-mini", environ={}).mode
    'tools'
    >>> ModelSettings.from_options(environ={}) is None  # no endpoint: the parsers run alone
    True

The mode is chosen per endpoint and can be overridden (`--llm-mode`): `tools` (function calling) for hosted
OpenAI-style services (OpenAI, DeepSeek, Qwen/DashScope); `json_object` for servers on this machine such as
llama.cpp, which enforce a grammar from `response_format={"type": "json_object", "schema": ...}` and reject
the `json_schema` form; `json_schema` (OpenAI structured outputs, vLLM); `json` (schema in the prompt, no
constraint) for servers that know none of these.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from extractor.errors import ConfigError

MODES = ("tools", "json_object", "json_schema", "json")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "0.0.0.0", "::1")


@dataclass(frozen=True)
class ModelSettings:
    """One model endpoint and how to use it (see the module docstring)."""

    base_url: str
    model: str
    api_key: str = "not-needed"
    mode: str = "tools"
    timeout: float = 120.0
    transport_retries: int = 6
    """Attempts beyond the first for 429, 5xx, timeouts and connection errors (backoff with jitter)."""
    reasks: int = 2
    """Validation re-asks beyond the first answer (instructor), counted apart from transport retries."""
    max_wait: float = 60.0
    """Longest single wait between transport retries, Retry-After included."""
    cache_dir: str | None = None
    use_cache: bool = True
    refresh: bool = False
    """Ignore cached answers but store the new ones (re-record)."""
    concurrency: int = 1
    temperature: float = 0.0
    max_tokens: int = 1024

    @property
    def endpoint_id(self) -> str:
        """The endpoint as it enters the cache key: host, port and path, without scheme or credentials."""
        url = urlparse(self.base_url)
        return f"{url.hostname}{':' + str(url.port) if url.port else ''}{url.path.rstrip('/')}"

    @classmethod
    def from_options(cls, *, base_url: str | None = None, model: str | None = None, api_key: str | None = None,
                     mode: str | None = None, cache_dir: str | None = None, use_cache: bool = True,
                     refresh: bool = False, concurrency: int = 1, timeout: float | None = None,
                     environ: Mapping[str, str] | None = None) -> ModelSettings | None:
        """Settings from options, else the environment; None when no endpoint is configured."""
        env = os.environ if environ is None else environ
        base_url = base_url or env.get("OPENAI_BASE_URL")
        if not base_url:
            return None
        if not urlparse(base_url).scheme.startswith("http"):
            raise ConfigError(f"--base-url {base_url!r} is not an http(s) URL")
        model = model or env.get("EXTRACTOR_MODEL")
        if not model:
            raise ConfigError("a model endpoint is set but no model name: give --model or EXTRACTOR_MODEL")
        if mode is not None and mode not in MODES:
            raise ConfigError(f"--llm-mode must be one of {', '.join(MODES)}")
        if concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        return cls(base_url=base_url, model=model, api_key=api_key or env.get("OPENAI_API_KEY") or "not-needed",
                   mode=mode or default_mode(base_url), cache_dir=cache_dir or env.get("EXTRACTOR_CACHE_DIR"),
                   use_cache=use_cache, refresh=refresh, concurrency=concurrency,
                   timeout=timeout if timeout is not None else default_timeout(base_url))

    def cache_path(self) -> Path:
        """Where the response cache lives: the option, else the user cache folder."""
        if self.cache_dir:
            return Path(self.cache_dir)
        import platformdirs

        return Path(platformdirs.user_cache_dir("extractor")) / "responses"


def default_timeout(base_url: str) -> float:
    """Seconds to wait for one answer: a model on this machine's CPU is slow, a hosted one is not.

    >>> default_timeout("http://127.0.0.1:8012/v1"), default_timeout("https://api.openai.com/v1")
    (900.0, 120.0)
    """
    return 900.0 if urlparse(base_url).hostname in _LOCAL_HOSTS else 120.0


def default_mode(base_url: str) -> str:
    """`json_object` for a server on this machine (llama.cpp), else `tools`.

    >>> default_mode("http://localhost:8080/v1"), default_mode("https://api.deepseek.com")
    ('json_object', 'tools')
    """
    return "json_object" if urlparse(base_url).hostname in _LOCAL_HOSTS else "tools"
