"""Stage 1, regions: summit-centred positives, GC-matched genomic negatives, chromosome splits.

The peaks are checked and turned into positives by :mod:`bindscope.inputs` (the same code the
validate stage runs); this stage tiles the genome into candidate negatives, removes peaks and
blacklist (pybedtools on the bedtools binary), and draws negatives matching the positives' GC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pybedtools
from scipy.stats import ks_2samp

from bindscope.errors import InputError
from bindscope.genome import chrom_sizes, grid_composition, open_genome
from bindscope.inputs import (
    PositiveSet,
    WindowSettings,
    check_settings,
    exclusion_intervals,
    free_gaps,
    grid_tiles,
    positive_set,
    window_bases,
)
from bindscope.io import REGION_COLUMNS, SPLITS, write_json, write_table
from bindscope.layout import REGIONS, check_outputs


def exclude_intervals(
    windows: pd.DataFrame, peaks: pd.DataFrame, sizes: dict[str, int], padding: int, blacklist: pd.DataFrame | None
) -> pd.DataFrame:
    """Windows overlapping no peak (padded by ``padding`` bp) and no blacklist interval (pybedtools)."""
    exclusion = exclusion_intervals(peaks, blacklist, sizes, padding)
    kept = pybedtools.BedTool.from_dataframe(windows[["chrom", "start", "end"]]).subtract(exclusion.sort(), A=True)
    df = kept.to_dataframe(names=["chrom", "start", "end"], dtype={"chrom": str})
    return df if len(df) else pd.DataFrame(columns=["chrom", "start", "end"])


def window_composition(fasta, windows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """GC fraction (among ACGT bases) and N fraction of each window (any lengths)."""
    bases = window_bases(fasta, windows)
    length = (windows["end"] - windows["start"]).to_numpy()
    unknown = bases["unknown"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return bases["gc"].to_numpy() / (length - unknown), unknown / length


@dataclass
class Candidates:
    """Candidate negative windows as arrays (the human genome has millions): chromosome index into
    ``names``, start, and GC fraction among ACGT bases."""

    names: np.ndarray
    chrom: np.ndarray
    start: np.ndarray
    gc: np.ndarray


def candidate_negatives(found: PositiveSet, fasta, settings: WindowSettings) -> Candidates:
    """Grid windows avoiding every padded peak and the blacklist, with at most ``max_n_fraction`` unknown bases.

    Each chromosome is read once, a chunk at a time (:func:`bindscope.genome.grid_composition`).
    """
    window = settings.window
    gaps = free_gaps(found.peaks, found.blacklist, found.sizes, settings.peak_padding)
    names = np.array(list(found.sizes), dtype=object)
    chrom_index = {c: i for i, c in enumerate(names)}
    row, k = grid_tiles(gaps, window)
    gap_chrom = gaps["chrom"].map(chrom_index).to_numpy(np.int64)
    chroms, starts, gcs = [], [], []
    for i in np.unique(gap_chrom[row]) if len(row) else []:
        mine = k[gap_chrom[row] == i]
        gc_count, unknown = grid_composition(fasta, names[i], window)
        unknown = unknown[mine]
        keep = unknown / window <= settings.max_n_fraction
        with np.errstate(invalid="ignore", divide="ignore"):
            gcs.append((gc_count[mine] / (window - unknown))[keep])
        chroms.append(np.full(int(keep.sum()), i, dtype=np.int32))
        starts.append(mine[keep] * window)
    join = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype)  # noqa: E731
    return Candidates(names, join(chroms, np.int32), join(starts, np.int64), join(gcs, np.float64))


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


#: Columns of flanks.tsv.gz: control windows beside the test positives.
FLANK_COLUMNS = ["chrom", "start", "end", "side", "gc"]


def flank_windows(positives: pd.DataFrame, found: PositiveSet, fasta, settings: WindowSettings) -> pd.DataFrame:
    """A window on either side of each test positive, ``peak_padding`` bp beyond its peak (or its window, whichever reaches further).

    Peak flanks share a peak's local composition (isochore, promoter, repeat context) but not its
    summit: a model that learnt the neighbourhood rather than the motif scores them high. Flanks
    that leave the chromosome, overlap any padded peak or the blacklist, or hold more than
    ``max_n_fraction`` N are dropped; one flank shared by two positives is kept once.
    """
    window, padding = settings.window, settings.peak_padding
    test = positives[positives["split"] == "test"]
    valid = (test["peak_end"] > test["peak_start"]).to_numpy()
    reach_lo = np.where(valid, np.minimum(test["start"], test["peak_start"]), test["start"]) - padding
    reach_hi = np.where(valid, np.maximum(test["end"], test["peak_end"]), test["end"]) + padding
    flanks = pd.DataFrame(
        {
            "chrom": np.concatenate([test["chrom"].to_numpy(), test["chrom"].to_numpy()]),
            "start": np.concatenate([reach_lo - window, reach_hi]).astype(np.int64),
            "side": np.repeat(["left", "right"], len(test)),
        }
    )
    flanks["end"] = flanks["start"] + window
    sizes = flanks["chrom"].map(found.sizes).to_numpy()
    flanks = flanks[(flanks["start"] >= 0) & (flanks["end"] <= sizes)].drop_duplicates(["chrom", "start"])
    flanks = flanks[found.plan.assign(flanks["chrom"], flanks["start"], flanks["end"]) == "test"]  # in the test blocks
    if len(flanks):
        kept = exclude_intervals(flanks, found.peaks, found.sizes, padding, found.blacklist)
        flanks = flanks.merge(kept, on=["chrom", "start", "end"])
    gc, nfrac = window_composition(fasta, flanks.reset_index(drop=True))
    flanks = flanks.reset_index(drop=True).assign(gc=gc)[nfrac <= settings.max_n_fraction]
    order = np.lexsort((flanks["start"].to_numpy(), flanks["chrom"].to_numpy()))
    return flanks.iloc[order].reset_index(drop=True)[FLANK_COLUMNS]


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


def build_regions(
    found: PositiveSet, fasta, settings: WindowSettings, *, negative_ratio: float, gc_bins: int, seed: int
) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """The positives of ``found`` and GC-matched negatives with their splits, the QC dictionary, and each region's GC.

    Negatives are tiled windows that avoid every peak line of ``found`` (padded by
    ``settings.peak_padding``) and its blacklist, have at most ``settings.max_n_fraction`` N, and
    reproduce the positives' GC histogram (``gc_bins`` bins) per split, ``negative_ratio`` per positive.
    """
    window = settings.window
    rng = np.random.default_rng(seed)
    sizes = found.sizes
    pos = found.usable
    too_long = [c for c, s in sizes.items() if s < window]
    cand = candidate_negatives(found, fasta, settings)
    if len(cand.start) == 0:
        raise InputError(
            fasta.filename, None, "no candidate negative windows remain after removing peaks, blacklist and N-rich windows (max_n_fraction)"
        )
    cand_split = found.plan.assign(cand.names[cand.chrom], cand.start, cand.start + window)
    pos_gc = pos["gc"].to_numpy()
    negatives, neg_gc, shortfall = [], [], {}
    for split in SPLITS:
        p = (pos["split"] == split).to_numpy()
        c = np.flatnonzero(cand_split == split)
        idx, short = gc_matched_sample(pos_gc[p], cand.gc[c], negative_ratio, gc_bins, rng)
        chosen = c[idx]
        start = cand.start[chosen]
        negatives.append(pd.DataFrame({"chrom": cand.names[cand.chrom[chosen]], "start": start, "end": start + window, "split": split}))
        neg_gc.append(cand.gc[chosen])
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
        n_peaks=found.n_lines,
        n_duplicate_peak_lines=found.n_lines - len(found.peaks),
        n_peaks_after_merging=len(found.merged) if settings.merge_overlapping else None,
        positives_out_of_bounds=found.n_out_of_bounds,
        positives_duplicate=found.n_duplicate_windows,
        positives_n_rich=found.n_rich,
        negatives_shortfall=shortfall,
        chromosomes_shorter_than_window=too_long,
        splits=found.plan.chromosomes(),
        **split_blocks_qc(found),
    )
    return regions, qc, gc


def split_blocks_qc(found: PositiveSet) -> dict:
    """Region splits' scheme, blocks and the positives lost in the gaps between them (nothing for chromosome splits)."""
    if found.plan.scheme == "chromosome":
        return {}
    return {"split_scheme": "region", "split_blocks": found.plan.intervals(), "positives_in_split_gaps": found.n_in_split_gaps}


