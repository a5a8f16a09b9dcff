"""Hard test beds: do the models beat the baselines on a weak motif and on few peaks?

Beds (each with its own data seed per repeat):
  weak      the weak-motif demo (bindscope.stages.demo.make_weak_demo: GCN4's degraded motif at low
            occupancy in AT-rich promoter-like peaks with poly(dA:dT) tracts), 1,000 peaks
  reb1_600  Reb1 ChIP-exo (../shared/data), 600 merged peaks drawn at random; the other peaks are
            the blacklist, so no negative or control flank lies on a Reb1 peak left out
  reb1_900  the same, 900 peaks
  reb1      every Reb1 peak (1,245 merged)
  demo      the demo's CTCF (1,500 peaks)
Per bed and seed: regions (GC-matched 1:1) and encode with the workflow's defaults, both
baselines, then each model trained with the defaults of config/config.yaml, or with the values
given by --set (e.g. --set train.lr=0.001 architecture.cnn.dropout=0.3), and scored on the test
split; with --motifs each model is also interpreted (DeepLIFT/SHAP) and its patterns found and
named (TF-MoDISco, Tomtom against JASPAR narrowed to the expected motif's taxon), as the workflow
does, for the verdict (recovered, expected_motif_qval). Regions, encodings and baselines are
cached under bench/out/hard_beds/cache (they do not depend on --set). Prints one row per bed,
seed and model, then medians per bed and model, and writes bench/out/hard_beds[_<tag>].tsv.

Usage: python bench/hard_beds/run.py [--beds weak reb1_600] [--seeds 0 1 2] [--models cnn unet]
                                 [--set key=value ...] [--tag name] [--motifs]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import yaml

from bindscope.baselines import kmer_lr, pwm_scan
from bindscope.consistency import agreement
from bindscope.genome import open_genome
from bindscope.inference import predict_probabilities, sequence_scores
from bindscope.inputs import WindowSettings
from bindscope.io import load_npz
from bindscope.layout import ATTRIBUTIONS, MOTIFS
from bindscope.models import load
from bindscope.scoring import binary_metrics
from bindscope.shifts import max_shift
from bindscope.stages import encode, interpret, motif_db, motifs, regions, train
from bindscope.stages.demo import make_demo, make_weak_demo
from bindscope.tiling import margin_of
from bindscope.verdict import expected_tf_name, motif_verdict, taxon_verdict

REPO = Path(__file__).resolve().parents[2]


def bench_module(name: str):
    """Another benchmark's bench/<name>/run.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"{name}_bench", REPO / "bench" / name / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHARED = REPO.parent / "shared" / "data"
REB1 = SHARED / "sacCer3" / "Reb1_ChIPexo_Rhee2011_sacCer3.merged.narrowPeak"
#: v2: the Reb1 subsamples' left-out peaks are blacklisted (v1 drew 0-6 test negatives on them);
#: v3: training windows carry FLANK bp each side, so any train.max_shift up to it crops genome sequence.
CACHE = REPO / "bench" / "out" / "hard_beds" / "cache_v3"
FLANK = 200
#: The workflow's defaults (config/config.yaml), as every rule passes them.
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
#: bed -> (peaks per run or None for all, expected JASPAR ID, motif file for pwm_scan)
BEDS = {
    "weak": (1000, "MA0303.3", SHARED / "jaspar" / "JASPAR2024_CORE_fungi_non-redundant_pfms_meme.txt"),
    "reb1_600": (600, "MA0363.3", SHARED / "jaspar" / "JASPAR2024_CORE_fungi_non-redundant_pfms_meme.txt"),
    "reb1_900": (900, "MA0363.3", SHARED / "jaspar" / "JASPAR2024_CORE_fungi_non-redundant_pfms_meme.txt"),
    "reb1": (None, "MA0363.3", SHARED / "jaspar" / "JASPAR2024_CORE_fungi_non-redundant_pfms_meme.txt"),
    "demo": (1500, "MA0139.2", SHARED / "jaspar" / "JASPAR2024_CORE_vertebrates_non-redundant_pfms_meme.txt"),
}


