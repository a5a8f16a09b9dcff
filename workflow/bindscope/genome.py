"""Genome access: chromosome sizes and base codes from plain FASTA, bgzip FASTA or UCSC 2bit.

Plain gzip FASTA has no random access: the genome stage (:mod:`bindscope.stages.genome_copy`) makes a
bgzip copy once, in the workflow's own resources folder, which every stage then reads.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

from bindscope.errors import InputError
from bindscope.sequence import encode_bases

#: Formats :func:`genome_format` tells apart by their first bytes.
FORMATS = ("fasta", "bgzip", "gzip", "2bit")
#: Bases per byte of each format's file, roughly (what reading it costs in memory, per byte on disk).
BASES_PER_BYTE = {"fasta": 1.0, "bgzip": 4.0, "gzip": 4.0, "2bit": 4.0}
_TWOBIT_SIGNATURES = (b"\x43\x27\x41\x1a", b"\x1a\x41\x27\x43")  # 0x1A412743, either byte order


def genome_format(path: str | os.PathLike) -> str | None:
    """ "fasta", "bgzip", "gzip" or "2bit" from the file's first bytes (not its name); None for anything else."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:1] == b">":
        return "fasta"
    if head[:4] in _TWOBIT_SIGNATURES:
        return "2bit"
    if head[:2] == b"\x1f\x8b":
        # BGZF: a gzip member with the FEXTRA flag and a "BC" subfield (SAM/BAM specification 4.1)
        return "bgzip" if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC" else "gzip"
    return None


class Genome:
    """Random access to a genome: ``sizes`` (chromosome -> length, in file order) and :meth:`fetch`.

    Open one with :func:`open_genome`; it reads plain FASTA (pyfaidx), bgzip FASTA (pysam, with
    its .fai and .gzi) and UCSC 2bit (py2bit, soft-masking kept) alike.
    """

    def __init__(self, path: Path, sizes: dict[str, int], reader, fmt: str):
        self.path = path
        self.filename = str(path)
        self.sizes = sizes
        self.format = fmt
        self._read = reader

    def fetch(self, chrom: str, start: int, end: int) -> bytes:
        """Bases ``chrom``[start:end] as ASCII bytes, case kept; the range is clipped to the chromosome."""
        size = self.sizes[chrom]
        start, end = max(0, int(start)), min(size, int(end))
        if end <= start:
            return b""
        try:
            seq = self._read(chrom, start, end)
        except (RuntimeError, OSError, ValueError) as err:  # a truncated or corrupt file found on reading
            problem = f"cannot read bases {start}-{end} (truncated or corrupt {self.format} file?): {err}"
            raise InputError(self.path, f"chromosome {chrom}", problem) from None
        # a non-ASCII character becomes "?" (an unknown base), which validate counts as "other"
        return seq.encode("ascii", "replace") if isinstance(seq, str) else bytes(seq)


def _index_writable(path: Path, index: Path) -> None:
    if not index.exists() and not os.access(path.parent, os.W_OK):
        raise InputError(
            path, None, f"no index {index.name} and the folder is read-only: run 'samtools faidx {path}' where it is writable, or copy it"
        )


def _open_fasta(path: Path) -> Genome:
    import pyfaidx

    _index_writable(path, Path(f"{path}.fai"))
    try:
        fasta = pyfaidx.Fasta(str(path), as_raw=True, sequence_always_upper=False, rebuild=False)
    except (pyfaidx.FastaIndexingError, ValueError, RuntimeError) as err:  # RuntimeError: pyfaidx on irregular lines
        reason = str(err).split("Please report")[0].strip()
        raise InputError(path, None, f"cannot index FASTA (lines of unequal length inside a record, or not text): {reason}") from None
    sizes = {name: len(rec) for name, rec in fasta.records.items()}
    return Genome(path, sizes, lambda chrom, start, end: fasta[chrom][start:end], "fasta")


