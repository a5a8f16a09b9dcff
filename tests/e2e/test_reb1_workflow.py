"""End to end on real data: the Reb1 benchmark configuration (bench/reb1) on sacCer3 from ../shared/data.

Run in the test scenario (tests/config/config.yaml: fewer epochs and references). Asserts the motif
verdict only; metric thresholds live in the benchmark (bench/reb1/run.py), which runs the shipped defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

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


def test_reb1_report_shows_the_attribution_methods_and_saliency_maps_in_chromium(reb1):
    """Issue 15: the method table (agreement with ISM per method) and both models' saliency maps, rendered."""
    methods = {m: pd.read_csv(reb1 / "results" / "REB1" / "attributions" / m / "methods.tsv", sep="\t") for m in ("cnn", "unet")}
    for table in methods.values():
        assert table["method"].tolist() == ["deep_lift_shap", "saliency", "input_x_gradient", "integrated_gradients", "ism"]
        assert table.set_index("method").loc["deep_lift_shap", "pearson_ism"] >= 0.7, table
    driver = chromium()
    try:
        driver.get((reb1 / "results" / "REB1" / "report.html").as_uri())
        images = page_images(driver)
        maps = [alt for alt, _ in images if alt.startswith("saliency map")]
        assert len(maps) == 8 and all(ok for _, ok in images), images  # tests/config n_maps 2: 2 top + 2 disputed per model
        headers = driver.execute_script("return [...document.querySelectorAll('th')].map(th => th.textContent.trim())")
        assert headers.count("Pearson with ISM") == 2, headers
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()


def test_reb1_clustered_windows_merged(reb1):
    qc = json.loads((reb1 / "results" / "REB1" / "regions" / "qc.json").read_text())
    assert qc["n_peaks"] == 1775 and qc["n_peaks_after_merging"] < qc["n_peaks"]
