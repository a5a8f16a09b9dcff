"""Stage 4, evaluate: test-split metrics, curves and predictions (torchmetrics)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from torchmetrics.functional.classification import (  # noqa: E402
    binary_accuracy,
    binary_auroc,
    binary_average_precision,
    binary_f1_score,
    binary_matthews_corrcoef,
    binary_precision_recall_curve,
    binary_roc,
)

from bindscope import models  # noqa: E402
from bindscope.io import atomic_path, load_npz, save_encoded, write_json, write_table  # noqa: E402
from bindscope.segments import overlap_scores, remove_short_segments, segment_counts  # noqa: E402


@torch.no_grad()
def predict_probabilities(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Probabilities for one-hot x (N, 4, L): (N,) from a per-sequence model, (N, L) from a per-base one."""
    per_base = models.is_per_base(model)
    out = [torch.sigmoid(model(torch.from_numpy(x[i : i + batch_size]).float())) for i in range(0, len(x), batch_size)]
    if not out:
        return np.zeros((0, x.shape[-1]) if per_base else 0, dtype=np.float32)
    prob = torch.cat(out)
    return (prob if per_base else prob[:, 0]).numpy()


def sequence_scores(prob: np.ndarray) -> np.ndarray:
    """One score per sequence: the probability itself, or the maximum per-base probability."""
    return prob if prob.ndim == 1 else prob.max(axis=1, initial=0.0)


def predict(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Binding score per sequence (N,): :func:`sequence_scores` of :func:`predict_probabilities`."""
    return sequence_scores(predict_probabilities(model, x, batch_size))


def binary_metrics(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
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


def plot_curves(curves: pd.DataFrame, metrics: dict, roc_png: str, pr_png: str, label: str) -> None:
    """ROC and precision-recall curves from :func:`curve_table`, titled with the areas in ``metrics``, and the chance lines."""
    for path, kind, title, chance in (
        (roc_png, "roc", f"ROC, AUROC {metrics['auroc']:.3f}", ([0, 1], [0, 1])),
        (
            pr_png,
            "pr",
            f"PR, AUPRC {metrics['auprc']:.3f} (positives {metrics['positive_fraction']:.0%})",
            ([0, 1], [metrics["positive_fraction"]] * 2),
        ),
    ):
        points = curves[curves["curve"] == kind]
        fig, ax = plt.subplots(figsize=(4.2, 4))
        ax.plot(points["x"], points["y"], label=label)
        ax.plot(*chance, ls="--", c="grey", lw=1, label="chance")
        ax.set(
            xlim=(0, 1),
            ylim=(0, 1.02),
            title=title,
            xlabel="False positive rate" if kind == "roc" else "Recall",
            ylabel="True positive rate" if kind == "roc" else "Precision",
        )
        ax.legend(loc="lower right" if kind == "roc" else "lower left", frameon=False)
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)


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


def per_base_metrics(y: np.ndarray, y_base: np.ndarray, prob: np.ndarray, threshold: float = 0.5, min_segment: int = 1) -> dict:
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
    outdir: str | Path,
    *,
    split: str = "test",
    threshold: float = 0.5,
    min_segment: int = 10,
    extra: dict | None = None,
) -> dict:
    """Score one model's probabilities on an encoded split and write its evaluation folder.

    Writes metrics.json, predictions.tsv.gz, predictions.npz, curves.tsv, roc.png and pr.png;
    the same files for every model and baseline. ``prob`` is (N,) per sequence or (N, L) per
    base; predictions.npz holds chrom, start, label and score per window, and for a per-base
    model ``base_probability`` (N, L) float16 and ``y_base``. ``extra`` is added to metrics.json.
    """
    score = sequence_scores(prob)
    metrics = {"model": name, "split": split, **binary_metrics(data["y"], score, threshold)}
    per_base = {}
    if prob.ndim == 2:
        metrics.update(per_base_metrics(data["y"], data["y_base"], prob, threshold, min_segment))
        per_base = {"base_probability": prob.astype(np.float16), "y_base": data["y_base"]}
    metrics.update(extra or {})
    out = Path(outdir)
    length = data["x"].shape[-1]
    write_table(
        pd.DataFrame(
            {"chrom": data["chrom"], "start": data["start"], "end": data["start"] + length, "label": data["y"], "score": np.round(score, 6)}
        ),
        out / "predictions.tsv.gz",
    )
    save_encoded(out / "predictions.npz", chrom=data["chrom"], start=data["start"], label=data["y"], score=score, **per_base)
    curves = curve_table(data["y"], score)
    write_table(curves, out / "curves.tsv")
    plot_curves(curves, metrics, str(out / "roc.png"), str(out / "pr.png"), name)
    write_json(metrics, out / "metrics.json")
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items() if not isinstance(v, dict)})
    return metrics


def run(ckpt: str, encoded: str, outdir: str, threads: int = 1, threshold: float = 0.5, min_segment: int = 10) -> None:
    """Evaluate a trained model on an encoded split (the test split): see :func:`write_evaluation`."""
    torch.set_num_threads(threads)
    model, hparams = models.load(ckpt)
    data = load_npz(encoded)
    prob = predict_probabilities(model, data["x"])
    write_evaluation(hparams["model_name"], data, prob, outdir, split=Path(encoded).stem, threshold=threshold, min_segment=min_segment)
