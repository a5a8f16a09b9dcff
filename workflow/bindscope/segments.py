"""Per-base calls to segments: thresholding, connected-component clean-up, overlap scores.

The 1D counterpart of the connected-component clean-up of segmentation masks: each row of an
(N, L) boolean array is split into runs of consecutive True bases (scipy.ndimage.label with a
structure that connects neighbours along the sequence only, never across rows), and runs
shorter than ``min_segment`` bases are dropped.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: Connects base i to i - 1 and i + 1 of the same sequence only.
_ALONG_SEQUENCE = np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]], dtype=bool)


def label_segments(calls: np.ndarray) -> tuple[np.ndarray, int]:
    """Number each run of True bases per row; (N, L) int labels (0 = background) and the count."""
    calls = np.atleast_2d(np.asarray(calls, dtype=bool))
    return ndimage.label(calls, structure=_ALONG_SEQUENCE)


def remove_short_segments(calls: np.ndarray, min_segment: int) -> np.ndarray:
    """``calls`` (N, L) bool without the runs shorter than ``min_segment`` bases."""
    labels, n = label_segments(calls)
    if n == 0 or min_segment <= 1:
        return labels > 0
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    keep = sizes >= min_segment
    keep[0] = False
    return keep[labels]


def overlap_scores(calls: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """IoU and Dice of predicted and true bases, pooled over all sequences, and base precision/recall.

    IoU = |P and T| / |P or T|, Dice = 2 |P and T| / (|P| + |T|); NaN when both are empty.
    """
    p, t = np.asarray(calls, dtype=bool), np.asarray(truth, dtype=bool)
    inter, n_p, n_t = int((p & t).sum()), int(p.sum()), int(t.sum())
    union = n_p + n_t - inter
    return {
        "iou": inter / union if union else float("nan"),
        "dice": 2 * inter / (n_p + n_t) if n_p + n_t else float("nan"),
        "base_precision": inter / n_p if n_p else float("nan"),
        "base_recall": inter / n_t if n_t else float("nan"),
    }


def segment_counts(calls: np.ndarray) -> np.ndarray:
    """Number of segments per row, (N,) int."""
    labels, n = label_segments(calls)
    if n == 0:
        return np.zeros(len(labels), dtype=int)
    first = np.zeros_like(labels, dtype=bool)  # each segment's first base
    first[:, 0] = labels[:, 0] > 0
    first[:, 1:] = (labels[:, 1:] > 0) & (labels[:, 1:] != labels[:, :-1])
    return first.sum(axis=1)
