import numpy as np
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, matthews_corrcoef, roc_auc_score, roc_curve

from bindscope.figures import curve_figure, save_figure
from bindscope.layout import EVALUATION
from bindscope.scoring import (
    binary_metrics,
    control_metrics,
    curve_table,
    per_base_metrics,
    sequence_scores,
    summit_distances,
    write_evaluation,
)
from conftest import files_in


def test_metrics_equal_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    score = np.clip(y * 0.3 + rng.random(300) * 0.7, 0, 1).astype(np.float32)
    m = binary_metrics(y, score, threshold=0.5)
    pred = score >= 0.5
    assert m["n"] == 300 and m["n_positive"] == int(y.sum())
    np.testing.assert_allclose(m["accuracy"], accuracy_score(y, pred), atol=1e-6)
    np.testing.assert_allclose(m["auroc"], roc_auc_score(y, score), atol=1e-6)
    np.testing.assert_allclose(m["auprc"], average_precision_score(y, score), atol=1e-6)
    np.testing.assert_allclose(m["f1"], f1_score(y, pred), atol=1e-6)
    np.testing.assert_allclose(m["mcc"], matthews_corrcoef(y, pred), atol=1e-6)


def test_known_vector():
    m = binary_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9]), threshold=0.5)
    assert m["auroc"] == 0.75 and m["accuracy"] == 0.5


def test_single_class_gives_nan_areas():
    m = binary_metrics(np.ones(5, dtype=int), np.full(5, 0.9), threshold=0.5)
    assert np.isnan(m["auroc"]) and np.isnan(m["auprc"]) and m["accuracy"] == 1.0


def test_curves_are_written(tmp_path):
    y = np.array([0, 1] * 20)
    score = np.linspace(0, 1, 40)
    curves = curve_table(y, score)
    assert set(curves["curve"]) == {"roc", "pr"} and curves[["x", "y"]].to_numpy().min() >= 0
    metrics = binary_metrics(y, score, threshold=0.5)
    for kind in ("roc", "pr"):
        save_figure(curve_figure(kind, {"cnn": curves}, {"cnn": metrics}, metrics["positive_fraction"]), tmp_path / f"{kind}.png")
        assert (tmp_path / f"{kind}.png").read_bytes()[:4] == b"\x89PNG"


def test_roc_points_equal_scikit_learn():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    score = (y * 0.4 + rng.random(200) * 0.6).round(3)
    roc = curve_table(y, score).query("curve == 'roc'")
    fpr, tpr, _ = roc_curve(y, score, drop_intermediate=False)
    assert np.trapezoid(roc["y"], roc["x"]) == pytest.approx(np.trapezoid(tpr, fpr), abs=1e-6)


def _per_base_case():
    """3 windows of 10 bp: two positives with labelled stretches, one negative."""
    y = np.array([1, 1, 0])
    y_base = np.zeros((3, 10), dtype=np.uint8)
    y_base[0, 3:7] = 1
    y_base[1, 0:2] = 1
    prob = np.full((3, 10), 0.1)
    prob[0, 2:7] = [0.6, 0.9, 0.8, 0.7, 0.4]  # one 4-base segment overlapping 3 labelled bases
    prob[1, 8] = 0.95  # a 1-base false call
    prob[2, 5:7] = 0.6  # a 2-base false call in the negative
    return y, y_base, prob


def test_per_base_metrics_equal_scikit_learn_on_known_vectors():
    y, y_base, prob = _per_base_case()
    m = per_base_metrics(y, y_base, prob, threshold=0.5, min_segment=1)
    assert m["base_auroc"] == pytest.approx(roc_auc_score(y_base.ravel(), prob.ravel()))
    assert m["base_auprc"] == pytest.approx(average_precision_score(y_base.ravel(), prob.ravel()))
    called = prob >= 0.5
    inter, union = (called & (y_base == 1)).sum(), (called | (y_base == 1)).sum()
    assert m["iou"] == pytest.approx(inter / union) == pytest.approx(3 / 10)
    assert m["dice"] == pytest.approx(2 * inter / (called.sum() + y_base.sum()))
    assert m["before_postprocessing"]["sequence_accuracy"] == pytest.approx(2 / 3)  # the negative is called


def test_postprocessing_drops_short_segments_and_reports_both():
    y, y_base, prob = _per_base_case()
    m = per_base_metrics(y, y_base, prob, threshold=0.5, min_segment=3)
    before, after = m["before_postprocessing"], m["after_postprocessing"]
    assert before["iou"] == pytest.approx(3 / 10) and after["iou"] == pytest.approx(3 / 7)  # 4 called, 6 labelled, 3 shared
    assert m["iou"] == after["iou"]
    assert after["sequence_accuracy"] == pytest.approx(2 / 3)  # negative cleared, positive 2 lost
    assert before["segments_per_negative"] == 1 and after["segments_per_negative"] == 0
    assert m["summit_distance_median"] == pytest.approx(np.median([abs(3 - 5), abs(8 - 5)]))


def test_sequence_score_of_a_per_base_model_is_its_maximum():
    prob = np.array([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]])
    assert sequence_scores(prob).tolist() == [0.7, 0.4]
    assert summit_distances(prob, np.array([1, 0])).tolist() == [0]


def test_control_metrics_score_the_test_positives_against_each_kind():
    rng = np.random.default_rng(0)
    y = np.array([1] * 50 + [0] * 50)
    score = np.where(y == 1, 0.6 + 0.4 * rng.random(100), 0.5 * rng.random(100))
    shuffled = 0.5 * rng.random(50)  # below every positive: a model that learnt the motif
    flanks = np.zeros((30, 20))
    flanks[:, 3] = score[:30]  # per-base: the maximum scores the window, here a copy of positives' scores
    out = control_metrics(y, score, {"shuffled": shuffled, "flanks": flanks}, threshold=0.5)
    assert out["shuffled"] == {"n_negative": 50, "auroc": 1.0, "auprc": 1.0}
    labels = np.r_[np.ones(50), np.zeros(30)]
    both = np.r_[score[:50], score[:30]]
    np.testing.assert_allclose(out["flanks"]["auroc"], roc_auc_score(labels, both), atol=1e-6)
    np.testing.assert_allclose(out["flanks"]["auprc"], average_precision_score(labels, both), atol=1e-6)
    assert np.isnan(control_metrics(y, score, {"flanks": np.zeros(0)}, 0.5)["flanks"]["auroc"])  # no flank kept


def test_write_evaluation_puts_the_control_metrics_in_metrics_json(tmp_path):
    import json

    y = np.array([1, 1, 0, 0], np.uint8)
    data = {"y": y, "x": np.zeros((4, 4, 10), np.uint8), "chrom": np.array(["c"] * 4), "start": np.arange(4)}
    paths = files_in(tmp_path, EVALUATION)
    write_evaluation("m", data, np.array([0.9, 0.8, 0.1, 0.2]), paths, split="test", threshold=0.5, controls={"shuffled": np.array([0.85])})
    metrics = json.loads(open(paths["metrics"]).read())
    assert metrics["controls"] == {"shuffled": {"n_negative": 1, "auroc": 0.5, "auprc": pytest.approx(5 / 6)}}
