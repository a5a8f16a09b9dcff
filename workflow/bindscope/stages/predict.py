"""Stage predict: a TF's trained models on any regions (BED or narrowPeak on the genome) or on a FASTA of sequences.

Each region becomes the models' fixed-length windows (:mod:`bindscope.tiling`: one centred on its
summit or midpoint, or tiles covering it); bases outside a chromosome or a short sequence are N.
Writes one table row per window with every model's probability (a per-base model's: its highest
base), and for each per-base model its probabilities per base as a bigWig and its cleaned segments
(>= ``threshold`` in runs of >= ``min_segment`` bases) as BED. A FASTA's records are the bigWig's
chromosomes, so the track loads in a genome browser with that FASTA as the genome.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import torch

from bindscope import models
from bindscope.bigwig import chromosome_tracks, segment_intervals, write_bigwig
from bindscope.errors import InputError
from bindscope.genome import chrom_sizes, open_genome
from bindscope.inference import logits_with_spread, sequence_scores, sigmoid
from bindscope.inputs import check_contigs, check_peak_bounds
from bindscope.io import atomic_path, read_peaks, write_table
from bindscope.tiling import margin_of, region_windows, windows_one_hot

#: Windows read from the genome per pass (rounded up to whole batches, so that the batches are those
#: evaluate makes of the same windows: float32 convolutions may round differently in other batch sizes).
CHUNK = 10_000


def is_fasta(path: str | os.PathLike) -> bool:
    """Whether a file's first non-blank byte is '>' (a FASTA of sequences rather than BED/narrowPeak)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    with open(path, "rb") as fh:
        return fh.read(4096).lstrip()[:1] == b">"


