"""The interpret stage: one method's scores of every attributed positive of a checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from bindscope import models
from bindscope.attribution import attribute
from bindscope.io import load_npz
from bindscope.shuffle import dinucleotide_shuffle
from bindscope.stages import interpret
from conftest import CONFIG, write_checkpoint, write_encoded_split

#: interpret.run's keywords from the shipped configuration (fewer references and steps: a small model).
OPTIONS = {k: CONFIG["interpret"][k] for k in ("method", "max_sequences", "batch_size", "accelerator")} | {
    "n_references": 3,
    "ig_steps": 4,
    "ig_references": 2,
}


@pytest.fixture
def stage_inputs(tmp_path):
    """A CNN checkpoint and an encoded split of 14 positives and 6 negatives (60 bp)."""
    write_checkpoint(tmp_path / "m.ckpt")
    write_encoded_split(tmp_path / "test.npz")
    return tmp_path


def run_stage(folder, **changes) -> dict[str, np.ndarray]:
    out = folder / "scores.npz"
    interpret.run(str(folder / "m.ckpt"), str(folder / "test.npz"), str(out), threads=1, seed=0, **(OPTIONS | changes))
    return load_npz(out)


def test_the_default_method_scores_every_positive_as_attribution_computes_it(stage_inputs):
    scores = run_stage(stage_inputs)
    assert CONFIG["interpret"]["method"] == "deep_lift_shap" == str(scores["method"])
    data = load_npz(stage_inputs / "test.npz")
    positives = np.flatnonzero(data["y"] == 1)
    assert scores["contribution"].shape == (14, 4, 60) and float(scores["seconds"]) > 0
    np.testing.assert_array_equal(scores["start"], data["start"][positives])
    np.testing.assert_array_equal(scores["ohe"], data["x"][positives])
    model, _ = models.load(str(stage_inputs / "m.ckpt"))
    refs = dinucleotide_shuffle(data["x"][positives], 3, np.random.default_rng(0))
    expected = attribute("deep_lift_shap", model, data["x"][positives], refs, None, batch_size=64, ig_steps=4, ig_references=2)
    np.testing.assert_allclose(scores["hypothetical"], expected.hypothetical, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores["contribution"], scores["hypothetical"] * scores["ohe"], rtol=1e-6)


def test_max_sequences_keeps_the_first_positives(stage_inputs):
    scores = run_stage(stage_inputs, max_sequences=4, method="saliency")
    assert str(scores["method"]) == "saliency" and len(scores["contribution"]) == 4


@pytest.mark.parametrize("method", ["ism", "gradcam", ""])
def test_a_method_that_cannot_score_every_positive_is_refused(method, stage_inputs):
    with pytest.raises(ValueError, match="interpret.method"):
        run_stage(stage_inputs, method=method)
