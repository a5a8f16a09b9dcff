"""The workflow configuration checked against its JSON schema, one clear line per problem."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import jsonschema
import yaml

from bindscope.errors import InputError
from bindscope.sheet import wildcard_problem
from bindscope.splits import folds_problem
from bindscope.tiling import margin_of


def key_path(path: Sequence[str | int]) -> str:
    """``['train', 'lr']`` -> ``train.lr``; ``['models', 1]`` -> ``models[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(top level)"


#: Keys of earlier releases -> where they are now (a stage's settings live in its section).
MOVED_KEYS: dict[str, str] = {
    **{
        key: f"windows.{key}"
        for key in ("window", "peak_padding", "max_n_fraction", "split_by", "test_chroms", "val_chroms", "min_positives", "merge_distance")
    },
    "merge_overlapping_peaks": "windows.merge_overlapping",
    "negative_ratio": "regions.negative_ratio",
    "gc_bins": "regions.gc_bins",
    "base_labels.source": "encode.base_label_source",
    "base_labels.summit_half_width": "encode.summit_half_width",
    "base_labels.max_peak_width": "encode.max_peak_width",
    "threshold": "evaluate.threshold",
    "min_segment": "evaluate.min_segment",
    "kmer_lr.C": "kmer_lr.cs",
    "interpret.compare_methods": "compare_methods.enabled",
    "interpret.comparison_methods": "compare_methods.methods",
    "interpret.ism_sequences": "compare_methods.ism_sequences",
    "interpret.n_maps": "saliency_maps.n_maps",
    "interpret.map_methods": "saliency_maps.methods",
    "demo.weak_n_peaks": "demo_weak.n_peaks",
}


def moved_key(config: Mapping) -> tuple[str, str] | None:
    """The first key of an earlier release the configuration still uses, and where it is now."""
    for old, new in MOVED_KEYS.items():
        section, _, key = old.rpartition(".")
        holder = config.get(section) if section else config
        if isinstance(holder, Mapping) and key in holder:
            return old, new
    return None


def typed_overrides(value: object, schema: Mapping) -> object:
    """``--config`` values with the types the schema wants: Snakemake reads a nested value (a section
    such as ``windows={window: 100}``) as text throughout; each text where the schema wants a number or
    a boolean is read as YAML, and text stays text elsewhere (a chromosome named 1 stays "1").
    """
    options = schema.get("oneOf", []) + schema.get("anyOf", [])
    kind = "object" if isinstance(value, Mapping) else "array" if isinstance(value, list) else None
    schema = next((o for o in options if kind and o.get("type") == kind), schema)
    if isinstance(value, Mapping):
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        return {k: typed_overrides(v, properties.get(k, extra if isinstance(extra, Mapping) else {})) for k, v in value.items()}
    if isinstance(value, list):
        return [typed_overrides(v, schema.get("items", {})) for v in value]
    if isinstance(value, str) and _scalar_types(schema) & {"integer", "number", "boolean"}:
        typed = yaml.safe_load(value)
        return typed if isinstance(typed, int | float | bool) else value
    return value


def _scalar_types(schema: Mapping) -> set[str]:
    types = {schema["type"]} if isinstance(schema.get("type"), str) else set(schema.get("type", []))
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        types |= _scalar_types(option)
    return types


def check_config(config: Mapping, schema_path: str | os.PathLike, sources: Sequence[str] = ()) -> None:
    """Raise InputError naming the config file(s) and the first offending key, with what the schema wants.

    Parameters
    ----------
    config : mapping
        The merged configuration (config files plus ``--config`` overrides).
    schema_path : str or os.PathLike
        workflow/schemas/config.schema.yaml.
    sources : sequence of str
        Where the configuration came from (config files, ``--config``), for the message.
    """
    where = " + ".join(sources) or "config"
    if moved := moved_key(config):
        raise InputError(where, f"key {moved[0]}", f"this setting is now {moved[1]} (each stage's settings have their own section)")
    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(dict(config)), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        check_per_model(config, where)
        margin_of(config["predict"]["tile_margin"], config["windows"]["window"], where)
        windows = config["windows"]
        if problem := folds_problem(windows["folds"], windows["test_chroms"], windows["val_chroms"]):
            raise InputError(where, "key windows.folds", problem)
        if windows["folds"] > 1 and config["interpret"]["split"] != "test":
            raise InputError(
                where, "key interpret.split", "with windows.folds > 1 every positive is attributed out of fold: leave it 'test'"
            )
        return
    error = errors[0]
    more = f" ({len(errors) - 1} more problems after this one)" if len(errors) > 1 else ""
    raise InputError(where, f"key {key_path(list(error.absolute_path))}", f"{error.message}{more}")


def check_per_model(config: Mapping, where: str) -> None:
    """Raise InputError when a per-model train setting ({cnn: ..., unet: ...}) leaves out a model that runs."""
    for key, value in config["train"].items():
        if isinstance(value, Mapping) and (missing := [m for m in config["models"] if m not in value]):
            raise InputError(where, f"key train.{key}", f"{dict(value)} gives no value for model(s) {missing} (models: {config['models']})")


def check_config_files(config: Mapping, sources: Sequence[str] = ()) -> None:
    """Raise InputError naming the config file(s) and key when a file the configuration names is missing."""
    where = " + ".join(sources) or "config"
    source = config["motif_db"]["source"]
    if problem := wildcard_problem(source):
        raise InputError(where, "key motif_db.source", problem)
    if source != "jaspar" and not Path(source).is_file():
        raise InputError(where, "key motif_db.source", f"no such MEME file {source!r} (give a MEME file, or 'jaspar' for pyjaspar)")
    for section, kind in (("predict", "regions"), ("variants", "vcf")):
        for tf, path in config[section][kind].items():
            key = f"key {section}.{kind}.{tf}"
            if problem := wildcard_problem(path):
                raise InputError(where, key, problem)
            if not Path(path).is_file():
                what = "a BED, narrowPeak or FASTA of regions to score" if kind == "regions" else "a VCF, plain or bgzipped"
                raise InputError(where, key, f"no such file {path!r} ({what})")
