import numpy as np
import pandas as pd

from bindscope.encode import base_labels, encode_regions, run
from bindscope.genome import open_genome
from bindscope.io import load_npz
from bindscope.sequence import decode


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
    arrays = encode_regions(regions, fasta)
    assert arrays["x"].shape == (3, 4, 20) and arrays["x"].dtype == np.uint8
    for i, r in enumerate(regions.itertuples()):
        expected = str(fasta[r.chrom][r.start : r.end]).upper()
        assert decode(arrays["x"][i]) == "".join(c if c in "ACGT" else "N" for c in expected)
    assert arrays["y"].tolist() == [1, 0, 1]
    assert arrays["y_base"][0].tolist() == [0] * 10 + [1] * 5 + [0] * 5
    assert arrays["y_base"][1].sum() == 0
    assert arrays["y_base"][2].tolist() == [1] * 5 + [0] * 15


def test_base_labels_only_for_positives():
    regions = pd.DataFrame({"start": [0, 0], "peak_start": [2, 2], "peak_end": [4, 4], "label": [1, 0]})
    assert base_labels(regions, 5).tolist() == [[0, 0, 1, 1, 0], [0, 0, 0, 0, 0]]


def test_run_writes_each_split(tiny_genome):
    from bindscope.regions import run as regions_run

    regions_run(
        str(tiny_genome / "peaks.narrowPeak"),
        str(tiny_genome / "genome.fa"),
        str(tiny_genome / "r.tsv.gz"),
        str(tiny_genome / "qc.json"),
        window=100,
        min_positives=5,
    )
    run(str(tiny_genome / "r.tsv.gz"), str(tiny_genome / "genome.fa"), str(tiny_genome / "enc"))
    for split in ("train", "val", "test"):
        data = load_npz(tiny_genome / "enc" / f"{split}.npz")
        assert data["x"].shape[1:] == (4, 100) and len(data["y"]) == len(data["chrom"]) > 0
