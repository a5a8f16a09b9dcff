"""Stage 1, regions: summit-centred positives, GC-matched genomic negatives, chromosome splits.

Interval arithmetic (padding peaks, removing peaks and blacklist from candidate windows) uses
pybedtools on the bedtools binary; window GC is read from the genome with cumulative sums.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pybedtools
from scipy.stats import ks_2samp

from bindscope.errors import InputError
from bindscope.genome import chrom_codes, chrom_sizes, open_genome
from bindscope.io import REGION_COLUMNS, SPLITS, read_peaks, write_json, write_table
from bindscope.positives import assign_splits, merge_peaks, positive_windows
from bindscope.validate import check_contigs, check_peak_bounds, check_split_chroms, check_window


def tile_windows(sizes: dict[str, int], window: int) -> pd.DataFrame:
    """Non-overlapping windows tiling every chromosome: chrom, start, end."""
    chroms, starts = [], []
    for chrom, size in sizes.items():
        s = np.arange(0, size - window + 1, window)
        chroms.append(np.repeat(chrom, len(s)))
        starts.append(s)
    start = np.concatenate(starts) if starts else np.array([], dtype=int)
    return pd.DataFrame({"chrom": np.concatenate(chroms) if chroms else [], "start": start, "end": start + window})


def exclude_intervals(
    windows: pd.DataFrame, peaks: pd.DataFrame, sizes: dict[str, int], padding: int, blacklist: pd.DataFrame | None
) -> pd.DataFrame:
    """Windows overlapping no peak (padded by ``padding`` bp) and no blacklist interval (pybedtools)."""
    genome = {c: (0, s) for c, s in sizes.items()}
    padded = pybedtools.BedTool.from_dataframe(peaks[["chrom", "start", "end"]]).slop(b=padding, g=genome)
    exclusion = padded
    if blacklist is not None and len(blacklist):
        exclusion = padded.cat(pybedtools.BedTool.from_dataframe(blacklist[["chrom", "start", "end"]]), postmerge=False)
    kept = pybedtools.BedTool.from_dataframe(windows[["chrom", "start", "end"]]).subtract(exclusion.sort(), A=True)
    df = kept.to_dataframe(names=["chrom", "start", "end"], dtype={"chrom": str})
    return df if len(df) else pd.DataFrame(columns=["chrom", "start", "end"])


def window_composition(fasta, windows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """GC fraction (among ACGT bases) and N fraction of each window, via per-chromosome cumulative sums."""
    gc = np.full(len(windows), np.nan)
    nfrac = np.ones(len(windows))
    for chrom, idx in windows.groupby("chrom", sort=False).indices.items():
        codes = chrom_codes(fasta, chrom)
        cum_gc = np.concatenate([[0], np.cumsum((codes == 1) | (codes == 2))])
        cum_n = np.concatenate([[0], np.cumsum(codes == 4)])
        s = windows["start"].to_numpy()[idx]
        e = windows["end"].to_numpy()[idx]
        n = cum_n[e] - cum_n[s]
        acgt = (e - s) - n
        with np.errstate(invalid="ignore", divide="ignore"):
            gc[idx] = (cum_gc[e] - cum_gc[s]) / acgt
        nfrac[idx] = n / (e - s)
    return gc, nfrac


def gc_matched_sample(
    pos_gc: np.ndarray, cand_gc: np.ndarray, ratio: float, n_bins: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Indices of candidates reproducing the positives' GC histogram bin by bin, ``ratio`` per positive.

    A bin with too few candidates borrows from the nearest bins. Returns the indices and the
    shortfall (negatives that could not be drawn at all).
    """
    edges = np.linspace(0, 1, n_bins + 1)
    pos_bin = np.clip(np.digitize(pos_gc, edges) - 1, 0, n_bins - 1)
    cand_bin = np.clip(np.digitize(cand_gc, edges) - 1, 0, n_bins - 1)
    want = np.diff(np.round(np.cumsum(np.concatenate([[0], np.bincount(pos_bin, minlength=n_bins) * ratio]))).astype(int))
    # candidates in random order, grouped by bin: each bin's pool is one contiguous slice
    order = rng.permutation(len(cand_gc))
    order = order[np.argsort(cand_bin[order], kind="stable")]
    bounds = np.searchsorted(cand_bin[order], np.arange(n_bins + 1))
    used = np.zeros(n_bins, dtype=int)
    chosen: list[np.ndarray] = []
    shortfall = 0
    for b in np.argsort(-want, kind="stable"):
        need = int(want[b])
        for nb in sorted(range(n_bins), key=lambda j: (abs(j - b), j)):
            if need == 0:
                break
            take = min(need, bounds[nb + 1] - bounds[nb] - used[nb])
            chosen.append(order[bounds[nb] + used[nb] : bounds[nb] + used[nb] + take])
            used[nb] += take
            need -= take
        shortfall += need
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=int), shortfall


