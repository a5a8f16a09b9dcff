"""Scores of a model's or baseline's probabilities on labelled windows, and its evaluation files (torchmetrics).

Shared by the evaluate stage and the baselines, so that every model is scored and written the same way.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torchmetrics.functional.classification import (
    binary_accuracy,
    binary_auroc,
    binary_average_precision,
    binary_f1_score,
    binary_matthews_corrcoef,
    binary_precision_recall_curve,
    binary_roc,
)

from bindscope.figures import curve_figure, save_figure
from bindscope.inference import sequence_scores
from bindscope.io import load_npz, save_encoded, write_json, write_table
from bindscope.layout import CONTROL_KINDS, EVALUATION, check_outputs
from bindscope.segments import overlap_scores, remove_short_segments, segment_counts


def binary_metrics(y_true: np.ndarray, y_score: np.ndarray, threshold: float) -> dict[str, float]:
    """accuracy, auroc, auprc (average precision), f1, mcc at ``threshold``, n and positive fraction."""
    preds, target = torch.as_tensor(y_score, dtype=torch.float32), torch.as_tensor(y_true).long()
    both = 0 < int(target.sum()) < len(target)
    return {
        "n": int(len(target)),
        "n_positive": int(target.sum()),
        "positive_fraction": float(target.float().mean()) if len(target) else math.nan,
        "accuracy": float(binary_accuracy(preds, target, threshold=threshold)),
        "auroc": float(binary_auroc(preds, target)) if both else math.nan,
        "auprc": float(binary_average_precision(preds, target)) if both else math.nan,
        "f1": float(binary_f1_score(preds, target, threshold=threshold)),
        "mcc": float(binary_matthews_corrcoef(preds, target, threshold=threshold)),
        "threshold": threshold,
    }


def curve_table(y_true: np.ndarray, y_score: np.ndarray) -> pd.DataFrame:
    """ROC (x = false positive rate, y = true positive rate) and PR (x = recall, y = precision) points."""
    preds, target = torch.as_tensor(y_score, dtype=torch.float32), torch.as_tensor(y_true).long()
    fpr, tpr, _ = binary_roc(preds, target)
    precision, recall, _ = binary_precision_recall_curve(preds, target)
    return pd.concat(
        [
            pd.DataFrame({"curve": "roc", "x": fpr.numpy(), "y": tpr.numpy()}),
            pd.DataFrame({"curve": "pr", "x": recall.numpy(), "y": precision.numpy()}),
        ],
        ignore_index=True,
    )


def load_controls(path: str | Path) -> dict[str, np.ndarray]:
    """One-hot control negatives of the test positives by kind (:data:`~bindscope.layout.CONTROL_KINDS`) from controls.npz."""
    data = load_npz(path)
    return {kind: data[f"x_{kind}"] for kind in CONTROL_KINDS}


def control_metrics(y: np.ndarray, score: np.ndarray, controls: dict[str, np.ndarray], threshold: float) -> dict[str, dict]:
    """AUROC and AUPRC of the test positives' scores against each kind of control negative.

    ``controls`` maps a kind to its probabilities, (M,) per sequence or (M, L) per base (scored by
    :func:`sequence_scores`, as the test windows are).
    """
    positives = score[y == 1]
    out = {}
    for kind, prob in controls.items():
        negatives = sequence_scores(prob)
        labels = np.concatenate([np.ones(len(positives), np.uint8), np.zeros(len(negatives), np.uint8)])
        scores = binary_metrics(labels, np.concatenate([positives, negatives]), threshold)
        out[kind] = {"n_negative": len(negatives), "auroc": scores["auroc"], "auprc": scores["auprc"]}
    return out


def summit_distances(prob: np.ndarray, y: np.ndarray) -> np.ndarray:
    """|position of the maximum per-base probability - window centre| in bp, for the positives (summit-centred windows)."""
    positive = prob[y == 1]
    return np.abs(positive.argmax(axis=1) - prob.shape[1] // 2)


def segment_metrics(y: np.ndarray, y_base: np.ndarray, calls: np.ndarray) -> dict[str, float]:
    """Overlap of per-base calls with the labels, and the sequence calls they imply (any called base)."""
    called = calls.any(axis=1)
    seq = binary_metrics(y, called.astype(np.float32), threshold=0.5)
    positives = calls[y == 1]
    return {
        **overlap_scores(calls, y_base),
        "sequence_accuracy": seq["accuracy"],
        "sequence_f1": seq["f1"],
        "sequence_mcc": seq["mcc"],
        "segments_per_positive": float(segment_counts(positives).mean()) if len(positives) else math.nan,
        "segments_per_negative": float(segment_counts(calls[y == 0]).mean()) if (y == 0).any() else math.nan,
    }


def per_base_metrics(y: np.ndarray, y_base: np.ndarray, prob: np.ndarray, threshold: float, min_segment: int) -> dict:
    """Per-base metrics of probabilities (N, L) against labels y_base (N, L).

    base_auroc and base_auprc pool all bases; iou and dice are those of the segments left by the
    connected-component clean-up (runs shorter than ``min_segment`` dropped); the same scores
    before and after the clean-up are under ``before_postprocessing`` and ``after_postprocessing``.
    summit_distance_median is the median |output maximum - summit| over the positives.
    """
    base = binary_metrics(y_base.ravel(), prob.ravel(), threshold)
    raw = prob >= threshold
    before = segment_metrics(y, y_base, raw)
    after = segment_metrics(y, y_base, remove_short_segments(raw, min_segment))
    distances = summit_distances(prob, y)
    return {
        "base_auroc": base["auroc"],
        "base_auprc": base["auprc"],
        "base_positive_fraction": base["positive_fraction"],
        "iou": after["iou"],
        "dice": after["dice"],
        "summit_distance_median": float(np.median(distances)) if len(distances) else math.nan,
        "min_segment": min_segment,
        "before_postprocessing": before,
        "after_postprocessing": after,
    }


def write_evaluation(
    name: str,
    data: dict[str, np.ndarray],
    prob: np.ndarray,
    paths: dict[str, str | Path],
    *,
    split: str,
    threshold: float,
    controls: dict[str, np.ndarray],
    min_segment: int | None = None,
    extra: dict | None = None,
    fold: int | None = None,
    score: np.ndarray | None = None,
) -> dict:
    """Score one model's probabilities on an encoded split and write its evaluation files.

    ``paths`` maps every key of :data:`bindscope.layout.EVALUATION` (metrics, predictions, arrays,
    curves, roc, pr) to the file to write; the same files for every model and baseline. ``prob``
    is (N,) per sequence or (N, L) per base (then ``min_segment`` is needed); the arrays file holds
    chrom, start, label and score per window, and for a per-base model ``base_probability``
    (N, L) float16 and ``y_base``. ``controls`` maps each kind of control negative to its
    probabilities (:func:`control_metrics`: metrics.json "controls"). ``extra`` is added to metrics.json.
    A fold's evaluation (``fold``, with windows.folds > 1) records its fold in metrics.json and keeps the
    controls' scores in the arrays file (``control_<kind>``), which the pooled evaluation reads.
    ``score`` gives the sequence scores where they are known (the pooled folds' per-base models),
    instead of :func:`~bindscope.inference.sequence_scores` of ``prob``.
    """
    check_outputs(paths, EVALUATION)
    score = sequence_scores(prob) if score is None else score
    metrics = {"model": name, "split": split, **binary_metrics(data["y"], score, threshold)}
    per_base = {}
    if prob.ndim == 2:
        if min_segment is None:
            raise ValueError("a per-base model's evaluation needs min_segment")
        metrics.update(per_base_metrics(data["y"], data["y_base"], prob, threshold, min_segment))
        per_base = {"base_probability": prob.astype(np.float16), "y_base": data["y_base"]}
    metrics["controls"] = control_metrics(data["y"], score, controls, threshold)
    metrics.update(extra or {})
    end = data["end"] if "end" in data else data["start"] + data["x"].shape[-1]
    if fold is not None:
        metrics["fold"] = fold
        per_base |= {f"control_{kind}": sequence_scores(p) for kind, p in controls.items()} | {"end": end}
    write_table(
        pd.DataFrame({"chrom": data["chrom"], "start": data["start"], "end": end, "label": data["y"], "score": np.round(score, 6)}),
        paths["predictions"],
    )
    save_encoded(paths["arrays"], chrom=data["chrom"], start=data["start"], label=data["y"], score=score, **per_base)
    curves = curve_table(data["y"], score)
    write_table(curves, paths["curves"])
    for kind in ("roc", "pr"):
        save_figure(curve_figure(kind, {name: curves}, {name: metrics}, metrics["positive_fraction"]), paths[kind])
    write_json(metrics, paths["metrics"])
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items() if not isinstance(v, dict)})
    return metrics
