"""The demo submitted to a real single-node SLURM cluster with profiles/slurm: every rule runs as a
SLURM job (sacct: COMPLETED) and the metrics equal a local run's with the same seed.

The node has no GPU, so the test runs a copy of profiles/slurm without the GPU requests and with
memory and threads capped to the node (slurm_cluster.node_profile; everything else as shipped);
tests/test_profiles.py checks the sbatch GPU flag the shipped profile produces.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from slurm_cluster import SlurmCluster, missing_programs, node_profile

pytestmark = pytest.mark.cluster
REPO = Path(__file__).resolve().parents[2]
# The demo, one TF and one model: every rule of the workflow, in a few minutes.
CONFIG = ["tfs=[CTCF]", "models=[cnn]"]
RULES = {"demo", "motif_db", "validate", "regions", "encode", "train", "evaluate", "pwm_scan", "kmer_lr", "interpret", "motifs",
         "report", "summary"}  # fmt: skip


def require_cluster_programs() -> None:
    missing = missing_programs()
    why = None
    if os.geteuid() != 0:
        why = "the test cluster's daemons need root"
    elif missing:
        why = f"SLURM test cluster programs missing: {missing} (apt-get install slurm-wlm slurmdbd mariadb-server munge)"
    if why and os.environ.get("CI"):
        pytest.fail(why)  # CI installs them: a skip there would hide a broken setup
    if why:
        pytest.skip(why)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_cluster_programs()
    slurm = SlurmCluster(tmp_path_factory.mktemp("slurm"), cpus=os.cpu_count() or 2, memory_mb=8000)
    try:
        slurm.start()
        yield slurm
    finally:
        slurm.stop()


def new_workdir(path: Path) -> Path:
    (path / "config").mkdir(parents=True)
    shutil.copy(REPO / "config" / "samples.tsv", path / "config" / "samples.tsv")
    return path


def snakemake(workdir: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), *args]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), "--config", *CONFIG]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)


def test_demo_on_slurm_equals_local_run(cluster, tmp_path):
    local = new_workdir(tmp_path / "local")
    done = snakemake(local, os.environ, "--cores", "2")
    assert done.returncode == 0, done.stderr[-3000:]

    on_slurm = new_workdir(tmp_path / "slurm")
    profile = node_profile(REPO / "profiles" / "slurm", tmp_path / "profile", cluster.cpus, cluster.memory_mb)
    done = snakemake(on_slurm, cluster.env, "--workflow-profile", str(profile), "--jobs", "4")
    assert done.returncode == 0, done.stderr[-5000:]

    jobs = cluster.sacct()
    rules = {job["Comment"].split("_wildcards")[0].removeprefix("rule_") for job in jobs}
    assert rules == RULES, jobs
    assert {job["State"] for job in jobs} == {"COMPLETED"}, jobs

    for path in sorted((local / "results").rglob("metrics.json")):
        twin = on_slurm / path.relative_to(local)
        assert twin.read_bytes() == path.read_bytes(), path
    local_summary = (local / "results" / "summary.tsv").read_text()
    assert (on_slurm / "results" / "summary.tsv").read_text() == local_summary
