"""What a run needs to know to call a model: endpoint, model, structured-output mode, budgets and cache.

`ModelSettings` is a small frozen record, so it crosses process boundaries (parser workers) and enters the
cache key as plain data. `ModelSettings.from_options` reads the command-line options and falls back to the
environment (`OPENAI_BASE_URL`, `OPENAI_API_KEY`, `EXTRACTOR_MODEL`, `EXTRACTOR_CACHE_DIR`):

    >>> s = ModelSettings.from_options(base_url="http://127.0.0.1:8012/v1", model="qwen", environ={})
    >>> s.mode.value, s.endpoint_id, s.timeout
    ('json_object', '127.0.0.1:8012/v1', 120.0)
    >>> ModelSettings.from_options(base_url="https://api.openai.com/v1", model="gpt-4o-mini", environ={}).mode.value
    'tools'
    >>> ModelSettings.from_options(environ={}) is None  # no endpoint: the parsers run alone
    True

The mode is chosen per endpoint and can be overridden (`--llm-mode`): `tools` (function calling) for hosted
OpenAI-style services (OpenAI, DeepSeek, Qwen/DashScope); `json_object` for servers on this machine such as
llama.cpp, which enforce a grammar from `response_format={"type": "json_object", "schema": ...}` and reject
the `json_schema` form; `json_schema` (OpenAI structured outputs, vLLM); `json` (schema in the prompt, no
constraint) for servers that know none of these. `Mode` names them and maps each to instructor's mode.

One answer is waited for at most `timeout` seconds (default 120, `--timeout`), on this machine as elsewhere: a
stalled endpoint then costs about two minutes per run (see `extractor.llm.client.EndpointHealth`), and a model
slower than that on this machine's CPU is given a longer `--timeout`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from extractor.errors import ConfigError

if TYPE_CHECKING:
    import instructor

_LOCAL_HOSTS = ("127.0.0.1", "localhost", "0.0.0.0", "::1")


class Mode(str, Enum):
    """How the answer's structure is asked for (`--llm-mode`); the value is the option's word.

    >>> Mode("json_object").instructor_mode.value, Mode.TOOLS.instructor_mode.value
    ('json_schema_mode', 'tool_call')
    """

    TOOLS = "tools"
    """Function calling: one tool, forced (hosted OpenAI-style services)."""
    JSON_OBJECT = "json_object"
    """llama.cpp's grammar-constrained `{"type": "json_object", "schema": ...}`; instructor prepares the
    json_schema form, which the client rewrites on the wire."""
    JSON_SCHEMA = "json_schema"
    """OpenAI structured outputs (`{"type": "json_schema", ...}`), vLLM."""
    JSON = "json"
    """The schema in the prompt, no constraint."""

    @property
    def instructor_mode(self) -> instructor.Mode:
        import instructor

        return {
            Mode.TOOLS: instructor.Mode.TOOLS,
            Mode.JSON_OBJECT: instructor.Mode.JSON_SCHEMA,
            Mode.JSON_SCHEMA: instructor.Mode.JSON_SCHEMA,
            Mode.JSON: instructor.Mode.JSON,
        }[self]


MODES = tuple(mode.value for mode in Mode)
"""The `--llm-mode` words."""


@dataclass(frozen=True)
class ModelSettings:
    """One model endpoint and how to use it (see the module docstring)."""

    base_url: str
    model: str
    api_key: str = "not-needed"
    mode: Mode = Mode.TOOLS
    timeout: float = 120.0
    """Seconds to wait for one answer (see the module docstring)."""
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", Mode(self.mode))  # a word from a recording's header or a caller

    @property
    def endpoint_id(self) -> str:
        """The endpoint as it enters the cache key: host, port and path, without scheme or credentials."""
        url = urlparse(self.base_url)
        return f"{url.hostname}{':' + str(url.port) if url.port else ''}{url.path.rstrip('/')}"

    @classmethod
    def from_options(
        cls,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        mode: str | None = None,
        cache_dir: str | None = None,
        use_cache: bool = True,
        refresh: bool = False,
        concurrency: int = 1,
        timeout: float | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> ModelSettings | None:
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
        if timeout is not None and not timeout > 0:
            raise ConfigError("--timeout must be a positive number of seconds")
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        return cls(
            base_url=base_url,
            model=model,
            api_key=api_key or env.get("OPENAI_API_KEY") or "not-needed",
            mode=Mode(mode) if mode else default_mode(base_url),
            cache_dir=cache_dir or env.get("EXTRACTOR_CACHE_DIR"),
            use_cache=use_cache,
            refresh=refresh,
            concurrency=concurrency,
            **options,
        )

    def cache_path(self) -> Path:
        """Where the response cache lives: the option, else the user cache folder."""
        if self.cache_dir:
            return Path(self.cache_dir)
        import platformdirs

        return Path(platformdirs.user_cache_dir("extractor")) / "responses"


def default_mode(base_url: str) -> Mode:
    """`json_object` for a server on this machine (llama.cpp), else `tools`.

    >>> default_mode("http://localhost:8080/v1").value, default_mode("https://api.deepseek.com").value
    ('json_object', 'tools')
    """
    return Mode.JSON_OBJECT if urlparse(base_url).hostname in _LOCAL_HOSTS else Mode.TOOLS
