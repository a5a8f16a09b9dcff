"""Same config and seed on CPU: byte-identical metrics.json and identical predictions."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from bindscope import evaluate, train
from bindscope.io import save_encoded
from bindscope.sequence import one_hot_codes


def _splits(folder, rng):
    for split, n in (("train", 200), ("val", 60), ("test", 60)):
        codes = rng.integers(0, 4, (n, 50)).astype(np.uint8)
        y = (np.arange(n) % 2).astype(np.uint8)
        y_base = np.zeros((n, 50), np.uint8)
        for i in np.flatnonzero(y):
            codes[i, 20:28] = [3, 3, 0, 1, 1, 1, 2, 3]
            y_base[i, 20:28] = 1
        save_encoded(folder / f"{split}.npz", x=one_hot_codes(codes), y=y, y_base=y_base, chrom=np.array(["c"] * n), start=np.arange(n))


def _train_and_evaluate(data, out, model: str) -> tuple[bytes, bytes]:
    params = {"cnn": {"n_filters": 8, "n_filters2": 8}, "unet": {"channels": [4, 8]}}[model]
    train.run(
        str(data / "train.npz"),
        str(data / "val.npz"),
        model,
        str(out / "model.ckpt"),
        str(out / "log.csv"),
        str(out / "hparams.yaml"),
        model_params=params,
        max_epochs=3,
        threads=2,  # as the workflow trains (rule train: threads 2)
        seed=3,
    )
    evaluate.run(str(out / "model.ckpt"), str(data / "test.npz"), str(out / "eval"))
    return (out / "eval" / "metrics.json").read_bytes(), gzip.decompress((out / "eval" / "predictions.tsv.gz").read_bytes())


@pytest.mark.parametrize("model", ["cnn", "unet"])
def test_same_seed_same_result(tmp_path, model):
    _splits(tmp_path, np.random.default_rng(0))
    first = _train_and_evaluate(tmp_path, tmp_path / "a", model)
    second = _train_and_evaluate(tmp_path, tmp_path / "b", model)
    assert first[0] == second[0]  # metrics.json, byte for byte
    assert first[1] == second[1]  # every window's score
    assert (tmp_path / "a" / "log.csv").read_text() == (tmp_path / "b" / "log.csv").read_text()
