"""The ensemble stage and FoldEnsemble: the fold models of one architecture applied as one, with their spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from bindscope import models
from bindscope.errors import InputError
from bindscope.inference import logits_with_spread, strand_averaged_logits
from bindscope.stages import ensemble, predict
from conftest import SMALL_CNN, write_checkpoint

UNET = {"channels": [4, 8], "kernel_size": 5, "dropout": 0.0}


def fold_checkpoints(folder, name="cnn", params=None, k=3) -> list[str]:
    return [str(write_checkpoint(folder / f"{name}{f}.ckpt", name, params, seed=f)) for f in range(k)]


@pytest.mark.parametrize(("name", "params"), [("cnn", SMALL_CNN), ("unet", UNET)])
def test_the_ensemble_logit_is_the_mean_of_the_fold_models_and_its_spread_their_sd(tmp_path, name, params):
    ckpts = fold_checkpoints(tmp_path, name, params)
    ensemble.run(ckpts, str(tmp_path / "ensemble.ckpt"))
    model, hparams = models.load(tmp_path / "ensemble.ckpt")
    assert isinstance(model, models.FoldEnsemble) and hparams["folds"] == 3 and models.is_per_base(model) == (name == "unet")
    x = np.eye(4, dtype=np.uint8)[np.random.default_rng(0).integers(0, 4, (9, 60))].transpose(0, 2, 1)
    members = np.stack([strand_averaged_logits(models.load(c)[0], x) for c in ckpts])
    np.testing.assert_allclose(strand_averaged_logits(model, x), members.mean(axis=0), rtol=1e-5, atol=1e-6)
    logits, spread = logits_with_spread(model, x)
    np.testing.assert_allclose(logits, members.mean(axis=0), rtol=1e-6)
    per_sequence = members if members.ndim == 2 else members.max(axis=2)
    np.testing.assert_allclose(spread, per_sequence.std(axis=0, ddof=1), rtol=1e-5)
    assert logits_with_spread(models.load(ckpts[0])[0], x)[1] is None


def test_predict_with_an_ensemble_reports_the_mean_probability_and_the_spread(tmp_path, tiny_genome):
    ckpts = fold_checkpoints(tmp_path)
    ensemble.run(ckpts, str(tmp_path / "ensemble.ckpt"))
    regions = tmp_path / "regions.bed"
    regions.write_text("chr1\t1000\t1200\nchr2\t3000\t3100\n")
    options = {"mode": "centre", "tile_margin": "0", "threshold": 0.5, "min_segment": 3, "batch_size": 256, "threads": 1}
    predict.run(
        {"cnn": str(tmp_path / "ensemble.ckpt")},
        str(regions),
        str(tiny_genome / "genome.fa"),
        {"table": str(tmp_path / "p.tsv.gz")},
        **options,
    )
    table = pd.read_csv(tmp_path / "p.tsv.gz", sep="\t")
    singles = []
    for f, ckpt in enumerate(ckpts):
        predict.run({"cnn": ckpt}, str(regions), str(tiny_genome / "genome.fa"), {"table": str(tmp_path / f"p{f}.tsv.gz")}, **options)
        single = pd.read_csv(tmp_path / f"p{f}.tsv.gz", sep="\t")
        assert "logit_sd_cnn" not in single
        singles.append(single["prob_cnn"].to_numpy())
    logit = np.log(np.array(singles) / (1 - np.array(singles)))
    np.testing.assert_allclose(table["prob_cnn"], torch.sigmoid(torch.tensor(logit.mean(axis=0))).numpy(), atol=2e-6)
    np.testing.assert_allclose(table["logit_sd_cnn"], logit.std(axis=0, ddof=1), atol=1e-4)


def test_folds_of_different_models_are_not_joined(tmp_path):
    ckpts = [str(write_checkpoint(tmp_path / "a.ckpt")), str(write_checkpoint(tmp_path / "b.ckpt", "unet", UNET))]
    with pytest.raises(InputError, match="not folds of one model"):
        ensemble.run(ckpts, str(tmp_path / "e.ckpt"))
    assert not (tmp_path / "e.ckpt").exists()
