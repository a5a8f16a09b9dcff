"""Training and attribution throughput per model on CPU or GPU, for the 3 Gbp / 50,000-peak scale set.

Reads an encoded folder (train.npz, val.npz; by default the large scale run's, from
``python bench/scale/run.py --sizes large --until encode``) and, per model and batch size, times
``steps`` training steps through the workflow's own Lightning set-up (BindingModule,
EncodedDataModule: the training set moved to the GPU once when it fits) after ``warmup`` steps,
then DeepLIFT/SHAP attribution of ``attr_sequences`` positives. Prints and writes a table:
sequences/s for training and attribution, peak GPU memory (MB; empty on CPU), the precision used.
``--reduced`` makes a small random set instead (the CI-sized mode the tests run on CPU).

With ``--workflow``, then runs the whole workflow on the large set (bench/scale/run.py) and
prints its time per stage: on a GPU machine, that is the 15-minute goal's measurement.

Usage: python bench/gpu/run.py [--encoded DIR | --reduced] [--batch-sizes 32 128] [--workflow]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import numpy as np
import pandas as pd
import torch
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow"))

from bindscope.attribution import deep_lift_shap, resolve_device  # noqa: E402
from bindscope.data import EncodedDataModule  # noqa: E402
from bindscope.io import save_encoded  # noqa: E402
from bindscope.models import takes_input_length  # noqa: E402
from bindscope.shifts import max_shift  # noqa: E402
from bindscope.shuffle import dinucleotide_shuffle  # noqa: E402
from bindscope.stages.train import BindingModule, resolve_precision  # noqa: E402

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
DEFAULT_ENCODED = REPO / "bench" / "out" / "scale" / "large" / "run" / "results" / "TF" / "encoded"


def random_encoded(folder: Path, n: int = 512, length: int = 400, seed: int = 0) -> Path:
    """A random encoded train/val pair (half positives) for the reduced mode."""
    rng = np.random.default_rng(seed)
    for split in ("train", "val"):
        codes = rng.integers(0, 4, (n, length))
        x = np.eye(4, dtype=np.uint8)[codes].transpose(0, 2, 1).copy()
        y = (np.arange(n) % 2).astype(np.uint8)
        y_base = np.zeros((n, length), dtype=np.uint8)
        y_base[y == 1, length // 2 - 20 : length // 2 + 20] = 1
        save_encoded(folder / f"{split}.npz", x=x, y=y, y_base=y_base)
    return folder


class StepTimer(L.Callback):
    """Wall time of the training steps after the first ``warmup``: from the end of step ``warmup`` to the end of the last."""

    def __init__(self, warmup: int):
        self.warmup, self.started, self.ended, self.steps = warmup, None, None, 0

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
        if trainer.global_step < self.warmup:
            return
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        now = time.perf_counter()
        if trainer.global_step == self.warmup:
            self.started = now
        else:
            self.steps, self.ended = self.steps + 1, now

    def seconds(self) -> float:
        return self.ended - self.started


def training_rate(model: str, encoded: Path, batch_size: int, steps: int, warmup: int, accelerator: str) -> tuple[float, float, str, int]:
    """Training sequences/s, peak GPU MB (nan on CPU), the precision used and the number of steps timed."""
    options = CONFIG["train"]
    shift = max_shift(options["max_shift"], model)
    data = EncodedDataModule(str(encoded / "train.npz"), str(encoded / "val.npz"), batch_size=batch_size, max_shift=shift)
    data.setup()
    params = dict(CONFIG["architecture"].get(model) or {})
    if takes_input_length(model):
        params["input_length"] = data.window
    losses = {k: options[k] for k in ("lr", "weight_decay", "pos_weight", "lr_schedule", "base_loss_weight")}
    module = BindingModule(model, params, window=data.window, **losses)
    precision = resolve_precision(options["precision"], accelerator)
    timer = StepTimer(warmup)
    trainer = L.Trainer(
        max_steps=warmup + steps, limit_val_batches=0, accelerator=accelerator, devices=1, precision=precision,
        logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, callbacks=[timer],
    )  # fmt: skip
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    trainer.fit(module, datamodule=data)
    rate = timer.steps * batch_size / timer.seconds()
    memory = torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else float("nan")
    return rate, memory, precision, timer.steps


def attribution_rate(model: str, encoded: Path, n: int, n_references: int, accelerator: str) -> float:
    """DeepLIFT/SHAP sequences/s for ``n`` positives x ``n_references`` shuffled references (untrained weights)."""
    params = dict(CONFIG["architecture"].get(model) or {})
    arrays = np.load(encoded / "val.npz")
    x = arrays["x"][arrays["y"] == 1][:n]
    if takes_input_length(model):
        params["input_length"] = x.shape[-1]
    options = {"lr": 1e-3, "weight_decay": 0.0, "pos_weight": 1.0, "lr_schedule": "constant", "base_loss_weight": 0.0}
    net = BindingModule(model, params, window=x.shape[-1], **options).model
    refs = dinucleotide_shuffle(x, n_references, np.random.default_rng(0))
    started = time.perf_counter()
    deep_lift_shap(net, x, refs, device=resolve_device(accelerator))
    return len(x) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoded", type=Path, default=DEFAULT_ENCODED)
    parser.add_argument("--reduced", action="store_true", help="a small random set, a few steps (CI-sized)")
    parser.add_argument("--models", nargs="+", default=["cnn", "unet"])
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[CONFIG["train"]["batch_size"], 128])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--attr-sequences", type=int, default=256)
    parser.add_argument("--accelerator", default=CONFIG["train"]["accelerator"])
    parser.add_argument("--workflow", action="store_true", help="then run the whole workflow on the large scale set")
    parser.add_argument("--out", type=Path, default=None, help="TSV to write (default: print only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        encoded = random_encoded(Path(tmp)) if args.reduced else args.encoded
        if not (encoded / "train.npz").exists():
            sys.exit(f"{encoded}/train.npz missing: run python bench/scale/run.py --sizes large --until encode")
        steps, warmup, n_attr = (5, 2, 8) if args.reduced else (args.steps, args.warmup, args.attr_sequences)
        rows = []
        for model in args.models:
            attr = attribution_rate(model, encoded, n_attr, CONFIG["interpret"]["n_references"], args.accelerator)
            for batch_size in args.batch_sizes:
                rate, memory, precision, timed = training_rate(model, encoded, batch_size, steps, warmup, args.accelerator)
                rows.append({"model": model, "batch_size": batch_size, "precision": precision, "timed_steps": timed,
                             "train_seq_per_s": round(rate, 1), "gpu_peak_mb": None if np.isnan(memory) else round(memory),
                             "attr_sequences": n_attr, "attr_seq_per_s": round(attr, 1)})  # fmt: skip
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {device}\n{table.to_string(index=False)}")
    if args.out:
        table.assign(device=device).to_csv(args.out, sep="\t", index=False)
    if args.workflow:
        subprocess.run([sys.executable, str(REPO / "bench" / "scale" / "run.py"), "--sizes", "large"], check=True)


if __name__ == "__main__":
    main()
