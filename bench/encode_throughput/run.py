"""Encoding throughput on one core: bindscope's one-hot encoder against tangermeme's, same windows.

Windows of 400 bp (the default window) tiled over the yeast genome in ../shared/data (12.1 Mbp). Three timings, each
the median of several runs: the one-hot step alone (base codes -> uint8 (N, 4, L)), the whole
encode stage core (FASTA read with pyfaidx + codes + one-hot + labels), and tangermeme's
``one_hot_encode`` on the same sequences as strings (the peer). Prints a table and writes
bench/out/encode_throughput.tsv.

Usage: python bench/encode_throughput/run.py [--repeats 5] [--genome PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from bindscope.genome import chrom_codes, chrom_sizes, open_genome  # noqa: E402
from bindscope.sequence import one_hot_codes  # noqa: E402
from bindscope.stages.encode import encode_regions, window_codes  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFAULT_GENOME = REPO.parent / "shared" / "data" / "sacCer3" / "sacCer3.fa"


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genome", default=str(DEFAULT_GENOME))
    parser.add_argument("--window", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    fasta = open_genome(args.genome)
    sizes = chrom_sizes(fasta)
    starts = {c: np.arange(0, n - args.window + 1, args.window) for c, n in sizes.items()}
    regions = pd.DataFrame(
        {"chrom": np.concatenate([[c] * len(s) for c, s in starts.items()]), "start": np.concatenate(list(starts.values()))}
    )
    regions = regions.assign(end=regions["start"] + args.window, label=0, peak_start=-1, peak_end=-1)
    mbp = len(regions) * args.window / 1e6
    codes = np.concatenate([window_codes(chrom_codes(fasta, c), s, args.window) for c, s in starts.items()])
    strings = [row.tobytes().decode() for row in np.frombuffer(b"ACGTN", np.uint8)[codes]]

    from tangermeme.utils import one_hot_encode

    rows = [
        ("bindscope one_hot_codes (codes -> one-hot)", median_seconds(lambda: one_hot_codes(codes), args.repeats)),
        (
            "bindscope encode_regions (FASTA -> one-hot + labels)",
            median_seconds(lambda: encode_regions(regions, fasta, source="summit", summit_half_width=50, max_peak_width=300), args.repeats),
        ),
        (
            "tangermeme one_hot_encode (str -> one-hot), per sequence",
            median_seconds(lambda: [one_hot_encode(s) for s in strings], max(1, args.repeats // 2)),
        ),
    ]
    table = pd.DataFrame(rows, columns=["method", "median_s"]).assign(windows=len(regions), mbp=round(mbp, 2))
    table["mbp_per_s"] = (mbp / table["median_s"]).round(1)
    table["ratio_vs_tangermeme"] = (table["mbp_per_s"] / table["mbp_per_s"].iloc[-1]).round(1)
    out = REPO / "bench" / "out" / "encode_throughput.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, sep="\t", index=False)
    print(f"{len(regions)} windows x {args.window} bp = {mbp:.1f} Mbp, one thread, median of {args.repeats} runs")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
