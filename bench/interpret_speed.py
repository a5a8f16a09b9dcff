"""DeepLIFT/SHAP speed: bindscope (Captum) against tangermeme's deep_lift_shap, same model and references.

Trains nothing: takes a model checkpoint and an encoded split from a finished run (by default the
demo's CTCF CNN), attributes its positives against the same dinucleotide-shuffled references with
both implementations, and reports the median of --repeats runs, the ratio, and the Pearson
correlation of the hypothetical scores. Prints a table and writes bench/out/interpret_speed.tsv.

Usage: python bench/interpret_speed.py [--ckpt results/CTCF/models/cnn/model.ckpt]
       [--encoded results/CTCF/encoded/test.npz] [--references 20] [--repeats 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from bindscope import models
from bindscope.attribution import deep_lift_shap
from bindscope.io import load_npz
from bindscope.shuffle import dinucleotide_shuffle

REPO = Path(__file__).resolve().parents[1]


def timed(fn, repeats: int) -> tuple[float, np.ndarray]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckpt", default="results/CTCF/models/cnn/model.ckpt")
    parser.add_argument("--encoded", default="results/CTCF/encoded/test.npz")
    parser.add_argument("--references", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from tangermeme.deep_lift_shap import deep_lift_shap as tm_deep_lift_shap

    model, _ = models.load(args.ckpt)
    data = load_npz(args.encoded)
    x = data["x"][data["y"] == 1]
    refs = dinucleotide_shuffle(x, args.references, np.random.default_rng(0))
    ours_s, ours = timed(lambda: deep_lift_shap(model, x, refs).hypothetical, args.repeats)
    xt, rt = torch.from_numpy(x).float(), torch.from_numpy(refs).float()
    peer_s, peer = timed(
        lambda: tm_deep_lift_shap(model, xt, target=0, references=rt, hypothetical=True, batch_size=64, warning_threshold=1e-3).numpy(),
        args.repeats,
    )
    r = float(np.corrcoef(ours.ravel(), peer.ravel())[0, 1])
    table = pd.DataFrame(
        [("bindscope (captum DeepLift, hypothetical)", ours_s), ("tangermeme deep_lift_shap (hypothetical)", peer_s)],
        columns=["method", "median_s"],
    ).assign(sequences=len(x), references=args.references, length=x.shape[-1], threads=args.threads)
    table["ratio_vs_tangermeme"] = (table["median_s"] / peer_s).round(2)
    out = REPO / "bench" / "out" / "interpret_speed.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, sep="\t", index=False)
    print(table.to_string(index=False))
    print(f"Pearson r of hypothetical scores: {r:.5f}")


if __name__ == "__main__":
    main()
