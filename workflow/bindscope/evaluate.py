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
from bindscope.io import atomic_path, load_npz, write_json, write_table  # noqa: E402


@torch.no_grad()
def predict(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Binding probability per sequence for one-hot x (N, 4, L).

    A per-sequence model's sigmoid output is used as is; a per-base model (N, L) is scored
    by its maximum per-base probability.
    """
    out = []
    for i in range(0, len(x), batch_size):
        logits = model(torch.from_numpy(x[i : i + batch_size]).float())
        prob = torch.sigmoid(logits)
        out.append(prob[:, 0] if prob.shape[-1] == 1 else prob.amax(dim=-1))
    return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.float32)


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


def plot_curves(y_true: np.ndarray, y_score: np.ndarray, metrics: dict, roc_png: str, pr_png: str, label: str) -> None:
    """ROC and precision-recall curves, titled with the areas in ``metrics`` (from :func:`binary_metrics`), and the chance lines."""
    preds, target = torch.as_tensor(y_score, dtype=torch.float32), torch.as_tensor(y_true).long()
    fpr, tpr, _ = binary_roc(preds, target)
    precision, recall, _ = binary_precision_recall_curve(preds, target)
    for path, xs, ys, title, chance in (
        (roc_png, fpr, tpr, f"ROC, AUROC {metrics['auroc']:.3f}", ([0, 1], [0, 1])),
        (
            pr_png,
            recall,
            precision,
            f"PR, AUPRC {metrics['auprc']:.3f} (positives {metrics['positive_fraction']:.0%})",
            ([0, 1], [metrics["positive_fraction"]] * 2),
        ),
    ):
        fig, ax = plt.subplots(figsize=(4.2, 4))
        ax.plot(xs.numpy(), ys.numpy(), label=label)
        ax.plot(*chance, ls="--", c="grey", lw=1, label="chance")
        ax.set(
            xlim=(0, 1),
            ylim=(0, 1.02),
            title=title,
            xlabel="False positive rate" if path == roc_png else "Recall",
            ylabel="True positive rate" if path == roc_png else "Precision",
        )
        ax.legend(loc="lower right" if path == roc_png else "lower left", frameon=False)
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)


def run(ckpt: str, encoded: str, outdir: str, threads: int = 1, threshold: float = 0.5) -> None:
    """Write metrics.json, predictions.tsv.gz, roc.png and pr.png for the test split."""
    torch.set_num_threads(threads)
    model, hparams = models.load(ckpt)
    data = load_npz(encoded)
    score = predict(model, data["x"])
    metrics = {"model": hparams["model_name"], "split": Path(encoded).stem, **binary_metrics(data["y"], score, threshold)}
    out = Path(outdir)
    length = data["x"].shape[-1]
    write_table(
        pd.DataFrame(
            {"chrom": data["chrom"], "start": data["start"], "end": data["start"] + length, "label": data["y"], "score": np.round(score, 6)}
        ),
        out / "predictions.tsv.gz",
    )
    plot_curves(data["y"], score, metrics, str(out / "roc.png"), str(out / "pr.png"), hparams["model_name"])
    write_json(metrics, out / "metrics.json")
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()})
