import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from bindscope.errors import InputError
from bindscope.genome import chrom_codes, open_genome
from bindscope.inputs import positive_set
from bindscope.io import read_json, read_peaks, read_regions
from bindscope.stages.regions import FLANK_COLUMNS, build_regions, flank_windows, gc_matched_sample, run
from conftest import REGIONS_OPTIONS, windows


def test_gc_matching_reproduces_the_distribution():
    rng = np.random.default_rng(0)
    pos = np.clip(rng.normal(0.55, 0.05, 500), 0, 1)
    cand = rng.uniform(0.2, 0.8, 20_000)  # a very different background
    idx, short = gc_matched_sample(pos, cand, 2.0, 50, rng)
    assert short == 0 and len(idx) == 1000 and len(set(idx)) == 1000
    assert ks_2samp(pos, cand[idx]).statistic < 0.05
    assert ks_2samp(pos, cand).statistic > 0.4


def test_gc_matching_borrows_from_neighbour_bins_and_reports_shortfall():
    idx, short = gc_matched_sample(np.full(10, 0.51), np.array([0.49, 0.53, 0.9]), 1.0, 50, np.random.default_rng(0))
    assert sorted(idx.tolist()) == [0, 1, 2] and short == 7


def gc_of(fasta, windows: pd.DataFrame) -> np.ndarray:
    """GC fraction among the A, C, G, T bases of each window, counted base by base."""
    out = []
    for w in windows.itertuples():
        codes = chrom_codes(fasta, w.chrom)[w.start : w.end]
        out.append(np.isin(codes, (1, 2)).sum() / (codes < 4).sum())
    return np.array(out)


