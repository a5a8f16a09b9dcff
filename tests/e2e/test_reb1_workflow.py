"""End to end on real data: the Reb1 benchmark configuration (bench/reb1) on sacCer3 from ../shared/data.

Run in the test scenario (tests/config/config.yaml: fewer epochs and references) with the shipped attribution
(no method comparison). Asserts the motif verdict and what the default run writes; metric thresholds live in
the benchmark (bench/reb1/run.py), which runs the shipped defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bindscope.io import load_npz
from conftest import chromium, page_images

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def reb1(reb1_run) -> Path:
    return reb1_run


def test_reb1_motif_found_by_every_model(reb1):
    summary = pd.read_csv(reb1 / "results" / "summary.tsv", sep="\t")
    models = summary[summary["model"].isin(["cnn", "unet"])]
    assert sorted(models["model"]) == ["cnn", "unet"]
    for row in models.itertuples():
        assert row.top_match_name.upper() == "REB1" and row.top_match_id.startswith("MA0363"), row
        assert row.top_match_qval < 0.01, row
        assert row.expected_motif_rank == 1 and (row.recovered is True or row.recovered == "True"), row
    assert set(summary["model"]) == {"cnn", "unet", "pwm_scan", "kmer_lr"}


def test_reb1_default_attribution_runs_no_comparison_and_the_report_says_so_in_chromium(reb1):
    """Issue 27: the default run attributes with DeepLIFT/SHAP only (saliency beside it in the maps); no method
    comparison, no second TF-MoDISco search; the report and summary say which methods ran; both models' maps render."""
    results = reb1 / "results" / "REB1"
    for model in ("cnn", "unet"):
        assert str(load_npz(results / "attributions" / model / "scores.npz")["method"]) == "deep_lift_shap"
        assert not (results / "attributions" / model / "methods.tsv").exists()
        assert not (results / "motifs" / model / "gradient").exists()
        maps = pd.read_csv(results / "attributions" / model / "maps" / "maps.tsv", sep="\t")
        assert set(maps["methods"]) == {"deep_lift_shap; saliency"}
    assert not list((reb1 / "logs").rglob("compare_methods")) and not list((reb1 / "logs").rglob("motifs_gradient"))
    summary = pd.read_csv(reb1 / "results" / "summary.tsv", sep="\t", keep_default_na=False).set_index("model")
    assert summary.loc[["cnn", "unet"], "attribution_method"].tolist() == ["deep_lift_shap"] * 2
    assert summary.loc[["cnn", "unet"], "compared_methods"].tolist() == ["", ""]
    page = (results / "report.html").read_text()
    assert page.count("The comparison of attribution methods (gradient family and in-silico mutagenesis") == 2
    driver = chromium()
    try:
        driver.get((results / "report.html").as_uri())
        images = page_images(driver)
        maps = [alt for alt, _ in images if alt.startswith("saliency map")]
        assert len(maps) == 8 and all(ok for _, ok in images), images  # tests/config n_maps 2: 2 top + 2 disputed per model
        headers = driver.execute_script("return [...document.querySelectorAll('th')].map(th => th.textContent.trim())")
        assert "Pearson with ISM" not in headers, headers
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()


def test_reb1_clustered_windows_merged(reb1):
    qc = json.loads((reb1 / "results" / "REB1" / "regions" / "qc.json").read_text())
    assert qc["n_peaks"] == 1775 and qc["n_peaks_after_merging"] < qc["n_peaks"]
