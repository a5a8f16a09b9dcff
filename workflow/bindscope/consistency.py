"""How far a per-base model's genome-wide track agrees with the peaks and with evaluate's centred windows.

A U-Net is evaluated on windows centred on summits, but a user reads its genome-wide track (tracks
stage), where a site may sit anywhere in the tiles. Two measures say whether the track keeps what the
evaluation promised:

- per-base AUROC/AUPRC of the track over every base of the test split, a base labelled bound when
  it lies in a test positive's labelled stretch (encode's ``y_base``: the peak interval or the summit
  +/- a half-width), counted in :class:`BinnedCounts` (fixed memory for any genome);
- agreement with the centred windows on the test positives: the median Pearson correlation of the
  track and the window's per-base probabilities over the same bases, and the distance between the
  two maxima (median, and the share within 20 bp), compared at evaluate's stored precision (float16):
  where a confident answer saturates, every base of its plateau is the maximum, not the first.
"""

from __future__ import annotations

import numpy as np

#: Probability bins of :class:`BinnedCounts` (areas within ~1e-4 of the exact ones on the test data).
BINS = 10_000
#: Maxima of track and centred window closer than this (bp) agree.
NEAR_BP = 20


class BinnedCounts:
    """Counts of bound and unbound bases per probability bin, for areas under the curves of any number of bases."""

    def __init__(self, bins: int = BINS):
        self.bins = bins
        self.bound = np.zeros(bins, dtype=np.int64)
        self.unbound = np.zeros(bins, dtype=np.int64)

    def add(self, prob: np.ndarray, label: np.ndarray) -> None:
        """Count probabilities (any shape, in [0, 1]) with their 0/1 labels."""
        index = np.minimum((np.asarray(prob, dtype=np.float64).ravel() * self.bins).astype(np.int64), self.bins - 1)
        label = np.asarray(label, dtype=bool).ravel()
        self.bound += np.bincount(index[label], minlength=self.bins)
        self.unbound += np.bincount(index[~label], minlength=self.bins)

    def areas(self) -> dict[str, float]:
        """auroc and auprc (average precision) with each bin one threshold; NaN without both classes."""
        n_bound, n_unbound = int(self.bound.sum()), int(self.unbound.sum())
        out = {"bases": n_bound + n_unbound, "bound_bases": n_bound}
        if not n_bound or not n_unbound:
            return out | {"auroc": float("nan"), "auprc": float("nan")}
        tp = np.concatenate([[0], np.cumsum(self.bound[::-1])])  # thresholds from the top bin down
        fp = np.concatenate([[0], np.cumsum(self.unbound[::-1])])
        tpr, fpr = tp / n_bound, fp / n_unbound
        auroc = float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))
        called = tp + fp
        precision = np.divide(tp, called, out=np.ones(len(tp)), where=called > 0)
        auprc = float(np.sum((tpr[1:] - tpr[:-1]) * precision[1:]))
        return out | {"auroc": auroc, "auprc": auprc}


def labelled_intervals(chrom: np.ndarray, start: np.ndarray, y_base: np.ndarray) -> dict[str, np.ndarray]:
    """Per chromosome, sorted merged (start, end) genome intervals (K, 2) of the bases labelled 1 in windows (chrom, start)."""
    out: dict[str, list] = {}
    for c, s, labels in zip(chrom, start, y_base, strict=True):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], labels.astype(np.int8), [0]])))
        out.setdefault(str(c), []).extend(zip(s + edges[0::2], s + edges[1::2], strict=True))
    merged = {}
    for c, pairs in out.items():
        pairs = sorted(pairs)
        rows = [list(pairs[0])] if pairs else []
        for lo, hi in pairs[1:]:
            if lo <= rows[-1][1]:
                rows[-1][1] = max(rows[-1][1], hi)
            else:
                rows.append([lo, hi])
        merged[c] = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
    return merged


def bound(positions: np.ndarray, intervals: np.ndarray | None) -> np.ndarray:
    """Whether each position lies in one of the sorted, disjoint ``intervals`` (K, 2)."""
    if intervals is None or not len(intervals):
        return np.zeros(len(positions), dtype=bool)
    i = np.searchsorted(intervals[:, 0], positions, side="right") - 1
    return (i >= 0) & (positions < intervals[np.maximum(i, 0), 1])


def maxima_distance(track: np.ndarray, centred: np.ndarray) -> int:
    """Distance (bp) between the nearest bases where ``track`` and ``centred`` (L,) reach their maxima.

    Both are compared as float16, the precision evaluate stores per-base probabilities in: its values
    above ~0.9998 are all 1.0, so a saturated core is a plateau of equal maxima, and taking its first
    base (argmax) would measure where the plateau starts rather than where the answers disagree.
    NaN bases of the track (left out by the tiling) are never its maximum.
    """
    t, c = track.astype(np.float16), centred.astype(np.float16)
    top_t, top_c = np.flatnonzero(t == np.nanmax(t)), np.flatnonzero(c == c.max())
    return int(np.abs(top_t[:, None] - top_c[None, :]).min())


def agreement(track: np.ndarray, centred: np.ndarray) -> dict[str, float]:
    """Median correlation and maxima distance of track and centred per-base probabilities, both (N, window).

    Bases the track leaves without a value (NaN: all-N tiles) are left out of a window's correlation.
    """
    corr, distance = [], []
    for t, c in zip(track.astype(np.float64), centred.astype(np.float64), strict=True):
        ok = ~np.isnan(t)
        if ok.sum() > 1 and t[ok].std() > 0 and c[ok].std() > 0:
            corr.append(np.corrcoef(t[ok], c[ok])[0, 1])
        if ok.any():
            distance.append(maxima_distance(t, c))
    distance = np.asarray(distance)
    return {
        "positives": int(len(track)),
        "median_correlation": float(np.median(corr)) if corr else float("nan"),
        "median_maxima_distance": float(np.median(distance)) if len(distance) else float("nan"),
        "maxima_within_20bp": float(np.mean(distance <= NEAR_BP)) if len(distance) else float("nan"),
    }