def read_targets(regions: str, genome: str) -> tuple[pd.DataFrame, object]:
    """Regions (chrom, start, end, summit, line) and the FASTA their sequence comes from.

    A FASTA of sequences gives one region per record over its whole length; a BED or narrowPeak
    file gives its intervals on ``genome``, checked against it (contigs present, intervals inside).
    """
    if is_fasta(regions):
        fasta = open_genome(regions)
        sizes = chrom_sizes(fasta)
        table = pd.DataFrame({"chrom": list(sizes), "start": 0, "end": list(sizes.values()), "summit": [s // 2 for s in sizes.values()]})
        table["line"] = np.arange(1, len(table) + 1)
        return table, fasta
    peaks = read_peaks(regions)
    fasta = open_genome(genome)
    sizes = chrom_sizes(fasta)
    check_contigs(peaks, sizes, regions, genome)
    check_peak_bounds(peaks, sizes, regions, genome)
    return peaks, fasta


def load_models(ckpts: dict[str, str]) -> tuple[dict[str, torch.nn.Module], int]:
    """The trained models by name, and the window length they all read (from their checkpoints)."""
    loaded, hparams = {}, {}
    for name, ckpt in ckpts.items():
        if not Path(ckpt).is_file():
            raise InputError(ckpt, None, f"no checkpoint for model {name}: train it first (rule train)")
        loaded[name], hparams[name] = models.load(ckpt)
    return loaded, models.common_window(hparams, ckpts)


def score_windows(
    loaded: dict[str, torch.nn.Module], fasta, windows: pd.DataFrame, window: int, batch_size: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each model's score per window (N,), each per-base model's probabilities (N, window), and each fold ensemble's
    spread per window (:func:`~bindscope.inference.logits_with_spread`), a chunk at a time."""
    scores = {name: np.zeros(len(windows), dtype=np.float32) for name in loaded}
    per_base = {name: np.zeros((len(windows), window), dtype=np.float32) for name, m in loaded.items() if models.is_per_base(m)}
    spread = {name: np.zeros(len(windows), dtype=np.float32) for name, m in loaded.items() if isinstance(m, models.FoldEnsemble)}
    chunk = -(-CHUNK // batch_size) * batch_size
    for first in range(0, len(windows), chunk):
        part = windows.iloc[first : first + chunk]
        x = windows_one_hot(fasta, part, window)
        for name, model in loaded.items():
            logits, sd = logits_with_spread(model, x, batch_size)
            prob = sigmoid(logits)
            scores[name][first : first + len(part)] = sequence_scores(prob)
            if name in per_base:
                per_base[name][first : first + len(part)] = prob
            if name in spread:
                spread[name][first : first + len(part)] = sd
    return scores, per_base, spread


def prediction_table(
    targets: pd.DataFrame, windows: pd.DataFrame, scores: dict[str, np.ndarray], spread: dict[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """One row per window: the region (its line in the input, interval), the window, each model's probability, and
    for each fold ensemble the sd of its fold models' logits (``logit_sd_<model>``)."""
    region = targets.iloc[windows["region"].to_numpy()].reset_index(drop=True)
    table = pd.DataFrame(
        {
            "line": region["line"].to_numpy(),
            "region_chrom": region["chrom"].to_numpy(),
            "region_start": region["start"].to_numpy(),
            "region_end": region["end"].to_numpy(),
            "tile": windows["tile"].to_numpy(),
            "chrom": windows["chrom"].to_numpy(),
            "start": windows["start"].to_numpy(),
            "end": windows["end"].to_numpy(),
        }
    )
    for name, values in scores.items():
        table[f"prob_{name}"] = values
    for name, values in (spread or {}).items():
        table[f"logit_sd_{name}"] = values
    return table


def write_segments(path: str | os.PathLike, tracks: list, threshold: float, min_segment: int) -> int:
    """BED of the bases at >= ``threshold`` in runs of >= ``min_segment`` (name: segment, score: its peak probability x 1000)."""
    rows = []
    for chrom, (positions, values) in tracks:
        called = values >= threshold
        for _, start, end in segment_intervals(chrom, (positions[called], values[called])):
            if end - start >= min_segment:
                peak = values[(positions >= start) & (positions < end)].max()
                rows.append(f"{chrom}\t{start}\t{end}\tsegment\t{round(1000 * float(peak))}\t.\n")
    with atomic_path(path) as tmp:
        tmp.write_text("".join(rows))
    return len(rows)


def run(
    ckpts: dict[str, str],
    regions: str,
    genome: str,
    out: dict[str, str],
    *,
    mode: Literal["centre", "tile"],
    tile_margin: str,
    threshold: float,
    min_segment: int,
    batch_size: int,
    threads: int,
) -> None:
    """Score ``regions`` (BED, narrowPeak or FASTA) with every model of ``ckpts``; write ``out``.

    ``out``: table (predictions.tsv.gz), and ``bigwig_<model>`` and ``segments_<model>`` for each
    per-base model. Windows are as long as the models' (their checkpoints say); ``tile_margin`` is
    "auto" (a quarter of the window) or bp.
    """
    torch.set_num_threads(threads)
    loaded, window = load_models(ckpts)
    margin = margin_of(tile_margin, window) if mode == "tile" else 0
    per_base = [name for name, model in loaded.items() if models.is_per_base(model)]
    expected = {"table", *(f"{kind}_{name}" for name in per_base for kind in ("bigwig", "segments"))}
    if set(out) != expected:
        raise ValueError(f"outputs {sorted(out)} given; for models {list(loaded)} this stage writes {sorted(expected)}")
    targets, fasta = read_targets(regions, genome)
    windows = region_windows(targets, window, mode, margin)
    print(f"{len(targets)} regions -> {len(windows)} windows of {window} bp ({mode})")
    scores, tracks, spread = score_windows(loaded, fasta, windows, window, batch_size)
    write_table(prediction_table(targets, windows, scores, spread), out["table"])
    sizes = chrom_sizes(fasta)
    # tiles report their central parts only (no base from a window's edge); a centred window all of it
    keep = slice(margin, window - margin)
    for name in per_base:
        starts = windows["start"].to_numpy() + keep.start
        chrom_tracks = list(chromosome_tracks(windows["chrom"].to_numpy(), starts, tracks[name][:, keep], sizes))
        bases = write_bigwig(out[f"bigwig_{name}"], sizes, chrom_tracks)
        n = write_segments(out[f"segments_{name}"], chrom_tracks, threshold, min_segment)
        print(f"{name}: per-base probabilities on {bases} bases, {n} segments")
