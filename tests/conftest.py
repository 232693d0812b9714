"""Make the shared sample texts in tests/samples.py importable (pytest runs with --import-mode=importlib).

Also provides the ``openai_server`` fixture: a real local HTTP server speaking the OpenAI REST API (tests/openai_server.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from openai_server import FakeOpenAI


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A started FakeOpenAI (``.base_url``, ``.script``, ``.default``, ``.requests``), closed after the test."""
    with FakeOpenAI() as server:
        yield server
