"""Stage 4b, pool_folds: one model's (or baseline's) fold evaluations pooled into its out-of-fold evaluation.

With ``windows.folds`` > 1 each fold's model is evaluated on that fold's test set, which it never
trained on, and the test sets partition the positives. This stage scores the folds' test windows
together (the pooled, out-of-fold metrics, curves and figures, in the usual evaluation files) and
adds each fold's own metrics with their mean and standard deviation under ``folds`` in metrics.json.
"""

from __future__ import annotations

import math

import numpy as np

from bindscope.io import load_npz, read_json
from bindscope.layout import CONTROL_KINDS
from bindscope.scoring import write_evaluation

#: Metrics given per fold with their mean and sd (those a model or baseline has).
FOLD_METRICS = ("accuracy", "auroc", "auprc", "f1", "mcc", "base_auroc", "base_auprc", "iou")


def fold_statistics(per_fold: list[dict]) -> dict:
    """Each fold's value of every metric of :data:`FOLD_METRICS` and of the controls' AUROC and AUPRC that the folds
    have (``<metric>_<kind>``), then their mean and standard deviation (sample sd, ddof = 1) over the folds."""
    values: dict[str, list[float]] = {}
    for name in FOLD_METRICS:
        if all(name in m for m in per_fold):
            values[name] = [float(m[name]) for m in per_fold]
    for kind in CONTROL_KINDS:
        for name in ("auroc", "auprc"):
            if all(kind in m.get("controls", {}) for m in per_fold):
                values[f"{name}_{kind}"] = [float(m["controls"][kind][name]) for m in per_fold]
    sd = lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else math.nan  # noqa: E731
    return {
        "k": len(per_fold),
        "n_test": [int(m["n"]) for m in per_fold],
        "per_fold": values,
        "mean": {name: float(np.mean(v)) for name, v in values.items()},
        "sd": {name: sd(v) for name, v in values.items()},
    }


def pooled_arrays(paths: list[str]) -> dict[str, np.ndarray]:
    """The folds' arrays files (fold evaluations) concatenated in fold order, with each window's ``fold``."""
    parts = [load_npz(p) for p in paths]
    names = set(parts[0])
    for path, part in zip(paths, parts, strict=True):
        if set(part) != names or "end" not in part:
            raise ValueError(f"{path}: not a fold evaluation like {paths[0]} (arrays {sorted(part)})")
    pooled = {name: np.concatenate([part[name] for part in parts]) for name in names}
    pooled["fold"] = np.concatenate([np.full(len(part["label"]), f, np.int16) for f, part in enumerate(parts)])
    return pooled


def run(arrays: list[str], metrics: list[str], out: dict[str, str], *, threshold: float, min_segment: int) -> None:
    """Pool the fold evaluations ``arrays`` and ``metrics`` (predictions.npz and metrics.json of folds 0, 1, ...) and
    write the evaluation files ``out``: the pooled windows scored together, and ``folds`` in metrics.json
    (:func:`fold_statistics`)."""
    if len(arrays) != len(metrics) or len(arrays) < 2:
        raise ValueError(f"pool_folds needs the arrays and metrics of every fold (at least 2), got {len(arrays)} and {len(metrics)}")
    per_fold = [read_json(p) for p in metrics]
    for f, m in enumerate(per_fold):
        if "fold" not in m:
            raise ValueError(f"{metrics[f]}: not a fold evaluation (written without --fold)")
        if m["fold"] != f:
            raise ValueError(f"{metrics[f]}: the evaluation of fold {m.get('fold')}, given as fold {f}")
    names = {m["model"] for m in per_fold}
    if len(names) != 1:
        raise ValueError(f"the fold evaluations are of different models: {sorted(names)}")
    pooled = pooled_arrays(arrays)
    per_base = "base_probability" in pooled
    prob = pooled["base_probability"].astype(np.float32) if per_base else pooled["score"]
    data = {"chrom": pooled["chrom"], "start": pooled["start"], "end": pooled["end"], "y": pooled["label"]}
    if per_base:
        data["y_base"] = pooled["y_base"]
    controls = {kind: pooled[f"control_{kind}"] for kind in CONTROL_KINDS}
    write_evaluation(
        names.pop(),
        data,
        prob,
        out,
        split="test",
        threshold=threshold,
        controls=controls,
        min_segment=min_segment if per_base else None,
        extra={"folds": fold_statistics(per_fold)},
        score=pooled["score"],
    )
