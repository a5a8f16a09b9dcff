"""bindscope.inputs: the checks and counts validate and regions share (negative candidates, window bases)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bindscope.genome import open_genome
from bindscope.io import read_peaks


def test_candidate_windows_equal_tiling_the_genome_and_removing_every_overlap(tiny_genome):
    """free_gaps + grid_tiles keep exactly the grid windows that overlap no padded peak or blacklist base."""
    from bindscope.genome import chrom_sizes
    from bindscope.inputs import exclusion_intervals, free_gaps, grid_tiles

    fasta = open_genome(tiny_genome / "genome.fa")
    sizes = chrom_sizes(fasta)
    peaks = read_peaks(tiny_genome / "peaks.narrowPeak")
    blacklist = read_peaks(tiny_genome / "blacklist.bed")
    window, padding = 300, 200
    excluded = {c: np.zeros(s, bool) for c, s in sizes.items()}
    for iv in exclusion_intervals(peaks, blacklist, sizes, padding):
        excluded[iv.chrom][iv.start : iv.end] = True
    expected = [(c, k) for c, s in sizes.items() for k in range(s // window) if not excluded[c][k * window : (k + 1) * window].any()]
    gaps = free_gaps(peaks, blacklist, sizes, padding)
    row, k = grid_tiles(gaps, window)
    assert list(zip(gaps["chrom"].to_numpy()[row], k.tolist(), strict=True)) == expected


def test_window_bases_counts_every_class_for_windows_of_any_length(tiny_genome):
    from bindscope.inputs import window_bases

    fasta = open_genome(tiny_genome / "genome.fa")
    windows = pd.DataFrame({"chrom": ["chr1", "chr1", "chr3", "chr1"], "start": [29_990, 39_995, 0, 5], "end": [30_010, 40_005, 0, 6]})
    bases = window_bases(fasta, windows)
    for w, row in zip(windows.itertuples(), bases.itertuples(), strict=True):
        seq = fasta.fetch(w.chrom, w.start, w.end).decode()
        assert row.unknown == sum(b not in "ACGTacgt" for b in seq)
        assert row.soft_masked == sum(b.islower() for b in seq)
        assert row.gc == sum(b in "GCgc" for b in seq)
    assert bases.loc[2].tolist() == [0, 0, 0, 0, 0]  # an empty window
