"""The demo workflow (config/samples.tsv: CTCF and REST on the synthetic genome) with the shipped defaults, timed.

Runs ``snakemake --cores N`` in a working folder (bench/out/demo/) --repeats times, each from a clean
``results/`` (logs, benchmarks and the run folder's Numba marker removed too, so rule motif_kernels
runs every time). Warm: the demo data, the motif database and Numba's kernel cache of this
environment are kept. ``--cold``: every run starts from an empty folder (the demo data and JASPAR
export made again) with an empty Numba cache (NUMBA_CACHE_DIR pointed at a new folder), as on a
fresh clone. Writes bench/demo/results[_cold].tsv: per model and baseline the test metrics and motif
verdict, per stage the summed job seconds of the last run, every run's wall time and their median,
and the peak RSS of any job.

Usage: python bench/demo/run.py [--repeats 3] [--cores 2] [--cold]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("reb1_bench", REPO / "bench" / "reb1" / "run.py")
reb1_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reb1_bench)


def clean(workdir: Path, cold: bool) -> None:
    """Remove what a run writes: everything when ``cold``, else all but the demo data and motif database."""
    if cold:
        shutil.rmtree(workdir, ignore_errors=True)
    for folder in ("results", "logs", "benchmarks", "resources/numba", ".snakemake"):
        shutil.rmtree(workdir / folder, ignore_errors=True)
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config" / "samples.tsv", workdir / "config" / "samples.tsv")


def snakemake(workdir: Path, cores: int, env: dict[str, str]) -> float:
    """One run of the shipped configuration; its wall time in seconds."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", str(cores)]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml")]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"snakemake failed:\n{result.stderr[-4000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="empty folder and empty Numba cache for every run")
    parser.add_argument("--workdir", default=str(REPO / "bench" / "out" / "demo"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    walls, jobs = [], None
    for i in range(args.repeats):
        clean(workdir, args.cold)
        with tempfile.TemporaryDirectory(prefix="bindscope-numba-") as cache:
            env = os.environ | ({"NUMBA_CACHE_DIR": cache} if args.cold else {})
            walls.append(snakemake(workdir, args.cores, env))
        jobs = reb1_bench.stage_times(workdir)
        print(f"run {i + 1}: {walls[-1]:.0f} s wall, peak job RSS {jobs['max_rss_mb'].max():.0f} MB", flush=True)
    lines = reb1_bench.result_lines(workdir, walls, jobs, args.cores)
    lines[-1] += f"caches\t{'cold' if args.cold else 'warm'}\n"
    (HERE / ("results_cold.tsv" if args.cold else "results.tsv")).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
