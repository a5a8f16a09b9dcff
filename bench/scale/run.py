"""The workflow at three genome sizes (bench/scale/make_data.py): wall time, CPU time and peak RSS per stage.

Runs ``snakemake --cores N`` with the shipped configuration on each size's sample sheet, in
``bench/out/scale/<size>/run/`` (``--until RULE`` stops after that rule, e.g. ``encode``: the
stages whose cost grows with the genome), reads Snakemake's benchmark files and writes, under
bench/scale/ (rows of sizes not rerun are kept):

- results.tsv: per size and stage, wall and CPU seconds, peak RSS (MB), the MB of its input files
  and the mem_mb its rule asks for with them (tests/test_resources.py holds them to each other);
- exponents.tsv: per stage, the fitted exponent b of cost ~ size^b (least squares on log-log)
  against genome length and against peaks (they grow together across the sizes);
- workflow.tsv: per size, the whole run's wall seconds, cores and last rule.

Usage: python bench/scale/run.py [--sizes small medium large] [--cores 2] [--until encode]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "workflow"))
from make_data import SIZES  # noqa: E402

from bindscope.resources import mem_mb  # noqa: E402


def run_size(size: str, cores: int, until: str | None) -> tuple[Path, float]:
    """Run the workflow on one size from a clean results folder; the run folder and its wall time."""
    data = REPO / "bench" / "out" / "scale" / size
    if not (data / "samples.tsv").exists():
        sys.exit(f"{data}/samples.tsv missing: run python bench/scale/make_data.py --sizes {size}")
    workdir = data / "run"
    for folder in ("results", "benchmarks", "logs"):
        subprocess.run(["rm", "-rf", str(workdir / folder)], check=True)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "scale.yaml").write_text(yaml.safe_dump({"samples": str(data / "samples.tsv")}))
    cmd = snakemake_cmd(workdir, cores) + (["--until", until] if until else [])
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{size}: snakemake failed\n{result.stderr[-4000:]}")
    return workdir, time.perf_counter() - started


def snakemake_cmd(workdir: Path, cores: int) -> list[str]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", str(cores)]
    return cmd + ["--configfile", str(REPO / "config" / "config.yaml"), str(workdir / "scale.yaml")]


def job_inputs(workdir: Path, cores: int) -> dict[str, tuple[str, float]]:
    """Per job's log path (logs/...): its rule and the MB of its input files, from ``snakemake --detailed-summary``."""
    summary = subprocess.run(snakemake_cmd(workdir, cores) + ["--detailed-summary"], capture_output=True, text=True, check=True)
    table = pd.read_csv(io.StringIO(summary.stdout), sep="\t", dtype=str).fillna("-")
    jobs = {}
    for _, row in table.iterrows():
        if row["log-file(s)"] == "-":
            continue
        named = [] if row["input-file(s)"] == "-" else row["input-file(s)"].split(",")
        files = [workdir / f if not Path(f).is_absolute() else Path(f) for f in named]
        jobs[row["log-file(s)"]] = (row["rule"], sum(f.stat().st_size for f in files if f.exists()) / 2**20)
    return jobs


def stage_rows(workdir: Path, size: str, cores: int) -> pd.DataFrame:
    """Per benchmark file: the stage's wall, CPU and peak RSS, its input MB and the mem_mb its rule asks for (first attempt)."""
    n_chroms, length, peaks = SIZES[size]
    jobs = job_inputs(workdir, cores)
    rows = []
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        relative = path.relative_to(workdir / "benchmarks").with_suffix("")
        parts = relative.parts
        stage = "/".join(parts[1:]) if parts[0] == "TF" else parts[0]
        rule, input_mb = jobs[str(Path("logs") / relative) + ".log"]
        last = pd.read_csv(path, sep="\t").iloc[-1]
        rows.append(
            {
                "size": size,
                "genome_mbp": n_chroms * length / 1e6,
                "peaks": peaks,
                "stage": stage,
                "rule": rule,
                "wall_s": round(float(last["s"]), 1),
                "cpu_s": round(float(last["cpu_time"]), 1),
                "max_rss_mb": round(float(last["max_rss"])),
                "input_mb": round(input_mb, 1),
                "mem_mb": mem_mb(rule, input_mb),
            }
        )
    return pd.DataFrame(rows)


def exponents(table: pd.DataFrame) -> pd.DataFrame:
    """Per stage measured at two sizes or more: the log-log slope of wall time and of peak RSS against genome length and peaks."""
    rows = []
    for stage, group in table.groupby("stage"):
        if group["size"].nunique() < 2:
            continue
        row = {"stage": stage}
        for x in ("genome_mbp", "peaks"):
            for y in ("wall_s", "max_rss_mb"):
                ys = np.maximum(group[y].to_numpy(float), 0.1)
                row[f"{y}_vs_{x}"] = round(float(np.polyfit(np.log(group[x].to_numpy(float)), np.log(ys), 1)[0]), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--until", default=None, help="last rule to run (snakemake --until), e.g. encode")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.tsv, exponents.tsv and workflow.tsv")
    args = parser.parse_args()
    tables, walls = [], []
    for size in args.sizes:
        workdir, wall = run_size(size, args.cores, args.until)
        tables.append(stage_rows(workdir, size, args.cores))
        walls.append({"size": size, "workflow_wall_s": round(wall), "cores": args.cores, "until": args.until or "all"})
        print(f"{size}: {wall:.0f} s", flush=True)
    table = merged(args.out / "results.tsv", pd.concat(tables, ignore_index=True), args.sizes)
    runs = merged(args.out / "workflow.tsv", pd.DataFrame(walls), args.sizes)
    table.to_csv(args.out / "results.tsv", sep="\t", index=False)
    runs.to_csv(args.out / "workflow.tsv", sep="\t", index=False)
    exponents(table).to_csv(args.out / "exponents.tsv", sep="\t", index=False)
    print(table.to_string(index=False), exponents(table).to_string(index=False), runs.to_string(index=False), sep="\n\n")


def merged(path: Path, new: pd.DataFrame, sizes: list[str]) -> pd.DataFrame:
    """``new`` rows in place of an earlier table's rows for the same sizes (the others are kept), in size order."""
    if path.exists():
        old = pd.read_csv(path, sep="\t")
        new = pd.concat([old[~old["size"].isin(sizes)], new], ignore_index=True)
    order = {size: i for i, size in enumerate(SIZES)}
    return new.sort_values("size", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


if __name__ == "__main__":
    main()
