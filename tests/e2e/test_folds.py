"""Chromosome folds end to end (windows.folds: 3) on a small demo: every positive is tested and attributed by a model
that never trained on it, the folds' evaluations are pooled, and predict applies the fold models as an ensemble."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import DEFAULT_ATTRIBUTION, TEST_CONFIG, run_snakemake

pytestmark = pytest.mark.e2e
K = 3
MODELS = ("cnn", "unet")
#: Over the test scenario: three folds, fewer epochs (each fold trains both models), predictions over the peaks.
FOLDS = {"windows": {"folds": K}, "train": {"max_epochs": 6, "patience": 2}}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("folds")
    data = workdir / "demo"
    subprocess.run([sys.executable, "-m", "bindscope", "demo", "--out-dir", str(data), "--n-peaks", "900", "--seed", "3"], check=True)
    (workdir / "config").mkdir()
    sheet = {"tf": "CTCF", "peaks": data / "CTCF.narrowPeak", "genome": data / "genome.fa", "blacklist": data / "blacklist.bed"}
    pd.DataFrame([{**{k: str(v) for k, v in sheet.items()}, "motif": "MA0139.2"}]).to_csv(
        workdir / "config" / "samples.tsv", sep="\t", index=False
    )
    options = FOLDS | {"predict": {"regions": {"CTCF": str(data / "CTCF.narrowPeak")}}}
    (workdir / "folds.yaml").write_text(yaml.safe_dump(options))
    result = run_snakemake(workdir, configfiles=(TEST_CONFIG, DEFAULT_ATTRIBUTION, workdir / "folds.yaml"), timeout=1500)
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir / "results" / "CTCF"


def fold_regions(results: Path) -> list[pd.DataFrame]:
    return [pd.read_csv(results / "folds" / str(f) / "regions" / "regions.tsv.gz", sep="\t") for f in range(K)]


def positive_keys(regions: pd.DataFrame) -> set[tuple[str, int]]:
    positives = regions[regions["label"] == 1]
    return set(zip(positives["chrom"], positives["start"], strict=True))


def test_the_folds_test_sets_partition_the_positives(run):
    regions = fold_regions(run)
    keys = [positive_keys(r) for r in regions]
    assert keys[0] == keys[1] == keys[2]  # chromosome folds keep every positive in every fold
    tested = [positive_keys(r[r.split == "test"]) for r in regions]
    assert sum(len(t) for t in tested) == len(set.union(*tested)) == len(keys[0])
    for f, r in enumerate(regions):  # no chromosome holds test windows and training windows of one fold
        assert not set(r.loc[r.split == "test", "chrom"]) & set(r.loc[r.split != "test", "chrom"]), f


def test_every_attributed_positive_comes_from_the_model_that_held_it_out(run):
    regions = fold_regions(run)
    for model in MODELS:
        scores = np.load(run / "attributions" / model / "scores.npz")
        assert len(scores["fold"]) == min(sum(int(((r.label == 1) & (r.split == "test")).sum()) for r in regions), 2000)
        for chrom, start, fold in zip(scores["chrom"], scores["start"], scores["fold"], strict=True):
            own = regions[int(fold)]
            split = own.loc[(own.chrom == chrom) & (own.start == start) & (own.label == 1), "split"]
            assert split.tolist() == ["test"], (model, chrom, start, fold)
            for other in set(range(K)) - {int(fold)}:  # every other fold's model trained or selected on it
                theirs = regions[other]
                assert theirs.loc[(theirs.chrom == chrom) & (theirs.start == start), "split"].tolist() != ["test"]


def test_the_pooled_evaluation_scores_every_fold_and_lists_each(run):
    summary = pd.read_csv(run / "summary_rows.tsv", sep="\t")
    for name in (*MODELS, "pwm_scan", "kmer_lr"):
        pooled = json.loads((run / "eval" / name / "metrics.json").read_text())
        folds = [json.loads((run / "folds" / str(f) / "eval" / name / "metrics.json").read_text()) for f in range(K)]
        assert pooled["n"] == sum(m["n"] for m in folds) and [m["fold"] for m in folds] == list(range(K))
        assert pooled["folds"]["per_fold"]["auprc"] == [m["auprc"] for m in folds]
        row = summary[summary.model == name].iloc[0]
        assert row["folds"] == K and row["auprc_fold_mean"] == pytest.approx(np.mean([m["auprc"] for m in folds]))
        assert row["auprc_fold_sd"] == pytest.approx(np.std([m["auprc"] for m in folds], ddof=1))
    assert summary.loc[summary.model == "cnn", "auroc"].iloc[0] > 0.8
    assert f"{K} folds: every test metric is pooled out of fold" in (run / "report.html").read_text()


def test_predict_applies_the_fold_ensemble_with_its_spread(run):
    table = pd.read_csv(run / "predict" / "predictions.tsv.gz", sep="\t")
    for model in MODELS:
        assert table[f"logit_sd_{model}"].notna().all() and (table[f"logit_sd_{model}"] > 0).any()
    ckpt = run / "models" / "cnn" / "model.ckpt"
    assert ckpt.is_file() and not (run / "models" / "cnn" / "training_log.csv").exists()
    assert (run / "tracks" / "unet.probabilities.bw").is_file()
