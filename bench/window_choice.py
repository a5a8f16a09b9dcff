"""Which window length? Test metrics and wall time per window on real data (Reb1 ChIP-exo, yeast).

For each window: regions (GC-matched 1:1, test chrII + chrIV, val chrXV as in NOTES.md), encode,
CNN training and test evaluation with the workflow's defaults; the median of --repeats seeds.
Prints a table and writes bench/out/window_choice.tsv.

Usage: python bench/window_choice.py [--windows 100 200 400 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from bindscope import encode, regions, train
from bindscope.evaluate import binary_metrics, predict
from bindscope.io import load_npz
from bindscope.models import load

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "sacCer3"


def one_run(window: int, seed: int, workdir: Path) -> dict:
    start = time.perf_counter()
    regions.run(
        str(DATA / "Reb1_ChIPexo_Rhee2011_sacCer3.merged.narrowPeak"),
        str(DATA / "sacCer3.fa"),
        str(workdir / "r.tsv.gz"),
        str(workdir / "qc.json"),
        window=window,
        test_chroms=["chrII", "chrIV"],
        val_chroms=["chrXV"],
        seed=seed,
    )
    encode.run(str(workdir / "r.tsv.gz"), str(DATA / "sacCer3.fa"), str(workdir / "enc"))
    train.run(
        str(workdir / "enc" / "train.npz"),
        str(workdir / "enc" / "val.npz"),
        "cnn",
        str(workdir / "m.ckpt"),
        str(workdir / "log.csv"),
        str(workdir / "h.yaml"),
        threads=2,
        seed=seed,
    )
    test = load_npz(workdir / "enc" / "test.npz")
    metrics = binary_metrics(test["y"], predict(load(workdir / "m.ckpt")[0], test["x"]))
    epochs = len(pd.read_csv(workdir / "log.csv"))
    return {"auroc": metrics["auroc"], "auprc": metrics["auprc"], "seconds": time.perf_counter() - start, "epochs": epochs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, nargs="+", default=[100, 200, 400, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rows = []
    for window in args.windows:
        runs = []
        for seed in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(one_run(window, seed, Path(tmp)))
        rows.append({"window": window, **{k: round(statistics.median(r[k] for r in runs), 4) for k in runs[0]}, "runs": len(runs)})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    out = REPO / "bench" / "out" / "window_choice.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, sep="\t", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
