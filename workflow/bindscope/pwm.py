"""Position weight matrix scores of one-hot sequences at every start, on both strands (one torch conv1d)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


@torch.no_grad()
def strand_scores(x: np.ndarray, pwm: np.ndarray) -> torch.Tensor:
    """Score of ``pwm`` (4, w) at each start of one-hot windows ``x`` (N, 4, L): (N, 2, L - w + 1) float32.

    Row 0 is the forward strand, row 1 the reverse complement (the PWM flipped in bases and
    positions). N bases (all-zero columns) add nothing to a score.
    """
    weight = torch.from_numpy(np.stack([pwm, pwm[::-1, ::-1]]).copy()).float()
    return F.conv1d(torch.as_tensor(x).float(), weight)
