"""Running a trained model on one-hot sequences: logits and probabilities in batches, both strands.

Shared by the stages that apply a model (evaluate, predict, variants, tracks), so that a sequence
scored by any of them gets the same number.
"""

from __future__ import annotations

import numpy as np
import torch

from bindscope import models
from bindscope.sequence import reverse_complement


@torch.no_grad()
def strand_averaged_logits(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Mean of the logits of x and of its reverse complement, batch by batch (N,) or (N, L), float32.

    A TF binds both strands, and a model trained on reverse-complemented batches still scores the two
    strands of a window a little differently; their mean is the better estimate (chrombpnet and
    Basenji average strands the same way). On the small hard test beds it changed the CNN's test AUPRC
    by -0.013 to +0.015 per seed, +0.006 in the median (bench/hard_beds/README.md "Defaults for small sets"). A
    per-base model's reverse-strand track is flipped back, so position i of the result is base i of x
    on both strands.
    """
    per_base = models.is_per_base(model)
    out = []
    for i in range(0, len(x), batch_size):
        batch = x[i : i + batch_size]
        forward, reverse = (model(torch.from_numpy(np.ascontiguousarray(b)).float()) for b in (batch, reverse_complement(batch)))
        out.append((forward + (reverse.flip(1) if per_base else reverse)) / 2)
    if not out:
        return np.zeros((0, x.shape[-1]) if per_base else 0, dtype=np.float32)
    logits = torch.cat(out)
    return (logits if per_base else logits[:, 0]).numpy()


def logits_with_spread(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`strand_averaged_logits`, and for a :class:`~bindscope.models.FoldEnsemble` the spread of its fold models:
    the sample sd (ddof 1) over the folds of each sequence's logit (a per-base model's: its maximum over bases).

    An ensemble's logits are the mean of its fold models' strand-averaged logits; the spread is None for one model.
    """
    if not isinstance(model, models.FoldEnsemble):
        return strand_averaged_logits(model, x, batch_size), None
    members = np.stack([strand_averaged_logits(member, x, batch_size) for member in model.members])
    per_sequence = members if members.ndim == 2 else members.max(axis=2, initial=-np.inf)
    return members.mean(axis=0), per_sequence.std(axis=0, ddof=1)


def predict_probabilities(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Probabilities for one-hot x (N, 4, L), both strands averaged: (N,) per sequence, (N, L) per base.

    What every stage reports (evaluate, predict, tracks): the sigmoid of :func:`strand_averaged_logits`.
    """
    return sigmoid(strand_averaged_logits(model, x, batch_size))


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Probabilities of logits, float32 (as torch.sigmoid)."""
    return torch.sigmoid(torch.as_tensor(np.ascontiguousarray(logits))).numpy()


def sequence_scores(prob: np.ndarray) -> np.ndarray:
    """One score per sequence: the probability itself, or the maximum per-base probability."""
    return prob if prob.ndim == 1 else prob.max(axis=1, initial=0.0)


def predict(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Binding score per sequence (N,): :func:`sequence_scores` of :func:`predict_probabilities`."""
    return sequence_scores(predict_probabilities(model, x, batch_size))
