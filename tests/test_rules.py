"""Static checks of the rule files: every value a shell command takes from a sheet, config or path is quoted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RULES = sorted((Path(__file__).resolve().parents[1] / "workflow" / "rules").glob("*.smk"))
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][^{}]*)\}(?!\})")
#: Placeholders Snakemake fills with numbers it computes itself.
NUMERIC = re.compile(r"^(threads|resources\.\w+)$")


def shell_commands(text: str) -> list[tuple[int, str]]:
    """(line number, command text) of every ``shell:`` directive: its indented string lines."""
    lines, found = text.splitlines(), []
    for i, line in enumerate(lines):
        if line.strip() == "shell:":
            indent = len(line) - len(line.lstrip())
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt.strip())
            found.append((i + 1, " ".join(body)))
    return found


def unquoted(command: str) -> list[str]:
    """Placeholders of a command that are neither quoted (``:q``) nor numbers Snakemake computes."""
    bad = []
    for field in PLACEHOLDER.findall(command):
        name, _, spec = field.partition(":")
        if not spec.endswith("q") and not NUMERIC.match(name):
            bad.append("{" + field + "}")
    return bad


def test_every_rule_file_has_a_shell_command_or_none():
    assert sum(len(shell_commands(p.read_text())) for p in RULES) >= 13  # one per rule that runs a stage


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_shell_placeholders_are_quoted(path):
    problems = [f"{path.name}:{line}: {field}" for line, command in shell_commands(path.read_text()) for field in unquoted(command)]
    assert problems == [], "quote these with :q (Snakemake shell-quotes each value): " + ", ".join(problems)


def test_the_check_finds_an_unquoted_placeholder():
    command = '"python -m bindscope x --peaks {input.peaks} --out {output:q} --threads {threads} > {log} 2>&1"'
    assert unquoted(command) == ["{input.peaks}", "{log}"]


def _leaf_keys(tree: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    return [k for key, value in tree.items() for k in (_leaf_keys(value, (*prefix, key)) if isinstance(value, dict) else [(*prefix, key)])]


#: train keys whose value is one number per model name.
PER_MODEL_TRAIN = (("train", "restarts"), ("train", "max_shift"))


def test_every_config_key_reaches_a_rule():
    """config/config.yaml holds no dead setting: each key is read where the rules are written."""
    import yaml

    config = yaml.safe_load((RULES[0].parents[2] / "config" / "config.yaml").read_text())
    text = "\n".join(p.read_text() for p in RULES)
    unused = [".".join(k) for k in _leaf_keys(config) if f'["{k[-1]}"]' not in text and f"'{k[-1]}'" not in text]
    per_model = [".".join(k) for k in _leaf_keys(config) if k[0] == "architecture" or k[:2] in PER_MODEL_TRAIN]  # read per model
    assert sorted(set(unused) - set(per_model)) == []


def test_the_schema_sets_no_default():
    """Defaults are said once, in config/config.yaml; the schema only checks them."""
    schema = (RULES[0].parents[1] / "schemas" / "config.schema.yaml").read_text()
    assert "default:" not in schema
