import json

import numpy as np
import pandas as pd

from bindscope import models
from bindscope.evaluate import binary_metrics, predict
from bindscope.io import save_encoded
from bindscope.sequence import one_hot_codes
from bindscope.train import run

MOTIF = np.array([2, 0, 3, 0, 1, 0, 2, 2], dtype=np.uint8)  # GATACAGG


def _split(path, n, rng):
    codes = rng.integers(0, 4, (n, 60)).astype(np.uint8)
    y = (np.arange(n) % 2).astype(np.uint8)
    for i in np.flatnonzero(y):
        at = rng.integers(10, 42)
        codes[i, at : at + 8] = MOTIF
    save_encoded(path, x=one_hot_codes(codes), y=y, y_base=np.zeros((n, 60), np.uint8), chrom=np.array(["c"] * n), start=np.arange(n))


def test_cnn_learns_a_planted_motif(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 400), ("val", 100), ("test", 100)):
        _split(tmp_path / f"{split}.npz", n, rng)
    out = tmp_path / "m"
    run(
        str(tmp_path / "train.npz"),
        str(tmp_path / "val.npz"),
        "cnn",
        str(out / "model.ckpt"),
        str(out / "log.csv"),
        str(out / "hparams.yaml"),
        model_params={"n_filters": 8, "n_filters2": 8},
        lr=1e-2,
        max_epochs=25,
        patience=25,
        seed=0,
    )
    log = pd.read_csv(out / "log.csv")
    assert {"epoch", "train_loss", "val_auprc", "val_auroc"} <= set(log.columns) and len(log) >= 1
    assert "model_name: cnn" in (out / "hparams.yaml").read_text()
    model, hparams = models.load(out / "model.ckpt")
    assert hparams["model_params"]["input_length"] == 60
    data = np.load(tmp_path / "test.npz")
    assert binary_metrics(data["y"], predict(model, data["x"]))["auroc"] > 0.95
    assert not list(out.glob(".*"))  # no temporary files left
    json.dumps(hparams)  # hyper-parameters are plain data
