"""One-hot alphabet and the sequence helpers every stage shares."""

from __future__ import annotations

import numpy as np

ALPHABET = "ACGT"
#: Code of an unknown base (N, IUPAC, off the chromosome): an all-zero one-hot column.
N_CODE = 4

#: ASCII byte -> base code (0..3 for ACGT, either case; N_CODE for anything else).
BASE_CODE = np.full(256, N_CODE, dtype=np.uint8)
for _i, _b in enumerate(ALPHABET):
    BASE_CODE[ord(_b)] = _i
    BASE_CODE[ord(_b.lower())] = _i
del _i, _b


def encode_bases(seq: bytes | str | np.ndarray) -> np.ndarray:
    """Base codes (0..3 for ACGT, 4 for N or any other symbol) of a sequence, any case.

    Parameters
    ----------
    seq : bytes, str or numpy.ndarray of uint8
        Sequence as text or as ASCII bytes.

    Returns
    -------
    numpy.ndarray, shape (L,), uint8
    """
    if isinstance(seq, str):
        seq = seq.encode("ascii")
    if isinstance(seq, bytes):
        seq = np.frombuffer(seq, dtype=np.uint8)
    return BASE_CODE[seq]


def one_hot_codes(codes: np.ndarray) -> np.ndarray:
    """One-hot encode base codes, channels first; code 4 (N) becomes an all-zero column.

    Parameters
    ----------
    codes : numpy.ndarray, shape (..., L), uint8
        Base codes as returned by :func:`encode_bases`.

    Returns
    -------
    numpy.ndarray, shape (..., 4, L), uint8
    """
    codes = np.asarray(codes)
    out = np.empty(codes.shape[:-1] + (4, codes.shape[-1]), dtype=np.uint8)
    for c in range(4):  # four vectorised passes, never a loop over bases
        np.equal(codes, c, out=out[..., c, :])
    return out


def one_hot(seq: bytes | str) -> np.ndarray:
    """One-hot encode one sequence as uint8 (4, L); N and IUPAC codes are all-zero columns."""
    return one_hot_codes(encode_bases(seq))


def decode(x: np.ndarray) -> str:
    """Sequence text of a one-hot (4, L) array; all-zero columns become N."""
    check_one_hot(x[None], "x")
    letters = np.frombuffer((ALPHABET + "N").encode(), dtype=np.uint8)
    codes = np.where(x.any(axis=0), x.argmax(axis=0), 4)
    return letters[codes].tobytes().decode()


def reverse_complement(x: np.ndarray) -> np.ndarray:
    """Reverse complement of one-hot arrays (..., 4, L): flip channels (A<->T, C<->G) and length."""
    return x[..., ::-1, ::-1]


def check_one_hot(x: np.ndarray, name: str) -> None:
    """Raise ValueError naming ``name`` unless x is a (N, 4, L) array of 0/1 with <= 1 per column."""
    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.shape[1] != 4:
        shape = getattr(x, "shape", None)
        raise ValueError(f"{name} must be a numpy array of shape (N, 4, L), got {shape}")
    if x.size and (x.min() < 0 or x.max() > 1 or x.sum(axis=1).max() > 1):
        raise ValueError(f"{name} must be one-hot: 0/1 values, at most one 1 per position")
