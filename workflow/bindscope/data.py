"""Datasets over the encoded arrays, batch augmentation, and the LightningDataModule."""

from __future__ import annotations

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

from bindscope.io import load_npz

#: Share of the GPU's free memory a training set may take to be moved there whole.
DEVICE_RESIDENT_SHARE = 0.25


def load_split(path: str) -> TensorDataset:
    """TensorDataset of (x uint8 (N, 4, L), y float (N,), y_base uint8 (N, L)) from an encoded npz.

    Where the file has flanks (encode's training windows: x_left, x_right, y_base_left,
    y_base_right), x and y_base are the windows with their flanks, L = window + 2 x flank.
    Sequences and per-base labels stay uint8 (a quarter of float32's memory) until a batch is
    on its device (:meth:`EncodedDataModule.on_after_batch_transfer` makes them float).
    """
    arrays = load_npz(path)
    x, y_base = arrays["x"], arrays["y_base"].astype("uint8", copy=False)
    if "x_left" in arrays:
        x = np.concatenate([arrays["x_left"], x, arrays["x_right"]], axis=-1)
        y_base = np.concatenate([arrays["y_base_left"], y_base, arrays["y_base_right"]], axis=-1)
    return TensorDataset(torch.from_numpy(x), torch.from_numpy(arrays["y"]).float(), torch.from_numpy(y_base))


def window_length(path: str) -> int:
    """Length of the windows of an encoded npz (without any flanks)."""
    with np.load(path, allow_pickle=False) as data:
        return int(data["x"].shape[-1])


def batch_loader(dataset: TensorDataset, batch_size: int, generator: torch.Generator | None = None) -> DataLoader:
    """Batches by one fancy index per tensor (``tensor[indices]``), not one item per sequence then collate.

    Shuffled with ``generator`` when given (the order ``DataLoader(shuffle=True, generator=...)``
    would draw: the loader takes its base seed from ``generator`` before the sampler draws the
    permutation), in order otherwise. Works as well on tensors already on a GPU.
    """
    order = RandomSampler(dataset, generator=generator) if generator is not None else SequentialSampler(dataset)
    return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None, generator=generator)


def augment(
    x: torch.Tensor,
    y_base: torch.Tensor,
    window: int,
    max_shift: int,
    generator: torch.Generator,
    reverse_complement: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Crop each sequence to ``window`` bp shifted by up to ``max_shift`` bp from its centre; reverse-complement half the batch.

    Vectorised over the batch. x is (N, 4, W) float and y_base (N, W) float, W >= window: windows
    with their flanks (``(W - window) / 2`` bp each side). A shift beyond the flanks brings in N
    (all-zero columns) with label 0. Both are transformed alike.
    """
    n, _, wide = x.shape
    flank = (wide - window) // 2
    pad = max(0, max_shift - flank)
    if pad:
        x, y_base = F.pad(x, (pad, pad)), F.pad(y_base, (pad, pad))
    shift = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator).to(x.device) if max_shift > 0 else None
    offset = (flank + pad) + (shift if shift is not None else torch.zeros(n, dtype=torch.long, device=x.device))
    index = offset[:, None] + torch.arange(window, device=x.device)[None, :]
    x = x.gather(2, index[:, None, :].expand(-1, x.shape[1], -1))
    y_base = y_base.gather(1, index)
    flip = (torch.rand(n, generator=generator) < 0.5) & reverse_complement
    x = torch.where(flip[:, None, None].to(x.device), x.flip(1, 2), x)
    y_base = torch.where(flip[:, None].to(x.device), y_base.flip(1), y_base)
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
        self.generator = torch.Generator().manual_seed(seed)  # augmentation draws
        self.shuffle_generator = torch.Generator().manual_seed(seed)  # each epoch's order
        self.datasets: dict[str, TensorDataset] = {}

    def setup(self, stage: str | None = None) -> None:
        for split, path in self.paths.items():
            if path and split not in self.datasets:
                self.datasets[split] = load_split(path)
        self.window = window_length(self.paths["train"])
        device = self.trainer.strategy.root_device if self.trainer is not None else torch.device("cpu")
        if device.type == "cuda":
            self.move_to_device(device)

    def move_to_device(self, device: torch.device) -> None:
        """Move each split to ``device`` once when it fits, so no batch is copied from the host."""
        free, _ = torch.cuda.mem_get_info(device)
        for split, dataset in self.datasets.items():
            size = sum(t.nbytes for t in dataset.tensors)
            if size <= DEVICE_RESIDENT_SHARE * free and dataset.tensors[0].device != device:
                self.datasets[split] = TensorDataset(*(t.to(device) for t in dataset.tensors))
                free -= size

    def train_dataloader(self) -> DataLoader:
        return batch_loader(self.datasets["train"], self.batch_size, self.shuffle_generator)

    def val_dataloader(self) -> DataLoader:
        return batch_loader(self.datasets["val"], 4 * self.batch_size)

    def test_dataloader(self) -> DataLoader:
        return batch_loader(self.datasets["test"], 4 * self.batch_size)

    def state_dict(self) -> dict:
        """Both random streams, saved in Lightning's checkpoints so that a resumed fit draws where it stopped."""
        return {"augment": self.generator.get_state(), "shuffle": self.shuffle_generator.get_state()}

    def load_state_dict(self, state_dict: dict) -> None:
        self.generator.set_state(state_dict["augment"])
        self.shuffle_generator.set_state(state_dict["shuffle"])

    def on_after_batch_transfer(self, batch, dataloader_idx: int):
        x, y, y_base = batch
        x, y_base = x.float(), y_base.float()
        if self.trainer is not None and self.trainer.training:
            x, y_base = augment(x, y_base, self.window, self.max_shift, self.generator, self.reverse_complement)
        return x, y, y_base
