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
def predict_logits(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Logits for one-hot x (N, 4, L): (N,) from a per-sequence model, (N, L) from a per-base one, float32."""
    per_base = models.is_per_base(model)
    out = [model(torch.from_numpy(np.ascontiguousarray(x[i : i + batch_size])).float()) for i in range(0, len(x), batch_size)]
    if not out:
        return np.zeros((0, x.shape[-1]) if per_base else 0, dtype=np.float32)
    logits = torch.cat(out)
    return (logits if per_base else logits[:, 0]).numpy()


@torch.no_grad()
def predict_probabilities(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Probabilities for one-hot x (N, 4, L): (N,) from a per-sequence model, (N, L) from a per-base one."""
    per_base = models.is_per_base(model)
    out = [torch.sigmoid(model(torch.from_numpy(x[i : i + batch_size]).float())) for i in range(0, len(x), batch_size)]
    if not out:
        return np.zeros((0, x.shape[-1]) if per_base else 0, dtype=np.float32)
    prob = torch.cat(out)
    return (prob if per_base else prob[:, 0]).numpy()


def strand_averaged_logits(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Mean of the logits of x and of its reverse complement, as chrombpnet's variant scorer averages strands.

    A per-base model's reverse-strand track is flipped back, so position i of the result is base i of x
    on both strands.
    """
    forward = predict_logits(model, x, batch_size)
    reverse = predict_logits(model, reverse_complement(x), batch_size)
    if reverse.ndim == 2:
        reverse = reverse[:, ::-1]
    return (forward + reverse) / 2


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Probabilities of logits, float32 (as torch.sigmoid)."""
    return torch.sigmoid(torch.as_tensor(np.ascontiguousarray(logits))).numpy()


def sequence_scores(prob: np.ndarray) -> np.ndarray:
    """One score per sequence: the probability itself, or the maximum per-base probability."""
    return prob if prob.ndim == 1 else prob.max(axis=1, initial=0.0)


def predict(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Binding score per sequence (N,): :func:`sequence_scores` of :func:`predict_probabilities`."""
    return sequence_scores(predict_probabilities(model, x, batch_size))
