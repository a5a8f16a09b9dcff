"""Figures shared by the stages: ROC and PR curves (evaluate draws one model, the report all of them), tracks.

Each function returns a matplotlib figure; :func:`save_figure` writes it as PNG atomically and
:func:`figure_uri` turns it into a data: URI for a self-contained HTML page.
"""

from __future__ import annotations

import base64
import io
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bindscope.io import atomic_path  # noqa: E402

#: Per curve kind: the metric of its area, axis labels and the chance line (the PR one at the positive fraction).
CURVES = {
    "roc": ("auroc", "False positive rate", "True positive rate"),
    "pr": ("auprc", "Recall", "Precision"),
}


def curve_figure(kind: str, curves: dict[str, pd.DataFrame], metrics: dict[str, dict], positive_fraction: float) -> plt.Figure:
    """ROC (``kind`` 'roc') or PR ('pr') curves of one or more models on one plot, with the chance line.

    ``curves`` are :func:`bindscope.scoring.curve_table` tables by model name; ``metrics`` holds
    each model's area (auroc or auprc), shown in the legend.
    """
    area, xlabel, ylabel = CURVES[kind]
    chance = ([0, 1], [0, 1]) if kind == "roc" else ([0, 1], [positive_fraction] * 2)
    fig, ax = plt.subplots(figsize=(4.4, 4.2))
    for name, table in curves.items():
        points = table[table["curve"] == kind]
        ax.plot(points["x"], points["y"], label=f"{name} ({_area(metrics[name].get(area))})")
    ax.plot(*chance, ls="--", c="grey", lw=1, label="chance")
    title = f"{kind.upper()}, test split" + (f" (positives {positive_fraction:.0%})" if kind == "pr" else "")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(loc="lower right" if kind == "roc" else "lower left", frameon=False, title=area)
    fig.tight_layout()
    return fig


def _area(value) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def save_figure(fig: plt.Figure, path: str | os.PathLike, dpi: int = 110) -> None:
    """Write ``fig`` as PNG to ``path`` atomically, and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)


def figure_uri(fig: plt.Figure, dpi: int = 110) -> str:
    """A matplotlib figure as a PNG data: URI (the figure is closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def track_examples(scores: dict[str, dict], n: int = 3) -> list[tuple[str, int]]:
    """(chrom, start) of ``n`` attributed positives common to every model, spread evenly over genome order."""
    common = None
    for s in scores.values():
        keys = set(zip(s["chrom"].tolist(), s["start"].tolist(), strict=True))
        common = keys if common is None else common & keys
    ordered = sorted(common or ())
    if not ordered:
        return []
    picks = np.unique(np.linspace(0, len(ordered) - 1, min(n, len(ordered))).round().astype(int))
    return [ordered[i] for i in picks]


def _row_of(arrays: dict, chrom: str, start: int) -> int:
    return int(np.flatnonzero((arrays["chrom"] == chrom) & (arrays["start"] == start))[0])


def track_figure(scores: dict[str, dict], predictions: dict[str, dict], examples: list[tuple[str, int]]) -> plt.Figure:
    """Tracks per example window: true per-base label with every per-base model's probability, then
    each model's per-base contribution (DeepLIFT, summed over bases)."""
    names = list(scores)
    per_base = [m for m in names if "base_probability" in predictions[m]]
    fig, axes = plt.subplots(1 + len(names), len(examples), figsize=(4.2 * len(examples), 1.5 * (1 + len(names))), squeeze=False)
    for j, (chrom, start) in enumerate(examples):
        first = scores[names[0]]
        i = _row_of(first, chrom, start)
        length = first["ohe"].shape[-1]
        pos = np.arange(length)
        ax = axes[0, j]
        ax.fill_between(pos, first["y_base"][i], step="mid", color="#bbb", label="peak bases (label)")
        for m in per_base:
            ax.plot(
                pos, predictions[m]["base_probability"][_row_of(predictions[m], chrom, start)].astype(float), lw=1, label=f"{m} probability"
            )
        ax.axvline(length // 2, ls=":", c="k", lw=0.8)
        ax.set(ylim=(0, 1.05), title=f"{chrom}:{start:,}-{start + length:,}", xticks=[])
        for k, m in enumerate(names, start=1):
            contrib = scores[m]["contribution"][_row_of(scores[m], chrom, start)].sum(axis=0)
            axes[k, j].fill_between(pos, contrib, step="mid", color=f"C{k}", lw=0)
            axes[k, j].axvline(length // 2, ls=":", c="k", lw=0.8)
            if k < len(names):
                axes[k, j].set_xticks([])
            if j == 0:
                axes[k, j].set_ylabel(f"{m}\ncontribution", fontsize=8)
        if j == 0:
            axes[0, j].legend(fontsize=7, frameon=False, loc="upper left")
    axes[-1, 0].set_xlabel("position in window (bp); dotted: summit")
    fig.tight_layout()
    return fig
