import numpy as np
import pytest

from bindscope.segments import label_segments, overlap_scores, remove_short_segments, segment_counts


def _rows(*strings: str) -> np.ndarray:
    return np.array([[c == "1" for c in s] for s in strings])


def test_short_runs_are_dropped_and_long_ones_kept_whole():
    calls = _rows("0110111100", "1000000111")
    kept = remove_short_segments(calls, 3)
    assert kept.tolist() == _rows("0000111100", "0000000111").tolist()


def test_runs_never_join_across_rows():
    """The last base of one row and the first of the next are not neighbours."""
    calls = _rows("0000011", "1100000")
    _, n = label_segments(calls)
    assert n == 2
    assert not remove_short_segments(calls, 3).any()


def test_min_segment_one_keeps_everything():
    calls = _rows("1010", "0001")
    assert remove_short_segments(calls, 1).tolist() == calls.tolist()
    assert remove_short_segments(np.zeros((2, 4), bool), 5).sum() == 0


def test_overlap_scores_on_known_masks():
    pred, true = _rows("1111000000"), _rows("0011110000")
    scores = overlap_scores(pred, true)
    assert scores["iou"] == pytest.approx(2 / 6)
    assert scores["dice"] == pytest.approx(2 * 2 / 8)
    assert scores["base_precision"] == pytest.approx(0.5) and scores["base_recall"] == pytest.approx(0.5)
    assert np.isnan(overlap_scores(_rows("000"), _rows("000"))["iou"])


def test_segment_counts_per_row():
    assert segment_counts(_rows("0110111101", "0000000000", "1111111111")).tolist() == [3, 0, 1]
