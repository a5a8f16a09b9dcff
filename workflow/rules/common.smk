# Configuration and sample sheet: loaded, validated, and answered here; no data work.
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import update_config, validate
import yaml

PACKAGE_DIR = str(Path(workflow.basedir) / "workflow")
sys.path.insert(0, PACKAGE_DIR)
# Rules run `python -m bindscope`: the package is importable in any environment (conda included),
# and `python` is the interpreter running Snakemake unless a conda env (--sdm conda) comes first.
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        p for p in (PACKAGE_DIR, os.environ.get("PYTHONPATH")) if p
    ),
    PATH=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    ),
)
# Numba's compiled kernels (memelite's Tomtom) are cached by Numba itself, beside the installed package
# in the environment (or the user's cache directory where that is read-only), so every run folder,
# checkout and test session using one environment shares them; a user's NUMBA_CACHE_DIR still applies.

from bindscope.stages.demo import (
    DEMO_FILES as DEMO_FILE_NAMES,
    WEAK_DEMO_FILES as WEAK_DEMO_FILE_NAMES,
)  # noqa: E402
from bindscope.layout import (  # noqa: E402
    ATTRIBUTIONS,
    CONTROLS,
    ENCODED,
    EVALUATION,
    COMPARISON,
    MAPS,
    MODEL,
    MOTIFS,
    MOTIFS_GRADIENT,
    MOTIF_KERNELS,
    PER_BASE_MODELS,
    PREDICTION,
    PREDICTION_PER_BASE,
    TRACKS,
    TRACKS_PER_BASE,
    TRACKS_PER_MODEL,
    VARIANTS,
    REGIONS,
    REPORT,
    SUMMARY,
    VALIDATED,
    VALIDATION,
    fill,
    in_fold,
    per_base_outputs,
    per_model_outputs,
)
from bindscope.cli import stage_flags, stage_keywords  # noqa: E402
from bindscope.configcheck import (  # noqa: E402
    check_config,
    check_config_files,
    typed_overrides,
)
from bindscope.errors import InputError  # noqa: E402
from bindscope.shifts import max_shift, training_flank  # noqa: E402
from bindscope.io import check_writable  # noqa: E402
from bindscope.genome import genome_format  # noqa: E402
from bindscope.resources import genome_mb, mem_mb  # noqa: E402
from bindscope.sheet import read_sheet  # noqa: E402

# Checks that need no data, before the job graph is built: configuration, output folders, sheet.
CONFIG_SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
overrides = workflow.config_settings.overwrite_config
update_config(
    config, typed_overrides(overrides, yaml.safe_load(CONFIG_SCHEMA.read_text()))
)
try:
    config_sources = [str(f) for f in workflow.configfiles] + (
        ["--config"] if overrides else []
    )
    check_config(config, CONFIG_SCHEMA, config_sources)
    check_config_files(config, config_sources)
    for folder in ("results", "logs", "benchmarks", "resources"):
        check_writable(folder)
except InputError as err:
    raise WorkflowError(f"error: {err}") from None

DEMO_DIR = "resources/demo"
GENOME_COPY = "resources/genomes/{genome_id}.fa.gz"
DEMO_FILES = [f"{DEMO_DIR}/{name}" for name in DEMO_FILE_NAMES]
WEAK_DEMO_DIR = "resources/demo_weak"
WEAK_DEMO_FILES = [f"{WEAK_DEMO_DIR}/{name}" for name in WEAK_DEMO_FILE_NAMES]

try:
    samples = read_sheet(config["samples"], produced=DEMO_FILES + WEAK_DEMO_FILES)
except InputError as err:
    raise WorkflowError(f"error: {err}") from None
validate(samples, "../schemas/samples.schema.yaml")

unknown_tfs = sorted(set(config["tfs"]) - set(samples.index))
if unknown_tfs:
    raise WorkflowError(
        f"error: config tfs: {unknown_tfs} not in sheet {config['samples']} (it has {list(samples.index)})"
    )
