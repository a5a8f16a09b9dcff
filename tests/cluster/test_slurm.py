"""The demo submitted to a real single-node SLURM cluster with profiles/slurm: every rule runs as a
SLURM job (sacct: COMPLETED) and the metrics equal a local run's with the same seed.

The node has no GPU, so the test runs a copy of profiles/slurm without the GPU requests and with
memory and threads capped to the node (slurm_cluster.node_profile; everything else as shipped);
tests/test_profiles.py checks the sbatch GPU flag the shipped profile produces.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from slurm_cluster import SlurmCluster, missing_programs, node_profile

from conftest import demo_workdir, reb1_data_available, snakemake_command

pytestmark = pytest.mark.cluster
REPO = Path(__file__).resolve().parents[2]
# The demo, one TF and one model: every rule of the workflow, in a few minutes. The session's
# demo run (every TF and model, locally) is the reference.
CONFIG = ("tfs=[CTCF]", "models=[cnn]")
RULES = {"demo", "motif_db", "validate", "regions", "encode", "train", "evaluate", "pwm_scan", "kmer_lr", "interpret",
         "compare_methods", "motif_kernels", "motifs", "motifs_gradient", "saliency_maps", "tracks", "report", "summary"}  # fmt: skip


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


def test_demo_on_slurm_equals_local_run(cluster, request, tmp_path):
    on_slurm = demo_workdir(tmp_path / "slurm")
    profile = node_profile(REPO / "profiles" / "slurm", tmp_path / "profile", cluster.cpus, cluster.memory_mb)
    cmd = snakemake_command(on_slurm, "--workflow-profile", str(profile), "--jobs", "4", config=CONFIG, cores=None)
    log = tmp_path / "slurm.log"
    with open(log, "w") as out:
        submitted = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=cluster.env)
        # The local reference runs meanwhile when no test has asked for it yet (and then the Reb1
        # run other tests read): SLURM jobs spend much of their time waiting for the scheduler's
        # status checks, not computing.
        try:
            demo_run = request.getfixturevalue("demo_run")
            if submitted.poll() is None and reb1_data_available():
                request.getfixturevalue("reb1_run")
            code = submitted.wait(timeout=1200)
        finally:
            if submitted.poll() is None:
                submitted.kill()
    assert code == 0, log.read_text()[-5000:]

    jobs = cluster.sacct()
    rules = {job["Comment"].split("_wildcards")[0].removeprefix("rule_") for job in jobs}
    assert rules == RULES, jobs
    assert {job["State"] for job in jobs} == {"COMPLETED"}, jobs

    metrics = sorted((on_slurm / "results").rglob("metrics.json"))
    assert len(metrics) == 3  # cnn, pwm_scan, kmer_lr
    for path in metrics:
        assert path.read_bytes() == (demo_run / path.relative_to(on_slurm)).read_bytes(), path
    summary = pd.read_csv(on_slurm / "results" / "summary.tsv", sep="\t")
    local = pd.read_csv(demo_run / "results" / "summary.tsv", sep="\t").merge(summary[["tf", "model"]])
    pd.testing.assert_frame_equal(summary, local)
