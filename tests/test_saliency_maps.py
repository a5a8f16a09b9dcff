"""Saliency maps: which positives are drawn, where the logo's stretch lies, and the pictures themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from bindscope.io import load_npz, save_encoded, write_table
from bindscope.stages import saliency_maps
from conftest import CONFIG, write_checkpoint, write_encoded_split
from test_patterns import write_modisco


def test_choose_takes_the_most_certain_then_the_most_disputed():
    prob = pd.DataFrame({"cnn": [0.2, 0.99, 0.7, 0.95], "unet": [0.9, 0.98, 0.1, 0.96]})
    assert saliency_maps.choose(prob, "cnn", 2) == [("top", 1, 1), ("top", 2, 3), ("disagree", 1, 0), ("disagree", 2, 2)]
    assert saliency_maps.choose(prob[["cnn"]], "cnn", 1) == [("top", 1, 1)]  # one model: nothing to disagree with


def test_stretch_is_centred_on_the_highest_scoring_bases_and_stays_in_the_window():
    contribution = np.zeros((4, 100))
    contribution[0, 50:60] = 1
    assert saliency_maps.stretch_of(contribution, 40) == (35, 75)
    contribution[:] = 0
    contribution[0, 0:10] = 1
    assert saliency_maps.stretch_of(contribution, 40) == (0, 40)
    contribution[:] = 0
    contribution[0, 90:100] = 1
    assert saliency_maps.stretch_of(contribution, 40) == (60, 100)


def test_probabilities_follow_the_windows_by_position():
    arrays = {"chrom": np.array(["c1", "c1"]), "start": np.array([0, 100]), "score": np.array([0.1, 0.8])}
    prob = saliency_maps.probabilities([("c1", 100), ("c1", 0), ("c2", 0)], {"cnn": arrays})
    assert prob["cnn"].tolist()[:2] == [0.8, 0.1] and np.isnan(prob["cnn"].iloc[2])


@pytest.fixture
def stage_inputs(tmp_path):
    """A CNN, its attributed positives (scores.npz), two models' predictions, TF-MoDISco's seqlets and their matches."""
    write_checkpoint(tmp_path / "m.ckpt")
    data = load_npz(write_encoded_split(tmp_path / "test.npz"))
    positives = np.flatnonzero(data["y"] == 1)
    rng = np.random.default_rng(0)
    x = data["x"][positives]
    save_encoded(
        tmp_path / "scores.npz",
        ohe=x,
        hypothetical=rng.normal(size=x.shape).astype(np.float32),
        contribution=(rng.normal(size=x.shape) * x).astype(np.float32),
        chrom=data["chrom"][positives],
        start=data["start"][positives],
    )
    for name in ("cnn", "unet"):
        save_encoded(tmp_path / f"{name}.npz", chrom=data["chrom"], start=data["start"], score=rng.random(len(data["y"])))
    cwm = np.zeros((20, 4))
    cwm[5:15, 1] = 1
    seqlets = {"example_idx": np.arange(4), "start": np.full(4, 10), "end": np.full(4, 30), "is_revcomp": np.zeros(4, bool)}
    write_modisco(tmp_path / "modisco.h5", cwm, seqlets)
    tomtom = pd.DataFrame({"pattern": ["pos_patterns.pattern_0"], "match_rank": [1], "target_name": ["CTCF"]})
    write_table(tomtom, tmp_path / "tomtom.tsv")
    return tmp_path


def test_run_draws_a_picture_per_chosen_positive_with_its_seqlets_named(stage_inputs):
    d = stage_inputs
    settings = {k: CONFIG["interpret"][k] for k in ("method", "ig_steps", "batch_size", "accelerator")}
    settings["methods"] = CONFIG["saliency_maps"]["methods"]
    saliency_maps.run(
        [str(d / "m.ckpt")],
        [str(d / "test.npz")],
        str(d / "scores.npz"),
        str(d / "modisco.h5"),
        str(d / "tomtom.tsv"),
        {"cnn": str(d / "cnn.npz"), "unet": str(d / "unet.npz")},
        str(d / "maps"),
        model="cnn",
        n_maps=2,
        n_references=3,
        ig_references=2,
        trim_threshold=0.1,
        threads=1,
        seed=0,
        **settings,
    )
    table = pd.read_csv(d / "maps" / "maps.tsv", sep="\t")
    assert table["file"].tolist() == ["top_1.png", "top_2.png", "disagree_1.png", "disagree_2.png"]
    assert set(table["methods"]) == {"deep_lift_shap; saliency"}
    for row in table.itertuples():
        width, height = Image.open(d / "maps" / row.file).size
        assert width > 500 and height > 400  # a logo and two per-base panels
        assert row.stretch_end - row.stretch_start == 40 and 0 <= row.stretch_start <= 20
    named = table[table["seqlets"].notna()]
    assert set(named["seqlets"]) <= {"pos 0: CTCF"}
    scores = load_npz(d / "scores.npz")
    rows = {(c, int(s)): i for i, (c, s) in enumerate(zip(scores["chrom"], scores["start"], strict=True))}
    assert all((row.seqlets == "pos 0: CTCF") == (rows[(row.chrom, row.start)] < 4) for row in table.itertuples())
    assert not [p for p in d.iterdir() if p.name.startswith(".maps")]  # no scratch folder left


def test_run_names_a_missing_model(stage_inputs):
    d = stage_inputs
    with pytest.raises(ValueError, match="not this model 'unet'"):
        files = (str(d / f) for f in ("scores.npz", "modisco.h5", "tomtom.tsv"))
        saliency_maps.run([str(d / "m.ckpt")], [str(d / "test.npz")], *files, {"cnn": str(d / "cnn.npz")}, str(d / "maps"),
                          model="unet", method="saliency", methods=[], n_maps=1, n_references=1, ig_steps=1, ig_references=1,
                          trim_threshold=0.1, batch_size=8, accelerator="cpu", threads=1, seed=0)  # fmt: skip
