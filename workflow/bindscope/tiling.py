"""Regions of any length to a model's fixed-length windows: one centred window, or tiles covering the region."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bindscope.genome import padded_window_codes
from bindscope.sequence import one_hot_codes

#: How a region becomes windows: one window centred on its summit (narrowPeak) or midpoint, or
#: adjacent windows tiling it (centred on the region, the last tile reaching past its end).
WINDOW_MODES = ("centre", "tile")
#: Columns of a window table.
WINDOW_COLUMNS = ["region", "chrom", "start", "end", "tile"]


def region_windows(regions: pd.DataFrame, length: int, mode: str) -> pd.DataFrame:
    """Windows of ``length`` bp for regions (chrom, start, end, summit; one row each), in region order.

    Returns region (row number in ``regions``), chrom, start, end and tile (0.. within the region).
    A centred window starts at summit - length // 2, so a window given as a region comes back as itself.
    """
    if mode not in WINDOW_MODES:
        raise ValueError(f"window mode must be one of {WINDOW_MODES}, got {mode!r}")
    start, end = regions["start"].to_numpy(np.int64), regions["end"].to_numpy(np.int64)
    if mode == "centre":
        n = np.ones(len(regions), dtype=np.int64)
        first = regions["summit"].to_numpy(np.int64) - length // 2
    else:
        n = np.maximum(-(-(end - start) // length), 1)
        first = start + ((end - start) - n * length) // 2
    region = np.repeat(np.arange(len(regions)), n)
    tile = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    starts = np.repeat(first, n) + tile * length
    return pd.DataFrame(
        {"region": region, "chrom": regions["chrom"].to_numpy()[region], "start": starts, "end": starts + length, "tile": tile}
    )


def windows_one_hot(fasta, windows: pd.DataFrame, length: int) -> np.ndarray:
    """One-hot (N, 4, length) uint8 of windows (chrom, start) in table order; N outside a chromosome."""
    codes = np.empty((len(windows), length), dtype=np.uint8)
    for chrom, idx in windows.groupby("chrom", sort=False).indices.items():
        codes[idx] = padded_window_codes(fasta, chrom, windows["start"].to_numpy()[idx], length)
    return one_hot_codes(codes)