def bed_inputs(bed: str, seed: int, folder: Path) -> tuple[Path, Path, Path | None, list[str], list[str]]:
    """Peaks, genome, blacklist and test/val chromosomes of one bed and seed (data written into ``folder``).

    A Reb1 subsample blacklists the peaks it leaves out: they are bound, so a negative drawn on one
    would be a mislabelled positive (not a model's error).
    """
    n_peaks = BEDS[bed][0]
    if bed == "weak":
        make_weak_demo(folder, n_peaks=n_peaks, seed=seed)
        return folder / "GCN4.narrowPeak", folder / "genome.fa", None, [], []
    if bed == "demo":
        make_demo(folder, n_peaks=n_peaks, seed=7 + seed)
        return folder / "CTCF.narrowPeak", folder / "genome.fa", None, [], []
    peaks, left_out = REB1, None
    if n_peaks is not None:
        lines = REB1.read_text().splitlines(keepends=True)
        keep = np.zeros(len(lines), bool)
        keep[np.random.default_rng(seed).choice(len(lines), n_peaks, replace=False)] = True
        peaks, left_out = folder / "peaks.narrowPeak", folder / "left_out.narrowPeak"
        for path, chosen in ((peaks, keep), (left_out, ~keep)):
            path.write_text("".join(np.asarray(lines, dtype=object)[chosen]))
    return peaks, SHARED / "sacCer3" / "sacCer3.fa", left_out, ["chrII", "chrIV"], ["chrXV"]


def prepare(bed: str, seed: int) -> Path:
    """Regions, encodings and both baselines' test metrics of one bed and seed, cached."""
    folder = CACHE / bed / str(seed)
    done = folder / "baselines.json"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    peaks, genome, blacklist, test_chroms, val_chroms = bed_inputs(bed, seed, folder)
    (folder / "genome.txt").write_text(str(genome))  # for --tiling
    settings = WindowSettings(**(CONFIG["windows"] | {"test_chroms": test_chroms, "val_chroms": val_chroms}))
    out = {"regions": str(folder / "regions.tsv.gz"), "flanks": str(folder / "flanks.tsv.gz"), "qc": str(folder / "qc.json")}
    options = {"blacklist": str(blacklist) if blacklist else None, **CONFIG["regions"]}
    regions.run(str(peaks), str(genome), out, settings, seed=seed, **options)
    encoded = {split: str(folder / f"{split}.npz") for split in ("train", "val", "test", "controls")}
    encode.run(
        out["regions"],
        out["flanks"],
        str(genome),
        encoded,
        **CONFIG["encode"],
        train_flank=FLANK,
        seed=seed,
    )
    metrics = {}
    for name in ("kmer_lr", "pwm_scan"):
        evaluation = {key: str(folder / name / f"{key}.{ext}") for key, ext in EVAL_FILES.items()}
        Path(evaluation["metrics"]).parent.mkdir(exist_ok=True)
        if name == "kmer_lr":
            kmer = CONFIG["kmer_lr"]
            splits = (encoded[s] for s in ("train", "val", "test", "controls"))
            kmer_lr.run(*splits, evaluation, k=kmer["k"], cs=kmer["cs"], threshold=0.5, seed=seed)
        else:
            pwm_scan.run(
                encoded["val"], encoded["test"], encoded["controls"], str(BEDS[bed][2]), BEDS[bed][1], str(genome), evaluation,
                threshold=0.5, pseudocount=CONFIG["pwm_scan"]["pseudocount"], threads=2,
            )  # fmt: skip
        metrics[name] = json.loads(Path(evaluation["metrics"]).read_text())
    done.write_text(json.dumps(metrics))
    return folder