def test_build_regions(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    peaks = read_peaks(tiny_genome / "peaks.narrowPeak")
    settings = windows(window=100, test_chroms=["chr4"], val_chroms=["chr3"])
    found = positive_set(tiny_genome / "peaks.narrowPeak", fasta, tiny_genome / "genome.fa", tiny_genome / "blacklist.bed", settings)
    assert found.blacklist[["chrom", "start", "end"]].values.tolist() == [["chr1", 50_000, 60_000]]
    regions, qc, gc = build_regions(found, fasta, settings, **(REGIONS_OPTIONS | {"seed": 1}))
    np.testing.assert_allclose(gc, gc_of(fasta, regions))
    pos, neg = regions[regions.label == 1], regions[regions.label == 0]
    assert (pos["end"] - pos["start"] == 100).all() and (neg["end"] - neg["start"] == 100).all()
    # centred on summits (start + 50 in this file)
    assert set(pos["start"] + 50) <= set(peaks["start"] + 50)
    # disjoint by chromosome
    assert regions.groupby("chrom")["split"].nunique().max() == 1
    assert set(regions.loc[regions.chrom == "chr4", "split"]) == {"test"}
    # negatives overlap no padded peak and no blacklist interval
    for n in neg.itertuples():
        p = peaks[peaks.chrom == n.chrom]
        assert not ((p.start - 200 < n.end) & (p.end + 200 > n.start)).any()
        assert not (n.chrom == "chr1" and n.start < 60_000 and n.end > 50_000)
    assert qc["counts"]["gc_matched"] == qc["counts"]["peak"]
    assert qc["gc"]["all"]["ks_statistic"] < 0.1


def test_flanks_lie_beside_test_positives_and_avoid_every_padded_peak(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    peaks = read_peaks(tiny_genome / "peaks.narrowPeak")
    settings = windows(window=100, test_chroms=["chr4"], val_chroms=["chr3"], peak_padding=50)
    found = positive_set(tiny_genome / "peaks.narrowPeak", fasta, tiny_genome / "genome.fa", tiny_genome / "blacklist.bed", settings)
    flanks = flank_windows(found.usable, found, fasta, settings)
    assert list(flanks.columns) == FLANK_COLUMNS and len(flanks) > 40
    assert set(flanks["chrom"]) == {"chr4"} and (flanks["end"] - flanks["start"] == 100).all()
    assert not flanks.duplicated(["chrom", "start"]).any()
    test_peaks = peaks[peaks.chrom == "chr4"]
    for f in flanks.itertuples():
        assert not ((test_peaks.start - 50 < f.end) & (test_peaks.end + 50 > f.start)).any()
        gap = np.where(f.side == "left", test_peaks.start - 50 - f.end, f.start - (test_peaks.end + 50))
        assert (gap == 0).any()  # exactly peak_padding bp beyond a peak (peaks here are wider than the window)
    np.testing.assert_allclose(flanks["gc"], gc_of(fasta, flanks))


def test_run_writes_outputs(tiny_genome):
    out = tiny_genome / "out"
    run(
        str(tiny_genome / "peaks.narrowPeak"),
        str(tiny_genome / "genome.fa"),
        {"regions": str(out / "regions.tsv.gz"), "flanks": str(out / "flanks.tsv.gz"), "qc": str(out / "qc.json")},
        windows(window=100, min_positives=5),
        blacklist=str(tiny_genome / "blacklist.bed"),
        **REGIONS_OPTIONS,
    )
    regions = read_regions(out / "regions.tsv.gz")
    assert set(regions["split"]) == {"train", "val", "test"}
    flanks = pd.read_csv(out / "flanks.tsv.gz", sep="\t")
    qc = read_json(out / "qc.json")
    assert qc["flanks"]["n"] == len(flanks) > 0 and set(flanks["chrom"]) == set(regions.loc[regions.split == "test", "chrom"])
    assert read_json(out / "qc.json")["window"] == 100


def test_peaks_on_absent_contig_named_with_line_and_hint(tiny_genome):
    bad = tiny_genome / "ensembl.bed"
    bad.write_text("chr1\t100\t200\nchr1\t300\t400\n1\t100\t200\n")
    with pytest.raises(InputError) as err:
        run(
            str(bad),
            str(tiny_genome / "genome.fa"),
            {"regions": str(tiny_genome / "r.tsv.gz"), "flanks": str(tiny_genome / "f.tsv.gz"), "qc": str(tiny_genome / "qc.json")},
            windows(min_positives=1),
            **REGIONS_OPTIONS,
        )
    message = str(err.value)
    assert str(bad) in message and "line 3" in message and "contig '1'" in message and "'chr' prefix" in message
    assert not (tiny_genome / "r.tsv.gz").exists()


def test_unknown_test_chromosome_and_too_few_positives(tiny_genome):
    args = (
        str(tiny_genome / "peaks.narrowPeak"),
        str(tiny_genome / "genome.fa"),
        {"regions": str(tiny_genome / "r.tsv.gz"), "flanks": str(tiny_genome / "f.tsv.gz"), "qc": str(tiny_genome / "q.json")},
    )
    with pytest.raises(InputError, match=r"test_chroms: chromosomes \['chrX'\]"):
        run(*args, windows(test_chroms=["chrX"], val_chroms=["chr1"]), **REGIONS_OPTIONS)
    with pytest.raises(InputError, match="fewer than training needs"):
        run(*args, windows(window=100, min_positives=1000), **REGIONS_OPTIONS)
    with pytest.raises(InputError, match="fewer than min_positives=100"):
        run(*args, windows(window=100, min_positives=100, test_chroms=["chr4"], val_chroms=["chr3"]), **REGIONS_OPTIONS)
    assert not (tiny_genome / "r.tsv.gz").exists()


def test_grid_composition_counts_each_window_whatever_the_chunk(tiny_genome):
    from bindscope.genome import grid_composition

    fasta = open_genome(tiny_genome / "genome.fa")
    codes = chrom_codes(fasta, "chr2")
    n = len(codes) // 250
    tiles = codes[: n * 250].reshape(n, 250)
    for chunk in (1, 7, 10_000):
        gc, unknown = grid_composition(fasta, "chr2", 250, chunk=chunk)
        assert gc.tolist() == np.isin(tiles, (1, 2)).sum(axis=1).tolist()
        assert unknown.tolist() == (tiles == 4).sum(axis=1).tolist()
    assert unknown.max() == 250  # the N gap


@pytest.mark.parametrize("split_by", ["chromosome", "region"])
def test_folds_test_each_positive_once_and_keep_every_test_window_off_that_folds_other_windows(tiny_genome, split_by):
    """Three folds' regions: the folds' test positives partition the positives (chromosome folds; region folds lose
    those in the gaps), and no window of a fold's test set (positive, negative or flank) overlaps any window of that
    fold's training or validation sets."""
    settings = windows(window=100, min_positives=5, folds=3, split_by=split_by)
    tested, kept = [], []
    for fold in range(3):
        out = tiny_genome / f"fold{fold}"
        files = {"regions": str(out / "regions.tsv.gz"), "flanks": str(out / "flanks.tsv.gz"), "qc": str(out / "qc.json")}
        run(str(tiny_genome / "peaks.narrowPeak"), str(tiny_genome / "genome.fa"), files, settings,
            blacklist=str(tiny_genome / "blacklist.bed"), fold=fold, **REGIONS_OPTIONS)  # fmt: skip
        regions = read_regions(out / "regions.tsv.gz")
        assert read_json(out / "qc.json")["fold"] == {"fold": fold, "folds": 3}
        positives = regions[regions["label"] == 1]
        test_positives = positives[positives.split == "test"]
        tested.append(set(zip(test_positives["chrom"], test_positives["start"], strict=True)))
        kept.append(set(zip(positives["chrom"], positives["start"], strict=True)))
        test = pd.concat([regions[regions.split == "test"], pd.read_csv(out / "flanks.tsv.gz", sep="\t")])
        others = regions[regions.split != "test"]
        for chrom, group in test.groupby("chrom"):
            other = others[others["chrom"] == chrom]
            starts, ends = other["start"].to_numpy(), other["end"].to_numpy()
            for start, end in zip(group["start"], group["end"], strict=True):
                assert not ((starts < end) & (ends > start)).any(), (fold, chrom, start)
    assert not (tested[0] & tested[1] or tested[0] & tested[2] or tested[1] & tested[2])
    everything = set.union(*tested)
    if split_by == "chromosome":
        assert everything == kept[0] == kept[1] == kept[2]
    else:
        assert everything <= set.union(*kept) and len(everything) >= 0.8 * len(set.union(*kept))
