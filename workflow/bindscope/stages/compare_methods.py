"""Stage 5b, compare_methods (optional, ``compare_methods.enabled``): attribution methods against each other and ISM.

interpret's method (its scores.npz, reused as they are) and every other listed method score the
same attributed positives; in-silico mutagenesis (ISM, every single-base substitution) scores an
evenly spread subset of them, the truth the others are compared with: per-sequence Pearson and
Spearman correlation of the per-base contribution tracks, the distance of each method's
highest-scoring stretch from the summit, and for the reference-based methods the
summation-to-delta gap (``methods`` table). The gradient-family method closest to ISM is written
for a second TF-MoDISco search (``gradient``), and every method's hypothetical scores on the ISM
subset for inspection (``examples``). It adds 4-9x interpret's DeepLIFT/SHAP time on the demo's models (bench/interpret/README.md).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

from bindscope import models
from bindscope.attribution import (
    GRADIENT_METHODS,
    METHODS,
    REFERENCE_METHODS,
    Attributions,
    agreement,
    attribute_by_fold,
    attribution_peaks,
    convergence_delta,
    fold_positives,
    resolve_device,
    rows_by_fold,
    rows_of,
    target_mask,
)
from bindscope.io import load_npz, save_encoded, write_table
from bindscope.layout import COMPARISON, check_outputs
from bindscope.shuffle import dinucleotide_shuffle

#: Sequences whose convergence delta is checked (one forward pass over their sequence x reference pairs).
DELTA_SAMPLE = 64
#: Columns of the methods table, one row per method.
METHOD_COLUMNS = [
    "method",
    "n_sequences",
    "seconds",
    "pearson_ism",
    "spearman_ism",
    "n_compared",
    "summit_distance_median",
    "convergence_delta_median",
    "convergence_delta_max",
    "output_difference_mean",
    "modisco_input",
]


def check_methods(methods: list[str]) -> None:
    """Raise ValueError unless ``methods`` are distinct names of :data:`~bindscope.attribution.METHODS`."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown or len(set(methods)) != len(methods):
        raise ValueError(f"compare_methods.methods must be distinct names among {list(METHODS)}, got {methods}")


def spread_subset(n: int, size: int) -> np.ndarray:
    """``size`` indices spread evenly over range(n) (all of them when n <= size)."""
    return np.unique(np.linspace(0, n - 1, num=min(n, size)).round().astype(int)) if n else np.zeros(0, dtype=int)