EVAL_FILES = {"metrics": "json", "predictions": "tsv.gz", "arrays": "npz", "curves": "tsv", "roc": "png", "pr": "png"}


def overridden(settings: list[str]) -> dict:
    """config.yaml with each key=value of ``settings`` (dotted keys, YAML values) replaced."""
    config = copy.deepcopy(CONFIG)
    for item in settings:
        key, value = item.split("=", 1)
        *parents, leaf = key.split(".")
        node = config
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)
    return config


def model_folder(folder: Path, model: str, tag: str) -> Path:
    """Where a model of a prepared bed is trained: one folder per tag, so runs of two settings may share the cache."""
    return folder / f"model_{model}_{tag}" if tag else folder / f"model_{model}"


def train_and_score(folder: Path, model: str, config: dict, seed: int, threads: int = 2, tag: str = "", tiling: bool = False) -> dict:
    """Train ``model`` on a prepared bed and return its test AUROC/AUPRC, epochs and seconds."""
    start = time.perf_counter()
    work = model_folder(folder, model, tag)
    work.mkdir(exist_ok=True)
    out = {"ckpt": str(work / "m.ckpt"), "log": str(work / "log.csv"), "hparams": str(work / "h.yaml")}
    for path in out.values():
        Path(path).unlink(missing_ok=True)
    params = config["architecture"].get(model, {})
    shift = max_shift(config["train"]["max_shift"], model)
    if shift > FLANK:
        raise SystemExit(f"train.max_shift {shift} of {model} is wider than the cached flanks ({FLANK} bp): raise FLANK")
    settings = config["train"] | {"restarts": config["train"]["restarts"].get(model, 1), "max_shift": shift}
    train.run(str(folder / "train.npz"), str(folder / "val.npz"), model, out, model_params=params, threads=threads, seed=seed, **settings)
    test = load_npz(folder / "test.npz")
    prob = predict_probabilities(load(out["ckpt"])[0], test["x"])
    metrics = binary_metrics(test["y"], sequence_scores(prob), 0.5)
    # A per-base model's bases over the test windows, as evaluate pools them.
    base = binary_metrics(test["y_base"].ravel(), prob.ravel(), 0.5)["auprc"] if prob.ndim == 2 else float("nan")
    track = {}
    if tiling and prob.ndim == 2:  # the genome-wide tiling (tracks) against these centred windows, test positives
        tiled_tracks = bench_module("tiling_margin").tiled_tracks

        fasta = open_genome((folder / "genome.txt").read_text())
        margin = margin_of(config["predict"]["tile_margin"], prob.shape[1])  # as the tracks stage resolves it
        tracks = tiled_tracks(load(out["ckpt"])[0], fasta, test["chrom"], test["start"], prob.shape[1], margin)
        track = agreement(tracks[test["y"] == 1], prob[test["y"] == 1])
        # the per-base answer a user reads from the genome-wide track, on the test windows' bases
        track["track_base_auprc"] = binary_metrics(test["y_base"].ravel(), tracks.ravel(), 0.5)["auprc"]
    log = pd.read_csv(out["log"])
    log = log[log["kept"]]  # the restart whose model was kept
    best = log.loc[log["val_auprc"].idxmax()]
    return {
        "auroc": metrics["auroc"],
        "auprc": metrics["auprc"],
        "base_auprc": base,
        **track,
        "val_auprc": float(best["val_auprc"]),
        "best_epoch": int(best["epoch"]),
        "epochs": len(log),
        "seconds": time.perf_counter() - start,
    }


def jaspar_database() -> tuple[str, str]:
    """The workflow's default motif database (JASPAR CORE, every taxon) and its taxa table, cached."""
    meme, taxa = CACHE / "jaspar.meme", CACHE / "jaspar.taxa.tsv"
    if not taxa.exists():
        db = CONFIG["motif_db"]
        motif_db.run(str(meme), release=db["release"], collection=db["collection"], tax_groups=db["tax_groups"], taxa=str(taxa))
    return str(meme), str(taxa)


