"""A run killed (SIGKILL, as a scheduler or the OOM killer does) during training resumes with
``--rerun-incomplete`` to the same metrics as the uninterrupted demo run, and leaves no temporary files."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import demo_workdir, snakemake_command

pytestmark = pytest.mark.e2e
TARGET = "results/CTCF/eval/cnn/metrics.json"
# One TF, one model, no baselines: the shortest path through training to metrics, which the
# session's demo run (every TF, model and baseline) computes the same way.
CONFIG = ("tfs=[CTCF]", "models=[cnn]", "baselines=[]")


def command(workdir: Path, *args: str) -> list[str]:
    return snakemake_command(workdir, *args, config=CONFIG)


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


def test_killed_during_training_resumes_to_identical_metrics(demo_run, tmp_path):
    workdir = demo_workdir(tmp_path / "killed")
    log = open(tmp_path / "killed.log", "w")
    process = subprocess.Popen(command(workdir, TARGET), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        scratch = wait_for_training(workdir, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # Snakemake and its jobs, all at once
        process.wait()
        log.close()
    assert scratch.exists() and not (workdir / "results" / "CTCF" / "models" / "cnn" / "model.ckpt").exists()

    # A plain rerun refuses: Snakemake's lock and incomplete-output records survive the kill.
    refused = subprocess.run(command(workdir, TARGET), capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "--unlock" in refused.stderr
    unlocked = subprocess.run(command(workdir, "--unlock"), capture_output=True, text=True, timeout=300)
    assert unlocked.returncode == 0, unlocked.stderr[-3000:]
    resumed = subprocess.run(command(workdir, TARGET, "--rerun-incomplete"), capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]

    reference = demo_run / TARGET
    assert (workdir / TARGET).read_bytes() == reference.read_bytes()
    for name in ("predictions.tsv.gz", "curves.tsv"):
        assert (workdir / TARGET).with_name(name).read_bytes() == reference.with_name(name).read_bytes()
    assert temporaries(workdir) == [] and temporaries(demo_run) == []
