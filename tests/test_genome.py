import numpy as np
import pytest

from bindscope.errors import InputError
from bindscope.genome import chrom_codes, chrom_sizes, open_genome


def test_sizes_and_codes(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    assert chrom_sizes(fasta) == {"chr1": 90_000, "chr2": 80_000, "chr3": 70_000, "chr4": 60_000}
    codes = chrom_codes(fasta, "chr1")
    assert (codes[30_000:31_000] == 4).all()
    assert (codes[40_000:41_000] < 4).all()  # soft-masked bases are ordinary bases


def test_missing_and_not_fasta(tmp_path):
    with pytest.raises(InputError, match="no such FASTA"):
        open_genome(tmp_path / "absent.fa")
    (tmp_path / "peaks.fa").write_text("chr1\t1\t2\n")
    with pytest.raises(InputError, match="line 1: not a FASTA"):
        open_genome(tmp_path / "peaks.fa")


def test_base_counts_in_chunks_equal_whole_chromosome_counts(tiny_genome):
    from bindscope.genome import base_counts

    fasta = open_genome(tiny_genome / "genome.fa")
    for chrom in chrom_sizes(fasta):
        whole = np.bincount(chrom_codes(fasta, chrom), minlength=5)
        np.testing.assert_array_equal(base_counts(fasta, chrom, chunk=7_001), whole)
