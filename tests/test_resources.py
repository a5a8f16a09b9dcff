"""Each rule's memory request (bindscope.resources) covers what bench/scale measured at its largest size."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bindscope.resources import MEMORY, mem_mb

REPO = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))
#: Declared memory over measured peak RSS, at least.
MARGIN = 1.25


def rule_memory_calls() -> dict[str, str]:
    """rule name -> the argument of its ``mem_mb=memory(...)``, as written in workflow/rules."""
    found = {}
    for path in RULE_FILES:
        for body in re.split(r"^rule ", path.read_text(), flags=re.MULTILINE)[1:]:
            name = body.split(":", 1)[0]
            call = re.search(r'mem_mb=memory\("(\w+)"\)', body)
            found[name] = call.group(1) if call else ""
    return found


def test_every_rule_asks_for_its_own_memory_entry():
    calls = rule_memory_calls()
    assert calls and all(calls[rule] == rule for rule in calls), {r: c for r, c in calls.items() if c != r}
    assert set(calls) == set(MEMORY)


def test_requests_grow_with_input_and_attempt():
    assert mem_mb("regions", 3000) > mem_mb("regions", 10) >= MEMORY["regions"].floor_mb
    assert mem_mb("encode", 100, attempt=2) == 2 * mem_mb("encode", 100)
    with pytest.raises(KeyError, match="no memory request"):
        mem_mb("nonesuch", 1)


def largest_measured() -> pd.DataFrame:
    table = pd.read_csv(REPO / "bench" / "scale" / "results.tsv", sep="\t")
    table = table[table["size"].isin(["small", "medium", "large"]) & table["rule"].notna()]
    table = table.assign(genome_mbp=table["genome_mbp"].astype(float))
    return table[table["genome_mbp"] == table["genome_mbp"].max()]


def test_declared_memory_covers_the_benchmark_at_the_largest_size():
    measured = largest_measured()
    assert float(measured["genome_mbp"].iloc[0]) >= 3000 and {"regions", "encode", "validate"} <= set(measured["rule"])
    short = []
    for _, row in measured.iterrows():
        declared = mem_mb(row["rule"], float(row["input_mb"]))
        if declared < MARGIN * float(row["max_rss_mb"]):
            short.append(f"{row['stage']}: asks {declared} MB, measured {row['max_rss_mb']} MB peak RSS")
    assert not short, short


def test_slurm_runtimes_cover_the_benchmark_at_the_largest_size():
    """profiles/slurm's runtime (minutes) per rule is at least twice what 2 cores took at 3 Gbp."""
    import yaml

    slurm = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    default = slurm["default-resources"]["runtime"]
    short = []
    for _, row in largest_measured().iterrows():
        minutes = slurm["set-resources"].get(row["rule"], {}).get("runtime", default)
        if minutes * 60 < 2 * float(row["wall_s"]):
            short.append(f"{row['stage']}: runtime {minutes} min, took {float(row['wall_s']) / 60:.1f} min")
    assert not short, short
