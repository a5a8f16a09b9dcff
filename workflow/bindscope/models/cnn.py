"""A compact CNN: one binding logit per sequence.

(N, 4, L) float one-hot in, (N, 1) logits out. Every non-linearity is its own module, used
once, and a :class:`Separate` module sits between each ReLU and the MaxPool1d after it:
captum's DeepLIFT rules go wrong when two hooked non-linear modules are adjacent
(summation-to-delta fails) and have no rule for adaptive pooling, so the global max is a
MaxPool1d over the whole remaining length.
"""

from __future__ import annotations

import torch
from torch import nn


class Separate(nn.Module):
    """Identity that returns a new tensor, keeping captum's hooks on neighbouring modules apart."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.clone()


class CNN(nn.Module):
    """conv -> ReLU -> max-pool -> conv -> ReLU -> global max-pool -> dropout -> dense.

    With ``scan_skip`` the first convolution's ReLU output is also max-pooled over the whole
    sequence and joins the second convolution's global maxima before the dropout and dense layer.

    Parameters
    ----------
    input_length : int
        Sequence length L the model is built for (the global pooling spans L // pool).
    n_filters, kernel_size : int
        First convolution: motif detectors.
    n_filters2, kernel_size2 : int
        Second convolution: combinations of motifs.
    pool : int
        Width of the first max-pooling.
    dropout : float
        Dropout before the dense layer.
    batch_norm : bool
        Batch normalisation after each convolution (before its ReLU): a linear map at inference,
        which DeepLIFT passes through.
    base_head : bool
        An auxiliary per-base head (a 1x1 convolution on the second convolution's features, one
        logit per ``pool`` bases) that training supervises with the per-base labels
        (:meth:`forward_with_bases`); :meth:`forward`, and so every prediction and attribution,
        never uses it.
    scan_skip : bool
        A second path to the dense layer: each first-convolution filter's maximum over the whole
        sequence (a learnt PWM scan), beside the second convolution's global maxima.
    """

    per_base = False

    def __init__(
        self,
        input_length: int,
        n_filters: int = 64,
        kernel_size: int = 15,
        n_filters2: int = 64,
        kernel_size2: int = 5,
        pool: int = 4,
        dropout: float = 0.2,
        batch_norm: bool = False,
        base_head: bool = True,
        scan_skip: bool = True,
    ):
        super().__init__()
        if input_length < pool:
            raise ValueError(f"input_length must be >= pool ({pool}), got {input_length}")
        self.input_length = input_length
        self.pool = pool
        self.conv1 = nn.Conv1d(4, n_filters, kernel_size, padding="same")
        self.norm1 = nn.BatchNorm1d(n_filters) if batch_norm else nn.Identity()
        self.relu1 = nn.ReLU()
        self.sep1 = Separate()
        self.pool1 = nn.MaxPool1d(pool)
        self.conv2 = nn.Conv1d(n_filters, n_filters2, kernel_size2, padding="same")
        self.norm2 = nn.BatchNorm1d(n_filters2) if batch_norm else nn.Identity()
        self.relu2 = nn.ReLU()
        self.sep2 = Separate()
        self.global_pool = nn.MaxPool1d(input_length // pool)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(dropout)
        # its own Separate: captum's DeepLIFT rewrites the gradient of a max-pool's input tensor,
        # so a tensor read by two max-pools (or a max-pool and anything else) gets a wrong one
        self.scan_pool = nn.Sequential(Separate(), nn.MaxPool1d(input_length), nn.Flatten()) if scan_skip else None
        self.dense = nn.Linear(n_filters2 + (n_filters if scan_skip else 0), 1)
        self.base_head = nn.Conv1d(n_filters2, 1, 1) if base_head else None

    def _features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The second convolution's features (N, n_filters2, L // pool) and, with ``scan_skip``,
        each first-convolution filter's maximum over the sequence (N, n_filters)."""
        x = self.relu1(self.norm1(self.conv1(x)))
        scan = self.scan_pool(x) if self.scan_pool is not None else None
        return self.sep2(self.relu2(self.norm2(self.conv2(self.pool1(self.sep1(x)))))), scan

    def _logits(self, features: torch.Tensor, scan: torch.Tensor | None) -> torch.Tensor:
        pooled = self.flatten(self.global_pool(features))
        if scan is not None:
            pooled = torch.cat([pooled, scan], dim=1)
        return self.dense(self.dropout(pooled))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 1) for one-hot input (N, 4, L)."""
        return self._logits(*self._features(x))

    def forward_with_bases(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (N, 1) and the base head's logits (N, L // pool), one per ``pool`` bases."""
        features, scan = self._features(x)
        return self._logits(features, scan), self.base_head(features)[:, 0]
