"""The genome as users have it: plain FASTA, bgzip FASTA, plain gzip FASTA and UCSC 2bit give the same
encoded windows, and a plain gzip genome is read through one bgzip copy in resources/, never beside it."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bindscope.io import load_npz
from conftest import run_snakemake
from twobit import write_twobit

pytestmark = pytest.mark.e2e
FORMATS = {"plain": "genome.fa", "bgzip": "bgzip/genome.fa.gz", "gzip": "gzip/genome.fa.gz", "twobit": "genome.2bit"}
SPLITS = ("train", "val", "test", "controls")


def genome_in_every_format(data: Path) -> None:
    """genome.fa of the demo written as bgzip, plain gzip (each in its own read-only folder) and 2bit."""
    import pysam

    plain = (data / "genome.fa").read_bytes()
    for fmt in ("bgzip", "gzip"):
        (data / fmt).mkdir()
    pysam.tabix_compress(str(data / "genome.fa"), str(data / FORMATS["bgzip"]))
    pysam.faidx(str(data / FORMATS["bgzip"]))  # a user's bgzip genome comes with its .fai and .gzi
    (data / FORMATS["gzip"]).write_bytes(gzip.compress(plain))
    records = {}
    for block in plain.split(b">")[1:]:
        name, _, seq = block.partition(b"\n")
        records[name.decode()] = seq.replace(b"\n", b"")
    write_twobit(data / FORMATS["twobit"], records)
    for fmt in ("bgzip", "gzip"):
        (data / fmt).chmod(0o555)


def test_every_genome_format_encodes_the_same_windows(tmp_path):
    data = tmp_path / "data"
    demo = [sys.executable, "-m", "bindscope", "demo", "--out-dir", str(data), "--n-peaks", "300", "--seed", "3"]
    subprocess.run(demo, check=True, capture_output=True)
    genome_in_every_format(data)
    before = {p: p.stat().st_mtime_ns for p in (data / "gzip").iterdir()}
    sheet = pd.DataFrame(
        {
            "tf": [f"CTCF_{fmt}" for fmt in FORMATS],
            "peaks": str(data / "CTCF.narrowPeak"),
            "genome": [str(data / path) for path in FORMATS.values()],
            "blacklist": str(data / "blacklist.bed"),
            "motif": "MA0139.2",
        }
    )
    (tmp_path / "config").mkdir()
    sheet.to_csv(tmp_path / "config" / "samples.tsv", sep="\t", index=False)
    targets = [f"results/CTCF_{fmt}/encoded/{split}.npz" for fmt in FORMATS for split in SPLITS]
    try:
        result = run_snakemake(tmp_path, *targets, timeout=900)
    finally:
        for fmt in ("bgzip", "gzip"):
            (data / fmt).chmod(0o755)
    assert result.returncode == 0, result.stderr[-4000:]
    for fmt in FORMATS:
        for split in SPLITS:
            plain, other = (load_npz(tmp_path / f"results/CTCF_{name}/encoded/{split}.npz") for name in ("plain", fmt))
            assert sorted(plain) == sorted(other)
            for key in plain:
                np.testing.assert_array_equal(other[key], plain[key], err_msg=f"{fmt} {split} {key}")
    assert {p: p.stat().st_mtime_ns for p in (data / "gzip").iterdir()} == before  # nothing written beside the source
    copies = sorted(p.name for p in (tmp_path / "resources" / "genomes").iterdir())
    assert len(copies) == 3 and copies[0].startswith("genome-") and copies[0].endswith(".fa.gz")
    assert len(list((tmp_path / "logs" / "genome_copy").glob("*.log"))) == 1
