"""The pool_folds stage: the folds' evaluations scored together, with each fold's metrics and their mean and sd."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from bindscope.layout import CONTROL_KINDS, EVALUATION
from bindscope.scoring import write_evaluation
from bindscope.stages import pool_folds
from conftest import files_in

LENGTH = 50


def fold_evaluation(folder, fold: int, per_base: bool, rng) -> dict:
    """A fold's evaluation files of random scores (30 windows, a third positive), as evaluate writes them with --fold."""
    n = 30
    y = (np.arange(n) % 3 == 0).astype(np.uint8)
    data = {"chrom": np.array([f"chr{fold + 1}"] * n), "start": np.arange(n) * 1000, "y": y, "x": np.zeros((n, 4, LENGTH), np.uint8)}
    if per_base:
        data["y_base"] = np.repeat(y[:, None], LENGTH, axis=1)
        prob = rng.random((n, LENGTH)).astype(np.float32) * (0.5 + 0.5 * y[:, None])
    else:
        prob = (rng.random(n) * (0.6 + 0.4 * y)).astype(np.float32)
    controls = {kind: rng.random((8, LENGTH) if per_base else 8).astype(np.float32) for kind in CONTROL_KINDS}
    paths = files_in(folder / f"fold{fold}", EVALUATION)
    options = {"min_segment": 3} if per_base else {}
    write_evaluation("m", data, prob, paths, split="test", threshold=0.5, controls=controls, fold=fold, **options)
    return paths


@pytest.mark.parametrize("per_base", [False, True])
def test_pooled_metrics_score_every_fold_window_together_and_list_each_fold(tmp_path, per_base):
    rng = np.random.default_rng(0)
    folds = [fold_evaluation(tmp_path, f, per_base, rng) for f in range(3)]
    out = files_in(tmp_path / "pooled", EVALUATION)
    pool_folds.run([f["arrays"] for f in folds], [f["metrics"] for f in folds], out, threshold=0.5, min_segment=3)
    pooled = json.loads((tmp_path / "pooled" / "metrics.json").read_text())
    tables = [pd.read_csv(f["predictions"], sep="\t") for f in folds]
    together = pd.concat(tables, ignore_index=True)
    assert pooled["n"] == len(together) == 90
    assert pooled["auroc"] == pytest.approx(roc_auc_score(together["label"], together["score"]), abs=1e-5)
    assert pooled["auprc"] == pytest.approx(average_precision_score(together["label"], together["score"]), abs=1e-5)
    written = pd.read_csv(out["predictions"], sep="\t")
    pd.testing.assert_frame_equal(written, together)
    each = [json.loads(open(f["metrics"]).read()) for f in folds]
    stats = pooled["folds"]
    assert stats["k"] == 3 and stats["n_test"] == [30, 30, 30]
    aurocs = [m["auroc"] for m in each]
    assert stats["per_fold"]["auroc"] == aurocs
    assert stats["mean"]["auroc"] == pytest.approx(np.mean(aurocs)) and stats["sd"]["auroc"] == pytest.approx(np.std(aurocs, ddof=1))
    assert stats["per_fold"]["auroc_shuffled"] == [m["controls"]["shuffled"]["auroc"] for m in each]
    assert pooled["controls"]["flanks"]["n_negative"] == 24
    assert ("base_auprc" in stats["mean"]) == per_base


def test_folds_given_out_of_order_are_refused(tmp_path):
    rng = np.random.default_rng(0)
    folds = [fold_evaluation(tmp_path, f, False, rng) for f in range(3)]
    order = [folds[1], folds[0], folds[2]]
    with pytest.raises(ValueError, match="the evaluation of fold 1, given as fold 0"):
        pool_folds.run([f["arrays"] for f in order], [f["metrics"] for f in order], files_in(tmp_path / "p", EVALUATION),
                       threshold=0.5, min_segment=3)  # fmt: skip


def test_an_evaluation_without_a_fold_is_not_pooled(tmp_path):
    rng = np.random.default_rng(0)
    folds = [fold_evaluation(tmp_path, f, False, rng) for f in range(2)]
    one = files_in(tmp_path / "one", EVALUATION)
    data = {"chrom": np.array(["chr9"] * 4), "start": np.arange(4), "y": np.array([0, 1, 0, 1], np.uint8), "x": np.zeros((4, 4, LENGTH))}
    write_evaluation(
        "m", data, np.full(4, 0.5, np.float32), one, split="test", threshold=0.5, controls={k: np.zeros(2) for k in CONTROL_KINDS}
    )
    with pytest.raises(ValueError, match="not a fold evaluation"):
        pool_folds.run([folds[0]["arrays"], folds[1]["arrays"], one["arrays"]], [f["metrics"] for f in folds] + [one["metrics"]],
                       files_in(tmp_path / "p", EVALUATION), threshold=0.5, min_segment=3)  # fmt: skip
