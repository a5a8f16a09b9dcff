"""Which window length? Test metrics and wall time per window on real data (Reb1 ChIP-exo, yeast).

For each window: regions (GC-matched 1:1, test chrII + chrIV, val chrXV), encode,
CNN training and test evaluation with the workflow's defaults; the median of --repeats seeds.
Prints a table and writes bench/out/window_choice.tsv.

Usage: python bench/window_choice/run.py [--windows 100 200 400 1000] [--repeats 3]
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

from bindscope.inference import predict
from bindscope.inputs import WindowSettings
from bindscope.io import load_npz
from bindscope.models import load
from bindscope.scoring import binary_metrics
from bindscope.shifts import max_shift
from bindscope.stages import encode, regions, train

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "sacCer3"
#: The workflow's defaults (config/config.yaml), as every rule passes them.
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
CNN_TRAIN = CONFIG["train"] | {"restarts": CONFIG["train"]["restarts"].get("cnn", 1)}
CNN_TRAIN["max_shift"] = max_shift(CONFIG["train"]["max_shift"], "cnn")


def one_run(window: int, seed: int, workdir: Path) -> dict:
    start = time.perf_counter()
    regions.run(
        str(DATA / "Reb1_ChIPexo_Rhee2011_sacCer3.merged.narrowPeak"),
        str(DATA / "sacCer3.fa"),
        {"regions": str(workdir / "r.tsv.gz"), "flanks": str(workdir / "f.tsv.gz"), "qc": str(workdir / "qc.json")},
        WindowSettings(**(CONFIG["windows"] | {"window": window, "test_chroms": ["chrII", "chrIV"], "val_chroms": ["chrXV"]})),
        **CONFIG["regions"],
        seed=seed,
    )
    encoded = {split: str(workdir / "enc" / f"{split}.npz") for split in ("train", "val", "test", "controls")}
    encode.run(
        str(workdir / "r.tsv.gz"),
        str(workdir / "f.tsv.gz"),
        str(DATA / "sacCer3.fa"),
        encoded,
        **CONFIG["encode"],
        train_flank=max_shift(CONFIG["train"]["max_shift"], "cnn"),
        seed=seed,
    )
    model = {"ckpt": str(workdir / "m.ckpt"), "log": str(workdir / "log.csv"), "hparams": str(workdir / "h.yaml")}
    train.run(
        encoded["train"],
        encoded["val"],
        "cnn",
        model,
        model_params=CONFIG["architecture"]["cnn"],
        threads=2,
        seed=seed,
        **CNN_TRAIN,
    )
    test = load_npz(encoded["test"])
    metrics = binary_metrics(test["y"], predict(load(model["ckpt"])[0], test["x"]), CONFIG["evaluate"]["threshold"])
    epochs = len(pd.read_csv(model["log"]))
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
