"""The package's import graph: shared helpers <- stages, never stage -> stage, never helper -> stage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bindscope.cli import STAGES

PACKAGE = Path(__file__).resolve().parents[1] / "workflow" / "bindscope"
#: Module of each stage's run(), e.g. bindscope.stages.regions.
STAGE_MODULES = {target.split(":")[0] for target in STAGES.values()}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """bindscope modules a file imports (``from bindscope import x`` counts as bindscope.x when x is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("bindscope")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bindscope"):
            found.add(node.module)
            found |= {
                f"{node.module}.{a.name}" for a in node.names if (PACKAGE.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()
            }
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_stage_module_exists():
    assert STAGE_MODULES <= set(MODULES), STAGE_MODULES - set(MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_stage(name):
    """Stages share code only through helper modules; the CLI reaches stages by name (importlib), not by import."""
    stages = imported_modules(MODULES[name]) & STAGE_MODULES - {name}
    assert stages == set(), f"{name} imports the stage module(s) {sorted(stages)}: move what they share into a helper module"
