"""Reb1 ChIP-exo on the yeast genome: the whole workflow from a clean results folder, measured.

Resolves bench/reb1/samples.tsv and config.yaml (paths relative to the repository root) into a
working folder (bench/out/reb1/), runs `snakemake --cores N` there --repeats times from nothing
but the resources (motif database, genome index), and writes bench/reb1/results.tsv:
per model and baseline the test AUROC, AUPRC, F1 and MCC, the top pattern's best match and
q-value; then per stage the wall time (median over TF jobs of Snakemake's benchmark files),
the whole run's wall time (median of the repeats) and the peak RSS of any job.

Usage: python bench/reb1/run.py [--repeats 3] [--cores 2] [--extra-config FILE ...] [--out TSV]
       [--bench-dir DIR --workdir DIR]  (another data set's sheet and config, e.g. bench/hg19_chr22)

``--extra-config`` applies more config files over the benchmark's (e.g. one with
``compare_methods: {enabled: true}`` to time the method comparison beside the default run).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
METRICS = ["auroc", "auprc", "f1", "mcc", "base_auprc", "summit_distance_median", "top_match_name", "top_match_qval", "recovered"]


def prepare(workdir: Path, bench_dir: Path = HERE) -> Path:
    """Write ``bench_dir``'s sheet and config with absolute paths into ``workdir``; return the config path."""
    sheet = pd.read_csv(bench_dir / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    for column in ("peaks", "genome", "blacklist"):
        sheet[column] = [str((REPO / p).resolve()) if p else "" for p in sheet[column]]
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    sheet.to_csv(workdir / "config" / "samples.tsv", sep="\t", index=False)
    config = yaml.safe_load((bench_dir / "config.yaml").read_text())
    source = config.get("motif_db", {}).get("source", "jaspar")
    if source != "jaspar":
        config["motif_db"]["source"] = str((REPO / source).resolve())
    config["samples"] = "config/samples.tsv"
    path = workdir / "config" / "bench.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def snakemake(workdir: Path, config: Path, cores: int, extra: tuple[str, ...] = ()) -> float:
    """Run the workflow once (``extra`` config files over the benchmark's); its wall time in seconds."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", str(cores)]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), str(config), *(str(Path(e).resolve()) for e in extra)]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"snakemake failed:\n{result.stderr[-4000:]}")
    return elapsed


def stage_times(workdir: Path) -> pd.DataFrame:
    """Wall seconds and max RSS (MB) of every job, from benchmarks/<tf>/<stage>[/<model>].tsv."""
    rows = []
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        parts = path.relative_to(workdir / "benchmarks").with_suffix("").parts
        bench = pd.read_csv(path, sep="\t")
        stage = parts[1] if len(parts) > 1 else parts[0]
        last = bench.iloc[-1]
        rows.append({"stage": stage, "job": "/".join(parts), "s": float(last["s"]), "max_rss_mb": float(last["max_rss"])})
    return pd.DataFrame(rows)


def result_lines(workdir: Path, walls: list[float], jobs: pd.DataFrame, cores: int) -> list[str]:
    """The results file's sections: metrics and verdict per model and baseline, seconds per stage, wall times and peak RSS."""
    summary = pd.read_csv(workdir / "results" / "summary.tsv", sep="\t")
    table = summary[["tf", "model", *METRICS]].copy()
    per_stage = jobs.groupby("stage")["s"].sum().round(1)
    lines = [table.to_csv(sep="\t", index=False)]
    lines.append("stage\tseconds (sum over jobs, last run)\n" + "".join(f"{s}\t{v}\n" for s, v in per_stage.items()))
    lines.append(
        f"total_wall_s_median\t{statistics.median(walls):.0f}\nwall_s_runs\t{' '.join(f'{w:.0f}' for w in walls)}\n"
        f"peak_job_rss_mb\t{jobs['max_rss_mb'].max():.0f}\ncores\t{cores}\n"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", default=str(REPO / "bench" / "out" / "reb1"))
    parser.add_argument("--extra-config", nargs="*", default=[])
    parser.add_argument("--out", default=str(HERE / "results.tsv"))
    parser.add_argument("--bench-dir", default=str(HERE), help="folder with samples.tsv and config.yaml (another data set)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    config = prepare(workdir, Path(args.bench_dir))
    walls, jobs = [], None
    for i in range(args.repeats):
        for folder in ("results", "logs", "benchmarks"):
            shutil.rmtree(workdir / folder, ignore_errors=True)
        walls.append(snakemake(workdir, config, args.cores, tuple(args.extra_config)))
        jobs = stage_times(workdir)
        print(f"run {i + 1}: {walls[-1]:.0f} s wall, peak job RSS {jobs['max_rss_mb'].max():.0f} MB", flush=True)
    lines = result_lines(workdir, walls, jobs, args.cores)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
