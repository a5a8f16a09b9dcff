"""Same config and seed on CPU: byte-identical metrics.json and identical predictions."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bindscope.io import save_encoded
from bindscope.layout import EVALUATION, MODEL
from bindscope.sequence import one_hot_codes
from bindscope.stages import evaluate, train
from conftest import CONFIG, files_in, train_options


def _splits(folder, rng):
    for split, n in (("train", 200), ("val", 60), ("test", 60)):
        codes = rng.integers(0, 4, (n, 50)).astype(np.uint8)
        y = (np.arange(n) % 2).astype(np.uint8)
        y_base = np.zeros((n, 50), np.uint8)
        for i in np.flatnonzero(y):
            codes[i, 20:28] = [3, 3, 0, 1, 1, 1, 2, 3]
            y_base[i, 20:28] = 1
        save_encoded(folder / f"{split}.npz", x=one_hot_codes(codes), y=y, y_base=y_base, chrom=np.array(["c"] * n), start=np.arange(n))
    controls = one_hot_codes(rng.integers(0, 4, (20, 50)).astype(np.uint8))
    save_encoded(folder / "controls.npz", x_shuffled=controls[:10], x_flanks=controls[10:])


def _train_and_evaluate(data, out, model: str) -> tuple[bytes, bytes]:
    params = {"cnn": {"n_filters": 8, "n_filters2": 8}, "unet": {"channels": [4, 8]}}[model]
    files = files_in(out, MODEL)
    settings = train_options(model) | {"model_params": params, "max_epochs": 3, "seed": 3}
    train.run(str(data / "train.npz"), str(data / "val.npz"), model, files, threads=2, **settings)  # threads as in rule train
    scored = files_in(out / "eval", EVALUATION)
    evaluate.run(
        files["ckpt"],
        str(data / "test.npz"),
        str(data / "controls.npz"),
        scored,
        threshold=CONFIG["evaluate"]["threshold"],
        min_segment=CONFIG["evaluate"]["min_segment"],
        threads=1,
    )
    return Path(scored["metrics"]).read_bytes(), gzip.decompress(Path(scored["predictions"]).read_bytes())


@pytest.mark.parametrize("model", ["cnn", "unet"])
def test_same_seed_same_result(tmp_path, model):
    _splits(tmp_path, np.random.default_rng(0))
    first = _train_and_evaluate(tmp_path, tmp_path / "a", model)
    second = _train_and_evaluate(tmp_path, tmp_path / "b", model)
    assert first[0] == second[0]  # metrics.json, byte for byte
    assert first[1] == second[1]  # every window's score
    assert (tmp_path / "a" / "training_log.csv").read_text() == (tmp_path / "b" / "training_log.csv").read_text()
