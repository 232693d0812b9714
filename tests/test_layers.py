"""Imports point one way: documents → parsers / llm → merge → pipeline → runs → output / cli.

Every module of the package sits in one layer; it may import from its own layer and the layers below, never
from a layer above. A new module must be given a layer here, so the rule cannot be skipped by accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "extractor"

LAYERS: tuple[frozenset[str], ...] = (
    # the contract and shared helpers, below everything
    frozenset({"version", "schema", "columns", "errors", "records", "textnorm", "textrules", "atomic", "timelimit"}),
    # a file -> one normalized text, and the text's sections and points
    frozenset({"documents", "chunking"}),
    # readers of the text: deterministic parsers, the model, and the check of a model's answer
    frozenset({"parsers", "entities", "llm", "grounding"}),
    # one report's values put together
    frozenset({"merge", "checks"}),
    frozenset({"pipeline"}),
    # what results become on disk: one report's files, the folder's tables (the dataset), a person's
    # corrections, the year-over-year comparison
    frozenset({"output", "corrections", "dataset", "compare"}),
    # runs over many reports
    frozenset({"runs"}),
    # the commands and the public API
    frozenset({"cli", "evaluation", "review", "__main__", "__init__"}),
)


def _layer_of(name: str) -> int:
    for rank, members in enumerate(LAYERS):
        if name in members:
            return rank
    raise AssertionError(f"extractor.{name} has no layer in tests/test_layers.py: give it one")


def _top_name(module: Path) -> str:
    relative = module.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported(module: Path) -> set[str]:
    """The package's top-level modules that `module` imports, at any depth of its code."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "extractor":
                names.update([parts[1]] if len(parts) > 1 else [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("extractor."))
    return names


def test_every_import_points_to_the_same_or_a_lower_layer():
    upward = []
    for module in sorted(PACKAGE.rglob("*.py")):
        own = _top_name(module)
        for name in _imported(module) - {own}:
            if _layer_of(name) > _layer_of(own):
                upward.append(f"{module.relative_to(PACKAGE.parent)} imports extractor.{name}")
    assert upward == []


def test_the_schema_imports_nothing_else_of_the_package():
    assert _imported(PACKAGE / "schema.py") == set()


def test_the_model_package_imports_no_run_pipeline_or_output():
    for module in (PACKAGE / "llm").glob("*.py"):
        assert _imported(module) & {"runs", "pipeline", "output", "merge", "checks"} == set(), module.name


def test_a_module_without_a_layer_is_caught(tmp_path):
    try:
        _layer_of("something_new")
    except AssertionError as error:
        assert "give it one" in str(error)
    else:
        raise AssertionError("an unknown module was given a layer")
