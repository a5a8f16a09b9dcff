"""bindscope.positives: peaks to positive windows, merged peaks, splits by chromosome."""

from __future__ import annotations

import pandas as pd

from bindscope.positives import assign_splits, merge_peaks


def test_overlapping_peaks_merge_into_one_positive():
    peaks = pd.DataFrame(
        {
            "chrom": ["c1", "c1", "c1", "c1", "c2"],
            "start": [100, 140, 180, 1000, 100],
            "end": [150, 190, 230, 1050, 150],
            "summit": [125, 165, 205, 1025, 125],
            "line": [1, 2, 3, 4, 5],
        }
    )
    merged = merge_peaks(peaks)
    assert merged[["chrom", "start", "end", "summit", "line"]].values.tolist() == [
        ["c1", 100, 230, 165, 1],
        ["c1", 1000, 1050, 1025, 4],
        ["c2", 100, 150, 125, 5],
    ]
    assert len(merge_peaks(peaks, distance=800)) == 2  # within 800 bp: the c1 peaks join


def test_auto_splits_are_whole_chromosomes_near_target_shares():
    counts = {f"chr{i}": n for i, n in enumerate([300, 250, 200, 150, 100, 0], start=1)}
    split = assign_splits(counts, list(counts), None, None)
    share = {s: sum(counts[c] for c, v in split.items() if v == s) / 1000 for s in ("train", "val", "test")}
    assert set(split.values()) == {"train", "val", "test"} and split["chr6"] == "train"
    assert 0.1 <= share["test"] <= 0.3 and 0.1 <= share["val"] <= 0.3
    assert assign_splits(counts, list(counts), ["chr5"], ["chr4"]) == {
        "chr1": "train",
        "chr2": "train",
        "chr3": "train",
        "chr4": "val",
        "chr5": "test",
        "chr6": "train",
    }
