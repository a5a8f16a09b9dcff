from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from bindscope.baselines.kmer_lr import canonical_columns, fit_kmer_lr, kmer_counts
from bindscope.sequence import one_hot_codes


@pytest.mark.parametrize(("k", "n"), [(1, 2), (2, 10), (3, 32), (4, 136)])
def test_canonical_column_counts(k, n):
    column, n_columns = canonical_columns(k)
    assert n_columns == n and len(column) == 4**k


def _canonical(kmer: str) -> str:
    rc = kmer[::-1].translate(str.maketrans("ACGT", "TGCA"))
    return min(kmer, rc)


def test_counts_equal_a_python_count_with_strands_collapsed_and_n_skipped():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, (6, 25)).astype(np.uint8)
    counts = kmer_counts(one_hot_codes(codes), 3).toarray()
    column, _ = canonical_columns(3)
    for row, seq in zip(counts, codes, strict=True):
        text = "".join("ACGTN"[c] for c in seq)
        expected = Counter(_canonical(text[i : i + 3]) for i in range(len(text) - 2) if "N" not in text[i : i + 3])
        got = {kmer: row[column[int("".join(str("ACGT".index(b)) for b in kmer), 4)]] for kmer in expected}
        assert got == dict(expected) and row.sum() == sum(expected.values())


def test_counts_in_chunks_equal_counts_at_once():
    x = one_hot_codes(np.random.default_rng(1).integers(0, 5, (11, 40)).astype(np.uint8))
    whole, chunked = kmer_counts(x, 4, chunk=len(x)), kmer_counts(x, 4, chunk=3)
    assert chunked.shape == whole.shape and (chunked != whole).nnz == 0
    np.testing.assert_array_equal(chunked.indices, whole.indices)
    assert kmer_counts(x[:0], 4).shape == (0, whole.shape[1])


def _planted(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    codes = rng.integers(0, 4, (n, 80)).astype(np.uint8)
    y = (np.arange(n) % 2).astype(np.uint8)
    for i in np.flatnonzero(y):
        at = rng.integers(0, 72)
        codes[i, at : at + 8] = [3, 3, 0, 1, 1, 1, 2, 3]  # TTACCCGT (REB1 core)
    return one_hot_codes(codes), y


def test_logistic_regression_learns_a_planted_kmer_and_picks_c_on_validation():
    rng = np.random.default_rng(1)
    (xt, yt), (xv, yv), (xs, ys) = (_planted(n, rng) for n in (300, 100, 100))
    model, by_c = fit_kmer_lr(kmer_counts(xt, 4), yt, kmer_counts(xv, 4), yv, [0.001, 0.1, 10.0])
    assert set(by_c) == {0.001, 0.1, 10.0} and model.C == max(by_c, key=by_c.get)
    assert roc_auc_score(ys, model.predict_proba(kmer_counts(xs, 4))[:, 1]) > 0.9
