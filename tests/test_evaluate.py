"""Stage evaluate: a trained model's test probabilities (both strands), scored and written as its evaluation files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from bindscope import models
from bindscope.errors import InputError
from bindscope.inference import predict_probabilities
from bindscope.io import load_npz, save_encoded
from bindscope.layout import EVALUATION
from bindscope.stages import evaluate
from conftest import files_in, write_checkpoint, write_encoded_split

UNET = {"channels": [4, 8], "kernel_size": 5, "dropout": 0.0}


def controls(path, n: int = 5, length: int = 60) -> str:
    rng = np.random.default_rng(1)
    x = np.eye(4, dtype=np.uint8)[rng.integers(0, 4, (2, n, length))].transpose(0, 1, 3, 2)
    save_encoded(path, x_shuffled=x[0], x_flanks=x[1])
    return str(path)


def test_metrics_are_the_models_probabilities_scored_against_the_labels(tmp_path):
    ckpt = write_checkpoint(tmp_path / "cnn.ckpt")
    split = write_encoded_split(tmp_path / "test.npz")
    out = files_in(tmp_path / "eval", EVALUATION)
    evaluate.run(str(ckpt), str(split), controls(tmp_path / "controls.npz"), out, threshold=0.5, min_segment=3, threads=1)
    data = load_npz(split)
    prob = predict_probabilities(models.load(ckpt)[0], data["x"])
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert metrics["model"] == "cnn" and metrics["split"] == "test"
    assert np.isclose(metrics["auroc"], roc_auc_score(data["y"], prob)) and np.isclose(
        metrics["auprc"], average_precision_score(data["y"], prob)
    )
    assert set(metrics["controls"]) == {"shuffled", "flanks"}
    table = pd.read_csv(out["predictions"], sep="\t")
    assert np.allclose(table["score"], prob, atol=1e-6) and (table["label"] == data["y"]).all()
    assert all((tmp_path / "eval" / name).exists() for name in ("roc.png", "pr.png", "curves.tsv", "predictions.npz"))


def test_a_per_base_model_is_scored_per_base_and_per_sequence(tmp_path):
    ckpt = write_checkpoint(tmp_path / "unet.ckpt", "unet", UNET)
    split = write_encoded_split(tmp_path / "test.npz")
    out = files_in(tmp_path / "eval", EVALUATION)
    evaluate.run(str(ckpt), str(split), controls(tmp_path / "controls.npz"), out, threshold=0.5, min_segment=3, threads=1)
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    arrays = load_npz(out["arrays"])
    assert metrics["model"] == "unet" and "base_auprc" in metrics and arrays["base_probability"].shape == (20, 60)
    assert np.allclose(arrays["score"], arrays["base_probability"].astype(np.float32).max(axis=1), atol=1e-3)


def test_windows_of_another_length_than_the_models_are_refused(tmp_path):
    ckpt = write_checkpoint(tmp_path / "cnn.ckpt", window=80)
    split = write_encoded_split(tmp_path / "test.npz")
    with pytest.raises(InputError, match=r"test.npz: windows of 60 bp, but the model .*cnn.ckpt reads 80 bp"):
        evaluate.run(
            str(ckpt), str(split), controls(tmp_path / "c.npz"), files_in(tmp_path, EVALUATION), threshold=0.5, min_segment=3, threads=1
        )
