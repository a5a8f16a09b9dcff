"""Datasets over the encoded arrays, batch augmentation, and the LightningDataModule."""

from __future__ import annotations

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from bindscope.io import load_npz


def load_split(path: str) -> TensorDataset:
    """TensorDataset of (x uint8 (N, 4, L), y float (N,), y_base float (N, L)) from an encoded npz."""
    arrays = load_npz(path)
    return TensorDataset(torch.from_numpy(arrays["x"]), torch.from_numpy(arrays["y"]).float(), torch.from_numpy(arrays["y_base"]).float())


def augment(
    x: torch.Tensor, y_base: torch.Tensor, max_shift: int, generator: torch.Generator, reverse_complement: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """Reverse-complement half the batch at random and shift each sequence by up to ``max_shift`` bp.

    Vectorised over the batch. Shifted-in positions are N (all-zero columns) with label 0.
    x is (N, 4, L) float, y_base (N, L) float; both are transformed alike.
    """
    n, _, length = x.shape
    flip = (torch.rand(n, generator=generator) < 0.5) & reverse_complement
    x = torch.where(flip[:, None, None].to(x.device), x.flip(1, 2), x)
    y_base = torch.where(flip[:, None].to(x.device), y_base.flip(1), y_base)
    if max_shift > 0:
        shift = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator).to(x.device)
        src = torch.arange(length, device=x.device)[None, :] - shift[:, None]
        valid = (src >= 0) & (src < length)
        src = src.clamp(0, length - 1)
        x = x.gather(2, src[:, None, :].expand(-1, 4, -1)) * valid[:, None, :]
        y_base = y_base.gather(1, src) * valid
    return x, y_base


class EncodedDataModule(L.LightningDataModule):
    """Train/val/test loaders over encoded npz files; augmentation on training batches only."""

    def __init__(
        self,
        train: str,
        val: str,
        test: str | None = None,
        batch_size: int = 64,
        max_shift: int = 10,
        reverse_complement: bool = True,
        seed: int = 0,
    ):
        super().__init__()
        self.paths = {"train": train, "val": val, "test": test}
        self.batch_size = batch_size
        self.max_shift = max_shift
        self.reverse_complement = reverse_complement
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self.datasets: dict[str, TensorDataset] = {}

    def setup(self, stage: str | None = None) -> None:
        for split, path in self.paths.items():
            if path and split not in self.datasets:
                self.datasets[split] = load_split(path)

    def train_dataloader(self) -> DataLoader:
        return DataLoader(
            self.datasets["train"], batch_size=self.batch_size, shuffle=True, generator=torch.Generator().manual_seed(self.seed)
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.datasets["val"], batch_size=4 * self.batch_size)

    def test_dataloader(self) -> DataLoader:
        return DataLoader(self.datasets["test"], batch_size=4 * self.batch_size)

    def on_after_batch_transfer(self, batch, dataloader_idx: int):
        x, y, y_base = batch
        x = x.float()
        if self.trainer is not None and self.trainer.training:
            x, y_base = augment(x, y_base, self.max_shift, self.generator, self.reverse_complement)
        return x, y, y_base
