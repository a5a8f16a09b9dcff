"""The interpret stage: every configured method on a checkpoint's positives, its table compared with ISM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bindscope import interpret
from bindscope.attribution import GRADIENT_METHODS
from bindscope.io import load_npz
from bindscope.layout import INTERPRETATION
from bindscope.verdict import best_method
from conftest import CONFIG, files_in, write_checkpoint, write_encoded_split


@pytest.fixture
def stage_inputs(tmp_path):
    """A CNN checkpoint and an encoded split of 14 positives and 6 negatives (60 bp)."""
    write_checkpoint(tmp_path / "m.ckpt")
    write_encoded_split(tmp_path / "test.npz")
    return tmp_path


def run_stage(folder, **changes):
    out = files_in(folder / "out", INTERPRETATION)
    (folder / "out").mkdir(exist_ok=True)
    options = {k: v for k, v in CONFIG["interpret"].items() if k not in ("split", "n_maps")} | {
        "ism_sequences": 5,
        "ig_steps": 4,
        "n_references": 3,
    }
    interpret.run(str(folder / "m.ckpt"), str(folder / "test.npz"), out, threads=1, seed=0, **(options | changes))
    return out


def test_every_method_is_timed_and_compared_with_ism(stage_inputs):
    out = run_stage(stage_inputs)
    table = pd.read_csv(out["methods"], sep="\t")
    assert list(table["method"]) == CONFIG["interpret"]["methods"]
    assert list(table.columns) == interpret.METHOD_COLUMNS
    assert (table["seconds"] > 0).all()
    assert table.set_index("method")["n_sequences"].to_dict() == {m: 5 if m == "ism" else 14 for m in table["method"]}
    ism_row = table[table["method"] == "ism"].iloc[0]
    assert ism_row["pearson_ism"] == pytest.approx(1.0) and ism_row["n_compared"] == 5
    assert table.set_index("method").loc[["deep_lift_shap", "integrated_gradients"], "convergence_delta_max"].notna().all()
    assert table.set_index("method").loc[["saliency", "ism"], "convergence_delta_max"].isna().all()
    assert best_method(table) in ("deep_lift_shap", "saliency", "input_x_gradient", "integrated_gradients")
    scores, examples = load_npz(out["scores"]), load_npz(out["examples"])
    assert str(scores["method"]) == "deep_lift_shap" and scores["contribution"].shape == (14, 4, 60)
    assert list(examples["index"]) == [0, 3, 6, 10, 13]  # spread over the 14 positives
    for method in CONFIG["interpret"]["methods"]:
        assert examples[method].shape == (5, 4, 60)
    np.testing.assert_allclose(examples["deep_lift_shap"], scores["hypothetical"][examples["index"]])
    gradient = load_npz(out["gradient"])
    chosen = str(gradient["method"])
    assert chosen == table[table["method"].isin(GRADIENT_METHODS)].set_index("method")["pearson_ism"].idxmax()
    np.testing.assert_allclose(gradient["hypothetical"][examples["index"]], examples[chosen])
    assert table.set_index("method")["modisco_input"].fillna("").to_dict() == {
        m: {"deep_lift_shap": "scores", chosen: "gradient"}.get(m, "") for m in table["method"]
    }


def test_one_method_without_ism_has_no_agreement(stage_inputs):
    out = run_stage(stage_inputs, methods=["saliency"])
    table = pd.read_csv(out["methods"], sep="\t")
    assert list(table["method"]) == ["saliency"] and table["pearson_ism"].isna().all()
    assert str(load_npz(out["scores"])["method"]) == "saliency" == str(load_npz(out["gradient"])["method"])
    assert best_method(table) == ""


@pytest.mark.parametrize("methods", [["ism", "saliency"], ["saliency", "saliency"], ["gradcam"], []])
def test_bad_method_lists_are_named(methods, stage_inputs):
    with pytest.raises(ValueError, match="interpret.methods"):
        run_stage(stage_inputs, methods=methods)


def test_spread_subset():
    assert list(interpret.spread_subset(3, 10)) == [0, 1, 2]
    assert list(interpret.spread_subset(101, 3)) == [0, 50, 100]
    assert len(interpret.spread_subset(0, 5)) == 0


def test_without_a_gradient_method_the_first_method_is_searched_twice(stage_inputs):
    out = run_stage(stage_inputs, methods=["deep_lift_shap", "ism"])
    assert str(load_npz(out["gradient"])["method"]) == "deep_lift_shap"
    assert pd.read_csv(out["methods"], sep="\t")["modisco_input"].fillna("").tolist() == ["scores", ""]
