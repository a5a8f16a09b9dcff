"""Baseline ``kmer_lr``: L2-regularised logistic regression on canonical k-mer counts (scikit-learn).

Each window becomes the counts of its k-mers with a k-mer and its reverse complement counted
as one feature (4**k / 2 features for even k, plus palindromes); k-mers touching an N are
skipped. The regularisation strength C is chosen on the validation split (AUPRC) among the
given values, each fitted on the training split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from bindscope.io import load_npz
from bindscope.scoring import load_controls, write_evaluation


def canonical_columns(k: int) -> tuple[np.ndarray, int]:
    """Column of each of the 4**k k-mer indices (base 4, first base most significant) after
    collapsing reverse complements, and the number of columns."""
    idx = np.arange(4**k)
    digits = (idx[:, None] // 4 ** np.arange(k - 1, -1, -1)) % 4  # (4**k, k)
    rc = ((3 - digits[:, ::-1]) * 4 ** np.arange(k - 1, -1, -1)).sum(axis=1)
    canonical = np.minimum(idx, rc)
    _, column = np.unique(canonical, return_inverse=True)
    return column, int(column.max()) + 1


def kmer_counts(x: np.ndarray, k: int, chunk: int = 4096) -> sparse.csr_matrix:
    """Canonical k-mer counts of one-hot windows x (N, 4, L): sparse (N, n_columns) float32.

    Counted ``chunk`` windows at a time, so the dense intermediates stay at a few times
    ``chunk * L`` integers however many windows there are.
    """
    column, n_columns = canonical_columns(k)
    if x.shape[2] < k or len(x) == 0:
        return sparse.csr_matrix((len(x), n_columns), dtype=np.float32)
    parts = [_chunk_counts(x[i : i + chunk], k, column, n_columns) for i in range(0, len(x), chunk)]
    return sparse.vstack(parts, format="csr")


def _chunk_counts(x: np.ndarray, k: int, column: np.ndarray, n_columns: int) -> sparse.csr_matrix:
    n = len(x)
    codes = x.argmax(axis=1).astype(np.int64)  # (N, L)
    valid = x.any(axis=1)
    windows = np.lib.stride_tricks.sliding_window_view(codes, k, axis=1)  # (N, L-k+1, k)
    index = windows @ (4 ** np.arange(k - 1, -1, -1))
    ok = np.lib.stride_tricks.sliding_window_view(valid, k, axis=1).all(axis=2)
    rows = np.broadcast_to(np.arange(n)[:, None], index.shape)[ok]
    counts = sparse.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, column[index[ok]])), shape=(n, n_columns))
    return counts.tocsr()  # duplicates summed


def fit_kmer_lr(
    train_x: sparse.csr_matrix, train_y: np.ndarray, val_x: sparse.csr_matrix, val_y: np.ndarray, cs: list[float], seed: int = 0
) -> tuple[LogisticRegression, dict[float, float]]:
    """The model (fitted on train) whose C gives the best validation AUPRC, and the AUPRC of every C."""
    scores, best = {}, None
    for c in cs:
        model = LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(train_x, train_y)
        scores[c] = float(average_precision_score(val_y, model.predict_proba(val_x)[:, 1]))
        if best is None or scores[c] > scores[best[0]]:
            best = (c, model)
    return best[1], scores


def run(
    train: str,
    val: str,
    test: str,
    controls: str,
    out: dict[str, str],
    *,
    k: int,
    cs: list[float],
    threshold: float,
    seed: int,
    fold: int | None = None,
) -> None:
    """Fit on train, choose C among ``cs`` on val, and write the evaluation files ``out`` for the test windows and their ``controls``
    (``fold``: the fold of a run with windows.folds > 1)."""
    data = {split: load_npz(path) for split, path in (("train", train), ("val", val), ("test", test))}
    features = {split: kmer_counts(d["x"], k) for split, d in data.items()}
    model, val_auprc = fit_kmer_lr(features["train"], data["train"]["y"], features["val"], data["val"]["y"], cs, seed)
    prob = model.predict_proba(features["test"])[:, 1]
    control_prob = {kind: model.predict_proba(kmer_counts(x, k))[:, 1] for kind, x in load_controls(controls).items()}
    print(f"kmer_lr k={k}: {features['train'].shape[1]} features; validation AUPRC by C {val_auprc}; chosen C={model.C}")
    extra = {"k": k, "C": model.C, "val_auprc_by_C": {str(c): v for c, v in val_auprc.items()}}
    write_evaluation(
        "kmer_lr", data["test"], prob, out, split=Path(test).stem, threshold=threshold, controls=control_prob, extra=extra, fold=fold
    )
