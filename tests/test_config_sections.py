"""Every key of every config section reaches its stage: the commands of a Snakemake dry run, read flag by flag."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bindscope.cli import STAGES, stage_flags, stage_keywords

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
RULES_TEXT = "\n".join(p.read_text() for p in sorted((REPO / "workflow" / "rules").glob("*.smk")))
#: Sections holding no stage's settings: the model architectures (train's --model-params, checked below).
NOT_SECTIONS = {"architecture"}


def sections_by_stage() -> dict[str, tuple[str, ...]]:
    """Stage -> the config sections its rule passes through common.smk's stage_args, read from the rule files."""
    found = {}
    for stage, rest in re.findall(r'stage_args\(\s*"([\w-]+)"((?:\s*,\s*"\w+")*)', RULES_TEXT):
        found[stage] = tuple(re.findall(r'"(\w+)"', rest))
    return found


def stage_commands(workdir: Path, **changes) -> list[tuple[str, dict[str, list[str]]]]:
    """(stage, flag -> values) of every bindscope command of a dry run of every rule (demo data and options on,
    then config sections ``changes``)."""
    (workdir / "config").mkdir()
    (workdir / "genome.fa").write_text(">chr1\n" + "ACGT" * 500 + "\n")
    (workdir / "peaks.bed").write_text("chr1\t100\t200\n")
    (workdir / "variants.vcf").write_text("##fileformat=VCFv4.2\n")
    (workdir / "config" / "samples.tsv").write_text(f"tf\tpeaks\tgenome\tmotif\nX\t{workdir}/peaks.bed\t{workdir}/genome.fa\tMA0139.2\n")
    options = {
        "compare_methods": {**CONFIG["compare_methods"], "enabled": True},
        "predict": {**CONFIG["predict"], "regions": {"X": str(workdir / "peaks.bed")}},
        "variants": {**CONFIG["variants"], "vcf": {"X": str(workdir / "variants.vcf")}},
    } | changes
    targets = ["all", "resources/demo/genome.fa", "resources/demo_weak/genome.fa"]
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "-n", "-p", *targets]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), "--config"]
    cmd += [f"{key}={value!r}" for key, value in options.items()]  # Python literals, as Snakemake reads them
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    commands = []
    for line in (result.stdout + result.stderr).splitlines():
        if "python -m bindscope " not in line:
            continue
        words = shlex.split(line[line.index("python -m bindscope ") :].split(" > ")[0])
        flags: dict[str, list[str]] = {}
        for word in words[4:]:
            if word.startswith("--"):
                current = flags.setdefault(word, [])
            else:
                current.append(word)
        commands.append((words[3], flags))
    return commands


@pytest.fixture(scope="module")
def commands(tmp_path_factory) -> list[tuple[str, dict[str, list[str]]]]:
    """The commands of a one-fold run, then those of a three-fold run's stages that run with folds only (pool-folds,
    ensemble)."""
    one = stage_commands(tmp_path_factory.mktemp("dry_run"))
    three = stage_commands(tmp_path_factory.mktemp("dry_run_folds"), windows={**CONFIG["windows"], "folds": 3})
    return one + [(stage, flags) for stage, flags in three if stage in {"pool-folds", "ensemble"}]


def test_the_keywords_read_from_source_are_the_command_lines(commands):
    """stage_keywords (read without importing a stage) names exactly the flags the CLI builds from run()."""
    from bindscope.cli import flag_parameters, stage_function

    for stage in STAGES:
        assert set(stage_keywords(stage)) == set(flag_parameters(stage_function(stage))), stage


def test_every_section_key_reaches_its_stage_with_its_value(commands):
    passed = sections_by_stage()
    seen = set()
    for stage, sections in passed.items():
        runs = [flags for name, flags in commands if name == stage]
        assert runs, f"no {stage} job in the dry run"
        for section in sections:
            for key, value in CONFIG[section].items():
                if not stage_keywords(stage).get(key):
                    continue
                seen.add((section, key))
                for flags in runs:
                    model = (flags.get("--model") or [None])[0]
                    expected = stage_flags(stage, {key: value[model] if isinstance(value, dict) else value})
                    assert flags.get(expected[0]) == expected[1:], (stage, section, key, flags.get(expected[0]))
    sections = [s for s, v in CONFIG.items() if isinstance(v, dict) and s not in NOT_SECTIONS]
    unreached = [f"{s}.{k}" for s in sections for k in CONFIG[s] if (s, k) not in seen and f'config["{s}"]["{k}"]' not in RULES_TEXT]
    assert unreached == [], "keys neither passed to a stage nor read by a rule"


def test_the_architecture_reaches_train_as_model_params(commands):
    runs = [flags for name, flags in commands if name == "train"]
    assert {flags["--model"][0] for flags in runs} == set(CONFIG["models"])
    for flags in runs:
        assert json.loads(flags["--model-params"][0]) == CONFIG["architecture"][flags["--model"][0]]


def test_the_top_level_seed_reaches_every_stage_without_a_seed_of_its_own(commands):
    for stage, flags in commands:
        if "seed" in stage_keywords(stage) and stage not in ("demo", "demo-weak"):
            assert flags["--seed"] == [str(CONFIG["seed"])], stage


def test_a_value_a_stage_does_not_take_is_an_error():
    with pytest.raises(TypeError, match="takes no parameter lr"):
        stage_flags("evaluate", {"lr": 0.1})


def test_flags_take_the_form_the_command_line_reads():
    from bindscope.cli import parse

    args = stage_flags("kmer-lr", {"k": 5, "cs": [0.1, 1.0], "threshold": 0.5, "seed": 3})
    _, kwargs = parse(["kmer-lr", "--train", "a", "--val", "b", "--test", "c", "--controls", "d", "--out", "x=y", *args])
    assert (kwargs["k"], kwargs["cs"], kwargs["threshold"], kwargs["seed"]) == (5, [0.1, 1.0], 0.5, 3)


def test_config_readme_documents_every_key():
    text = (REPO / "config" / "README.md").read_text()
    missing = [
        f"{section}.{key}"
        for section, value in CONFIG.items()
        if isinstance(value, dict) and section != "architecture"
        for key in value
        if not any(form in text for form in (f"`{key}`", f"`{section}.{key}`", f"`.{key}`"))
    ]
    missing += [key for key in CONFIG if f"`{key}`" not in text]
    assert missing == []
