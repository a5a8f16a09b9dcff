import numpy as np

from bindscope.figures import track_examples


def test_track_examples_are_common_to_all_models_and_spread_in_genome_order():
    a = {"chrom": np.array(["c2", "c1", "c1", "c1"]), "start": np.array([0, 300, 100, 200])}
    b = {"chrom": np.array(["c1", "c1", "c2", "c1"]), "start": np.array([100, 200, 0, 999])}
    assert track_examples({"cnn": a, "unet": b}, 2) == [("c1", 100), ("c2", 0)]
    assert track_examples({"cnn": a, "unet": {"chrom": np.array(["x"]), "start": np.array([1])}}) == []