TFS = config["tfs"] or list(samples.index)
MODELS = config["models"]
BASELINES = config["baselines"]


FOLDS = config["windows"]["folds"]


wildcard_constraints:
    tf="|".join(re.escape(t) for t in samples.index),
    model="|".join(re.escape(m) for m in MODELS),
    scored="|".join(re.escape(m) for m in MODELS + BASELINES),
    split="train|val|test",
    fold=r"\d+",


def per_fold(paths):
    """The files of a stage run once per fold (regions, encode, train, evaluate): in the fold's folder with
    windows.folds > 1 (layout.in_fold), else as they are."""
    return in_fold(paths) if FOLDS > 1 else paths


def fold_arg(wildcards):
    """Params function: --fold and the job's fold with windows.folds > 1, else nothing (quote with :q)."""
    return ["--fold", wildcards.fold] if FOLDS > 1 else []


def first_fold(path):
    """``path`` of fold 0 with windows.folds > 1 (the regions, QC and test windows the report and tracks show), else itself."""
    return fill(per_fold(path), fold="0")


def fold_files(pattern):
    """Input function: ``pattern`` of every fold (in fold order) for the job's wildcards, or ``pattern`` itself with one fold."""
    if FOLDS == 1:
        return lambda wildcards: [fill(pattern, **dict(wildcards.items()))]
    return lambda wildcards: [
        fill(in_fold(pattern), fold=str(f), **dict(wildcards.items()))
        for f in range(FOLDS)
    ]


def genome_copy_id(path):
    """resources/genomes/ name of a plain-gzip genome's bgzip copy: its stem and a digest of its absolute path."""
    name = re.sub(r"(\.(fa|fasta|fna))?\.gz$", "", Path(path).name, flags=re.IGNORECASE)
    digest = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}-{digest}"


def needs_copy(path):
    """Whether the sheet's genome is plain gzip (no random access): rule genome makes a bgzip copy."""
    try:
        return genome_format(path) == "gzip"
    except OSError:  # missing or unreadable: validate names it
        return False


#: bgzip copy id -> the sheet's plain-gzip genome, for rule genome.
GENOME_COPIES = {
    genome_copy_id(path): path
    for path in samples["genome"].unique()
    if needs_copy(path)
}


def genome_file(wildcards):
    """Input function: the genome every stage reads, the sheet's file or the bgzip copy of a plain-gzip one."""
    path = samples.loc[wildcards.tf, "genome"]
    genome_id = genome_copy_id(path)
    return (
        GENOME_COPY.format(genome_id=genome_id) if genome_id in GENOME_COPIES else path
    )


def stage_args(stage, *sections, **overrides):
    """Params function: a stage's flags from the config (quote with :q).

    Every key of ``sections`` (config sections, in order) that the stage takes, a per-model value
    ({cnn: ..., unet: ...}) as the job's model's; the top-level seed where no section gives one;
    then ``overrides`` (values, or functions of the wildcards). A section's other keys are the
    workflow's (which files, whether a rule runs), read by the rules themselves.
    """
    takes = {name for name, setting in stage_keywords(stage).items() if setting}

    def get(wildcards):
        values = {}
        for section in sections:
            for key, value in config[section].items():
                if key not in takes:
                    continue
                if key in values:
                    raise WorkflowError(f"{stage}: {key} given by two config sections")
                values[key] = (
                    value[wildcards.model] if isinstance(value, dict) else value
                )
        if "seed" in takes and "seed" not in values:
            values["seed"] = config["seed"]
        for key, value in overrides.items():
            values[key] = value(wildcards) if callable(value) else value
        return stage_flags(stage, values)

    return get


def sample_file(column):
    """Input function: the sheet's file in ``column`` for the TF of the job."""
    return lambda wildcards: samples.loc[wildcards.tf, column]


def optional_flag(column, flag):
    """Params function: [--flag, value] when the sheet gives ``column`` for the TF, else nothing (quote with :q)."""

    def get(wildcards):
        value = samples.loc[wildcards.tf, column]
        return [f"--{flag}", value] if value else []

    return get


