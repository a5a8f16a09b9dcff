import numpy as np
import pytest

from bindscope.sequence import decode, one_hot, one_hot_codes
from bindscope.shuffle import dinucleotide_shuffle


def _dinucleotides(s: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for a, b in zip(s, s[1:], strict=False):
        out[a + b] = out.get(a + b, 0) + 1
    return out


def test_shuffle_keeps_dinucleotide_counts_and_ends():
    rng = np.random.default_rng(0)
    x = one_hot_codes(rng.integers(0, 5, (5, 120)).astype(np.uint8))  # N included
    shuffled = dinucleotide_shuffle(x, n=8, rng=1)
    assert shuffled.shape == (5, 8, 4, 120)
    for i in range(5):
        original = decode(x[i])
        for j in range(8):
            s = decode(shuffled[i, j])
            assert _dinucleotides(s) == _dinucleotides(original)
            assert s[0] == original[0] and s[-1] == original[-1]


def test_shuffle_is_seeded_and_shuffles():
    x = one_hot("ACGTTGCAAGCTAGCTAGGATCCATGACGTAGCTAGCTAGGCTAGCATCGA")[None]
    a, b = dinucleotide_shuffle(x, 5, 3), dinucleotide_shuffle(x, 5, 3)
    np.testing.assert_array_equal(a, b)
    assert any(decode(a[0, j]) != decode(x[0]) for j in range(5))


def test_shuffle_rejects_bad_input():
    with pytest.raises(ValueError, match="x"):
        dinucleotide_shuffle(np.zeros((4, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="n must be"):
        dinucleotide_shuffle(one_hot("ACGT")[None], n=0)
