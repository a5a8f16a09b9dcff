"""Bad input stops the real workflow early: before the job graph (config, folders, sheet) or in rule validate,
which every TF's regions depend on and which runs first; the message is on the console."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bindscope.motif_database import Motif, write_meme

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workdir(tiny_genome) -> Path:
    """A run folder with a sheet of two TFs on the tiny genome: GOOD (valid) and BAD (a two-column peak line)."""
    (tiny_genome / "config").mkdir()
    bad = tiny_genome / "bad.narrowPeak"
    bad.write_text((tiny_genome / "peaks.narrowPeak").read_text() + "chr2\t5000\n")
    (tiny_genome / "config" / "samples.tsv").write_text(
        "tf\tpeaks\tgenome\n"
        f"GOOD\t{tiny_genome / 'peaks.narrowPeak'}\t{tiny_genome / 'genome.fa'}\n"
        f"BAD\t{bad}\t{tiny_genome / 'genome.fa'}\n"
    )
    write_meme([Motif("M1", "X", np.full((4, 6), 0.25))], tiny_genome / "db.meme")
    return tiny_genome


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "1"]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), "--config", "windows={window: 100, min_positives: 10}"]
    cmd += [f"motif_db={{'source': '{workdir / 'db.meme'}'}}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_bad_peak_line_stops_every_tf_before_regions(workdir):
    result = snakemake(workdir)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    bad_line = len((workdir / "bad.narrowPeak").read_text().splitlines())
    assert f"error: {workdir / 'bad.narrowPeak'} line {bad_line}: expected at least 3 tab-separated columns" in output
    assert not list((workdir / "results").glob("*/regions")), "a regions job ran before every TF was validated"
    assert not (workdir / "results" / "BAD" / "validation.json").exists()


def test_config_error_stops_before_any_job(workdir):
    result = snakemake(workdir, "regions={negative_ratio: 0}")
    assert result.returncode == 1
    assert "--config key regions.negative_ratio: 0 is less than or equal to the minimum of 0" in result.stderr
    assert not (workdir / "results").exists() and not (workdir / "logs").exists()


def test_unwritable_results_folder_stops_before_any_job(workdir):
    (workdir / "results").write_text("not a folder")
    result = snakemake(workdir)
    assert result.returncode == 1
    assert f"error: results: cannot hold output files: {'results'!r} exists and is not a folder" in result.stderr
