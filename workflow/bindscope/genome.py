"""Genome FASTA access (pyfaidx): chromosome sizes and whole-chromosome base codes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyfaidx

from bindscope.errors import InputError
from bindscope.sequence import encode_bases


def open_genome(path: str | os.PathLike) -> pyfaidx.Fasta:
    """Open an indexed FASTA, building the .fai index beside it when it is missing.

    Raises
    ------
    InputError
        If the file is missing, is not FASTA, or has no index and its folder is read-only.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such FASTA file")
    with open(path, "rb") as fh:
        head = fh.read(1)
    if head != b">":
        raise InputError(
            path, "line 1", "not a FASTA file (uncompressed FASTA must start with '>'; bgzip/gzip FASTA is not supported, decompress it)"
        )
    fai = Path(str(path) + ".fai")
    if not fai.exists() and not os.access(path.parent, os.W_OK):
        raise InputError(
            path,
            None,
            f"no index {fai.name} and the folder is read-only: run 'samtools faidx {path}' where it is writable, or copy the FASTA",
        )
    try:
        return pyfaidx.Fasta(str(path), as_raw=True, sequence_always_upper=False, rebuild=False)
    except (pyfaidx.FastaIndexingError, ValueError, RuntimeError) as err:  # RuntimeError: pyfaidx on irregular lines
        reason = str(err).split("Please report")[0].strip()
        raise InputError(path, None, f"cannot index FASTA (lines of unequal length inside a record, or not text): {reason}") from None


def chrom_sizes(fasta: pyfaidx.Fasta) -> dict[str, int]:
    """Chromosome name -> length, in FASTA order."""
    return {name: len(rec) for name, rec in fasta.records.items()}


def region_codes(fasta: pyfaidx.Fasta, chrom: str, start: int, end: int) -> np.ndarray:
    """Base codes (0..3 ACGT any case, 4 other) of ``chrom``[start:end], uint8 (end - start,)."""
    seq = fasta[chrom][start:end]
    try:
        return encode_bases(seq.encode("ascii") if isinstance(seq, str) else bytes(seq))
    except UnicodeEncodeError as err:
        raise InputError(
            fasta.filename, f"chromosome {chrom}", f"a non-ASCII character {seq[err.start]!r} at position {start + err.start}"
        ) from None


def chrom_codes(fasta: pyfaidx.Fasta, chrom: str) -> np.ndarray:
    """Base codes (0..3 ACGT any case, 4 other) of a whole chromosome, uint8 (length,)."""
    return region_codes(fasta, chrom, 0, len(fasta[chrom]))


def base_counts(fasta: pyfaidx.Fasta, chrom: str, chunk: int = 10_000_000) -> np.ndarray:
    """Counts of A, C, G, T and other codes in ``chrom``, int64 (5,), reading ``chunk`` bases at a time."""
    counts = np.zeros(5, dtype=np.int64)
    for start in range(0, len(fasta[chrom]), chunk):
        counts += np.bincount(region_codes(fasta, chrom, start, start + chunk), minlength=5)
    return counts


def grid_composition(fasta: pyfaidx.Fasta, chrom: str, window: int, chunk: int = 25_000) -> tuple[np.ndarray, np.ndarray]:
    """G+C and unknown-base (not ACGT) counts of each grid window [k * window, (k + 1) * window) of ``chrom``.

    Reads ``chunk`` windows of sequence at a time, so memory stays at a few times ``chunk * window``
    bytes however long the chromosome is. Returns two int32 arrays of length ``len(chrom) // window``.
    """
    n = len(fasta[chrom]) // window
    gc, unknown = np.empty(n, np.int32), np.empty(n, np.int32)
    for first in range(0, n, chunk):
        last = min(n, first + chunk)
        codes = region_codes(fasta, chrom, first * window, last * window).reshape(last - first, window)
        gc[first:last] = ((codes == 1) | (codes == 2)).sum(axis=1)
        unknown[first:last] = (codes == 4).sum(axis=1)
    return gc, unknown


def padded_window_codes(fasta: pyfaidx.Fasta, chrom: str, starts: np.ndarray, length: int) -> np.ndarray:
    """Base codes (N, length) uint8 of windows of ``chrom`` starting at ``starts``; bases outside the chromosome are N (4).

    Reads the chromosome once; windows may start before 0 or end past its length (regions near an end,
    sequences shorter than a model's window).
    """
    starts = np.asarray(starts, dtype=np.int64)
    if not len(starts):
        return np.zeros((0, length), dtype=np.uint8)
    lo = int(starts.min())
    hi = int(starts.max()) + length
    size = len(fasta[chrom])
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
