"""Stage 4, evaluate: a trained model's test-split probabilities, scored and written as its evaluation files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bindscope import models
from bindscope.io import load_npz
from bindscope.scoring import load_controls, sequence_scores, write_evaluation


@torch.no_grad()
def predict_probabilities(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Probabilities for one-hot x (N, 4, L): (N,) from a per-sequence model, (N, L) from a per-base one."""
    per_base = models.is_per_base(model)
    out = [torch.sigmoid(model(torch.from_numpy(x[i : i + batch_size]).float())) for i in range(0, len(x), batch_size)]
    if not out:
        return np.zeros((0, x.shape[-1]) if per_base else 0, dtype=np.float32)
    prob = torch.cat(out)
    return (prob if per_base else prob[:, 0]).numpy()


def predict(model: torch.nn.Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Binding score per sequence (N,): :func:`~bindscope.scoring.sequence_scores` of :func:`predict_probabilities`."""
    return sequence_scores(predict_probabilities(model, x, batch_size))


def run(
    ckpt: str,
    encoded: str,
    controls: str,
    out: dict[str, str],
    *,
    threshold: float,
    min_segment: int,
    threads: int,
) -> None:
    """Evaluate a trained model on an encoded split (the test split) and its controls; write ``out``.

    See :func:`~bindscope.scoring.write_evaluation`.
    """
    torch.set_num_threads(threads)
    model, hparams = models.load(ckpt)
    data = load_npz(encoded)
    prob = predict_probabilities(model, data["x"])
    control_prob = {kind: predict_probabilities(model, x) for kind, x in load_controls(controls).items()}
    name = hparams["model_name"]
    write_evaluation(name, data, prob, out, split=Path(encoded).stem, threshold=threshold, controls=control_prob, min_segment=min_segment)
