"""The Snakemake profiles: every rule they name exists, and the sbatch line the SLURM plugin builds
for the training rule from profiles/slurm asks for a GPU (the test cluster has none, so this is
checked here, with the plugin's own functions)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
#: Every rule, those made by ``use rule X as Y with:`` included.
RULE_PATTERN = r"^(?:rule (\w+):|use rule \w+ as (\w+) with:)"
RULES = {
    "".join(m) for f in (REPO / "workflow" / "rules").glob("*.smk") for m in re.findall(RULE_PATTERN, f.read_text(), flags=re.MULTILINE)
}


class Resources(dict):
    """Snakemake's job.resources: a mapping with attribute access."""

    __getattr__ = dict.__getitem__


def profile(name: str) -> dict:
    return yaml.safe_load((REPO / "profiles" / name / "config.yaml").read_text())


def sbatch_line(rule: str, extra: dict | None = None) -> str:
    """The sbatch command the SLURM executor plugin builds for one job of ``rule`` under profiles/slurm."""
    pytest.importorskip("snakemake_executor_plugin_slurm", reason="snakemake-executor-plugin-slurm is in the test extra")
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    slurm = profile("slurm")
    resources = Resources(slurm["default-resources"] | slurm["set-resources"].get(rule, {}) | (extra or {}))
    job = SimpleNamespace(resources=resources, threads=slurm["set-threads"].get(rule, 1), name=rule)
    params = {"run_uuid": "u", "slurm_logfile": "log", "comment_str": f"rule_{rule}", "account": "", "partition": "", "workdir": "."}
    return get_submit_command(job, params) + set_gres_string(job)


@pytest.mark.parametrize("name", ["default", "slurm"])
def test_profiles_name_only_existing_rules(name):
    config = profile(name)
    named = set(config.get("set-resources", {})) | set(config.get("set-threads", {}))
    assert named <= RULES, named - RULES


def test_training_and_attribution_ask_for_a_gpu():
    for rule in ("train", "interpret", "compare_methods"):
        line = sbatch_line(rule)
        assert " --gpus=1" in line and "--mem 16000" in line, line
    assert " --gpus=a100:1" in sbatch_line("train", {"gpu_model": "a100"})
    assert "--gpus" not in sbatch_line("regions") and "-t 60" in sbatch_line("regions")


def test_slurm_profile_uses_the_slurm_executor_and_retries():
    config = profile("slurm")
    assert config["executor"] == "slurm" and config["retries"] >= 1 and config["default-resources"]["runtime"] > 0
