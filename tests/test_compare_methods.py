"""The compare_methods stage: interpret's method beside the others, each compared with ISM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bindscope.attribution import GRADIENT_METHODS
from bindscope.io import load_npz
from bindscope.layout import COMPARISON
from bindscope.stages import compare_methods, interpret
from bindscope.verdict import best_method
from conftest import CONFIG, files_in, write_checkpoint, write_encoded_split

SHARED = {"n_references": 3, "ig_steps": 4, "ig_references": 2, "max_sequences": 2000, "batch_size": 64, "accelerator": "cpu"}


@pytest.fixture
def stage_inputs(tmp_path):
    """A CNN checkpoint, an encoded split of 14 positives and 6 negatives (60 bp), and interpret's scores of it."""
    write_checkpoint(tmp_path / "m.ckpt")
    write_encoded_split(tmp_path / "test.npz")
    interpret.run([str(tmp_path / "m.ckpt")], [str(tmp_path / "test.npz")], str(tmp_path / "scores.npz"),
                  method="deep_lift_shap", threads=1, seed=0, **SHARED)  # fmt: skip
    return tmp_path


def run_stage(folder, **changes):
    out = files_in(folder / "out", COMPARISON)
    (folder / "out").mkdir(exist_ok=True)
    options = SHARED | {"methods": CONFIG["compare_methods"]["methods"], "ism_sequences": 5} | changes
    compare_methods.run([str(folder / "m.ckpt")], [str(folder / "test.npz")], str(folder / "scores.npz"), out, threads=1, seed=0, **options)
    return out


def test_every_method_is_timed_and_compared_with_ism(stage_inputs):
    out = run_stage(stage_inputs)
    table = pd.read_csv(out["methods"], sep="\t")
    assert list(table["method"]) == ["deep_lift_shap", *CONFIG["compare_methods"]["methods"]]
    assert list(table.columns) == compare_methods.METHOD_COLUMNS
    assert (table["seconds"] > 0).all()
    assert table.set_index("method")["n_sequences"].to_dict() == {m: 5 if m == "ism" else 14 for m in table["method"]}
    ism_row = table[table["method"] == "ism"].iloc[0]
    assert ism_row["pearson_ism"] == pytest.approx(1.0) and ism_row["n_compared"] == 5
    assert table.set_index("method").loc[["deep_lift_shap", "integrated_gradients"], "convergence_delta_max"].notna().all()
    # interpret's own references: DeepLIFT/SHAP's contributions sum to the output difference they were computed for
    dls = table.set_index("method").loc["deep_lift_shap"]
    assert dls["convergence_delta_max"] < 1e-3 * max(dls["output_difference_mean"], 1e-3)
    assert table.set_index("method").loc[["saliency", "ism"], "convergence_delta_max"].isna().all()
    assert best_method(table) in ("deep_lift_shap", "saliency", "input_x_gradient", "integrated_gradients")
    scores, examples = load_npz(stage_inputs / "scores.npz"), load_npz(out["examples"])
    assert float(scores["seconds"]) == pytest.approx(table.set_index("method").loc["deep_lift_shap", "seconds"], abs=1e-3)
    assert list(examples["index"]) == [0, 3, 6, 10, 13]  # spread over the 14 positives
    for method in table["method"]:
        assert examples[method].shape == (5, 4, 60)
    np.testing.assert_allclose(examples["deep_lift_shap"], scores["hypothetical"][examples["index"]])
    gradient = load_npz(out["gradient"])
    chosen = str(gradient["method"])
    assert chosen == table[table["method"].isin(GRADIENT_METHODS)].set_index("method")["pearson_ism"].idxmax()
    np.testing.assert_allclose(gradient["hypothetical"][examples["index"]], examples[chosen])
    assert table.set_index("method")["modisco_input"].fillna("").to_dict() == {
        m: {"deep_lift_shap": "scores", chosen: "gradient"}.get(m, "") for m in table["method"]
    }


