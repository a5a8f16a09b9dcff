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
from bindscope.attribution import METHODS, attribute_by_fold, attribution_peaks, fold_positives, resolve_device, target_mask
from bindscope.io import save_encoded
from bindscope.shuffle import dinucleotide_shuffle


def check_method(method: str) -> None:
    """Raise ValueError unless ``method`` can score every positive (a known method, not ISM)."""
    if method not in METHODS or method == "ism":
        known = [m for m in METHODS if m != "ism"]
        raise ValueError(f"interpret.method must be one of {known} (ism scores a subset only, in compare_methods), got {method!r}")


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
    nets = models.load_folds(ckpt, encoded, x.shape[-1])
    mask = target_mask(data["y_base"]) if models.is_per_base(nets[0]) else None
    options = {"batch_size": batch_size, "ig_steps": ig_steps, "ig_references": ig_references, "device": resolve_device(accelerator)}
    start = time.perf_counter()
    result = attribute_by_fold(method, nets, fold, np.arange(len(x)), x, refs, mask, **options)
    seconds = time.perf_counter() - start
    ohe, hypothetical, contribution = result.ohe, result.hypothetical, result.contribution
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
