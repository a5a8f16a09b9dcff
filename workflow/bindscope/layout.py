"""Where every stage writes: the one place that names the files passed between stages.

Paths are patterns with ``{tf}``, ``{model}`` (a model or baseline) and ``{split}`` wildcards,
as the Snakemake rules use them; :func:`fill` substitutes them. The rules declare these files,
the stages write the paths they are given, and the readers (report, summary) take the same
declared paths. Inside a motif folder's ``logos`` folder the file names are :data:`LOGOS`.
"""

from __future__ import annotations

VALIDATION = "results/{tf}/validation.json"
#: Written once every selected TF's inputs have passed validate: every job that takes more than a few
#: seconds waits for it, so that a bad input stops the run before any long work, at any --cores.
VALIDATED = "results/validated.tsv"
REGIONS = {
    "regions": "results/{tf}/regions/regions.tsv.gz",
    "flanks": "results/{tf}/regions/flanks.tsv.gz",
    "qc": "results/{tf}/regions/qc.json",
}
ENCODED = "results/{tf}/encoded/{split}.npz"
#: Control negatives of the test positives (dinucleotide shuffles, peak flanks), scored beside the GC-matched test set.
CONTROLS = "results/{tf}/encoded/controls.npz"
#: Kinds of control negative in CONTROLS (arrays x_<kind>): dinucleotide shuffles of the test positives, peak flanks.
CONTROL_KINDS = ("shuffled", "flanks")
MODEL = {
    "ckpt": "results/{tf}/models/{model}/model.ckpt",
    "log": "results/{tf}/models/{model}/training_log.csv",
    "hparams": "results/{tf}/models/{model}/hparams.yaml",
}
#: One evaluation folder per model and baseline: the same files for each.
EVALUATION = {
    "metrics": "results/{tf}/eval/{model}/metrics.json",
    "predictions": "results/{tf}/eval/{model}/predictions.tsv.gz",
    "arrays": "results/{tf}/eval/{model}/predictions.npz",
    "curves": "results/{tf}/eval/{model}/curves.tsv",
    "roc": "results/{tf}/eval/{model}/roc.png",
    "pr": "results/{tf}/eval/{model}/pr.png",
}
#: The interpret stage's file: its method's (DeepLIFT/SHAP by default) scores of every attributed positive,
#: which TF-MoDISco, the saliency maps, the tracks and the variant logos read.
ATTRIBUTIONS = "results/{tf}/attributions/{model}/scores.npz"
#: The optional compare_methods stage's files (compare_methods.enabled): the method comparison table,
#: every method's hypothetical scores on the ISM subset, and the scores of the gradient method closest to
#: ISM (which TF-MoDISco searches too, so that the methods' motifs can be compared).
COMPARISON = {
    "methods": "results/{tf}/attributions/{model}/methods.tsv",
    "examples": "results/{tf}/attributions/{model}/examples.npz",
    "gradient": "results/{tf}/attributions/{model}/gradient_scores.npz",
}
#: Saliency maps of single test positives (a folder: <role>_<rank>.png and maps.tsv).
MAPS = "results/{tf}/attributions/{model}/maps"
#: Written once the motifs stage's Numba kernels are compiled and cached (every motifs job waits for it).
MOTIF_KERNELS = "resources/numba/motif_kernels.txt"
MOTIFS = {
    "h5": "results/{tf}/motifs/{model}/modisco.h5",
    "meme": "results/{tf}/motifs/{model}/patterns.meme",
    "tomtom": "results/{tf}/motifs/{model}/tomtom.tsv",
    "tomtom_all": "results/{tf}/motifs/{model}/tomtom_all_taxa.tsv",
    "logos": "results/{tf}/motifs/{model}/logos",
}
#: The motifs stage's files for the gradient method's scores (COMPARISON["gradient"]).
MOTIFS_GRADIENT = {name: path.replace("/motifs/{model}/", "/motifs/{model}/gradient/") for name, path in MOTIFS.items()}
#: Files of a logos folder, per pattern: its CWM logo, and its best match's logo.
LOGOS = {"cwm": "{pattern}.cwm.png", "match": "{pattern}.match.png"}
#: Models that give one probability per base (their ``per_base`` class attribute; tests/test_predict.py
#: holds the two together): they get per-base tracks from the predict and tracks stages.
PER_BASE_MODELS = ("unet",)
#: The predict stage's files for a TF's regions: every model's probability per window, and per-base
#: probabilities (bigWig) and segments (BED) of each per-base model.
PREDICTION = {"table": "results/{tf}/predict/predictions.tsv.gz"}
PREDICTION_PER_BASE = {
    "bigwig": "results/{tf}/predict/{model}.probabilities.bw",
    "segments": "results/{tf}/predict/{model}.segments.bed",
}
#: The variants stage's files per TF and model: the scored variants (sorted by effect), the random
#: variants of the empirical p-value, and the top variants' two-allele logos (a folder: <rank>.png).
VARIANTS = {
    "table": "results/{tf}/variants/{model}/variants.tsv.gz",
    "null": "results/{tf}/variants/{model}/null_variants.tsv.gz",
    "logos": "results/{tf}/variants/{model}/logos",
}
#: The tracks stage's genome-browser files per TF: contribution scores of each model, probabilities of
#: each per-base model over the test chromosomes (bigWig), and an IGV session loading them.
TRACKS = {"session": "results/{tf}/tracks/igv_session.xml"}
TRACKS_PER_MODEL = {"contributions": "results/{tf}/tracks/{model}.contributions.bw"}
TRACKS_PER_BASE = {
    "probabilities": "results/{tf}/tracks/{model}.probabilities.bw",
    "consistency": "results/{tf}/tracks/{model}.consistency.json",
}
REPORT = {"html": "results/{tf}/report.html", "rows": "results/{tf}/summary_rows.tsv"}
SUMMARY = {"tsv": "results/summary.tsv", "html": "results/summary.html"}


