"""Baseline ``pwm_scan``: the best log-odds score of the expected motif over both strands of each window.

The PWM is the motif database's PPM against the genome's base frequencies; scoring is one
1D convolution of the one-hot windows with the PWM and its reverse complement (torch), then
the maximum over positions and strands. Scores are mapped to probabilities by a one-feature
logistic regression fitted on the validation split (increasing when the motif is enriched in
peaks, so AUROC and AUPRC are those of the raw scores), so that accuracy, F1 and MCC use the same probability threshold as the models.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from bindscope.errors import InputError
from bindscope.genome import genome_background, open_genome
from bindscope.io import load_npz
from bindscope.motif_database import Motif, find_motifs, log_odds, read_meme
from bindscope.pwm import strand_scores
from bindscope.scoring import load_controls, write_evaluation


@torch.no_grad()
def best_match_scores(x: np.ndarray, pwm: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Maximum PWM score over positions and both strands of each one-hot window, (N,) float32.

    N bases (all-zero columns) add nothing to a score; windows shorter than the PWM score -inf.
    """
    if x.shape[-1] < pwm.shape[1]:
        return np.full(len(x), -np.inf, dtype=np.float32)
    out = [strand_scores(x[i : i + batch_size], pwm).amax(dim=(1, 2)) for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.float32)


def calibrate(score: np.ndarray, y: np.ndarray) -> LogisticRegression:
    """One-feature logistic regression from scores to binding probability (fitted on validation windows)."""
    if len(np.unique(y)) < 2:
        raise ValueError("calibration needs both labels in the validation split")
    return LogisticRegression(C=1e4).fit(score[:, None].astype(np.float64), y)


def best_matrix(candidates: list[Motif], background: np.ndarray, pseudocount: float, val_data: dict) -> tuple[Motif, np.ndarray]:
    """The candidate matrix (and its log-odds) whose scan separates the validation windows best (AUPRC).

    A motif given by name can stand for several matrices (JASPAR's CTCF: three vertebrate ones
    and the fly's); the validation split, never the test split, says which fits the data.
    """
    if len(candidates) == 1:
        return candidates[0], log_odds(candidates[0].ppm, background, pseudocount)
    scored = []
    for m in candidates:
        pwm = log_odds(m.ppm, background, pseudocount)
        scored.append((average_precision_score(val_data["y"], best_match_scores(val_data["x"], pwm)), m, pwm))
        print(f"pwm_scan candidate {m.id} {m.name}: validation AUPRC {scored[-1][0]:.4f}")
    _, found, pwm = max(scored, key=lambda t: t[0])
    return found, pwm


def run(
    val: str,
    test: str,
    controls: str,
    motif_db: str,
    motif: str,
    genome: str,
    out: dict[str, str],
    *,
    threshold: float,
    pseudocount: float,
    threads: int,
    fold: int | None = None,
) -> None:
    """Scan the test windows and their ``controls`` with ``motif`` from ``motif_db`` and write the evaluation files ``out``
    (``fold``: the fold of a run with windows.folds > 1)."""
    torch.set_num_threads(threads)
    candidates = find_motifs(read_meme(motif_db), motif)
    if not candidates:
        raise InputError(motif_db, motif, "the sheet's motif is not in this motif database (pwm_scan needs its matrix)")
    background = genome_background(open_genome(genome))
    val_data, test_data = load_npz(val), load_npz(test)
    found, pwm = best_matrix(candidates, background, pseudocount, val_data)
    model = calibrate(best_match_scores(val_data["x"], pwm), val_data["y"])
    probability = lambda x: model.predict_proba(best_match_scores(x, pwm)[:, None].astype(np.float64))[:, 1]  # noqa: E731
    prob = probability(test_data["x"])
    control_prob = {kind: probability(x) for kind, x in load_controls(controls).items()}
    extra = {
        "motif_id": found.id,
        "motif_name": found.name,
        "background": dict(zip("ACGT", background.round(4).tolist(), strict=True)),
        "max_log_odds": float(pwm.max(axis=0).sum()),
    }
    if len(candidates) > 1:
        extra["motif_candidates"] = [m.id for m in candidates]
    print(f"pwm_scan with {found.id} {found.name} (width {pwm.shape[1]}), background {extra['background']}")
    write_evaluation(
        "pwm_scan", test_data, prob, out, split=Path(test).stem, threshold=threshold, controls=control_prob, extra=extra, fold=fold
    )
