"""bench/gpu/run.py in its reduced mode: the GPU benchmark's code path, on whatever device is here."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

REPO = Path(__file__).resolve().parents[1]


def test_reduced_benchmark_times_training_and_attribution_of_both_models(tmp_path):
    out = tmp_path / "gpu.tsv"
    cmd = [sys.executable, str(REPO / "bench" / "gpu" / "run.py"), "--reduced", "--batch-sizes", "16", "--out", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(out, sep="\t")
    assert list(table["model"]) == ["cnn", "unet"] and list(table["batch_size"]) == [16, 16]
    # the reduced mode times 5 steps after 2 warm-up steps, and attributes 8 positives, per model
    assert list(table["timed_steps"]) == [5, 5] and list(table["attr_sequences"]) == [8, 8]
    rates = table[["train_seq_per_s", "attr_seq_per_s"]].to_numpy()
    assert np.isfinite(rates).all() and (rates > 0).all()
    on_gpu = torch.cuda.is_available()
    assert set(table["precision"]) == {"bf16-mixed" if on_gpu and torch.cuda.is_bf16_supported() else "32-true"}  # train.precision auto
    assert table["gpu_peak_mb"].notna().all() == on_gpu
    assert table["device"].iloc[0].startswith("CPU") != on_gpu
