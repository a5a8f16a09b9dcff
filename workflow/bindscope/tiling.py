"""Regions of any length to a model's fixed-length windows: one centred window, or tiles covering the region."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bindscope.errors import InputError
from bindscope.genome import padded_window_codes
from bindscope.sequence import one_hot_codes

#: How a region becomes windows: one window centred on its summit (narrowPeak) or midpoint, or
#: overlapping windows whose central parts (``margin`` bp dropped at either end) tile it, centred on
#: the region (the last reaching past its end).
WINDOW_MODES = ("centre", "tile")


def region_windows(regions: pd.DataFrame, length: int, mode: str, margin: int = 0) -> pd.DataFrame:
    """Windows of ``length`` bp for regions (chrom, start, end, summit; one row each), in region order.

    Returns region (row number in ``regions``), chrom, start, end and tile (0.. within the region).
    A centred window starts at summit - length // 2, so a window given as a region comes back as itself.
    Tiles step by ``length - 2 * margin``: their central parts are adjacent and cover the region.
    """
    if mode not in WINDOW_MODES:
        raise ValueError(f"window mode must be one of {WINDOW_MODES}, got {mode!r}")
    start, end = regions["start"].to_numpy(np.int64), regions["end"].to_numpy(np.int64)
    if mode == "centre":
        step = length
        n = np.ones(len(regions), dtype=np.int64)
        first = regions["summit"].to_numpy(np.int64) - length // 2
    else:
        step = tile_step(length, margin)
        n = np.maximum(-(-(end - start) // step), 1)
        first = start + ((end - start) - n * step) // 2 - margin
    region = np.repeat(np.arange(len(regions)), n)
    tile = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    starts = np.repeat(first, n) + tile * step
    return pd.DataFrame(
        {"region": region, "chrom": regions["chrom"].to_numpy()[region], "start": starts, "end": starts + length, "tile": tile}
    )


def margin_of(setting: str | int, window: int, where: str = "config") -> int:
    """The tile margin (bp) of a setting (config predict.tile_margin, named ``where``): "auto" is a quarter
    of the window, else a number of bp that leaves a central part."""
    if setting == "auto":
        return window // 4
    try:
        margin = int(setting)
    except ValueError:
        raise InputError(where, "key predict.tile_margin", f"expected auto or a number of bp, got {setting!r}") from None
    if margin < 0 or 2 * margin >= window:
        problem = f"{margin} leaves no central part of the {window} bp window (at most {(window - 1) // 2})"
        raise InputError(where, "key predict.tile_margin", problem)
    return margin


def tile_step(window: int, margin: int) -> int:
    """The step between tiles whose central parts (``margin`` bp dropped at either end) are adjacent."""
    if margin < 0 or window - 2 * margin < 1:
        raise ValueError(f"tile margin must be at least 0 and less than half the {window} bp window, got {margin}")
    return window - 2 * margin


def tile_starts(start: int, end: int, window: int, margin: int) -> np.ndarray:
    """Starts of overlapping windows whose central parts [s + margin, s + window - margin) tile [start, end).

    Each base of [start, end) lies in exactly one central part, so a per-base track that keeps only
    those never reports a base from a window's outer ``margin`` bp (margin 0: adjacent windows).
    The first window begins ``margin`` bp before ``start`` (bases outside a chromosome are N).
    """
    return np.arange(start - margin, end - margin, tile_step(window, margin), dtype=np.int64)


def windows_one_hot(fasta, windows: pd.DataFrame, length: int) -> np.ndarray:
    """One-hot (N, 4, length) uint8 of windows (chrom, start) in table order; N outside a chromosome."""
    codes = np.empty((len(windows), length), dtype=np.uint8)
    for chrom, idx in windows.groupby("chrom", sort=False).indices.items():
        codes[idx] = padded_window_codes(fasta, chrom, windows["start"].to_numpy()[idx], length)
    return one_hot_codes(codes)