def in_fold(paths):
    """``paths`` (a path pattern or a dict of them) moved into the fold's folder: results/{tf}/x -> results/{tf}/folds/{fold}/x
    (logs and benchmarks alike).

    With windows.folds > 1 the files of regions, encode, train and evaluate (and the baselines' evaluations) are made
    once per fold there; the pooled evaluation and the ensemble checkpoint are at the usual paths.
    """
    if isinstance(paths, dict):
        return {name: in_fold(path) for name, path in paths.items()}
    return paths.replace("{tf}/", "{tf}/folds/{fold}/", 1)


def fill(template: str, **wildcards: str) -> str:
    """``template`` with the given wildcards substituted; others (``{tf}`` ...) are kept for Snakemake."""
    for name, value in wildcards.items():
        template = template.replace("{" + name + "}", value)
    return template


def logo(logos: str, pattern: str, kind: str) -> str:
    """Path of a pattern's logo (``kind`` cwm or match) inside a logos folder."""
    return f"{logos}/{fill(LOGOS[kind], pattern=pattern)}"


def check_outputs(out: dict[str, str], names) -> None:
    """Raise ValueError unless ``out`` gives a path for exactly the output ``names`` of a stage."""
    if set(out) != set(names):
        raise ValueError(f"outputs {sorted(out)} given; this stage writes {sorted(names)}")


def per_model_outputs(patterns: dict[str, str], models) -> dict[str, str]:
    """``<kind>_<model>`` -> path of each pattern for each of ``models``."""
    return {f"{kind}_{m}": fill(path, model=m) for m in models for kind, path in patterns.items()}


def per_base_outputs(patterns: dict[str, str], models) -> dict[str, str]:
    """:func:`per_model_outputs` of the per-base models among ``models``."""
    return per_model_outputs(patterns, [m for m in models if m in PER_BASE_MODELS])
