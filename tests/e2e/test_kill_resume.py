"""A run killed (SIGKILL, as a scheduler or the OOM killer does) during training resumes with
``--rerun-incomplete`` to the same metrics as an uninterrupted run, and leaves no temporary files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TARGET = "results/CTCF/eval/cnn/metrics.json"
# One TF, one model, no baselines: the shortest path through training to metrics.
CONFIG = ["tfs=[CTCF]", "models=[cnn]", "baselines=[]"]


def snakemake_cmd(workdir: Path, *args: str) -> list[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2"]
    return [*cmd, *args, "--configfile", str(REPO / "config" / "config.yaml"), "--config", *CONFIG]


def new_workdir(root: Path) -> Path:
    root.mkdir()
    (root / "config").mkdir()
    shutil.copy(REPO / "config" / "samples.tsv", root / "config" / "samples.tsv")
    return root


def wait_for_training(workdir: Path, process: subprocess.Popen, timeout: float = 300) -> Path:
    """Block until the training job has finished an epoch (a checkpoint in its scratch folder); return that folder."""
    models = workdir / "results" / "CTCF" / "models" / "cnn"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before training could be interrupted"
        for scratch in models.glob(".model.ckpt.bindscope-tmpdir.*"):
            if list(scratch.rglob("*.ckpt")):
                return scratch
        time.sleep(0.2)
    raise AssertionError("training did not reach its first checkpoint in time")


def temporaries(workdir: Path) -> list[Path]:
    return [p for p in (workdir / "results").rglob("*") if ".bindscope-tmp." in p.name]


def test_killed_during_training_resumes_to_identical_metrics(tmp_path):
    reference = new_workdir(tmp_path / "reference")
    done = subprocess.run(snakemake_cmd(reference, TARGET), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]

    workdir = new_workdir(tmp_path / "killed")
    log = open(tmp_path / "killed.log", "w")
    process = subprocess.Popen(snakemake_cmd(workdir, TARGET), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        scratch = wait_for_training(workdir, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # Snakemake and its jobs, all at once
        process.wait()
        log.close()
    assert scratch.exists() and not (workdir / "results" / "CTCF" / "models" / "cnn" / "model.ckpt").exists()

    # A plain rerun refuses: Snakemake's lock and incomplete-output records survive the kill.
    refused = subprocess.run(snakemake_cmd(workdir, TARGET), capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "--unlock" in refused.stderr
    unlocked = subprocess.run(snakemake_cmd(workdir, "--unlock"), capture_output=True, text=True, timeout=300)
    assert unlocked.returncode == 0, unlocked.stderr[-3000:]
    resumed = subprocess.run(snakemake_cmd(workdir, TARGET, "--rerun-incomplete"), capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]

    assert (workdir / TARGET).read_bytes() == (reference / TARGET).read_bytes()
    for name in ("predictions.tsv.gz", "curves.tsv"):
        assert (workdir / TARGET).with_name(name).read_bytes() == (reference / TARGET).with_name(name).read_bytes()
    assert temporaries(workdir) == [] and temporaries(reference) == []
