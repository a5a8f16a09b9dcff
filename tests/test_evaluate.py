import numpy as np
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, matthews_corrcoef, roc_auc_score

from bindscope.evaluate import binary_metrics, plot_curves


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
    m = binary_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9]))
    assert m["auroc"] == 0.75 and m["accuracy"] == 0.5


def test_single_class_gives_nan_areas():
    m = binary_metrics(np.ones(5, dtype=int), np.full(5, 0.9))
    assert np.isnan(m["auroc"]) and np.isnan(m["auprc"]) and m["accuracy"] == 1.0


def test_curves_are_written(tmp_path):
    y = np.array([0, 1] * 20)
    score = np.linspace(0, 1, 40)
    plot_curves(y, score, binary_metrics(y, score), str(tmp_path / "roc.png"), str(tmp_path / "pr.png"), "cnn")
    for name in ("roc.png", "pr.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
