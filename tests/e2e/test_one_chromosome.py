"""A genome whose peaks lie on one chromosome (a bacterium, a single-chromosome test set) runs end to end:
automatic splits fall back to region blocks, kept apart so that no window of one split overlaps another's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import DEFAULT_ATTRIBUTION, TEST_CONFIG, run_snakemake

pytestmark = pytest.mark.e2e
CONFIG = {"window": 400, "peak_padding": 200}


def one_chromosome_demo(folder: Path) -> dict[str, Path]:
    """The demo's chr1 alone (520 kb), with its CTCF peaks and blacklist."""
    data = folder / "demo"
    subprocess.run([sys.executable, "-m", "bindscope", "demo", "--out-dir", str(data), "--n-peaks", "1500", "--seed", "7"], check=True)
    text = (data / "genome.fa").read_text()
    chr1 = text[: text.index(">", 1)]
    files = {"genome": folder / "chr1.fa", "peaks": folder / "CTCF_chr1.narrowPeak", "blacklist": folder / "blacklist_chr1.bed"}
    files["genome"].write_text(chr1)
    for kind, source in (("peaks", "CTCF.narrowPeak"), ("blacklist", "blacklist.bed")):
        lines = [line for line in (data / source).read_text().splitlines() if line.split("\t")[0] == "chr1"]
        files[kind].write_text("\n".join(lines) + "\n")
    return files


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("one_chromosome")
    files = one_chromosome_demo(workdir)
    (workdir / "config").mkdir()
    sheet = pd.DataFrame([{"tf": "CTCF", **{k: str(v) for k, v in files.items()}, "motif": "MA0139.2"}])
    sheet.to_csv(workdir / "config" / "samples.tsv", sep="\t", index=False)
    result = run_snakemake(workdir, configfiles=(TEST_CONFIG, DEFAULT_ATTRIBUTION), timeout=1500)
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir


def test_splits_are_regions_each_with_its_share(run):
    validation = json.loads((run / "results" / "CTCF" / "validation.json").read_text())
    assert validation["splits"]["scheme"] == "region"
    per_split = validation["positives"]["per_split"]
    total = sum(per_split.values())
    assert per_split["test"] >= 0.1 * total and per_split["val"] >= 0.08 * total
    qc = json.loads((run / "results" / "CTCF" / "regions" / "qc.json").read_text())
    assert qc["split_scheme"] == "region" and qc["split_blocks"]["test"] and qc["positives_in_split_gaps"] < 0.05 * total


def test_no_window_of_one_split_comes_near_another_splits(run):
    regions = pd.read_csv(run / "results" / "CTCF" / "regions" / "regions.tsv.gz", sep="\t")
    flanks = pd.read_csv(run / "results" / "CTCF" / "regions" / "flanks.tsv.gz", sep="\t").assign(split="test")
    windows = pd.concat([regions[["start", "end", "split"]], flanks[["start", "end", "split"]]]).sort_values("start")
    start, end, split = (windows[c].to_numpy() for c in ("start", "end", "split"))
    reach = CONFIG["peak_padding"]  # peak padding: how far negatives keep from peaks, and every split from the others
    near = (start[:, None] < end[None, :] + reach) & (start[None, :] < end[:, None] + reach)
    assert not (near & (split[:, None] != split[None, :])).any()


def test_the_models_learn_and_find_ctcf_and_the_report_lists_the_blocks(run):
    summary = pd.read_csv(run / "results" / "summary.tsv", sep="\t").set_index("model")
    assert summary.loc["cnn", "auroc"] > 0.9 and summary.loc["unet", "auroc"] > 0.9
    assert np.isfinite(summary.loc["pwm_scan", "auroc"])
    assert str(summary.loc["cnn", "recovered"]) == "True"
    report = (run / "results" / "CTCF" / "report.html").read_text()
    assert "Held out by region" in report