def blacklist_input(wildcards):
    value = samples.loc[wildcards.tf, "blacklist"]
    return [value] if value else []


def named_outputs(wildcards, output):
    """Params function: the rule's named outputs as name=path items, a stage's ``--out``."""
    return [f"{name}={path}" for name, path in output.items()]


def encoded(*splits):
    """The encoded files of ``splits``, named by split (per fold with windows.folds > 1)."""
    return {split: per_fold(fill(ENCODED, split=split)) for split in splits}


def motif_db_path(wildcards=None):
    """The MEME motif database: exported from pyjaspar by rule motif_db, or the user's file.

    Rules take it as an input function, so that braces in a user's path are not read as wildcards.
    """
    if config["motif_db"]["source"] != "jaspar":
        return config["motif_db"]["source"]
    release, collection = (
        config["motif_db"]["release"],
        config["motif_db"]["collection"],
    )
    groups = "_".join(config["motif_db"]["tax_groups"]) or "all"
    return f"resources/motif_db/{release}_{collection}_{groups}.meme"


def motif_taxa_path(wildcards=None):
    """The taxonomic group of each matrix of the motif database (rule motif_db), or nothing for a user's MEME file."""
    if config["motif_db"]["source"] != "jaspar":
        return []
    return motif_db_path().removesuffix(".meme") + ".taxa.tsv"


def taxa_args(wildcards, input):
    """Params function: --taxa when the database has a taxa table (quote with :q)."""
    return ["--taxa", input.taxa] if input.taxa else []


def motif_taxon(wildcards):
    """The taxon Tomtom names patterns against: the sheet's, else config motifs.taxon."""
    return samples.loc[wildcards.tf, "taxon"] or config["motifs"]["taxon"]


def comparison_files(pattern):
    """Input function: :func:`per_model` of ``pattern`` when the method comparison runs (compare_methods.enabled), else none."""
    if not config["compare_methods"]["enabled"]:
        return lambda wildcards: []
    return per_model(pattern)


def comparison_args(flag, pattern):
    """Params function: ``--flag`` and the model=path items of ``pattern`` when the method comparison runs, else nothing."""

    def get(wildcards):
        if not config["compare_methods"]["enabled"]:
            return []
        return [f"--{flag}", *per_model_items(pattern)(wildcards)]

    return get


def consistency_files(wildcards):
    """Input function: each per-base model's track consistency when the tracks run (config tracks.enabled), else none."""
    if not config["tracks"]["enabled"]:
        return []
    return per_model(TRACKS_PER_BASE["consistency"], per_base_models)(wildcards)


def consistency_args(wildcards):
    """Params function: --consistency and the model=path items of :func:`consistency_files`, or nothing."""
    if not config["tracks"]["enabled"] or not per_base_models(wildcards.tf):
        return []
    return [
        "--consistency",
        *per_model_items(TRACKS_PER_BASE["consistency"], per_base_models)(wildcards),
    ]


def eval_files(model):
    """The evaluation files of a model or baseline (layout.EVALUATION): the same for each.

    ROC and PR plots go into the Snakemake report (`snakemake --report`), under the TF's category.
    """
    files = {name: fill(pattern, model=model) for name, pattern in EVALUATION.items()}
    for curve in ("roc", "pr"):
        files[curve] = report(
            files[curve],
            caption=f"../report/{curve}.rst",
            category="{tf}",
            subcategory="ROC and PR curves",
            labels={"model": model, "curve": curve.upper()},
        )
    return files


def fold_eval_files(model):
    """The evaluation files evaluate or a baseline writes: :func:`eval_files`, or a fold's (no report entries) with
    windows.folds > 1, which the pool_folds job pools into :func:`eval_files`."""
    if FOLDS == 1:
        return eval_files(model)
    return in_fold({name: fill(path, model=model) for name, path in EVALUATION.items()})


