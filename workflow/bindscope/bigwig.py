"""Per-base values of windows to genome-browser tracks: bigWig files (pyBigWig) and BED segments.

Windows may overlap (regions closer than a window) and may reach past a chromosome end (N-padded
windows): a base covered by several windows gets their mean, bases outside the chromosome are dropped.
Nothing dense over a chromosome is allocated, so memory follows the covered bases, not the genome.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pyBigWig

from bindscope.io import atomic_path

#: One chromosome's covered bases: sorted 0-based positions (int64) and their values (float64).
Track = tuple[np.ndarray, np.ndarray]


def window_bases(starts: np.ndarray, values: np.ndarray, size: int) -> Track:
    """Mean value of each base covered by windows of one chromosome.

    Parameters
    ----------
    starts : (N,) int
        0-based start of each window (may be negative or reach past ``size``).
    values : (N, L) float
        One value per base of each window.
    size : int
        Chromosome length: bases outside [0, size) are dropped.
    """
    starts, values = np.asarray(starts, dtype=np.int64), np.asarray(values, dtype=np.float64)
    positions = (starts[:, None] + np.arange(values.shape[1], dtype=np.int64)[None, :]).ravel()
    flat = values.ravel()
    inside = (positions >= 0) & (positions < size) & np.isfinite(flat)
    positions, flat = positions[inside], flat[inside]
    unique, index = np.unique(positions, return_inverse=True)
    sums = np.bincount(index, weights=flat, minlength=len(unique))
    counts = np.bincount(index, minlength=len(unique))
    return unique, sums / np.maximum(counts, 1)


def chromosome_tracks(chroms: np.ndarray, starts: np.ndarray, values: np.ndarray, sizes: dict[str, int]) -> Iterator[tuple[str, Track]]:
    """(chromosome, :func:`window_bases`) for each chromosome of ``sizes`` that holds windows, in ``sizes`` order."""
    chroms = np.asarray(chroms).astype(str)
    for chrom, size in sizes.items():
        rows = np.flatnonzero(chroms == chrom)
        if len(rows):
            yield chrom, window_bases(np.asarray(starts)[rows], np.asarray(values)[rows], size)


def consecutive_runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """[first, last) index ranges of the runs of consecutive integers in sorted ``positions``."""
    if len(positions) == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    bounds = np.concatenate([[0], breaks, [len(positions)]])
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def write_bigwig(path: str | os.PathLike, sizes: dict[str, int], tracks) -> int:
    """Write ``tracks`` ((chromosome, (positions, values)) in ``sizes`` order) as a bigWig; return bases written.

    The header lists every chromosome of ``sizes`` (in that order), so the file loads against the genome
    whether or not a chromosome holds values. Written atomically.
    """
    written = 0
    with atomic_path(path) as tmp:
        bw = pyBigWig.open(str(tmp), "w")
        try:
            bw.addHeader([(chrom, int(size)) for chrom, size in sizes.items()])
            for chrom, (positions, values) in tracks:
                for first, last in consecutive_runs(positions):
                    # fixedStep sections (a start, then values): a third smaller and faster than one entry per base
                    bw.addEntries(chrom, int(positions[first]), values=values[first:last].astype(np.float64), span=1, step=1)
                written += len(positions)
        finally:
            bw.close()
    return written


def read_bigwig(path: str | os.PathLike, chrom: str, start: int, end: int) -> np.ndarray:
    """Values of bases [start, end) of ``chrom`` in a bigWig, NaN where it holds none (float64)."""
    bw = pyBigWig.open(str(path))
    try:
        return np.asarray(bw.values(chrom, start, end, numpy=True), dtype=np.float64)
    finally:
        bw.close()


def segment_intervals(chrom: str, calls: Track) -> list[tuple[str, int, int]]:
    """BED intervals (chrom, start, end) of the runs of consecutive called positions of one chromosome."""
    positions = calls[0]
    return [(chrom, int(positions[first]), int(positions[last - 1]) + 1) for first, last in consecutive_runs(positions)]
