"""Dinucleotide shuffles of one-hot sequences: the one implementation every stage uses.

Written by hand because the peer implementations are either a test-only dependency
(tangermeme) or unpackaged (deeplift's dinuc_shuffle); this is the same Euler-walk algorithm.
"""

from __future__ import annotations

import numpy as np

from bindscope.sequence import check_one_hot


def dinucleotide_shuffle(x: np.ndarray, n: int = 20, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Shuffle each sequence ``n`` times, keeping its dinucleotide counts exactly.

    The walk permutes, for every base, the order of the bases that follow it, keeping each
    base's last successor fixed so that the walk is always a valid Eulerian path (Altschul &
    Erickson 1985, as in deeplift/tangermeme). N positions (all-zero columns) are a fifth symbol.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, 4, L), uint8
        One-hot sequences.
    n : int
        Shuffles per sequence.
    rng : numpy.random.Generator, int or None
        Random generator or seed.

    Returns
    -------
    numpy.ndarray, shape (N, n, 4, L), same dtype as x
    """
    check_one_hot(x, "x")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = np.random.default_rng(rng)
    codes = np.where(x.any(axis=1), x.argmax(axis=1), 4)  # (N, L)
    shuffled = np.stack([_shuffle_codes(c, n, rng) for c in codes])  # (N, n, L)
    out = np.zeros(shuffled.shape[:2] + (4, x.shape[2]), dtype=x.dtype)
    for c in range(4):
        out[:, :, c, :] = shuffled == c
    return out


def _shuffle_codes(tokens: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` dinucleotide shuffles of one code sequence, shape (n, L)."""
    length = len(tokens)
    if length < 3:
        return np.repeat(tokens[None], n, axis=0)
    successors = [np.flatnonzero(tokens[:-1] == t) + 1 for t in range(5)]
    result = np.empty((n, length), dtype=tokens.dtype)
    tok = tokens.tolist()
    for i in range(n):
        order = []
        for succ in successors:
            if len(succ) > 1:
                perm = np.concatenate([rng.permutation(len(succ) - 1), [len(succ) - 1]])
                order.append(succ[perm].tolist())
            else:
                order.append(succ.tolist())
        counters = [0, 0, 0, 0, 0]
        ind = 0
        walk = [tok[0]]
        for _ in range(1, length):
            t = tok[ind]
            ind = order[t][counters[t]]
            counters[t] += 1
            walk.append(tok[ind])
        result[i] = walk
    return result
