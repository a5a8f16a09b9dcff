import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from bindscope.consistency import BinnedCounts, agreement, bound, labelled_intervals, maxima_distance


def test_binned_areas_match_the_exact_ones():
    rng = np.random.default_rng(0)
    label = rng.random(200_000) < 0.2
    prob = 1 / (1 + np.exp(-(rng.normal(size=label.size) + 1.5 * label)))
    counts = BinnedCounts()
    for part in np.array_split(np.arange(label.size), 7):  # added in pieces, as a track is written
        counts.add(prob[part], label[part])
    areas = counts.areas()
    assert areas["bases"] == label.size and areas["bound_bases"] == label.sum()
    assert abs(areas["auroc"] - roc_auc_score(label, prob)) < 1e-4
    assert abs(areas["auprc"] - average_precision_score(label, prob)) < 1e-4


def test_binned_areas_without_both_classes_are_nan():
    counts = BinnedCounts()
    counts.add(np.array([0.2, 0.9]), np.array([0, 0]))
    assert np.isnan(counts.areas()["auroc"]) and np.isnan(counts.areas()["auprc"])


def test_labelled_bases_become_merged_genome_intervals():
    y_base = np.zeros((3, 10), np.uint8)
    y_base[0, 2:5] = 1
    y_base[0, 7:10] = 1
    y_base[1, 0:4] = 1  # window at 105: bases 105-108, overlapping the first window's 107-109
    intervals = labelled_intervals(np.array(["a", "a", "b"]), np.array([100, 105, 0]), y_base)
    assert intervals["a"].tolist() == [[102, 110]]  # touching and overlapping stretches merged
    assert intervals["b"].shape == (0, 2)
    positions = np.arange(100, 112)
    assert bound(positions, intervals["a"]).tolist() == [p in range(102, 110) for p in positions]
    assert not bound(positions, None).any()


def test_agreement_of_identical_and_shifted_answers():
    window = np.exp(-0.5 * ((np.arange(100) - 50) / 5.0) ** 2)[None, :].repeat(4, axis=0)
    same = agreement(window, window)
    assert same["median_correlation"] == 1.0 and same["median_maxima_distance"] == 0 and same["maxima_within_20bp"] == 1.0
    shifted = agreement(np.roll(window, 30, axis=1), window)
    assert shifted["median_maxima_distance"] == 30 and shifted["maxima_within_20bp"] == 0.0 and shifted["median_correlation"] < 0.1
    gaps = window.copy()
    gaps[:, :10] = np.nan  # bases the track left out (all-N tiles)
    assert agreement(gaps, window)["median_correlation"] == 1.0


def test_maxima_of_saturated_answers_are_their_plateaus():
    """A core saturated in float16 (evaluate's precision) is a plateau: any of its bases is the maximum."""
    centred = np.full(100, 0.01)
    centred[30:70] = 0.99995  # 1.0 in float16
    track = centred.copy()
    track[65] = 0.99999  # the track's own maximum, 35 bp past the plateau's first base
    assert int(np.argmax(centred.astype(np.float16))) == 30 and int(np.argmax(track)) == 65
    assert maxima_distance(track, centred) == 0
    beside = np.full(100, 0.01)
    beside[75:95] = 0.99995  # a plateau of its own, 6 bp past the window's last maximal base
    assert maxima_distance(beside, centred) == 6
    apart = np.full(100, 0.01)
    apart[90] = 0.9
    assert maxima_distance(apart, centred) == 21
    with_gaps = np.where(np.arange(100) < 50, np.nan, apart)
    assert maxima_distance(with_gaps, centred) == 21
