"""How far a per-base model's genome-wide track agrees with evaluate's summit-centred windows, by tiling margin.

For a finished run folder (default: bench/out/demo, the demo run of bench/demo), the U-Net of a TF scores
the genome in overlapping tiles anchored at each chromosome's start, keeping each tile's central part
(``margin`` bp dropped at either end; margin 0 is the adjacent tiling tracks used before issue 29), and
the track is compared with evaluate's per-base probabilities of the same bases for every test positive
(eval/unet/predictions.npz): Pearson correlation over the window, and the distance between the two maxima
(bindscope.consistency, as the tracks stage reports them).
Only tiles overlapping a test positive are scored, exactly as the genome-wide tiling would score them.

Prints and writes (--out) per TF and margin: median correlation, share of positives whose maxima lie
within 20 bp, and the tiling's cost relative to margin 0 (window / stride).

Usage: python bench/tiling_margin/run.py [--run bench/out/demo] [--tfs CTCF REST] [--margins 0 50 100 150]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from bindscope import models
from bindscope.consistency import agreement as consistency_agreement
from bindscope.genome import open_genome
from bindscope.inference import predict_probabilities
from bindscope.io import load_npz
from bindscope.tiling import tile_starts, windows_one_hot

REPO = Path(__file__).resolve().parents[2]


def track_over(model, fasta, chrom: str, start: int, end: int, window: int, margin: int) -> np.ndarray:
    """The tiled track's values on [start, end), tiles anchored at the chromosome's start as tracks tiles it."""
    every = tile_starts(0, fasta.sizes[chrom], window, margin)
    stride = window - 2 * margin
    first = max(0, (start - margin - every[0]) // stride - 1)
    starts = every[first : (end + margin - every[0]) // stride + 2]
    prob = predict_probabilities(model, windows_one_hot(fasta, pd.DataFrame({"chrom": chrom, "start": starts}), window), 256)
    values = np.full(end - start, np.nan)
    for s, p in zip(starts, prob, strict=True):
        lo, hi = max(start, s + margin), min(end, s + window - margin)
        if hi > lo:
            values[lo - start : hi - start] = p[lo - s : hi - s]
    return values


def tiled_tracks(model, fasta, chroms, starts, window: int, margin: int) -> np.ndarray:
    """The tiled track over each window [start, start + window), (N, window)."""
    spans = zip(chroms, starts, strict=True)
    return np.stack([track_over(model, fasta, str(c), int(s), int(s) + window, window, margin) for c, s in spans])


def track_agreement(model, fasta, chroms, starts, centred: np.ndarray, margin: int) -> dict[str, float]:
    """The tracks stage's :func:`~bindscope.consistency.agreement` of the tiled track with the centred windows (N, window)."""
    return consistency_agreement(tiled_tracks(model, fasta, chroms, starts, centred.shape[1], margin), centred)


def agreement(run: Path, tf: str, genome: str, margins: list[int]) -> list[dict]:
    model, _ = models.load(run / "results" / tf / "models" / "unet" / "model.ckpt")
    data = load_npz(run / "results" / tf / "eval" / "unet" / "predictions.npz")
    fasta = open_genome(genome)
    positives = np.flatnonzero(data["label"] == 1)
    window = data["base_probability"].shape[1]
    rows = []
    for margin in margins:
        chroms, starts = data["chrom"][positives], data["start"][positives]
        found = track_agreement(model, fasta, chroms, starts, data["base_probability"][positives], margin)
        rows.append({"tf": tf, "margin": margin, "positives": len(positives), **found, "cost": window / (window - 2 * margin)})
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=str(REPO / "bench" / "out" / "demo"))
    parser.add_argument("--tfs", nargs="+", default=["CTCF", "REST"])
    parser.add_argument("--genome", default=None, help="the run's genome (default: the sheet's, from its config/samples.tsv)")
    parser.add_argument("--margins", type=int, nargs="+", default=[0, 50, 100, 150])
    parser.add_argument("--out", default=str(REPO / "bench" / "out" / "tiling_margin.tsv"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run = Path(args.run)
    sheet = pd.read_csv(run / "config" / "samples.tsv", sep="\t", dtype=str).set_index("tf")
    rows = []
    for tf in args.tfs:
        genome = args.genome or str(run / sheet.loc[tf, "genome"])
        rows += agreement(run, tf, genome, args.margins)
    pd.DataFrame(rows).to_csv(args.out, sep="\t", index=False)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