def test_without_ism_there_is_no_agreement(stage_inputs):
    out = run_stage(stage_inputs, methods=["saliency"])
    table = pd.read_csv(out["methods"], sep="\t")
    assert list(table["method"]) == ["deep_lift_shap", "saliency"] and table["pearson_ism"].isna().all()
    assert str(load_npz(out["gradient"])["method"]) == "saliency"
    assert best_method(table) == ""


def test_interprets_method_listed_again_is_reused_not_recomputed(stage_inputs):
    out = run_stage(stage_inputs, methods=["deep_lift_shap", "ism"])
    table = pd.read_csv(out["methods"], sep="\t")
    assert list(table["method"]) == ["deep_lift_shap", "ism"]
    # without a gradient method the first method's scores are searched twice
    assert str(load_npz(out["gradient"])["method"]) == "deep_lift_shap"
    assert table["modisco_input"].fillna("").tolist() == ["scores", ""]


@pytest.mark.parametrize("methods", [["saliency", "saliency"], ["gradcam"]])
def test_bad_method_lists_are_named(methods, stage_inputs):
    with pytest.raises(ValueError, match="compare_methods.methods"):
        run_stage(stage_inputs, methods=methods)


def test_scores_of_other_positives_are_refused(stage_inputs):
    with pytest.raises(ValueError, match="max_sequences"):
        run_stage(stage_inputs, max_sequences=5)


def test_spread_subset():
    assert list(compare_methods.spread_subset(3, 10)) == [0, 1, 2]
    assert list(compare_methods.spread_subset(101, 3)) == [0, 50, 100]
    assert len(compare_methods.spread_subset(0, 5)) == 0


def test_with_folds_every_method_scores_each_positive_with_its_own_folds_model(tmp_path):
    """Two folds with differently initialised models: each method's scores of a positive are those of its fold's
    model, ISM's included, and DeepLIFT/SHAP's contributions still sum to its own model's output difference."""
    from bindscope import models
    from bindscope.attribution import attribute
    from bindscope.shuffle import dinucleotide_shuffle

    ckpts, splits = [], []
    for f in range(2):
        ckpts.append(str(write_checkpoint(tmp_path / f"m{f}.ckpt", seed=f)))
        data = load_npz(write_encoded_split(tmp_path / f"test{f}.npz", seed=f))
        np.savez_compressed(tmp_path / f"test{f}.npz", **(data | {"chrom": np.array([f"chr{f + 1}"] * len(data["y"]))}))
        splits.append(str(tmp_path / f"test{f}.npz"))
    interpret.run(ckpts, splits, str(tmp_path / "scores.npz"), method="deep_lift_shap", threads=1, seed=0, **SHARED)
    out = files_in(tmp_path / "out", COMPARISON)
    (tmp_path / "out").mkdir()
    options = SHARED | {"methods": ["saliency", "ism"], "ism_sequences": 6}
    compare_methods.run(ckpts, splits, str(tmp_path / "scores.npz"), out, threads=1, seed=0, **options)
    table = pd.read_csv(out["methods"], sep="\t").set_index("method")
    assert table.loc["deep_lift_shap", "convergence_delta_max"] < 1e-3 * max(table.loc["deep_lift_shap", "output_difference_mean"], 1e-3)
    scores, examples = load_npz(tmp_path / "scores.npz"), load_npz(out["examples"])
    fold = scores["fold"][examples["index"]]
    assert set(fold) == {0, 1}  # the ISM subset spans both folds
    refs = dinucleotide_shuffle(scores["ohe"], 3, np.random.default_rng(0))[examples["index"]]
    for f in range(2):
        mine = fold == f
        net = models.load(ckpts[f])[0]
        for method in ("saliency", "ism"):
            own = attribute(method, net, examples["ohe"][mine], refs[mine], None, batch_size=64, ig_steps=4, ig_references=2)
            np.testing.assert_allclose(examples[method][mine], own.hypothetical, rtol=1e-5, atol=1e-6)
