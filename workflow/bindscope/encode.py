"""Stage 2, encode: genome windows to one-hot arrays with sequence and per-base labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bindscope.genome import chrom_codes, open_genome
from bindscope.io import SPLITS, read_regions, save_encoded
from bindscope.sequence import one_hot_codes


def window_codes(chrom_seq: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Base codes of equal-length windows of one chromosome, (N, length) uint8.

    Rows of a strided view of the chromosome: one copy of the output, no (N, length) index array.
    """
    return np.lib.stride_tricks.sliding_window_view(chrom_seq, length)[starts]


def base_labels(regions: pd.DataFrame, length: int) -> np.ndarray:
    """Per-base labels (N, length) uint8: 1 where a position lies inside its peak interval."""
    start = regions["start"].to_numpy()
    positive = regions["label"].to_numpy() == 1
    lo = np.where(positive, np.clip(regions["peak_start"].to_numpy() - start, 0, length), 0).astype(np.int32)
    hi = np.where(positive, np.clip(regions["peak_end"].to_numpy() - start, 0, length), 0).astype(np.int32)
    offsets = np.arange(length, dtype=np.int32)[None, :]
    return ((offsets >= lo[:, None]) & (offsets < hi[:, None])).view(np.uint8)


def encode_regions(regions: pd.DataFrame, fasta) -> dict[str, np.ndarray]:
    """One-hot x (N, 4, L) uint8, y (N,) uint8 and y_base (N, L) uint8 for equal-length regions, in table order."""
    lengths = (regions["end"] - regions["start"]).unique()
    if len(lengths) != 1:
        raise ValueError(f"regions must share one length, got {sorted(lengths)[:5]}")
    length = int(lengths[0])
    codes = np.empty((len(regions), length), dtype=np.uint8)
    for chrom, idx in regions.groupby("chrom", sort=False).indices.items():
        codes[idx] = window_codes(chrom_codes(fasta, chrom), regions["start"].to_numpy()[idx], length)
    return {"x": one_hot_codes(codes), "y": regions["label"].to_numpy(dtype=np.uint8), "y_base": base_labels(regions, length)}


def run(regions: str, genome: str, outdir: str) -> None:
    """Write {outdir}/{train,val,test}.npz from regions.tsv.gz."""
    table = read_regions(regions)
    fasta = open_genome(genome)
    for split in SPLITS:
        part = table[table["split"] == split].reset_index(drop=True)
        arrays = encode_regions(part, fasta)
        save_encoded(Path(outdir) / f"{split}.npz", **arrays, chrom=part["chrom"].to_numpy(dtype=str), start=part["start"].to_numpy())
        print(f"{split}: x {arrays['x'].shape}, positives {int(arrays['y'].sum())}")
