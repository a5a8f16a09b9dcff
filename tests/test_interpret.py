"""The interpret stage: one method's scores of every attributed positive of a checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from bindscope import models
from bindscope.attribution import attribute, fold_shares
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
    interpret.run([str(folder / "m.ckpt")], [str(folder / "test.npz")], str(out), threads=1, seed=0, **(OPTIONS | changes))
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


def test_with_folds_every_positive_is_attributed_by_the_model_that_held_it_out(tmp_path):
    """Three folds, each with its own (differently initialised) model and test split: each attributed positive is scored
    by its own fold's model, never another's, and max_sequences is shared out by the folds' positives."""
    ckpts, splits = [], []
    for f in range(3):
        ckpts.append(str(write_checkpoint(tmp_path / f"m{f}.ckpt", seed=f)))
        split = write_encoded_split(tmp_path / f"test{f}.npz", n=10 * (f + 1), seed=f)
        data = load_npz(split)  # test sets of different folds hold different windows
        np.savez_compressed(split, **(data | {"chrom": np.array([f"chr{f + 1}"] * len(data["y"]))}))
        splits.append(str(split))
    out = tmp_path / "scores.npz"
    interpret.run(ckpts, splits, str(out), threads=1, seed=0, **(OPTIONS | {"max_sequences": 21}))
    scores = load_npz(out)
    counts = np.bincount(scores["fold"])
    assert counts.sum() == 21 and (np.abs(counts - [3.5, 7, 10.5]) <= 0.5).all()  # 21 of 42 positives: half of each fold's 7, 14, 21
    assert (scores["chrom"] == np.array([f"chr{f + 1}" for f in scores["fold"]])).all()
    refs = dinucleotide_shuffle(scores["ohe"], 3, np.random.default_rng(0))
    for f in range(3):
        mine = scores["fold"] == f
        options = {"batch_size": 64, "ig_steps": 4, "ig_references": 2}
        own = attribute("deep_lift_shap", models.load(ckpts[f])[0], scores["ohe"][mine], refs[mine], None, **options)
        np.testing.assert_allclose(scores["hypothetical"][mine], own.hypothetical, rtol=1e-5, atol=1e-6)
        other = attribute("deep_lift_shap", models.load(ckpts[(f + 1) % 3])[0], scores["ohe"][mine], refs[mine], None, **options)
        assert not np.allclose(scores["hypothetical"][mine], other.hypothetical, atol=1e-4)


def test_one_fold_writes_no_fold_array(stage_inputs):
    assert "fold" not in run_stage(stage_inputs)


@pytest.mark.parametrize(
    ("n", "total", "expected"), [([7, 14, 21], 21, [4, 7, 10]), ([7, 14, 21], 100, [7, 14, 21]), ([5, 5, 5], 10, [4, 3, 3])]
)
def test_the_attribution_cap_is_shared_out_by_the_folds_positives(n, total, expected):
    assert fold_shares(np.array(n), total).tolist() == expected