def qc_summary(regions: pd.DataFrame, gc: np.ndarray, **extra) -> dict:
    """Counts per kind and split and GC of positives vs negatives (mean and KS statistic)."""
    qc: dict = {"counts": {}, "gc": {}}
    for (kind, split), n in regions.groupby(["kind", "split"]).size().items():
        qc["counts"].setdefault(kind, {})[split] = int(n)
    for split in ["all", *SPLITS]:
        mask = np.ones(len(regions), bool) if split == "all" else (regions["split"] == split).to_numpy()
        pos, neg = gc[mask & (regions["label"] == 1).to_numpy()], gc[mask & (regions["label"] == 0).to_numpy()]
        if len(pos) and len(neg):
            qc["gc"][split] = {
                "positives_mean": float(pos.mean()),
                "negatives_mean": float(neg.mean()),
                "ks_statistic": float(ks_2samp(pos, neg).statistic),
            }
    qc.update(extra)
    return qc


def read_blacklist(path: str | os.PathLike | None) -> pd.DataFrame | None:
    if not path:
        return None
    return read_peaks(path)[["chrom", "start", "end"]]


def build_regions(
    peaks: pd.DataFrame,
    fasta,
    *,
    blacklist: pd.DataFrame | None = None,
    window: int = 400,
    negative_ratio: float = 1.0,
    peak_padding: int = 200,
    max_n_fraction: float = 0.1,
    gc_bins: int = 50,
    test_chroms: list[str] | None = None,
    val_chroms: list[str] | None = None,
    merge_overlapping: bool = True,
    merge_distance: int = 0,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    """Positives and GC-matched negatives with their splits, and the QC dictionary.

    With ``merge_overlapping``, peaks that overlap or lie within ``merge_distance`` bp become one
    positive (:func:`merge_peaks`); negatives always avoid every original peak.
    """
    rng = np.random.default_rng(seed)
    sizes = chrom_sizes(fasta)
    n_peaks = len(peaks)
    peaks = peaks.drop_duplicates(["chrom", "start", "end", "summit"])
    n_duplicate_lines = n_peaks - len(peaks)
    all_peaks = peaks
    if merge_overlapping:
        peaks = merge_peaks(peaks, merge_distance)
    too_long = [c for c, s in sizes.items() if s < window]
    pos, n_out, n_dup = positive_windows(peaks, sizes, window)
    cand = exclude_intervals(
        tile_windows({c: s for c, s in sizes.items() if s >= window}, window), all_peaks, sizes, peak_padding, blacklist
    )
    # one pass over the genome for both tables: each chromosome is read once
    gc, nfrac = window_composition(fasta, pd.concat([pos[["chrom", "start", "end"]], cand], ignore_index=True))
    pos_gc, pos_n, cand_gc, cand_n = gc[: len(pos)], nfrac[: len(pos)], gc[len(pos) :], nfrac[len(pos) :]
    keep = pos_n <= max_n_fraction
    pos, pos_gc = pos[keep].reset_index(drop=True), pos_gc[keep]
    splits = assign_splits(pos["chrom"].value_counts().to_dict(), list(sizes), test_chroms, val_chroms)
    ok = cand_n <= max_n_fraction
    cand, cand_gc = cand[ok].reset_index(drop=True), cand_gc[ok]
    if len(cand) == 0:
        raise InputError(
            fasta.filename, None, "no candidate negative windows remain after removing peaks, blacklist and N-rich windows (max_n_fraction)"
        )
    pos["split"] = pos["chrom"].map(splits)
    cand["split"] = cand["chrom"].map(splits)
    negatives, neg_gc, shortfall = [], [], {}
    for split in SPLITS:
        p = (pos["split"] == split).to_numpy()
        c = np.flatnonzero((cand["split"] == split).to_numpy())
        idx, short = gc_matched_sample(pos_gc[p], cand_gc[c], negative_ratio, gc_bins, rng)
        negatives.append(cand.iloc[c[idx]])
        neg_gc.append(cand_gc[c[idx]])
        shortfall[split] = short
    neg = pd.concat(negatives, ignore_index=True)
    pos = pos.assign(label=1, kind="peak")
    neg = neg.assign(label=0, kind="gc_matched", peak_start=-1, peak_end=-1)
    regions = pd.concat([pos, neg], ignore_index=True)[REGION_COLUMNS]
    gc = np.concatenate([pos_gc, *neg_gc])
    order = np.lexsort((regions["start"].to_numpy(), regions["chrom"].to_numpy()))
    regions, gc = regions.iloc[order].reset_index(drop=True), gc[order]
    qc = qc_summary(
        regions,
        gc,
        window=window,
        n_peaks=n_peaks,
        n_duplicate_peak_lines=n_duplicate_lines,
        n_peaks_after_merging=len(peaks) if merge_overlapping else None,
        positives_out_of_bounds=n_out,
        positives_duplicate=n_dup,
        positives_n_rich=int((~keep).sum()),
        negatives_shortfall=shortfall,
        chromosomes_shorter_than_window=too_long,
        splits={s: sorted(c for c, v in splits.items() if v == s) for s in SPLITS},
    )
    return regions, qc


def run(
    peaks: str,
    genome: str,
    out_regions: str,
    out_qc: str,
    blacklist: str | None = None,
    min_positives: int = 20,
    **options,
) -> None:
    """Read peaks and genome, check them, and write regions.tsv.gz and qc.json.

    ``options`` are the keyword arguments of :func:`build_regions` (window, negative_ratio, ...).
    Every input check runs before any window is built; a split with fewer than
    ``min_positives`` positives stops the run before anything is written.
    """
    fasta = open_genome(genome)
    sizes = chrom_sizes(fasta)
    check_window(options.get("window", 400), sizes, genome)
    check_split_chroms(list(options.get("test_chroms") or []), list(options.get("val_chroms") or []), sizes, genome)
    peak_table = read_peaks(peaks)
    check_contigs(peak_table, sizes, peaks, genome)
    check_peak_bounds(peak_table, sizes, peaks, genome)
    bl = read_blacklist(blacklist)
    try:
        regions, qc = build_regions(peak_table, fasta, blacklist=bl, **options)
    finally:
        pybedtools.cleanup()
    counts = regions[regions["label"] == 1]["split"].value_counts()
    for split in SPLITS:
        if counts.get(split, 0) < min_positives:
            raise InputError(
                peaks,
                None,
                f"split {split!r} has {counts.get(split, 0)} positives, fewer than min_positives={min_positives}: "
                "choose other test_chroms/val_chroms or give more peaks",
            )
    Path(out_regions).parent.mkdir(parents=True, exist_ok=True)
    write_table(regions, out_regions)
    write_json(qc, out_qc)
    print(f"{len(regions)} regions: {qc['counts']}")
