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
    """

    per_base = False

    def __init__(
        self,
        input_length: int = 200,
        n_filters: int = 64,
        kernel_size: int = 15,
        n_filters2: int = 64,
        kernel_size2: int = 5,
        pool: int = 4,
        dropout: float = 0.2,
    ):
        super().__init__()
        if input_length < pool:
            raise ValueError(f"input_length must be >= pool ({pool}), got {input_length}")
        self.input_length = input_length
        self.conv1 = nn.Conv1d(4, n_filters, kernel_size, padding="same")
        self.relu1 = nn.ReLU()
        self.sep1 = Separate()
        self.pool1 = nn.MaxPool1d(pool)
        self.conv2 = nn.Conv1d(n_filters, n_filters2, kernel_size2, padding="same")
        self.relu2 = nn.ReLU()
        self.sep2 = Separate()
        self.global_pool = nn.MaxPool1d(input_length // pool)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(n_filters2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 1) for one-hot input (N, 4, L)."""
        x = self.pool1(self.sep1(self.relu1(self.conv1(x))))
        x = self.global_pool(self.sep2(self.relu2(self.conv2(x))))
        return self.dense(self.dropout(self.flatten(x)))
