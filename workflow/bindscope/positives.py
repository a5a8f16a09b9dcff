"""Peaks to positive windows and their chromosome splits: shared by the validate and regions stages."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pybedtools

from bindscope.io import SPLITS

#: Target share of positives per split when test/val chromosomes are chosen automatically.
AUTO_SPLIT_SHARE = {"test": 0.2, "val": 0.15, "train": 0.65}


def positive_windows(peaks: pd.DataFrame, sizes: dict[str, int], window: int) -> tuple[pd.DataFrame, int, int]:
    """Windows of ``window`` bp centred on summits; drop those past a chromosome end and duplicates.

    Returns
    -------
    windows : pandas.DataFrame
        chrom, start, end, peak_start, peak_end.
    n_out_of_bounds, n_duplicates : int
    """
    start = peaks["summit"].to_numpy() - window // 2
    df = pd.DataFrame(
        {
            "chrom": peaks["chrom"].to_numpy(),
            "start": start,
            "end": start + window,
            "peak_start": peaks["start"].to_numpy(),
            "peak_end": peaks["end"].to_numpy(),
        }
    )
    limit = df["chrom"].map(sizes).to_numpy()
    inside = (df["start"] >= 0) & (df["end"] <= limit)
    n_out = int((~inside).sum())
    df = df[inside]
    deduped = df.drop_duplicates(["chrom", "start", "end"])
    return deduped.reset_index(drop=True), n_out, len(df) - len(deduped)


def merge_peaks(peaks: pd.DataFrame, distance: int = 0) -> pd.DataFrame:
    """Merge peaks that overlap or lie within ``distance`` bp (bedtools merge) into one peak each.

    Clustered windows tiling one locus (as in ChIP-exo calls) become one positive, not several
    near-identical ones. The merged peak spans its members; its summit is the mean of their
    summits, rounded down. Returns chrom, start, end, summit, line (the first member's line).
    """
    if peaks.empty:
        return peaks.copy()
    table = peaks[["chrom", "start", "end", "summit", "line"]]
    merged = pybedtools.BedTool.from_dataframe(table).sort().merge(d=distance, c=[4, 5], o=["mean", "min"])
    df = merged.to_dataframe(names=["chrom", "start", "end", "summit", "line"], dtype={"chrom": str})
    df["summit"] = np.floor(df["summit"].astype(float)).astype(np.int64)
    df["line"] = df["line"].astype(np.int64)
    return df


def assign_splits(
    positive_counts: dict[str, int], chroms: list[str], test_chroms: list[str] | None, val_chroms: list[str] | None
) -> dict[str, str]:
    """Chromosome -> split. Given lists are used as they are; empty ones are chosen greedily.

    The automatic choice walks chromosomes from most to fewest positives and gives each to
    the split furthest below its target share (AUTO_SPLIT_SHARE), so test and val each get
    whole chromosomes and about 20 % / 15 % of positives.
    """
    test_chroms, val_chroms = list(test_chroms or []), list(val_chroms or [])
    if test_chroms and val_chroms:
        return {c: "test" if c in test_chroms else "val" if c in val_chroms else "train" for c in chroms}
    fixed = {c: "test" for c in test_chroms} | {c: "val" for c in val_chroms}
    total = sum(positive_counts.values()) or 1
    have = Counter({s: sum(positive_counts.get(c, 0) for c, v in fixed.items() if v == s) for s in SPLITS})
    wanted = [s for s in SPLITS if not (s == "test" and test_chroms) and not (s == "val" and val_chroms)]
    order = sorted((c for c in chroms if c not in fixed), key=lambda c: (-positive_counts.get(c, 0), c))
    split = dict(fixed)
    for c in order:
        if positive_counts.get(c, 0) == 0:
            split[c] = "train"
            continue
        # the split furthest below its target; empty test/val first so both exist
        best = max(wanted, key=lambda s: (have[s] == 0 and s != "train", AUTO_SPLIT_SHARE[s] * total - have[s]))
        split[c] = best
        have[best] += positive_counts[c]
    return split
