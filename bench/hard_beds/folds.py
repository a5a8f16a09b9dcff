"""Chromosome folds on the hard test beds: the whole workflow with windows.folds 1 and k, side by side.

For each bed (bench/hard_beds/run.py's data: the weak-motif demo, a Reb1 subsample with the peaks
it leaves out blacklisted) and seed, runs ``snakemake --cores N`` with the shipped defaults (automatic
splits) once with one fold and once with ``--folds`` folds, and reports per model and baseline: the
test AUROC and AUPRC (pooled out of fold with folds, with each fold's mean and sd), and for the
models the positives attributed, TF-MoDISco's seqlets and patterns, the top match and whether the
expected motif was recovered; and each run's wall time. Writes bench/out/hard_beds_folds.tsv.

Usage: python bench/hard_beds/folds.py [--beds reb1_600 weak] [--seeds 0] [--folds 5] [--cores 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "hard_beds"))
from run import BEDS, bed_inputs  # noqa: E402

OUT = REPO / "bench" / "out" / "hard_beds_folds"
COLUMNS = ["auroc", "auprc", "auroc_fold_mean", "auroc_fold_sd", "auprc_fold_mean", "auprc_fold_sd", "top_match_name", "recovered"]


def prepare(bed: str, seed: int, folder: Path) -> Path:
    """The bed's data and a sheet naming it in ``folder``; the config file with the bed's motif database."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    peaks, genome, blacklist, _, _ = bed_inputs(bed, seed, data)  # the folds choose their own test chromosomes
    (folder / "config").mkdir(exist_ok=True)
    row = {"tf": bed, "peaks": str(peaks), "genome": str(genome), "blacklist": str(blacklist or ""), "motif": BEDS[bed][1]}
    pd.DataFrame([row]).to_csv(folder / "config" / "samples.tsv", sep="\t", index=False)
    config = {"samples": "config/samples.tsv", "motif_db": {"source": str(BEDS[bed][2])}, "seed": seed}
    path = folder / "config" / "bench.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def run_workflow(folder: Path, config: Path, folds: int, cores: int) -> float:
    """The workflow in ``folder`` from clean results with ``folds`` folds; its wall time in seconds."""
    for name in ("results", "logs", "benchmarks"):
        shutil.rmtree(folder / name, ignore_errors=True)
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(folder), "--cores", str(cores)]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), str(config), "--config", f"windows={{folds: {folds}}}"]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"snakemake failed in {folder}:\n{result.stderr[-4000:]}")
    return time.perf_counter() - started


def motif_counts(results: Path, model: str) -> dict:
    """Positives attributed, TF-MoDISco's seqlets (summed over patterns) and patterns of one model's run."""
    scores = np.load(results / "attributions" / model / "scores.npz")
    tomtom = pd.read_csv(results / "motifs" / model / "tomtom.tsv", sep="\t")
    per_pattern = tomtom.drop_duplicates("pattern")
    return {"attributed": len(scores["chrom"]), "seqlets": int(per_pattern["n_seqlets"].sum()), "patterns": len(per_pattern)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beds", nargs="+", default=["reb1_600", "weak"], choices=list(BEDS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for bed in args.beds:
        for seed in args.seeds:
            for folds in (1, args.folds):
                folder = OUT / bed / str(seed) / f"folds{folds}"
                config = prepare(bed, seed, folder)
                wall = run_workflow(folder, config, folds, args.cores)
                summary = pd.read_csv(folder / "results" / "summary.tsv", sep="\t")
                for record in summary.to_dict("records"):
                    row = {"bed": bed, "seed": seed, "folds": folds, "model": record["model"], "wall_s": round(wall)}
                    row |= {c: record.get(c, np.nan) for c in COLUMNS}
                    if record["model"] in ("cnn", "unet"):
                        row |= motif_counts(folder / "results" / bed, record["model"])
                    rows.append(row)
                    print(row, flush=True)
    table = pd.DataFrame(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT.parent / "hard_beds_folds.tsv", sep="\t", index=False)
    print(table.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
