"""The workflow configuration checked against its JSON schema, one clear line per problem."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import jsonschema
import yaml

from bindscope.errors import InputError
from bindscope.sheet import wildcard_problem


def key_path(path: Sequence[str | int]) -> str:
    """``['train', 'lr']`` -> ``train.lr``; ``['models', 1]`` -> ``models[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(top level)"


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
    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(dict(config)), key=lambda e: [str(p) for p in e.absolute_path])
    where = " + ".join(sources) or "config"
    if not errors:
        margin, window = config["predict"]["tile_margin"], config["window"]
        if margin != "auto" and 2 * margin >= window:
            raise InputError(
                where, "key predict.tile_margin", f"{margin} leaves no central part of the {window} bp window (at most {(window - 1) // 2})"
            )
        return
    error = errors[0]
    more = f" ({len(errors) - 1} more problems after this one)" if len(errors) > 1 else ""
    raise InputError(where, f"key {key_path(list(error.absolute_path))}", f"{error.message}{more}")


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