def summit_distance(contribution: np.ndarray) -> float:
    """Median distance (bp) of each sequence's highest-scoring stretch from the window centre (the summit); NaN for none."""
    if not len(contribution):
        return np.nan
    return float(np.median(np.abs(attribution_peaks(contribution) - contribution.shape[2] // 2)))


def method_row(
    method: str, attr: Attributions, seconds: float, truth: Attributions | None, subset: np.ndarray, delta: np.ndarray | None
) -> dict:
    """The methods table's row of one method: agreement with ISM on ``subset`` (when ISM ran), and for a
    reference-based method its convergence ``delta`` beside the mean |summed contributions| it is a gap in."""
    output_difference = float(np.abs(attr.contribution[:DELTA_SAMPLE].sum(axis=(1, 2))).mean()) if delta is not None else np.nan
    row = {
        "method": method,
        "n_sequences": len(attr.contribution),
        "seconds": round(seconds, 3),
        "summit_distance_median": summit_distance(attr.contribution),
        "convergence_delta_median": np.nan if delta is None else float(np.median(delta)),
        "convergence_delta_max": np.nan if delta is None else float(delta.max(initial=0)),
        "output_difference_mean": output_difference,
    }
    on_subset = attr.contribution if method == "ism" else attr.contribution[subset]
    scores = agreement(on_subset, truth.contribution) if truth is not None and len(subset) else None
    row["pearson_ism"] = np.nan if scores is None else float(np.nanmedian(scores["pearson"]))
    row["spearman_ism"] = np.nan if scores is None else float(np.nanmedian(scores["spearman"]))
    row["n_compared"] = 0 if scores is None else int(np.isfinite(scores["pearson"]).sum())
    return row


def interpreted(scores: dict[str, np.ndarray], chrom: np.ndarray, start: np.ndarray) -> tuple[str, Attributions, float]:
    """interpret's method, attributions and seconds from its scores.npz, checked to be of the positives at ``chrom``/``start``."""
    same = len(scores["chrom"]) == len(chrom) and (scores["chrom"] == chrom).all() and (scores["start"] == start).all()
    if not same:
        raise ValueError(
            f"the scores ({len(scores['chrom'])} windows) are not of the {len(chrom)} attributed positives of the encoded split: "
            "interpret and compare_methods must be given the same interpret.split and interpret.max_sequences"
        )
    attributions = Attributions(scores["ohe"], scores["hypothetical"], scores["contribution"])
    return str(scores["method"]), attributions, float(scores["seconds"])


def run(
    ckpt: list[str],
    encoded: list[str],
    scores: str,
    out: dict[str, str],
    *,
    methods: list[str],
    n_references: int,
    ig_steps: int,
    ig_references: int,
    ism_sequences: int,
    max_sequences: int,
    batch_size: int,
    accelerator: str,
    threads: int,
    seed: int,
) -> None:
    """Compare interpret's method (``scores``) and ``methods`` on the positives it attributed.

    Writes ``out``: methods (one row per method, interpret's first: time, agreement with ISM,
    summit distance, convergence delta of the reference-based methods, which of TF-MoDISco's
    searches reads it), examples (every method's hypothetical scores on the ISM subset) and
    gradient (the attributions of :func:`gradient_method`, searched by TF-MoDISco too). References
    are drawn as interpret draws them (same ``seed`` and ``n_references``), so the
    summation-to-delta check of interpret's method uses its own references. With folds
    (windows.folds > 1) ``ckpt`` and ``encoded`` list each fold's model and test split, and every
    method scores each positive with the model of its fold, as interpret did.
    """
    check_outputs(out, COMPARISON)
    check_methods(methods)
    torch.set_num_threads(threads)
    data, fold = fold_positives(ckpt, encoded, max_sequences)
    nets = models.load_folds(ckpt, encoded, data["x"].shape[-1])
    first, first_result, first_seconds = interpreted(load_npz(scores), data["chrom"], data["start"])
    methods = [first] + [m for m in methods if m != first]
    x = data["x"]
    refs = dinucleotide_shuffle(x, n_references, np.random.default_rng(seed))
    mask = target_mask(data["y_base"]) if models.is_per_base(nets[0]) else None
    subset = spread_subset(len(x), ism_sequences) if "ism" in methods else np.zeros(0, dtype=int)
    options = {"batch_size": batch_size, "ig_steps": ig_steps, "ig_references": ig_references, "device": resolve_device(accelerator)}
    results, seconds = {first: first_result}, {first: first_seconds}
    for method in methods[1:]:
        rows = subset if method == "ism" else np.arange(len(x))
        start = time.perf_counter()
        results[method] = attribute_by_fold(method, nets, fold, rows, x, refs, mask, **options)
        seconds[method] = time.perf_counter() - start
        print(f"{method}: {len(rows)} sequences in {seconds[method]:.1f} s")
    nets = [net.cpu() for net in nets]
    check = np.arange(min(DELTA_SAMPLE, len(x)))
    table = []
    for method in methods:
        delta = None
        if method in REFERENCE_METHODS:
            used = refs[:, :ig_references] if method == "integrated_gradients" else refs
            contribution = results[method].contribution
            delta = np.concatenate(
                [
                    convergence_delta(nets[f], x[rows], used[rows], contribution[rows], rows_of(mask, rows))
                    for f, rows in rows_by_fold(fold, check)
                ]
                or [np.zeros(0)]
            )
            warn_on_delta(method, delta, contribution[check])
        table.append(method_row(method, results[method], seconds[method], results.get("ism"), subset, delta))
    table = pd.DataFrame(table, columns=METHOD_COLUMNS)
    gradient = gradient_method(methods, table)
    table["modisco_input"] = [modisco_input(m, first, gradient) for m in table["method"]]
    print(table.to_string(index=False))
    write_table(table, out["methods"])
    chosen = results[gradient]
    save_encoded(
        out["gradient"],
        ohe=chosen.ohe,
        hypothetical=chosen.hypothetical,
        contribution=chosen.contribution,
        attribution_peak=attribution_peaks(chosen.contribution),
        method=np.array(gradient),
    )
    print(f"TF-MoDISco reads {first} (scores) and {gradient} (gradient scores)")
    examples = {m: (r.hypothetical if m == "ism" else r.hypothetical[subset]) for m, r in results.items()}
    save_encoded(out["examples"], ohe=x[subset], index=subset, y_base=data["y_base"][subset], **examples)
    print(f"{len(methods)} methods on {len(x)} positives; ISM on {len(subset)}")


def gradient_method(methods: list[str], table: pd.DataFrame) -> str:
    """The gradient-family method whose contributions agree best with ISM (the first listed when ISM did not run);
    the first method when no gradient method is listed."""
    listed = [m for m in methods if m in GRADIENT_METHODS]
    if not listed:
        return methods[0]
    compared = table.set_index("method").loc[listed, "pearson_ism"].dropna()
    return str(compared.idxmax()) if len(compared) else listed[0]


def modisco_input(method: str, first: str, gradient: str) -> str:
    """Which file carries ``method``'s scores to TF-MoDISco: scores (interpret's), gradient, or '' for neither."""
    return "scores" if method == first else "gradient" if method == gradient else ""


def warn_on_delta(method: str, delta: np.ndarray, contribution: np.ndarray) -> None:
    """Print the summation-to-delta check, and a warning when the gap is above 1 % of the summed contributions."""
    scale = np.abs(contribution.sum(axis=(1, 2))).mean() if len(contribution) else 0.0
    print(
        f"{method} summation-to-delta on {len(delta)} sequences: max |delta| {delta.max(initial=0):.2e} "
        f"(mean |sum of contributions| {scale:.2e})"
    )
    if len(delta) and delta.max() > 0.01 * max(scale, 1e-6):
        print(
            f"warning: {method} contributions do not sum to the output difference (an operation without "
            "a DeepLIFT rule, e.g. attention gates, or too few integration steps); treat them as approximate"
        )
