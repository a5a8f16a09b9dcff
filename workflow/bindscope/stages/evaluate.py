"""Stage 4, evaluate: a trained model's test-split probabilities, scored and written as its evaluation files."""

from __future__ import annotations

from pathlib import Path

import torch

from bindscope import models
from bindscope.inference import predict_probabilities
from bindscope.io import load_npz
from bindscope.scoring import load_controls, write_evaluation


def run(
    ckpt: str,
    encoded: str,
    controls: str,
    out: dict[str, str],
    *,
    threshold: float,
    min_segment: int,
    threads: int,
    fold: int | None = None,
) -> None:
    """Evaluate a trained model on an encoded split (the test split) and its controls; write ``out``
    (``fold``: the fold of a run with windows.folds > 1).

    See :func:`~bindscope.scoring.write_evaluation`.
    """
    torch.set_num_threads(threads)
    model, hparams = models.load(ckpt)
    data = load_npz(encoded)
    models.check_window(hparams, ckpt, data["x"].shape[-1], encoded)
    prob = predict_probabilities(model, data["x"])
    control_prob = {kind: predict_probabilities(model, x) for kind, x in load_controls(controls).items()}
    name = hparams["model_name"]
    write_evaluation(
        name, data, prob, out, split=Path(encoded).stem, threshold=threshold, controls=control_prob, min_segment=min_segment, fold=fold
    )
