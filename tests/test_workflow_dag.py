"""The workflow's job graph (a Snakemake dry run, no job executed)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


#: Rules that make the inputs validate reads (the demo data, the motif database), validate itself, and its gate.
BEFORE_THE_GATE = {"demo", "demo_weak", "motif_db", "genome_copy", "validate", "validated"}


def _snakemake(workdir: Path, motif: str, *args: str, tfs: tuple[str, ...] = ("X",)) -> subprocess.CompletedProcess:
    """Snakemake with ``args`` on a one-chromosome genome with one peak, a sheet row per TF of ``tfs``."""
    (workdir / "config").mkdir(exist_ok=True)
    (workdir / "genome.fa").write_text(">chr1\n" + "ACGT" * 500 + "\n")
    (workdir / "peaks.bed").write_text("chr1\t100\t200\n")
    rows = "".join(f"{tf}\t{workdir}/peaks.bed\t{workdir}/genome.fa\t{motif}\n" for tf in tfs)
    (workdir / "config" / "samples.tsv").write_text("tf\tpeaks\tgenome\tmotif\n" + rows)
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), *args]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _dry_run(workdir: Path, motif: str) -> set[str]:
    """Names of the rules with jobs, from the dry run's job-count table."""
    result = _snakemake(workdir, motif, "-n", "--quiet", "rules")
    table = re.findall(r"^(\w+)\s+\d+\s*$", result.stdout + result.stderr, flags=re.MULTILINE)
    return set(table) - {"total"}


def test_every_model_and_baseline_has_its_jobs(tmp_path):
    jobs = _dry_run(tmp_path, "MA0139.2")
    assert {"regions", "encode", "train", "evaluate", "interpret", "motifs", "pwm_scan", "kmer_lr", "report", "summary"} <= jobs, jobs


def test_pwm_scan_left_out_without_a_motif(tmp_path):
    jobs = _dry_run(tmp_path, "")
    assert "pwm_scan" not in jobs and "kmer_lr" in jobs


def test_every_long_job_waits_for_every_tfs_validation(tmp_path):
    """A dependency, not a priority: at --cores 1 as at 8, no job past validate starts before every TF passed."""
    graph = json.loads(_snakemake(tmp_path, "MA0139.2", "--d3dag", tfs=("X", "Y")).stdout)
    rule = {node["id"]: node["value"]["rule"] for node in graph["nodes"]}
    parents: dict[int, set[int]] = {i: set() for i in rule}
    for link in graph["edges"]:
        parents[link["v"]].add(link["u"])

    def ancestors(job: int) -> set[int]:
        seen, todo = set(), [job]
        while todo:
            for parent in parents[todo.pop()] - seen:
                seen.add(parent)
                todo.append(parent)
        return seen

    gates = [i for i, r in rule.items() if r == "validated"]
    assert len(gates) == 1 and sum(r == "validate" for r in rule.values()) == 2
    assert {rule[i] for i in ancestors(gates[0])} == {"validate", "motif_db"}
    for job, name in rule.items():
        if name not in BEFORE_THE_GATE | {"all"}:
            assert gates[0] in ancestors(job), f"{name} does not wait for rule validated"
    assert {"motif_kernels", "regions", "train", "interpret", "motifs"} <= set(rule.values())
