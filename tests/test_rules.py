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


def test_every_rule_that_runs_a_stage_runs_it_through_the_command_line():
    """Each shell command of a rule file runs one bindscope stage (``python -m bindscope STAGE``), rule validated aside."""
    from bindscope.cli import STAGES

    for path in RULES:
        for line, command in shell_commands(path.read_text()):
            if "printf" in command:  # rule validated: lists the validated TFs
                continue
            stage = re.search(r"python -m bindscope ([\w-]+)", command)
            assert stage and stage.group(1) in STAGES, f"{path.name}:{line}: {command[:80]}"


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_shell_placeholders_are_quoted(path):
    problems = [f"{path.name}:{line}: {field}" for line, command in shell_commands(path.read_text()) for field in unquoted(command)]
    assert problems == [], "quote these with :q (Snakemake shell-quotes each value): " + ", ".join(problems)


def test_the_check_finds_an_unquoted_placeholder():
    command = '"python -m bindscope x --peaks {input.peaks} --out {output:q} --threads {threads} > {log} 2>&1"'
    assert unquoted(command) == ["{input.peaks}", "{log}"]


def test_the_schema_sets_no_default():
    """Defaults are said once, in config/config.yaml; the schema only checks them."""
    schema = (RULES[0].parents[1] / "schemas" / "config.schema.yaml").read_text()
    assert "default:" not in schema
