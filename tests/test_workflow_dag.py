"""The workflow's job graph (a Snakemake dry run, no job executed)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _dry_run(workdir: Path, motif: str) -> set[str]:
    """Names of the rules with jobs, from the dry run's job-count table."""
    (workdir / "config").mkdir()
    (workdir / "genome.fa").write_text(">chr1\n" + "ACGT" * 500 + "\n")
    (workdir / "peaks.bed").write_text("chr1\t100\t200\n")
    (workdir / "config" / "samples.tsv").write_text(f"tf\tpeaks\tgenome\tmotif\nX\t{workdir}/peaks.bed\t{workdir}/genome.fa\t{motif}\n")
    cmd = [sys.executable, "-m", "snakemake", "-n", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--quiet", "rules"]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    table = re.findall(r"^(\w+)\s+\d+\s*$", result.stdout + result.stderr, flags=re.MULTILINE)
    return set(table) - {"total"}


def test_every_model_and_baseline_has_its_jobs(tmp_path):
    jobs = _dry_run(tmp_path, "MA0139.2")
    assert {"regions", "encode", "train", "evaluate", "interpret", "motifs", "pwm_scan", "kmer_lr", "report", "summary"} <= jobs, jobs


def test_pwm_scan_left_out_without_a_motif(tmp_path):
    jobs = _dry_run(tmp_path, "")
    assert "pwm_scan" not in jobs and "kmer_lr" in jobs
