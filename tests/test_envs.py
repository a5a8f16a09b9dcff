"""The per-rule conda environments cannot drift from the code or from pyproject.toml.

Conda channels are out of reach here, so the environments are not solved; what is checked: every
rule names one, every file parses and pins each package exactly, each pin satisfies
pyproject.toml's requirement (the one source of truth) and is the same in every file, and each
environment holds every third-party package its stage imports (found by reading the imports of the
stage module and of the bindscope modules it uses, lazy imports included).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from bindscope.cli import STAGES

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "workflow" / "bindscope"
#: Conda names of PyPI distributions where they differ.
CONDA_NAME = {"torch": "pytorch", "matplotlib": "matplotlib-base", "jinja2": "jinja2", "pyyaml": "pyyaml"}
#: Packages an environment may hold that pyproject.toml does not list: the interpreter, the
#: bedtools binary pybedtools drives, pip, and numba pinned for modisco-lite/memelite's JIT.
NOT_IN_PYPROJECT = {"python", "bedtools", "pip", "numba"}


def rules() -> dict[str, str]:
    """Rule name -> its body, for every rule of the workflow."""
    found = {}
    for path in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        parts = re.split(r"^rule (\w+):\n", path.read_text(), flags=re.MULTILINE)
        found |= dict(zip(parts[1::2], parts[2::2], strict=True))
    return found


def env_of(body: str) -> Path:
    return (REPO / "workflow" / "rules" / re.search(r'conda:\n\s+"([^"]+)"', body).group(1)).resolve()


def pins(env: Path) -> dict[str, str]:
    """Package -> exact version pinned by an environment file (conda and pip sections)."""
    spec = yaml.safe_load(env.read_text())
    found = {}
    for dep in spec["dependencies"]:
        for item in dep["pip"] if isinstance(dep, dict) else [dep]:
            name, _, version = re.split(r"(==|=)", item, maxsplit=1) if "=" in item else (item, "", "")
            found[name.strip().lower()] = version.strip()
    return found


def pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}


def module_file(module: str) -> Path:
    parts = module.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def third_party_imports(module: str, seen: set[str] | None = None) -> set[str]:
    """Top-level third-party modules imported by ``module`` and the bindscope modules it imports."""
    seen = set() if seen is None else seen
    if module in seen:
        return set()
    seen.add(module)
    found: set[str] = set()
    for node in ast.walk(ast.parse(module_file(module).read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.ImportFrom) and node.level:  # relative: bindscope itself
            names = [f"{module.rsplit('.', 1)[0]}.{node.module}"] if node.module else []
        for name in filter(None, names):
            top = name.split(".")[0]
            if top == "bindscope":
                found |= third_party_imports(_existing_module(name), seen)
            elif top not in sys.stdlib_module_names and top != "__future__":
                found.add(top)
    return found


def _existing_module(name: str) -> str:
    """``bindscope.io`` for ``bindscope.io.read_peaks``-like names: the longest prefix that is a module."""
    parts = name.split(".")
    while len(parts) > 1 and not module_file(".".join(parts)).exists():
        parts.pop()
    return ".".join(parts)


def distribution(import_name: str) -> str:
    dists = importlib.metadata.packages_distributions().get(import_name)
    assert dists, f"no installed distribution provides {import_name!r}"
    return dists[0].lower()


RULES = rules()
RUNNING = {name: body for name, body in RULES.items() if "shell:" in body or "run:" in body or "script:" in body}
ENVS = sorted((REPO / "envs").glob("*.yaml"))


def test_every_rule_that_runs_something_names_an_environment_that_exists():
    for name, body in RUNNING.items():
        assert "conda:" in body, f"rule {name} has no conda: directive"
        assert env_of(body).is_file(), f"rule {name}: {env_of(body)} missing"
    assert {env_of(body) for body in RUNNING.values()} == {p.resolve() for p in ENVS}, "an env file no rule uses"


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_env_parses_with_channels_and_exact_pins(env):
    spec = yaml.safe_load(env.read_text())
    assert spec["channels"][:2] == ["conda-forge", "bioconda"] and "nodefaults" in spec["channels"]
    unpinned = [name for name, version in pins(env).items() if not version and name != "pip"]
    assert not unpinned, f"{env.name}: no version pin for {unpinned}"


def test_pins_satisfy_pyproject_and_agree_across_envs():
    requirements = pyproject_requirements()
    by_package: dict[str, set[str]] = {}
    for env in ENVS:
        for name, version in pins(env).items():
            by_package.setdefault(name, set()).add(version)
            pypi = {v: k for k, v in CONDA_NAME.items()}.get(name, name)
            if name in NOT_IN_PYPROJECT:
                continue
            assert pypi in requirements, f"{env.name}: {name} is not a dependency in pyproject.toml"
            assert requirements[pypi].specifier.contains(version), f"{env.name}: {name}={version} outside {requirements[pypi]}"
    assert {k: v for k, v in by_package.items() if len(v) > 1} == {}, "one package, several pins"


@pytest.mark.parametrize("rule", sorted(n for n, b in RUNNING.items() if "python -m bindscope" in b))
def test_env_holds_every_package_its_stage_imports(rule):
    body = RUNNING[rule]
    stage = re.search(r"python -m bindscope ([\w-]+)", body).group(1)
    module = STAGES[stage].split(":")[0]
    imports = third_party_imports(module) | third_party_imports("bindscope.cli")
    env_pins = pins(env_of(body))
    requirements = pyproject_requirements()
    for name in sorted(imports):
        dist = distribution(name)
        conda = CONDA_NAME.get(dist, dist)
        assert conda in env_pins, f"rule {rule} ({module}) imports {name}: {conda} missing from {env_of(body).name}"
        assert dist in requirements, f"{module} imports {name} ({dist}), which pyproject.toml does not list"
