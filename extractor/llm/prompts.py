"""Prompt templates are data: one Markdown file per task in `prompts/`, shipped inside the wheel.

A template file has a front matter with its task name and version, a system message, few-shot example pairs
and the user message, whose `$placeholders` are filled with the chunk being read::

    ---
    task: narrative
    version: 3
    ---
    ## system
    你是……
    ## example user
    ……
    ## example assistant
    {"points": […]}
    ## user
    <原文>
    $points
    </原文>

The version enters the response-cache key and each output's `run.prompt_versions`; editing a template without
raising its version is caught by a test (the text hash is pinned beside the version in
`tests/data/prompt_versions.json`).

    >>> prompt = load_prompt("narrative")
    >>> prompt.task, prompt.version > 0, prompt.messages(points="[1 problem] 一是…")[-1]["content"].count("一是")
    ('narrative', True, 1)
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from string import Template

from extractor.errors import ConfigError

_SECTION = re.compile(r"^## (system|example user|example assistant|user)\s*$", re.M)


@dataclass(frozen=True)
class Prompt:
    """One task's template: system message, few-shot pairs, and the user message with `$placeholders`."""

    task: str
    version: int
    system: str
    examples: tuple[tuple[str, str], ...]
    user: str
    sha256: str

    @property
    def tag(self) -> str:
        """`task@version`, as it enters the cache key and `run.prompt_versions`."""
        return f"{self.task}@{self.version}"

    def messages(self, **fields: str) -> list[dict[str, str]]:
        """The chat messages for one request: system, the examples as user/assistant turns, then the user turn.
        `$placeholders` in the system message and the user turn are filled from `fields`."""
        messages = [{"role": "system", "content": Template(self.system).substitute(fields)}]
        for question, answer in self.examples:
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        messages.append({"role": "user", "content": Template(self.user).substitute(fields)})
        return messages


def parse_prompt(source: str, name: str) -> Prompt:
    """Parse a template file's text (see the module docstring)."""
    match = re.match(r"---\n(.*?)\n---\n", source, re.S)
    if not match:
        raise ConfigError("prompt template has no front matter", path=name)
    header = dict(line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)
    header = {k.strip(): v.strip() for k, v in header.items()}
    body = source[match.end() :]
    parts = _SECTION.split(body)[1:]
    sections = list(zip(parts[::2], (p.strip() for p in parts[1::2])))
    system = [text for kind, text in sections if kind == "system"]
    user = [text for kind, text in sections if kind == "user"]
    questions = [text for kind, text in sections if kind == "example user"]
    answers = [text for kind, text in sections if kind == "example assistant"]
    if len(system) != 1 or len(user) != 1 or len(questions) != len(answers) or "task" not in header:
        raise ConfigError("prompt template needs a task, one system, one user and paired examples", path=name)
    return Prompt(
        task=header["task"],
        version=int(header.get("version", "0")),
        system=system[0],
        examples=tuple(zip(questions, answers)),
        user=user[0],
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
    )


@functools.cache
def load_prompt(task: str) -> Prompt:
    """The shipped template for `task` (`prompts/<task>.md`)."""
    try:
        source = resources.files("extractor.prompts").joinpath(f"{task}.md").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        raise ConfigError(f"no prompt template for task {task!r}", path=f"prompts/{task}.md") from None
    return parse_prompt(source, f"prompts/{task}.md")


TASKS = ("statistics", "narrative")


def prompt_versions() -> dict[str, str]:
    """Every task's version, as recorded in an output's `run.prompt_versions`.

    >>> sorted(prompt_versions())
    ['narrative', 'statistics']
    """
    return {task: str(load_prompt(task).version) for task in TASKS}
