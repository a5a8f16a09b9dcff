"""Stage 2, encode: genome windows to one-hot arrays with sequence and per-base labels."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from bindscope.genome import chrom_codes, open_genome
from bindscope.io import SPLITS, read_regions, save_encoded
from bindscope.layout import CONTROL_KINDS, check_outputs
from bindscope.sequence import one_hot_codes
from bindscope.shuffle import dinucleotide_shuffle
from bindscope.tiling import windows_one_hot


def window_codes(chrom_seq: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Base codes of equal-length windows of one chromosome, (N, length) uint8.

    Rows of a strided view of the chromosome: one copy of the output, no (N, length) index array.
    """
    return np.lib.stride_tricks.sliding_window_view(chrom_seq, length)[starts]


#: Ways to label bases of a positive window: its peak interval, summit +/- a half-width, or
#: "auto": the interval unless the file's median interval is wider than ``max_peak_width``.
BASE_LABEL_SOURCES = ("auto", "interval", "summit")


def base_label_intervals(
    regions: pd.DataFrame, length: int, *, source: str, summit_half_width: int, max_peak_width: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """Labelled stretch [lo, hi) of each window, in window coordinates, and the source used.

    Positives are centred on their summit (start + length // 2). ``source`` "auto" takes the
    peak intervals unless their median width exceeds ``max_peak_width`` (broad peaks carry no
    position), then the summit +/- ``summit_half_width``; with any source, positives without a
    valid interval (peak_end <= peak_start) fall back to the summit. Negatives get [0, 0).
    """
    if source not in BASE_LABEL_SOURCES:
        raise ValueError(f"base label source must be one of {BASE_LABEL_SOURCES}, got {source!r}")
    start = regions["start"].to_numpy()
    positive = regions["label"].to_numpy() == 1
    peak_lo, peak_hi = regions["peak_start"].to_numpy() - start, regions["peak_end"].to_numpy() - start
    valid = peak_hi > peak_lo
    if source == "auto":
        widths = (peak_hi - peak_lo)[positive & valid]
        source = "interval" if len(widths) and np.median(widths) <= max_peak_width else "summit"
    centre = length // 2
    use_interval = valid if source == "interval" else np.zeros(len(start), dtype=bool)
    lo = np.where(use_interval, peak_lo, centre - summit_half_width)
    hi = np.where(use_interval, peak_hi, centre + summit_half_width + 1)
    lo = np.where(positive, np.clip(lo, 0, length), 0).astype(np.int32)
    hi = np.where(positive, np.clip(hi, 0, length), 0).astype(np.int32)
    return lo, hi, source


def base_labels(regions: pd.DataFrame, length: int, **options) -> np.ndarray:
    """Per-base labels (N, length) uint8: 1 inside each positive's labelled stretch (:func:`base_label_intervals`)."""
    lo, hi, _ = base_label_intervals(regions, length, **options)
    offsets = np.arange(length, dtype=np.int32)[None, :]
    return ((offsets >= lo[:, None]) & (offsets < hi[:, None])).view(np.uint8)


def encode_regions(regions: pd.DataFrame, fasta, **label_options) -> dict[str, np.ndarray]:
    """One-hot x (N, 4, L) uint8, y (N,) uint8 and y_base (N, L) uint8 for equal-length regions, in table order.

    ``label_options`` go to :func:`base_label_intervals`.
    """
    lengths = (regions["end"] - regions["start"]).unique()
    if len(lengths) != 1:
        raise ValueError(f"regions must share one length, got {sorted(lengths)[:5]}")
    length = int(lengths[0])
    return {
        "x": window_one_hot(regions, fasta, length),
        "y": regions["label"].to_numpy(dtype=np.uint8),
        "y_base": base_labels(regions, length, **label_options),
    }


def window_one_hot(windows: pd.DataFrame, fasta, length: int) -> np.ndarray:
    """One-hot (N, 4, length) uint8 of equal-length windows (chrom, start), in table order."""
    codes = np.empty((len(windows), length), dtype=np.uint8)
    for chrom, idx in windows.groupby("chrom", sort=False).indices.items():
        codes[idx] = window_codes(chrom_codes(fasta, chrom), windows["start"].to_numpy()[idx], length)
    return one_hot_codes(codes)


def flank_arrays(regions: pd.DataFrame, fasta, flank: int, **label_options) -> dict[str, np.ndarray]:
    """The ``flank`` bp each side of equal-length windows: x_left, x_right (N, 4, flank) and y_base_left, y_base_right.

    Training crops its windows from window + flanks at random offsets (:mod:`bindscope.data`), so a
    bound site may sit anywhere in a window, as in a genome-wide tiling, and shifted-in bases are
    genome sequence rather than N. Labels are those of the widened window (:func:`base_labels`, the
    same ``label_options``); bases past a chromosome end are N, labelled 0.
    """
    length = int((regions["end"] - regions["start"]).iloc[0]) if len(regions) else 0
    wide = regions.assign(start=regions["start"] - flank, end=regions["end"] + flank)
    x = windows_one_hot(fasta, wide, length + 2 * flank)
    y_base = base_labels(wide, length + 2 * flank, **label_options)
    return {
        "x_left": x[..., :flank],
        "x_right": x[..., flank + length :],
        "y_base_left": y_base[:, :flank],
        "y_base_right": y_base[:, flank + length :],
    }


def control_arrays(test: dict[str, np.ndarray], flanks: pd.DataFrame, fasta, seed: int) -> dict[str, np.ndarray]:
    """Control negatives of the test positives: one dinucleotide shuffle of each (x_shuffled, same order) and
    the peak-flank windows (x_flanks, with chrom_flanks and start_flanks).

    A shuffle keeps a positive's composition down to dinucleotides and destroys its motif; a flank
    keeps its neighbourhood. Scored against the test positives they show whether a model learnt the
    motif or the composition around it.
    """
    length = test["x"].shape[-1]
    positives = test["x"][test["y"] == 1]
    shuffled = dinucleotide_shuffle(positives, n=1, rng=seed)[:, 0] if len(positives) else positives
    return {
        "x_shuffled": shuffled,
        "x_flanks": window_one_hot(flanks, fasta, length),
        "chrom_flanks": flanks["chrom"].to_numpy(dtype=str),
        "start_flanks": flanks["start"].to_numpy(),
    }


def run(
    regions: str,
    flanks: str,
    genome: str,
    out: dict[str, str],
    *,
    base_label_source: Literal["auto", "interval", "summit"],
    summit_half_width: int,
    max_peak_width: int,
    train_flank: int,
    seed: int,
) -> None:
    """Write one npz per split (``out``: train, val, test) from regions.tsv.gz, and the test positives' controls
    (``out``: controls; :func:`control_arrays`) from them and flanks.tsv.gz.

    The per-base label source is resolved once over all splits (see :func:`base_label_intervals`).
    The training windows also get ``train_flank`` bp of sequence and labels each side
    (:func:`flank_arrays`), from which training crops shifted windows; x, y_base stay the windows.
    """
    if train_flank < 0:
        raise ValueError(f"train_flank must be >= 0, got {train_flank}")
    check_outputs(out, (*SPLITS, "controls"))
    table = read_regions(regions)
    fasta = open_genome(genome)
    length = int((table["end"] - table["start"]).iloc[0])
    options = {"summit_half_width": summit_half_width, "max_peak_width": max_peak_width}
    lo, hi, source = base_label_intervals(table, length, source=base_label_source, **options)
    positive = table["label"].to_numpy() == 1
    print(f"per-base labels: {source} (mean {np.mean(hi[positive] - lo[positive]):.0f} labelled bp per positive)")
    for split in SPLITS:
        part = table[table["split"] == split].reset_index(drop=True)
        arrays = encode_regions(part, fasta, source=source, **options)
        if split == "train" and train_flank > 0:
            arrays |= flank_arrays(part, fasta, train_flank, source=source, **options)
        save_encoded(out[split], **arrays, chrom=part["chrom"].to_numpy(dtype=str), start=part["start"].to_numpy())
        print(f"{split}: x {arrays['x'].shape}, positives {int(arrays['y'].sum())}")
        if split == "test":
            controls = control_arrays(arrays, pd.read_csv(flanks, sep="\t", dtype={"chrom": str}), fasta, seed)
            save_encoded(out["controls"], **controls)
            counts = {kind: len(controls["x_" + kind]) for kind in CONTROL_KINDS}
            print(f"controls of the {int(arrays['y'].sum())} test positives: {counts}")
