"""A 1D residual U-Net: one binding logit per base.

(N, 4, L) float one-hot in, (N, L) logits out, for any L (odd lengths included: the input is
padded with N columns to a multiple of ``2 ** depth`` and the output cropped back).

The encoder is a stack of residual convolution blocks with Parametric ReLU, each followed by a
strided convolution that halves the length; the bottleneck block is dilated for context across
the whole window; the decoder upsamples with transposed convolutions and concatenates the
encoder's output of the same resolution (skip connections keep nucleotide resolution). Optional
attention gates weight each skip connection by the decoder's signal, after the attention
residual U-Net of Mu et al. (2023) and Oktay et al. (2018).

Every non-linearity is its own module, used once, and no two non-linear modules are adjacent,
so captum's DeepLIFT rules apply (adjacent hooked modules break summation-to-delta; PReLU is registered as a rescale
non-linearity in :mod:`bindscope.stages.interpret`). Down-sampling is a strided convolution (linear),
not max-pooling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    """conv -> BN -> PReLU -> conv -> BN, plus a 1x1 projection of the input, -> PReLU."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int = 1):
        super().__init__()
        self.conv1 = nn.Conv1d(c_in, c_out, kernel_size, padding="same", dilation=dilation)
        self.bn1 = nn.BatchNorm1d(c_out)
        self.act1 = nn.PReLU(c_out)
        self.conv2 = nn.Conv1d(c_out, c_out, kernel_size, padding="same", dilation=dilation)
        self.bn2 = nn.BatchNorm1d(c_out)
        self.project = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        self.act2 = nn.PReLU(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        return self.act2(h + self.project(x))


class AttentionGate(nn.Module):
    """Weights a skip connection x by sigmoid(psi(ReLU(Wx x + Wg g))), g the decoder signal at x's length."""

    def __init__(self, c_skip: int, c_gate: int, c_inter: int):
        super().__init__()
        self.wx = nn.Conv1d(c_skip, c_inter, 1)
        self.wg = nn.Conv1d(c_gate, c_inter, 1)
        self.relu = nn.ReLU()
        self.psi = nn.Conv1d(c_inter, 1, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return x * self.sigmoid(self.psi(self.relu(self.wx(x) + self.wg(g))))


class UNet(nn.Module):
    """Residual U-Net with optional attention gates; per-base logits.

    Parameters
    ----------
    channels : sequence of int
        Channels of the encoder blocks, finest first; the bottleneck has twice the last.
        ``len(channels)`` is the depth: the number of halvings.
    kernel_size : int
        Width of every block's convolutions.
    bottleneck_dilation : int
        Dilation of the bottleneck block's convolutions (wider context at the coarsest level).
    attention : bool
        Attention gates on the skip connections. The gate multiplies two input-dependent
        tensors, which no DeepLIFT rule covers: contributions then no longer sum to the output
        difference (interpret measures and logs the gap), so it is off by default.
    dropout : float
        Dropout before the per-base output layer.
    """

    per_base = True

    def __init__(
        self,
        channels: tuple[int, ...] | list[int] = (8, 16, 32),
        kernel_size: int = 7,
        bottleneck_dilation: int = 2,
        attention: bool = False,
        dropout: float = 0.1,
    ):
        super().__init__()
        if not channels:
            raise ValueError("channels must name at least one encoder level")
        channels = [int(c) for c in channels]
        self.depth = len(channels)
        self.attention = attention
        self.encoder = nn.ModuleList()
        self.down = nn.ModuleList()
        c_prev = 4
        for c in channels:
            self.encoder.append(ResidualBlock(c_prev, c, kernel_size))
            self.down.append(nn.Conv1d(c, c, 2, stride=2))
            c_prev = c
        self.bottleneck = ResidualBlock(c_prev, 2 * c_prev, kernel_size, dilation=bottleneck_dilation)
        c_prev *= 2
        self.up = nn.ModuleList()
        self.gates = nn.ModuleList()
        self.decoder = nn.ModuleList()
        for c in reversed(channels):
            self.up.append(nn.ConvTranspose1d(c_prev, c, 2, stride=2))
            self.gates.append(AttentionGate(c, c, max(1, c // 2)) if attention else nn.Identity())
            self.decoder.append(ResidualBlock(2 * c, c, kernel_size))
            c_prev = c
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Conv1d(c_prev, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Per-base logits (N, L) for one-hot input (N, 4, L)."""
        length = x.shape[-1]
        unit = 2**self.depth
        h = F.pad(x, (0, -length % unit))  # N columns: all-zero one-hot
        skips = []
        for block, down in zip(self.encoder, self.down, strict=True):
            h = block(h)
            skips.append(h)
            h = down(h)
        h = self.bottleneck(h)
        for up, gate, block, skip in zip(self.up, self.gates, self.decoder, reversed(skips), strict=True):
            h = up(h)
            if self.attention:
                skip = gate(skip, h)
            h = block(torch.cat([skip, h], dim=1))
        return self.head(self.dropout(h))[:, 0, :length]
