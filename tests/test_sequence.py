import numpy as np
import pytest

from bindscope.sequence import check_one_hot, decode, encode_bases, one_hot, one_hot_codes, reverse_complement


def test_one_hot_round_trips_and_n_is_all_zero():
    seq = "ACGTNacgtRYA"
    x = one_hot(seq)
    assert x.dtype == np.uint8 and x.shape == (4, len(seq))
    assert decode(x) == "ACGTNACGTNNA"  # lower case upper-cased, IUPAC codes become N
    assert x[:, 4].sum() == 0 and x[:, 10].sum() == 0


def test_one_hot_codes_is_vectorised_over_batches():
    codes = np.random.default_rng(0).integers(0, 5, (3, 7, 50)).astype(np.uint8)
    x = one_hot_codes(codes)
    assert x.shape == (3, 7, 4, 50)
    np.testing.assert_array_equal(np.where(x.any(axis=-2), x.argmax(axis=-2), 4), codes)


def test_reverse_complement():
    assert decode(reverse_complement(one_hot("AACGTN"))) == "NACGTT"


def test_encode_bases_accepts_bytes_and_str():
    np.testing.assert_array_equal(encode_bases(b"acgtn"), encode_bases("ACGTN"))


@pytest.mark.parametrize("bad", [np.zeros((4, 10)), np.zeros((2, 3, 10)), np.full((1, 4, 3), 2), np.ones((1, 4, 3))])
def test_check_one_hot_rejects(bad):
    with pytest.raises(ValueError, match="x"):
        check_one_hot(bad, "x")
