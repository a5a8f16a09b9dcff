"""Throughput of the tracks stage's genome-wide U-Net track: windows tiled over whole chromosomes.

The U-Net of bench/reb1 (run that benchmark first; or --ckpt) scores adjacent windows over the
chromosomes of the yeast genome in ../shared/data, and the per-base probabilities are written as a
bigWig, as rule tracks does over a TF's test chromosomes. Prints, per run and as the median of
--repeats runs: bases, seconds for scoring alone and for scoring + writing, bases per second, the
bigWig's size, and the time this rate gives for 300 Mbp (the test chromosomes of a 3.1 Gbp genome
with a tenth held out). Writes bench/out/tracks.tsv.

Usage: python bench/tracks/run.py [--repeats 3] [--threads 2] [--chroms chrIV chrXV] [--ckpt PATH] [--window 400]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch
import yaml

from bindscope import models
from bindscope.bigwig import write_bigwig
from bindscope.genome import chrom_sizes, open_genome
from bindscope.stages.tracks import probability_track

REPO = Path(__file__).resolve().parents[2]
GENOME = REPO.parent / "shared" / "data" / "sacCer3" / "sacCer3.fa"
CKPT = REPO / "bench" / "out" / "reb1" / "results" / "REB1" / "models" / "unet" / "model.ckpt"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
HUMAN_TEST_BASES = 300_000_000


def one_run(model, fasta, chroms: list[str], window: int, margin: int, batch_size: int) -> dict[str, float]:
    sizes = chrom_sizes(fasta)
    spans = [(c, 0, sizes[c]) for c in sizes if c in set(chroms)]
    start = time.perf_counter()
    bases = sum(len(values) for _, (_, values) in probability_track(model, fasta, spans, window, margin, batch_size))
    scored = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unet.bw"
        start = time.perf_counter()
        write_bigwig(path, sizes, probability_track(model, fasta, spans, window, margin, batch_size))
        written = time.perf_counter() - start
        size = path.stat().st_size
    return {"bases": bases, "score_s": scored, "score_write_s": written, "bigwig_mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--chroms", nargs="*", help="default: every chromosome but chrM")
    parser.add_argument("--ckpt", type=Path, default=CKPT)
    parser.add_argument("--window", type=int, default=CONFIG["windows"]["window"], help="as rule tracks: config windows.window")
    window = CONFIG["windows"]["window"]
    parser.add_argument("--margin", type=int, default=window // 4, help="as rule tracks: predict.tile_margin (auto: window / 4)")
    args = parser.parse_args()
    if not args.ckpt.exists():
        raise SystemExit(f"no U-Net at {args.ckpt}: run bench/reb1/run.py first, or pass --ckpt")
    torch.set_num_threads(args.threads)
    model, _ = models.load(args.ckpt)
    fasta = open_genome(GENOME)
    chroms = args.chroms or [c for c in chrom_sizes(fasta) if c != "chrM"]
    rows = []
    for repeat in range(args.repeats):
        row = {"repeat": repeat, **one_run(model, fasta, chroms, args.window, args.margin, args.batch_size)}
        rows.append(row)
        print(row, flush=True)
    table = pd.DataFrame(rows)
    median = {key: statistics.median(table[key]) for key in ("score_s", "score_write_s", "bigwig_mb")}
    bases = int(table["bases"].iloc[0])
    rate = bases / median["score_write_s"]
    summary = {
        "bases": bases,
        "window": args.window,
        "margin": args.margin,
        "threads": args.threads,
        **median,
        "bases_per_s": rate,
        "human_300mbp_min": HUMAN_TEST_BASES / rate / 60,
        "human_300mbp_bigwig_gb": median["bigwig_mb"] * HUMAN_TEST_BASES / bases / 1e3,
    }
    out = REPO / "bench" / "out" / "tracks.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([summary]).to_csv(out, sep="\t", index=False, float_format="%.4g")
    print(pd.DataFrame([summary]).to_string(index=False))


if __name__ == "__main__":
    main()
