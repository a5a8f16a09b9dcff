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


def run(
    ckpt: str,
    encoded: str,
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
    model, hparams = models.load(ckpt)
    data = load_npz(encoded)
    models.check_window(hparams, ckpt, data["x"].shape[-1], encoded)
    keep = attributed_rows(data["y"], max_sequences)
    x = data["x"][keep]
    refs = dinucleotide_shuffle(x, n_references, np.random.default_rng(seed))
    mask = target_mask(data["y_base"][keep]) if models.is_per_base(model) else None
    start = time.perf_counter()
    result = attribute(
        method,
        model,
        x,
        refs,
        mask,
        batch_size=batch_size,
        ig_steps=ig_steps,
        ig_references=ig_references,
        device=resolve_device(accelerator),
    )
    seconds = time.perf_counter() - start
    save_encoded(
        out,
        ohe=result.ohe,
        hypothetical=result.hypothetical,
        contribution=result.contribution,
        chrom=data["chrom"][keep],
        start=data["start"][keep],
        y_base=data["y_base"][keep],
        attribution_peak=attribution_peaks(result.contribution),
        method=np.array(method),
        seconds=np.array(seconds),
    )
    print(f"{method}: {len(x)} positives x {n_references} references in {seconds:.1f} s")