def _open_bgzip(path: Path) -> Genome:
    import pysam

    for suffix in (".fai", ".gzi"):
        _index_writable(path, Path(f"{path}{suffix}"))
    try:
        fasta = pysam.FastaFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(path, None, f"cannot index bgzip FASTA (lines of unequal length inside a record, or not FASTA): {err}") from None
    sizes = dict(zip(fasta.references, fasta.lengths, strict=True))
    return Genome(path, sizes, lambda chrom, start, end: fasta.fetch(chrom, start, end), "bgzip")


def check_twobit(path: Path) -> None:
    """Check a 2bit file's header, index and record headers against its size before py2bit reads it.

    py2bit trusts them (a corrupt block count or offset makes it read past the file and crash the
    process), so every count, offset and block is checked here first; only headers are read.

    Raises
    ------
    InputError
        Naming the record and what is out of place.
    """
    size = path.stat().st_size
    with open(path, "rb") as fh:

        def read(fmt: str, what: str, count: int = 1) -> tuple:
            need = struct.calcsize(fmt) * count
            data = fh.read(need)
            if len(data) < need:
                raise InputError(path, what, f"truncated 2bit file (ends at byte {fh.tell()})")
            return struct.unpack(f"{byte_order}{count}{fmt}", data)

        byte_order = "<" if fh.read(4) == _TWOBIT_SIGNATURES[0] else ">"
        version, count, _ = read("I", "header", 3)
        if version not in (0, 1):
            raise InputError(path, "header", f"2bit version {version}: only 0 and 1 exist")
        offset_format = "Q" if version == 1 else "I"
        index = []
        for i in range(count):
            (name_size,) = read("B", f"index entry {i + 1}")
            name = fh.read(name_size)
            (offset,) = read(offset_format, f"index entry {i + 1}")
            index.append((name.decode("ascii", "replace"), offset))
        for name, offset in index:
            record = f"record {name!r}"
            if not 16 <= offset < size:
                raise InputError(path, record, f"offset {offset} outside the file ({size} bytes)")
            fh.seek(offset)
            bases, n_blocks = read("I", record, 2)
            for kind, blocks in (("N", n_blocks), ("mask", None)):
                if blocks is None:
                    (blocks,) = read("I", record)
                if 8 * blocks > size:
                    raise InputError(path, record, f"{blocks} {kind} blocks: more than the file holds")
                starts = np.asarray(read("I", record, blocks), dtype=np.int64)
                lengths = np.asarray(read("I", record, blocks), dtype=np.int64)
                if blocks and ((starts + lengths) > bases).any():
                    raise InputError(path, record, f"a {kind} block ends past the sequence's {bases} bases")
            if fh.seek(4, os.SEEK_CUR) + (bases + 3) // 4 > size:
                raise InputError(path, record, f"{bases} bases need more bytes than the file holds (truncated?)")


def _open_twobit(path: Path) -> Genome:
    import py2bit

    check_twobit(path)
    try:
        twobit = py2bit.open(str(path), True)  # True: keep soft-masking (lower case), as FASTA has it
        sizes = dict(twobit.chroms())
    except RuntimeError as err:
        raise InputError(path, None, f"cannot read 2bit file (truncated or corrupt): {err}") from None
    return Genome(path, {c: int(n) for c, n in sizes.items()}, lambda chrom, start, end: twobit.sequence(chrom, start, end), "2bit")


