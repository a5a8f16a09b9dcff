"""Property-based tests: random and mutated lines to the sheet, peak and MEME parsers.

Each input is either parsed or rejected with the package's own InputError, never a traceback.
"""

from __future__ import annotations

import functools
import gzip
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bindscope.errors import InputError
from bindscope.io import read_peaks
from bindscope.motif_database import read_meme
from bindscope.sheet import read_sheet

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELD = st.one_of(
    st.integers(-10, 10**6).map(str),
    st.sampled_from(["chr1", "chrI", "1", ".", "-1", "0", "", "NA", "1e3", "0x10", "nan", "inf", "chr1 ", "\u00e9", "#", "track"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)


def _lines(n_fields: int):
    return st.lists(st.lists(FIELD, min_size=0, max_size=n_fields).map("\t".join), min_size=0, max_size=6)


def _write(text: str, name: str, gz: bool = False) -> Path:
    path = Path(tempfile.mkdtemp()) / name
    data = text.encode("utf-8", errors="surrogatepass")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _parsed_or_input_error(parse, path: Path) -> None:
    try:
        parse(path)
    except InputError as err:
        assert str(path) in str(err)


VALID_PEAK = ["chr1", "100", "200", "p1", "0", ".", "-1", "-1", "-1", "50"]


@FUZZ
@given(_lines(11), st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_peak_parser_random_lines(lines, gz, newline):
    _parsed_or_input_error(read_peaks, _write(newline.join(lines) + newline, "peaks.narrowPeak", gz))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 9), FIELD), max_size=4), st.integers(0, 2))
def test_peak_parser_mutated_valid_lines(mutations, truncate):
    fields = list(VALID_PEAK)
    for i, value in mutations:
        fields[i] = value
    line = "\t".join(fields[: len(fields) - 3 * truncate] if truncate else fields)
    _parsed_or_input_error(read_peaks, _write(f"chr1\t10\t20\n{line}\n", "peaks.bed"))


@FUZZ
@given(st.lists(st.sampled_from(["tf", "peaks", "genome", "blacklist", "motif", "extra", ""]), max_size=6), _lines(6))
def test_sheet_parser_random_rows(header, rows):
    _parsed_or_input_error(read_sheet, _write("\t".join(header) + "\n" + "\n".join(rows) + "\n", "samples.tsv"))


MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF MA0001.1 X
letter-probability matrix: alength= 4 w= 2 nsites= 20 E= 0
0.25 0.25 0.25 0.25
0.7 0.1 0.1 0.1
"""


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 13), st.integers(0, 40), FIELD), max_size=4))
def test_meme_parser_mutated_file(mutations):
    lines = MEME.splitlines()
    for i, pos, value in mutations:
        k = i % len(lines)
        lines[k] = lines[k][:pos] + value + lines[k][pos + 1 :]
    _parsed_or_input_error(read_meme, _write("\n".join(lines) + "\n", "db.meme"))


@FUZZ
@given(st.binary(max_size=200))
def test_meme_parser_random_bytes(data):
    path = Path(tempfile.mkdtemp()) / "db.meme"
    path.write_bytes(data)
    _parsed_or_input_error(read_meme, path)


# Arbitrary bytes: binary content, another encoding, a truncated gzip. Each reader answers with its
# one-line InputError naming the file (and the line where there is one), never a traceback.
BYTES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=80).map(lambda t: t.encode("utf-16")),
    st.text(alphabet="chr1\t 0123456789\n\u00e9", max_size=120).map(lambda t: t.encode("latin-1")),
)


def _write_bytes(data: bytes, name: str) -> Path:
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(data)
    return path


@FUZZ
@given(BYTES)
def test_peak_parser_arbitrary_bytes(data):
    _parsed_or_input_error(read_peaks, _write_bytes(data, "peaks.narrowPeak"))


@FUZZ
@given(BYTES, st.integers(1, 60))
def test_peak_parser_gzip_of_bytes_and_truncated_gzip(data, cut):
    _parsed_or_input_error(read_peaks, _write_bytes(gzip.compress(data), "peaks.bed.gz"))
    valid = gzip.compress(("\t".join(VALID_PEAK) + "\n").encode() * 50)
    _parsed_or_input_error(read_peaks, _write_bytes(valid[: max(2, len(valid) - cut)], "truncated.bed.gz"))


@FUZZ
@given(BYTES)
def test_sheet_parser_arbitrary_bytes(data):
    _parsed_or_input_error(read_sheet, _write_bytes(b"tf\tpeaks\tgenome\n" + data, "samples.tsv"))
    _parsed_or_input_error(read_sheet, _write_bytes(data, "samples.tsv"))


def _read_genome(path: Path) -> None:
    from bindscope.genome import chrom_codes, chrom_sizes, open_genome

    fasta = open_genome(path)
    for chrom in chrom_sizes(fasta):
        chrom_codes(fasta, chrom)


@FUZZ
@given(BYTES, st.booleans())
def test_fasta_reader_arbitrary_bytes(data, header):
    _parsed_or_input_error(_read_genome, _write_bytes((b">chr1\n" if header else b"") + data, "genome.fa"))


@FUZZ
@given(BYTES)
def test_meme_parser_other_encodings(data):
    _parsed_or_input_error(read_meme, _write_bytes(MEME.encode("utf-16") if not data else data, "db.meme"))


@functools.cache
def _valid_genome_bytes(fmt: str) -> bytes:
    """A small valid genome in ``fmt`` (2bit or bgzip), made once per format."""
    from bindscope.stages.genome_copy import run as bgzip_copy
    from twobit import write_twobit

    folder = Path(tempfile.mkdtemp())
    records = {"chr1": b"ACGTNNacgt" * 50, "chr2": b"GGCCAT" * 40}
    if fmt == "2bit":
        write_twobit(folder / "g.2bit", records)
        return (folder / "g.2bit").read_bytes()
    lines = {name: "\n".join(seq[i : i + 60].decode() for i in range(0, len(seq), 60)) for name, seq in records.items()}
    fasta = "".join(f">{name}\n{text}\n" for name, text in lines.items())
    (folder / "g.fa").write_text(fasta)
    bgzip_copy(str(folder / "g.fa"), str(folder / "g.fa.gz"))
    return (folder / "g.fa.gz").read_bytes()


@FUZZ
@given(st.sampled_from(["2bit", "bgzip"]), st.lists(st.tuples(st.integers(4, 10**6), st.integers(0, 255)), max_size=8), st.integers(0, 63))
def test_genome_readers_mutated_bytes(fmt, mutations, keep):
    """py2bit and htslib trust what they read: a corrupt 2bit or bgzip genome must be an InputError, not a crash."""
    data = bytearray(_valid_genome_bytes(fmt))
    for at, value in mutations:
        data[at % len(data)] = value
    _parsed_or_input_error(_read_genome, _write_bytes(bytes(data[: max(4, len(data) - keep)]), f"genome.{fmt}"))