def baselines_for(tf):
    """Baselines run for a TF: pwm_scan needs the sheet's motif."""
    return [b for b in BASELINES if b != "pwm_scan" or samples.loc[tf, "motif"]]


def scored_for(tf):
    """Everything with an evaluation folder for a TF: the models, then its baselines."""
    return MODELS + baselines_for(tf)


def model_files(pattern, tf, names):
    """``pattern``'s file for each of ``names(tf)``, by model name."""
    return {m: fill(pattern, tf=tf, model=m) for m in names(tf)}


def per_model(pattern, names=lambda tf: MODELS):
    """Input function: :func:`model_files` for the job's TF (models by default)."""
    return lambda wildcards: list(model_files(pattern, wildcards.tf, names).values())


def variant_files(wildcards):
    """Report input: every model's variant files when config variants.vcf names a VCF for the TF, else none."""
    if wildcards.tf not in config["variants"]["vcf"]:
        return []
    return [
        fill(path, tf=wildcards.tf, model=m)
        for m in MODELS
        for path in VARIANTS.values()
    ]


def variant_args(wildcards):
    """Report params: --variants, --variant-logos and --variant-nulls model=path items, or nothing (quote with :q)."""
    if wildcards.tf not in config["variants"]["vcf"]:
        return []
    args = []
    for flag, kind in (
        ("variants", "table"),
        ("variant-logos", "logos"),
        ("variant-nulls", "null"),
    ):
        args += [
            f"--{flag}",
            *(f"{m}={fill(VARIANTS[kind], tf=wildcards.tf, model=m)}" for m in MODELS),
        ]
    return args


def per_base_models(tf):
    """The per-base models among the configured ones (they get per-base tracks)."""
    return [m for m in MODELS if m in PER_BASE_MODELS]


def per_base_ckpt_args(wildcards):
    """Params function: --ckpts model=path items of the per-base models, or nothing without one (quote with :q)."""
    items = per_model_items(MODEL["ckpt"], per_base_models)(wildcards)
    return ["--ckpts", *items] if items else []


def per_model_items(pattern, names=lambda tf: MODELS):
    """Params function: the same files as :func:`per_model`, as model=path items (a dict flag)."""
    return lambda wildcards: [
        f"{m}={path}" for m, path in model_files(pattern, wildcards.tf, names).items()
    ]


def baseline_note(wildcards):
    """Report params: why a configured baseline is left out for this TF."""
    if "pwm_scan" in BASELINES and not samples.loc[wildcards.tf, "motif"]:
        return ["--notes", "pwm_scan left out: the sheet names no motif for this TF"]
    return []


def final_outputs():
    """Every TF's report and the summary; each TF's tracks (config tracks.enabled); the predictions and variant
    tables config predict.regions and variants.vcf ask for."""
    outputs = [fill(REPORT["html"], tf=tf) for tf in TFS] + list(SUMMARY.values())
    outputs += [
        fill(TRACKS["session"], tf=tf) for tf in TFS if config["tracks"]["enabled"]
    ]
    outputs += [
        fill(PREDICTION["table"], tf=tf)
        for tf in TFS
        if tf in config["predict"]["regions"]
    ]
    return outputs


def report_locations():
    lines = ["", "bindscope reports:", f"  {os.path.abspath(SUMMARY['html'])}"]
    lines += [f"  {os.path.abspath(fill(REPORT['html'], tf=tf))}" for tf in TFS]
    return "\n".join(lines)


def memory(rule):
    """A rule's mem_mb: bindscope.resources.mem_mb of its input size (a compressed genome's as plain FASTA) and attempt."""

    def get(wildcards, input, attempt):
        size = input.size_mb
        genome = getattr(input, "genome", None)
        if isinstance(genome, str) and os.path.isfile(genome):
            on_disk = os.path.getsize(genome) / 2**20
            size += genome_mb(genome, on_disk) - on_disk
        return mem_mb(rule, size, attempt)

    return get