def open_genome(path: str | os.PathLike) -> Genome:
    """Open a genome: plain FASTA, bgzip FASTA or UCSC 2bit, told by content; FASTA indexes are built beside it when missing.

    Raises
    ------
    InputError
        If the file is missing, is none of these formats (a plain gzip FASTA is named as such,
        with the command that makes it readable), or has no index and its folder is read-only.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such genome file")
    fmt = genome_format(path)
    if fmt == "gzip":
        raise InputError(
            path,
            None,
            "plain gzip FASTA has no random access: the workflow reads a bgzip copy it makes once (rule genome_copy); "
            f"outside it run 'python -m bindscope genome-copy --genome {path} --out copy.fa.gz' (or 'bgzip' it) and give the copy",
        )
    if fmt is None:
        raise InputError(path, "line 1", "not a genome file: expected FASTA (starting with '>'), bgzip or gzip FASTA, or UCSC 2bit")
    return {"fasta": _open_fasta, "bgzip": _open_bgzip, "2bit": _open_twobit}[fmt](path)


def chrom_sizes(fasta: Genome) -> dict[str, int]:
    """Chromosome name -> length, in file order."""
    return dict(fasta.sizes)


def region_codes(fasta: Genome, chrom: str, start: int, end: int) -> np.ndarray:
    """Base codes (0..3 ACGT any case, 4 other) of ``chrom``[start:end], uint8 (end - start,)."""
    return encode_bases(fasta.fetch(chrom, start, end))


def chrom_codes(fasta: Genome, chrom: str) -> np.ndarray:
    """Base codes (0..3 ACGT any case, 4 other) of a whole chromosome, uint8 (length,)."""
    return region_codes(fasta, chrom, 0, fasta.sizes[chrom])


def base_counts(fasta: Genome, chrom: str, chunk: int = 10_000_000) -> np.ndarray:
    """Counts of A, C, G, T and other codes in ``chrom``, int64 (5,), reading ``chunk`` bases at a time."""
    counts = np.zeros(5, dtype=np.int64)
    for start in range(0, fasta.sizes[chrom], chunk):
        counts += np.bincount(region_codes(fasta, chrom, start, start + chunk), minlength=5)
    return counts


def grid_composition(fasta: Genome, chrom: str, window: int, chunk: int = 25_000) -> tuple[np.ndarray, np.ndarray]:
    """G+C and unknown-base (not ACGT) counts of each grid window [k * window, (k + 1) * window) of ``chrom``.

    Reads ``chunk`` windows of sequence at a time, so memory stays at a few times ``chunk * window``
    bytes however long the chromosome is. Returns two int32 arrays of length ``len(chrom) // window``.
    """
    n = fasta.sizes[chrom] // window
    gc, unknown = np.empty(n, np.int32), np.empty(n, np.int32)
    for first in range(0, n, chunk):
        last = min(n, first + chunk)
        codes = region_codes(fasta, chrom, first * window, last * window).reshape(last - first, window)
        gc[first:last] = ((codes == 1) | (codes == 2)).sum(axis=1)
        unknown[first:last] = (codes == 4).sum(axis=1)
    return gc, unknown


def padded_window_codes(fasta: Genome, chrom: str, starts: np.ndarray, length: int) -> np.ndarray:
    """Base codes (N, length) uint8 of windows of ``chrom`` starting at ``starts``; bases outside the chromosome are N (4).

    Reads the chromosome once; windows may start before 0 or end past its length (regions near an end,
    sequences shorter than a model's window).
    """
    starts = np.asarray(starts, dtype=np.int64)
    if not len(starts):
        return np.zeros((0, length), dtype=np.uint8)
    lo = int(starts.min())
    hi = int(starts.max()) + length
    size = fasta.sizes[chrom]
    codes = np.full(hi - lo, 4, dtype=np.uint8)
    first, last = max(lo, 0), min(hi, size)
    if last > first:
        codes[first - lo : last - lo] = region_codes(fasta, chrom, first, last)
    return np.lib.stride_tricks.sliding_window_view(codes, length)[starts - lo]


def genome_background(fasta) -> np.ndarray:
    """Frequencies of A, C, G, T over every chromosome (N and other codes left out), (4,) float64.

    Counted in chunks (:func:`base_counts`): memory does not grow with chromosome length.
    """
    counts = sum(base_counts(fasta, chrom)[:4] for chrom in chrom_sizes(fasta))
    if counts.sum() == 0:
        raise ValueError("the genome has no A, C, G or T base")
    return counts / counts.sum()
