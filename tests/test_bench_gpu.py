"""bench/gpu/run.py in its reduced mode: the GPU benchmark's code path, on whatever device is here."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def test_reduced_benchmark_times_training_and_attribution_of_both_models(tmp_path):
    out = tmp_path / "gpu.tsv"
    cmd = [sys.executable, str(REPO / "bench" / "gpu" / "run.py"), "--reduced", "--batch-sizes", "16", "--out", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(out, sep="\t")
    assert list(table["model"]) == ["cnn", "unet"]
    assert (table["train_seq_per_s"] > 0).all() and (table["attr_seq_per_s"] > 0).all()
    assert set(table["precision"]) <= {"32-true", "bf16-mixed"}
