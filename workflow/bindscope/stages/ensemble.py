"""Stage 3b, ensemble: a model's fold checkpoints (windows.folds > 1) joined into one checkpoint.

The checkpoint loads as :class:`bindscope.models.FoldEnsemble`, whose logit is the mean of the
fold models' logits: predict, variants and tracks apply it as they apply one model, and report the
spread of the fold models' logits beside it.
"""

from __future__ import annotations

from bindscope import models


def run(ckpts: list[str], out: str) -> None:
    """Join the fold checkpoints ``ckpts`` (folds 0, 1, ... of one model) into the checkpoint ``out``."""
    if len(ckpts) < 2:
        raise ValueError(f"an ensemble needs the checkpoints of at least 2 folds, got {len(ckpts)}")
    models.save_ensemble(ckpts, out)
    print(f"ensemble of {len(ckpts)} fold models in {out}")
