import numpy as np
import pandas as pd
import pytest

from bindscope.genome import chrom_codes, open_genome
from bindscope.io import load_npz
from bindscope.sequence import decode
from bindscope.stages.encode import base_label_intervals, base_labels, encode_regions, flank_arrays, run
from conftest import ENCODE_OPTIONS, REGIONS_OPTIONS, windows

#: Per-base label options of the shipped configuration, with "interval" as the source.
LABELS = {
    "source": "interval",
    "summit_half_width": ENCODE_OPTIONS["summit_half_width"],
    "max_peak_width": ENCODE_OPTIONS["max_peak_width"],
}


def test_encode_matches_fasta_and_labels(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    regions = pd.DataFrame(
        {
            "chrom": ["chr1", "chr2", "chr1"],
            "start": [39_990, 100, 29_995],
            "end": [40_010, 120, 30_015],
            "label": [1, 0, 1],
            "kind": ["peak", "gc_matched", "peak"],
            "split": "train",
            "peak_start": [40_000, -1, 29_990],
            "peak_end": [40_005, -1, 30_000],
        }
    )
    arrays = encode_regions(regions, fasta, **LABELS)
    assert arrays["x"].shape == (3, 4, 20) and arrays["x"].dtype == np.uint8
    for i, r in enumerate(regions.itertuples()):
        expected = fasta.fetch(r.chrom, r.start, r.end).decode().upper()
        assert decode(arrays["x"][i]) == "".join(c if c in "ACGT" else "N" for c in expected)
    assert arrays["y"].tolist() == [1, 0, 1]
    assert arrays["y_base"][0].tolist() == [0] * 10 + [1] * 5 + [0] * 5
    assert arrays["y_base"][1].sum() == 0
    assert arrays["y_base"][2].tolist() == [1] * 5 + [0] * 15


def test_base_labels_only_for_positives():
    regions = pd.DataFrame({"start": [0, 0], "peak_start": [2, 2], "peak_end": [4, 4], "label": [1, 0]})
    assert base_labels(regions, 5, **LABELS).tolist() == [[0, 0, 1, 1, 0], [0, 0, 0, 0, 0]]


def test_run_writes_each_split(tiny_genome):
    from bindscope.stages.regions import run as regions_run

    regions_run(
        str(tiny_genome / "peaks.narrowPeak"),
        str(tiny_genome / "genome.fa"),
        {"regions": str(tiny_genome / "r.tsv.gz"), "flanks": str(tiny_genome / "f.tsv.gz"), "qc": str(tiny_genome / "qc.json")},
        windows(window=100, min_positives=5),
        **REGIONS_OPTIONS,
    )
    out = {split: str(tiny_genome / "enc" / f"{split}.npz") for split in ("train", "val", "test", "controls")}
    run(str(tiny_genome / "r.tsv.gz"), str(tiny_genome / "f.tsv.gz"), str(tiny_genome / "genome.fa"), out, **ENCODE_OPTIONS)
    for split in ("train", "val", "test"):
        data = load_npz(tiny_genome / "enc" / f"{split}.npz")
        assert data["x"].shape[1:] == (4, 100) and len(data["y"]) == len(data["chrom"]) > 0
    test, controls = data, load_npz(out["controls"])
    positives = test["x"][test["y"] == 1]
    # one shuffle per test positive, in order: the same dinucleotide counts, not the same sequence
    assert controls["x_shuffled"].shape == positives.shape
    dinucleotides = lambda x: np.einsum("nil,njl->nij", x[:, :, :-1].astype(int), x[:, :, 1:].astype(int))  # noqa: E731
    np.testing.assert_array_equal(dinucleotides(controls["x_shuffled"]), dinucleotides(positives))
    assert (controls["x_shuffled"] != positives).any(axis=(1, 2)).mean() > 0.9
    # the flank windows of flanks.tsv.gz, one-hot from the genome
    flanks = pd.read_csv(tiny_genome / "f.tsv.gz", sep="\t")
    assert len(controls["x_flanks"]) == len(flanks) > 0 and (controls["start_flanks"] == flanks["start"]).all()
    fasta = open_genome(tiny_genome / "genome.fa")
    first = flanks.iloc[0]
    bases = chrom_codes(fasta, first["chrom"])[first["start"] : first["end"]]
    np.testing.assert_array_equal(controls["x_flanks"][0].argmax(axis=0)[bases < 4], bases[bases < 4])


def test_training_flanks_are_the_genome_either_side_and_n_past_a_chromosome_end(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    size = fasta.sizes["chr2"]
    regions = pd.DataFrame(
        {
            "chrom": ["chr2", "chr2", "chr1"],
            "start": [10, size - 30, 39_990],
            "end": [30, size - 10, 40_010],
            "label": [1, 0, 1],
            "peak_start": [5, -1, 39_980],
            "peak_end": [25, -1, 40_030],
        }
    )
    flank = 15
    arrays = encode_regions(regions, fasta, **LABELS)
    flanks = flank_arrays(regions, fasta, flank, **LABELS)
    wide = np.concatenate([flanks["x_left"], arrays["x"], flanks["x_right"]], axis=-1)
    labels = np.concatenate([flanks["y_base_left"], arrays["y_base"], flanks["y_base_right"]], axis=-1)
    for i, r in enumerate(regions.itertuples()):
        lo, hi = r.start - flank, r.end + flank
        expected = fasta.fetch(r.chrom, max(lo, 0), min(hi, fasta.sizes[r.chrom])).decode().upper()
        expected = "N" * max(0, -lo) + expected + "N" * max(0, hi - fasta.sizes[r.chrom])  # past an end: N
        assert decode(wide[i]) == "".join(c if c in "ACGT" else "N" for c in expected)
        positions = np.arange(lo, hi)
        bound = (positions >= r.peak_start) & (positions < r.peak_end) & (r.label == 1)
        assert labels[i].tolist() == bound.astype(int).tolist()  # the peak interval over window and flanks


def test_run_gives_only_the_training_split_flanks(tiny_genome):
    from bindscope.stages.regions import run as regions_run

    regions_run(
        str(tiny_genome / "peaks.narrowPeak"),
        str(tiny_genome / "genome.fa"),
        {"regions": str(tiny_genome / "r.tsv.gz"), "flanks": str(tiny_genome / "f.tsv.gz"), "qc": str(tiny_genome / "qc.json")},
        windows(window=100, min_positives=5),
        **REGIONS_OPTIONS,
    )
    out = {split: str(tiny_genome / "enc" / f"{split}.npz") for split in ("train", "val", "test", "controls")}
    options = ENCODE_OPTIONS | {"train_flank": 30}
    run(str(tiny_genome / "r.tsv.gz"), str(tiny_genome / "f.tsv.gz"), str(tiny_genome / "genome.fa"), out, **options)
    train = load_npz(out["train"])
    assert train["x"].shape[1:] == (4, 100) and train["x_left"].shape[1:] == train["x_right"].shape[1:] == (4, 30)
    assert train["y_base_left"].shape[1:] == (30,)
    assert all("x_left" not in load_npz(out[split]) for split in ("val", "test"))
    inputs = (str(tiny_genome / "r.tsv.gz"), str(tiny_genome / "f.tsv.gz"), str(tiny_genome / "genome.fa"))
    with pytest.raises(ValueError, match="train_flank"):
        run(*inputs, out, **(options | {"train_flank": -1}))


def _two_peaks(width_a: int, width_b: int) -> pd.DataFrame:
    """Two positives in 20 bp windows (summit at offset 10) and a negative."""
    return pd.DataFrame(
        {
            "start": [0, 100, 200],
            "peak_start": [10 - width_a // 2, 110 - width_b // 2, -1],
            "peak_end": [10 + width_a // 2, 110 + width_b // 2, -1],
            "label": [1, 1, 0],
        }
    )


def test_base_labels_from_summit():
    labels = base_labels(_two_peaks(4, 4), 20, **(LABELS | {"source": "summit", "summit_half_width": 2}))
    assert labels[0].tolist() == [0] * 8 + [1] * 5 + [0] * 7  # summit 10 +/- 2
    assert labels[2].sum() == 0


def test_auto_labels_use_intervals_unless_broad():
    narrow = base_label_intervals(_two_peaks(4, 6), 20, **(LABELS | {"source": "auto", "max_peak_width": 8}))
    assert narrow[2] == "interval" and narrow[0].tolist() == [8, 7, 0] and narrow[1].tolist() == [12, 13, 0]
    broad = base_label_intervals(_two_peaks(30, 40), 20, **(LABELS | {"source": "auto", "max_peak_width": 8, "summit_half_width": 3}))
    assert broad[2] == "summit" and broad[0].tolist() == [7, 7, 0] and broad[1].tolist() == [14, 14, 0]


def test_positives_without_interval_fall_back_to_summit():
    regions = _two_peaks(4, 4).assign(peak_start=[-1, 108, -1], peak_end=[-1, 112, -1])
    lo, hi, source = base_label_intervals(regions, 20, **(LABELS | {"summit_half_width": 1}))
    assert source == "interval" and lo.tolist() == [9, 8, 0] and hi.tolist() == [12, 12, 0]


def test_unknown_label_source_is_rejected():
    with pytest.raises(ValueError, match="base label source"):
        base_labels(_two_peaks(4, 4), 20, **(LABELS | {"source": "middle"}))