def flank_qc(flanks: pd.DataFrame, regions: pd.DataFrame, gc: np.ndarray) -> dict:
    """How many test positives have flanks, and the flanks' GC beside the test positives' and negatives'."""
    test = (regions["split"] == "test").to_numpy()
    positive = (regions["label"] == 1).to_numpy()
    mean = lambda values: float(np.mean(values)) if len(values) else math.nan  # noqa: E731
    return {
        "n": len(flanks),
        "n_test_positives": int((test & positive).sum()),
        "gc_mean": mean(flanks["gc"]),
        "test_positives_gc_mean": mean(gc[test & positive]),
        "test_negatives_gc_mean": mean(gc[test & ~positive]),
    }


def run(
    peaks: str,
    genome: str,
    out: dict[str, str],
    windows: WindowSettings,
    *,
    blacklist: str | None = None,
    fold: int | None = None,
    negative_ratio: float,
    gc_bins: int,
    seed: int,
) -> None:
    """Check peaks and genome as validate does (:mod:`bindscope.inputs`), then write ``out``: regions and flanks (tables), qc (JSON).

    With ``windows.folds`` > 1 the splits are those of fold ``fold`` (0-based), whose negatives and
    flanks are drawn for its own test, validation and training sets. Every input check runs before
    any negative is drawn; nothing is written when one fails.
    """
    check_outputs(out, REGIONS)
    fasta = open_genome(genome)
    check_settings(chrom_sizes(fasta), genome, windows)
    try:
        found = positive_set(peaks, fasta, genome, blacklist, windows, fold or 0)
        for warning in found.warnings:
            print(f"warning: {warning}")
        regions, qc, gc = build_regions(found, fasta, windows, negative_ratio=negative_ratio, gc_bins=gc_bins, seed=seed)
        flanks = flank_windows(found.usable, found, fasta, windows)
    finally:
        pybedtools.cleanup()
    qc["flanks"] = flank_qc(flanks, regions, gc)
    if windows.folds > 1:
        qc["fold"] = {"fold": fold or 0, "folds": windows.folds}
    write_table(regions, out["regions"])
    write_table(flanks, out["flanks"])
    write_json(qc, out["qc"])
    print(f"{len(regions)} regions: {qc['counts']}")
