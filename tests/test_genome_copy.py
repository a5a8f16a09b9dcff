"""Stage genome_copy: the bgzip copy of a plain-gzip genome, or a clear error and nothing left behind."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from bindscope.errors import InputError
from bindscope.genome import chrom_codes, genome_format, open_genome
from bindscope.stages.genome_copy import run as bgzip_copy


@pytest.mark.parametrize(
    "content, problem",
    [
        (gzip.compress(b"chr1\t1\t2\n"), "not FASTA once decompressed"),
        (gzip.compress(b">c\nACGT\n")[:-6], "truncated or corrupt gzip"),
        (gzip.compress(b">c\nACGTACGT\nAC\nACGTACGT\n"), "cannot index FASTA"),
        (b"\x00\x01binary", "not a FASTA file"),
    ],
    ids=["not-fasta", "truncated", "ragged-lines", "binary"],
)
def test_a_bad_gzip_genome_is_refused_and_leaves_nothing(tmp_path, content, problem):
    (tmp_path / "g.fa.gz").write_bytes(content)
    out = tmp_path / "copy" / "g.fa.gz"
    with pytest.raises(InputError, match=problem):
        bgzip_copy(str(tmp_path / "g.fa.gz"), str(out))
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_the_copy_reads_the_bases_of_the_source_and_has_its_indexes(tiny_genome, tmp_path):
    folder = tmp_path / "user"
    folder.mkdir()
    source = folder / "g.fa.gz"
    source.write_bytes(gzip.compress((tiny_genome / "genome.fa").read_bytes()))
    out = tmp_path / "copy" / "g.fa.gz"
    bgzip_copy(str(source), str(out))
    assert genome_format(out) == "bgzip" and out.with_name("g.fa.gz.fai").is_file() and out.with_name("g.fa.gz.gzi").is_file()
    plain, copy = open_genome(tiny_genome / "genome.fa"), open_genome(out)
    assert copy.sizes == plain.sizes
    for chrom in plain.sizes:
        np.testing.assert_array_equal(chrom_codes(copy, chrom), chrom_codes(plain, chrom))
    assert [p.name for p in folder.iterdir()] == ["g.fa.gz"]  # nothing beside the source