def motif_columns(folder: Path, model: str, bed: str, config: dict, seed: int, tag: str = "") -> dict:
    """Interpret the trained model, find and name its patterns as the workflow does; the verdict's columns."""
    work = model_folder(folder, model, tag)
    scores = str(work / Path(ATTRIBUTIONS).name)
    split = config["interpret"]["split"]  # the positives attributed, as rule interpret: test unless --set
    keys = ("method", "n_references", "ig_steps", "ig_references", "max_sequences", "batch_size", "accelerator")
    interpret.run([str(work / "m.ckpt")], [str(folder / f"{split}.npz")], scores, threads=2, seed=seed,
                  **{k: config["interpret"][k] for k in keys})  # fmt: skip
    meme, taxa = jaspar_database()
    out = {key: str(work / "motifs" / Path(path).name) for key, path in MOTIFS.items()}
    Path(out["h5"]).parent.mkdir(exist_ok=True)
    m = config["motifs"]
    expected = BEDS[bed][1]
    motifs.run(scores, meme, out, max_seqlets=m["max_seqlets"], trim_threshold=m["trim_threshold"], top_matches=m["top_matches"],
               n_leiden_runs=m["n_leiden_runs"], seed=seed, expected_motif=expected, taxa=taxa, taxon=m["taxon"])  # fmt: skip
    tomtom, everywhere = (pd.read_csv(out[key], sep="\t") for key in ("tomtom", "tomtom_all"))
    verdict = motif_verdict(tomtom, expected, expected_tf_name(expected, meme)) | taxon_verdict(tomtom, everywhere)
    keep = (
        "recovered",
        "expected_motif_rank",
        "expected_motif_qval",
        "top_match_name",
        "top_match_all_taxa_name",
        "other_kingdom_patterns",
    )
    return {k: verdict[k] for k in keep}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beds", nargs="+", default=["weak", "reb1_600", "reb1_900"], choices=list(BEDS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=["cnn", "unet"])
    parser.add_argument("--set", nargs="*", default=[], dest="settings", metavar="KEY=VALUE")
    parser.add_argument("--tag", default="")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 runs two settings side by side on 2 cores)")
    parser.add_argument("--tiling", action="store_true", help="a per-base model's tiled track against its centred windows")
    parser.add_argument("--motifs", action="store_true", help="interpret each model and name its patterns (the verdict)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = overridden(args.settings)
    rows = []
    for bed in args.beds:
        for seed in args.seeds:
            folder = prepare(bed, seed)
            baselines = json.loads((folder / "baselines.json").read_text())
            for name in ("kmer_lr", "pwm_scan"):
                rows.append({"bed": bed, "seed": seed, "model": name, "auroc": baselines[name]["auroc"], "auprc": baselines[name]["auprc"]})
            for model in args.models:
                scores = train_and_score(folder, model, config, seed, args.threads, args.tag, args.tiling)
                rows.append({"bed": bed, "seed": seed, "model": model, **scores})
                if args.motifs:
                    rows[-1].update(motif_columns(folder, model, bed, config, seed, args.tag))
                print({k: round(v, 4) if isinstance(v, float) else v for k, v in rows[-1].items()}, flush=True)
    table = pd.DataFrame(rows)
    name = f"hard_beds_{args.tag}.tsv" if args.tag else "hard_beds.tsv"
    out = REPO / "bench" / "out" / name
    table.to_csv(out, sep="\t", index=False)
    print(f"settings: {args.settings or 'config.yaml defaults'}")
    print(table.groupby(["bed", "model"], sort=False).median(numeric_only=True).drop(columns="seed").round(4).to_string())
    if args.motifs:
        print(table[table["model"].isin(args.models)].drop(columns=["val_auprc", "seconds"]).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
