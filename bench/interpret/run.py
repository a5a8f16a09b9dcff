"""Attribution speed and agreement: every bindscope method against its peer on the same model, inputs and references.

Peers: tangermeme's ``deep_lift_shap`` (hypothetical), ``saliency`` (with and without the gradient
correction, hypothetical) and ``saturation_mutagenesis`` (ISM, hypothetical, its fastISM path on);
for integrated gradients, which tangermeme lacks, Captum's ``IntegratedGradients`` called the plain
way (one call per reference set, contributions multiplied by the input difference). Trains nothing:
takes model checkpoints and an encoded split from a finished run (by default the demo's CTCF CNN and
U-Net; the U-Net's target is the sum of its per-base logits over each window, for both sides).
Reports the median of --repeats runs per side, the time ratio (bindscope / peer: <= 1 is as fast or
faster) and the Pearson correlation of the scores (for integrated gradients, of the per-base
contributions). Prints a table and writes bench/interpret/results.tsv.

Usage: python bench/interpret/run.py [--results results] [--tf CTCF] [--models cnn unet]
       [--sequences 300] [--ism-sequences 40] [--references 20] [--repeats 3] [--threads 2]

With ``--comparison``: what the method comparison costs. Per model, the interpret stage (the default
run's attribution) and the compare_methods stage (what ``compare_methods.enabled: true`` adds), each
run as its rule runs it with the shipped config/config.yaml on the attributed split; the median wall
time of --repeats runs of each, their ratio, and compare_methods' table (bench/interpret/comparison.tsv).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from captum.attr import IntegratedGradients

from bindscope import models
from bindscope.attribution import SummedOutput, deep_lift_shap, input_x_gradient, integrated_gradients, ism, saliency
from bindscope.io import load_npz
from bindscope.shuffle import dinucleotide_shuffle

REPO = Path(__file__).resolve().parents[2]


def timed(fn: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    """Median wall time of ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def captum_integrated_gradients(model: torch.nn.Module, x: np.ndarray, refs: np.ndarray, steps: int, batch: int) -> np.ndarray:
    """Contributions (N, 4, L) by Captum's IntegratedGradients used directly: one call per reference, averaged."""
    explainer = IntegratedGradients(model)
    xt = torch.from_numpy(x).float()
    total = torch.zeros_like(xt)
    for r in range(refs.shape[1]):
        base = torch.from_numpy(refs[:, r]).float()
        total += explainer.attribute(xt, baselines=base, target=0, n_steps=steps, internal_batch_size=batch).detach()
    return (total / refs.shape[1]).numpy()


def peers(model: torch.nn.Module, x: np.ndarray, refs: np.ndarray, steps: int, ig_refs: int) -> dict[str, Callable[[], np.ndarray]]:
    """Each method's peer call (hypothetical scores, or contributions for integrated gradients)."""
    from tangermeme.deep_lift_shap import deep_lift_shap as tm_deep_lift_shap
    from tangermeme.saliency import saliency as tm_saliency
    from tangermeme.saturation_mutagenesis import saturation_mutagenesis as tm_ism

    xt, rt = torch.from_numpy(x).float(), torch.from_numpy(refs).float()
    return {
        "deep_lift_shap": lambda: tm_deep_lift_shap(
            model, xt, target=0, references=rt, hypothetical=True, batch_size=64, warning_threshold=1e9, device="cpu"
        ).numpy(),
        "saliency": lambda: tm_saliency(model, xt, target=0, hypothetical=True, batch_size=64, device="cpu").numpy(),
        "input_x_gradient": lambda: tm_saliency(
            model, xt, target=0, hypothetical=True, gradient_correction=False, batch_size=64, device="cpu"
        ).numpy(),
        "integrated_gradients": lambda: captum_integrated_gradients(model, x, refs[:, :ig_refs], steps, 64 * steps),
        "ism": lambda: tm_ism(model, xt, target=0, hypothetical=True, batch_size=64, device="cpu").numpy(),
    }


def ours(model: torch.nn.Module, x: np.ndarray, refs: np.ndarray, steps: int, ig_refs: int) -> dict[str, Callable[[], np.ndarray]]:
    """Each bindscope method as the interpret stage calls it (hypothetical scores; contributions for integrated gradients)."""
    return {
        "deep_lift_shap": lambda: deep_lift_shap(model, x, refs, batch_size=64).hypothetical,
        "saliency": lambda: saliency(model, x, batch_size=64).hypothetical,
        "input_x_gradient": lambda: input_x_gradient(model, x, batch_size=64).hypothetical,
        "integrated_gradients": lambda: integrated_gradients(model, x, refs[:, :ig_refs], steps=steps, batch_size=64 * steps).contribution,
        "ism": lambda: ism(model, x, batch_size=64).hypothetical,
    }


