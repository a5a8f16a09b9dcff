"""Stage 5, interpret: one attribution method's scores of every attributed positive of a model.

The method (DeepLIFT/SHAP against dinucleotide-shuffled references by default) scores each
positive of one encoded split; its hypothetical and observed-base scores feed TF-MoDISco, the
saliency maps, the contribution tracks and the variant logos. This is all the default run needs:
the comparison of methods (ISM, integrated gradients, ...) is the optional compare_methods stage,
which reuses these scores. The methods themselves live in :mod:`bindscope.attribution`.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from bindscope import models
from bindscope.attribution import METHODS, attribute, attributed_rows, attribution_peaks, resolve_device, target_mask
from bindscope.io import load_npz, save_encoded
from bindscope.shuffle import dinucleotide_shuffle


def check_method(method: str) -> None:
    """Raise ValueError unless ``method`` can score every positive (a known method, not ISM)."""
    if method not in METHODS or method == "ism":
        known = [m for m in METHODS if m != "ism"]
        raise ValueError(f"interpret.method must be one of {known} (ism scores a subset only, in compare_methods), got {method!r}")


def fold_shares(n: np.ndarray, total: int) -> np.ndarray:
    """At most ``total`` items dealt out in proportion to ``n`` (largest remainders; ties to the lower fold), each <= its n."""
    share = n * min(1.0, total / max(int(n.sum()), 1))
    caps = np.floor(share).astype(int)
    extra = min(total, int(n.sum())) - int(caps.sum())
    caps[np.argsort(-(share - caps), kind="stable")[:extra]] += 1
    return caps


def fold_positives(ckpts: list[str], encoded: list[str], max_sequences: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The attributed positives of the encoded splits ``encoded`` (one per fold, its model in ``ckpts``): their arrays
    (x, y_base, chrom, start) joined in fold order, and each one's fold. With folds the first ``max_sequences`` are
    spread over the folds by their shares of the positives."""
    if len(ckpts) != len(encoded):
        raise ValueError(f"one encoded split per model: {len(ckpts)} checkpoints, {len(encoded)} encoded files")
    parts = [load_npz(path) for path in encoded]
    n = np.array([int((part["y"] == 1).sum()) for part in parts])
    caps = [max_sequences] if len(parts) == 1 else fold_shares(n, max_sequences)
    kept = {name: [] for name in ("x", "y_base", "chrom", "start")}
    fold = []
    for f, (part, cap) in enumerate(zip(parts, caps, strict=True)):
        rows = attributed_rows(part["y"], int(cap))
        for name in kept:
            kept[name].append(part[name][rows])
        fold.append(np.full(len(rows), f, np.int16))
    return {name: np.concatenate(arrays) for name, arrays in kept.items()}, np.concatenate(fold)


def run(
    ckpt: list[str],
    encoded: list[str],
    out: str,
    *,
    method: str,
    n_references: int,
    ig_steps: int,
    ig_references: int,
    max_sequences: int,
    batch_size: int,
    accelerator: str,
    threads: int,
    seed: int,
) -> None:
    """``method``'s attributions of the positives of one encoded split, written to ``out`` (scores.npz).

    With folds (windows.folds > 1), ``ckpt`` and ``encoded`` list each fold's model and test split:
    every positive is attributed by the model that held it out, and the file has each one's ``fold``.

    The file holds the one-hot sequences, hypothetical and observed-base contributions, the
    windows' positions and per-base labels, each sequence's highest-scoring stretch
    (``attribution_peak``), the method's name and its time in seconds. A per-sequence model's logit
    is explained; for a per-base model, the sum of its logits over each positive's labelled peak
    bases (``y_base``; all bases where none is labelled). References are ``n_references``
    dinucleotide shuffles per sequence drawn with ``seed`` (compare_methods draws the same). The
    model runs on ``accelerator`` (:func:`~bindscope.attribution.resolve_device`).
    """
    check_method(method)
    torch.set_num_threads(threads)
    data, fold = fold_positives(ckpt, encoded, max_sequences)
    x = data["x"]
    refs = dinucleotide_shuffle(x, n_references, np.random.default_rng(seed))
    parts = []
    seconds = 0.0
    for f, (path, split) in enumerate(zip(ckpt, encoded, strict=True)):
        model, hparams = models.load(path)
        models.check_window(hparams, path, x.shape[-1], split)
        rows = np.flatnonzero(fold == f)
        mask = target_mask(data["y_base"][rows]) if models.is_per_base(model) else None
        start = time.perf_counter()
        parts.append(
            attribute(
                method,
                model,
                x[rows],
                refs[rows],
                mask,
                batch_size=batch_size,
                ig_steps=ig_steps,
                ig_references=ig_references,
                device=resolve_device(accelerator),
            )
        )
        seconds += time.perf_counter() - start
    ohe, hypothetical, contribution = (
        np.concatenate([getattr(r, name) for r in parts]) for name in ("ohe", "hypothetical", "contribution")
    )
    save_encoded(
        out,
        ohe=ohe,
        hypothetical=hypothetical,
        contribution=contribution,
        chrom=data["chrom"],
        start=data["start"],
        y_base=data["y_base"],
        attribution_peak=attribution_peaks(contribution),
        method=np.array(method),
        seconds=np.array(seconds),
        **({"fold": fold} if len(ckpt) > 1 else {}),
    )
    print(f"{method}: {len(x)} positives of {len(ckpt)} fold(s) x {n_references} references in {seconds:.1f} s")
