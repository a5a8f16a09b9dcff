import gzip

import numpy as np
import pytest

from bindscope.errors import InputError
from bindscope.genome import chrom_codes, chrom_sizes, genome_format, open_genome
from bindscope.stages.genome_copy import run as bgzip_copy
from twobit import write_twobit


def test_sizes_and_codes(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    assert chrom_sizes(fasta) == {"chr1": 90_000, "chr2": 80_000, "chr3": 70_000, "chr4": 60_000}
    codes = chrom_codes(fasta, "chr1")
    assert (codes[30_000:31_000] == 4).all()
    assert (codes[40_000:41_000] < 4).all()  # soft-masked bases are ordinary bases


def test_missing_and_not_a_genome(tmp_path):
    with pytest.raises(InputError, match="no such genome file"):
        open_genome(tmp_path / "absent.fa")
    (tmp_path / "peaks.fa").write_text("chr1\t1\t2\n")
    with pytest.raises(InputError, match="line 1: not a genome file"):
        open_genome(tmp_path / "peaks.fa")


def test_base_counts_in_chunks_equal_whole_chromosome_counts(tiny_genome):
    from bindscope.genome import base_counts

    fasta = open_genome(tiny_genome / "genome.fa")
    for chrom in chrom_sizes(fasta):
        whole = np.bincount(chrom_codes(fasta, chrom), minlength=5)
        np.testing.assert_array_equal(base_counts(fasta, chrom, chunk=7_001), whole)


def genome_formats(folder):
    """The tiny genome as plain gzip, bgzip (copied from the gzip) and 2bit, beside its plain FASTA."""
    plain = folder / "genome.fa"
    (folder / "genome.fa.gz").write_bytes(gzip.compress(plain.read_bytes()))
    bgzip_copy(str(folder / "genome.fa.gz"), str(folder / "copy" / "genome.bgz.fa.gz"))
    records = {}
    for block in plain.read_bytes().split(b">")[1:]:
        name, _, seq = block.partition(b"\n")
        records[name.decode()] = seq.replace(b"\n", b"")
    write_twobit(folder / "genome.2bit", records)
    return {"fasta": plain, "gzip": folder / "genome.fa.gz", "bgzip": folder / "copy" / "genome.bgz.fa.gz", "2bit": folder / "genome.2bit"}


def test_every_format_reads_the_same_bases(tiny_genome):
    files = genome_formats(tiny_genome)
    assert {fmt: genome_format(path) for fmt, path in files.items()} == {fmt: fmt for fmt in files}
    plain = open_genome(files["fasta"])
    rng = np.random.default_rng(0)
    for fmt in ("bgzip", "2bit"):
        other = open_genome(files[fmt])
        assert other.format == fmt and other.sizes == plain.sizes  # names and order
        for chrom, size in plain.sizes.items():
            np.testing.assert_array_equal(chrom_codes(other, chrom), chrom_codes(plain, chrom))
            for start in rng.integers(-50, size, 20):  # ranges past either end are clipped alike
                assert other.fetch(chrom, start, start + 300) == plain.fetch(chrom, start, start + 300), (fmt, chrom, start)
    assert not (tiny_genome / "genome.fa.gz.fai").exists()  # nothing written beside the gzip source


def test_plain_gzip_is_named_with_its_fix_and_its_copy_is_bgzip_with_indexes(tiny_genome):
    files = genome_formats(tiny_genome)
    with pytest.raises(InputError, match="plain gzip FASTA has no random access.*python -m bindscope genome-copy"):
        open_genome(files["gzip"])
    copy = files["bgzip"]
    assert copy.with_name(copy.name + ".fai").is_file() and copy.with_name(copy.name + ".gzi").is_file()
    assert [p.name for p in copy.parent.iterdir() if p.name.startswith(".")] == []  # no scratch left


def test_a_corrupt_2bit_is_an_input_error(tmp_path):
    write_twobit(tmp_path / "g.2bit", {"chr1": b"ACGT" * 100})
    data = (tmp_path / "g.2bit").read_bytes()
    (tmp_path / "cut.2bit").write_bytes(data[:40])
    with pytest.raises(InputError, match="truncated"):
        genome = open_genome(tmp_path / "cut.2bit")
        chrom_codes(genome, "chr1")