def comparable(method: str, scores: np.ndarray) -> np.ndarray:
    """What both sides' scores are compared on: the (N, 4, L) scores, or for integrated gradients the per-base
    contribution track (N, L), since Captum splits a position's contribution between the observed base and the
    reference's base where bindscope gives it to the observed base (the same sum)."""
    return scores.sum(axis=1) if method == "integrated_gradients" else scores


def compare(name: str, model: torch.nn.Module, x: np.ndarray, x_ism: np.ndarray, refs: np.ndarray, args) -> list[dict]:
    """One row per method: both sides' median time, the ratio and the Pearson correlation of their scores."""
    rows = []
    target = SummedOutput(model.eval())  # (N, 1) for both models: a U-Net's per-base logits summed
    for method in ("deep_lift_shap", "saliency", "input_x_gradient", "integrated_gradients", "ism"):
        inputs = (x_ism, refs[: len(x_ism)]) if method == "ism" else (x, refs)
        mine = ours(target, *inputs, args.ig_steps, args.ig_references)[method]
        theirs = peers(target, *inputs, args.ig_steps, args.ig_references)[method]
        mine_s, a = timed(mine, args.repeats)
        peer_s, b = timed(theirs, args.repeats)
        rows.append(
            {
                "model": name,
                "method": method,
                "sequences": len(inputs[0]),
                "bindscope_s": round(mine_s, 3),
                "peer_s": round(peer_s, 3),
                "ratio": round(mine_s / peer_s, 2),
                "pearson": round(float(np.corrcoef(comparable(method, a).ravel(), comparable(method, b).ravel())[0, 1]), 6),
            }
        )
        print(rows[-1], flush=True)
    return rows


def comparison_cost(results: Path, models_: list[str], repeats: int, threads: int) -> pd.DataFrame:
    """Median seconds of the interpret and compare_methods stages per model (shipped settings), and their ratio."""
    import tempfile

    import yaml

    from bindscope.layout import COMPARISON
    from bindscope.stages import compare_methods, interpret

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    settings, seed = config["interpret"], config["seed"]
    shared = {k: settings[k] for k in ("n_references", "ig_steps", "ig_references", "max_sequences", "batch_size", "accelerator")}
    encoded = str(results / "encoded" / f"{settings['split']}.npz")
    rows = []
    for name in models_:
        ckpt = str(results / "models" / name / "model.ckpt")
        with tempfile.TemporaryDirectory() as tmp:
            scores = f"{tmp}/scores.npz"
            out = {kind: f"{tmp}/{Path(path).name}" for kind, path in COMPARISON.items()}
            method = settings["method"]
            run_interpret = partial(interpret.run, [ckpt], [encoded], scores, method=method, threads=threads, seed=seed, **shared)
            interpret_s = timed(run_interpret, repeats)[0]
            comparison = config["compare_methods"]
            compare = {"methods": comparison["methods"], "ism_sequences": comparison["ism_sequences"]} | shared
            compare_s = timed(partial(compare_methods.run, ckpt, encoded, scores, out, threads=threads, seed=seed, **compare), repeats)[0]
            table = pd.read_csv(out["methods"], sep="\t")
        row = {"model": name, "positives": int(table["n_sequences"].max()), "interpret_s": round(interpret_s, 1)}
        row |= {"compare_methods_s": round(compare_s, 1), "comparison_over_interpret": round(compare_s / interpret_s, 1)}
        row |= {f"{m}_s": s for m, s in zip(table["method"], table["seconds"], strict=True)}
        row |= {f"{m}_pearson_ism": round(p, 3) for m, p in zip(table["method"], table["pearson_ism"], strict=True)}
        rows.append(row)
        print(rows[-1], flush=True)
    return pd.DataFrame(rows).assign(threads=threads, repeats=repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--tf", default="CTCF")
    parser.add_argument("--models", nargs="+", default=["cnn", "unet"])
    parser.add_argument("--sequences", type=int, default=300)
    parser.add_argument("--ism-sequences", type=int, default=40)
    parser.add_argument("--references", type=int, default=20)
    parser.add_argument("--ig-steps", type=int, default=50)
    parser.add_argument("--ig-references", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--comparison", action="store_true", help="time interpret against compare_methods instead")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = Path(args.results) / args.tf
    if args.comparison:
        table = comparison_cost(results, args.models, args.repeats, args.threads).assign(tf=args.tf)
        table.to_csv(REPO / "bench" / "interpret" / "comparison.tsv", sep="\t", index=False)
        print(table.to_string(index=False))
        return
    data = load_npz(results / "encoded" / "test.npz")
    x = data["x"][data["y"] == 1][: args.sequences]
    refs = dinucleotide_shuffle(x, args.references, np.random.default_rng(0))
    rows = []
    for name in args.models:
        model, _ = models.load(results / "models" / name / "model.ckpt")
        rows += compare(name, model, x, x[: args.ism_sequences], refs, args)
    table = pd.DataFrame(rows).assign(length=x.shape[-1], references=args.references, threads=args.threads, repeats=args.repeats)
    out = REPO / "bench" / "interpret" / "results.tsv"
    table.to_csv(out, sep="\t", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
