"""``python -m bindscope STAGE --flag value ...``: one sub-command per stage; its flags are run()'s parameters.

The flags are derived from each stage's ``run()`` signature and type hints (nothing is copied
by hand): ``--some-name`` for parameter ``some_name``, required when the parameter has no
default. Values convert by type hint: ``int``, ``float``, ``str``; ``bool`` from true/false;
``Literal[...]`` as choices; ``list[...]`` as zero or more values; ``dict`` as JSON;
``dict[str, str]`` as ``key=value`` items (a file per model, the outputs of a stage). A parameter
whose type is a dataclass (settings several stages share) contributes one flag per field.

Bad input (:class:`~bindscope.errors.InputError`) is printed as one line on stderr, exit code 1.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import functools
import importlib
import importlib.util
import inspect
import json
import signal
import sys
import time
import types
import typing
from collections.abc import Callable
from pathlib import Path

from bindscope.errors import InputError
from bindscope.io import remove_partial_outputs

#: Sub-command -> "module:function" of the stage it runs.
STAGES: dict[str, str] = {
    "demo": "bindscope.stages.demo:run",
    "demo-weak": "bindscope.stages.demo:run_weak",
    "motif-db": "bindscope.stages.motif_db:run",
    "genome-copy": "bindscope.stages.genome_copy:run",
    "validate": "bindscope.stages.validate:run",
    "regions": "bindscope.stages.regions:run",
    "encode": "bindscope.stages.encode:run",
    "train": "bindscope.stages.train:run",
    "ensemble": "bindscope.stages.ensemble:run",
    "evaluate": "bindscope.stages.evaluate:run",
    "pwm-scan": "bindscope.baselines.pwm_scan:run",
    "kmer-lr": "bindscope.baselines.kmer_lr:run",
    "pool-folds": "bindscope.stages.pool_folds:run",
    "interpret": "bindscope.stages.interpret:run",
    "compare-methods": "bindscope.stages.compare_methods:run",
    "motif-kernels": "bindscope.stages.motifs:compile_kernels",
    "motifs": "bindscope.stages.motifs:run",
    "saliency-maps": "bindscope.stages.saliency_maps:run",
    "report": "bindscope.stages.report:run",
    "summary": "bindscope.stages.summary:run",
    "predict": "bindscope.stages.predict:run",
    "variants": "bindscope.stages.variants:run",
    "tracks": "bindscope.stages.tracks:run",
}
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def stage_function(stage: str) -> Callable:
    """The run() function of a sub-command."""
    module, func = STAGES[stage].split(":")
    return getattr(importlib.import_module(module), func)


@functools.cache
def stage_keywords(stage: str) -> dict[str, bool]:
    """A stage's flag names (parameter names), each with whether it is a setting, read from its source without importing it.

    Settings are run()'s keyword-only parameters and the fields of a dataclass parameter; the
    others name the stage's input and output files. The workflow asks at every start which
    configuration keys each stage takes; importing the stage modules (torch, Lightning, Captum)
    would cost seconds. A test holds the names equal to :func:`flag_parameters`'.
    """
    module, func = STAGES[stage].split(":")
    tree = _module_tree(module)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == func)
    names = {}
    for arg, setting in [(a, False) for a in node.args.posonlyargs + node.args.args] + [(a, True) for a in node.args.kwonlyargs]:
        annotation = arg.annotation.id if isinstance(arg.annotation, ast.Name) else None
        fields = _dataclass_fields_in_source(module, tree, annotation) if annotation else None
        names.update(dict.fromkeys(fields, True) if fields else {arg.arg: setting})
    return names


@functools.cache
def _module_tree(module: str) -> ast.Module:
    return ast.parse(Path(importlib.util.find_spec(module).origin).read_text())


def _dataclass_fields_in_source(module: str, tree: ast.Module, name: str) -> list[str] | None:
    """The fields of dataclass ``name`` as ``module`` defines or imports it from a bindscope module; None if not one."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            if any(getattr(d, "id", getattr(d, "attr", None)) == "dataclass" for d in decorators):
                return [n.target.id for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
            return None
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bindscope") and any(a.name == name for a in node.names):
            return _dataclass_fields_in_source(node.module, _module_tree(node.module), name)
    return None


def stage_flags(stage: str, values: dict[str, object]) -> list[str]:
    """Command-line arguments giving ``values`` (parameter name -> value) to a stage, in the form :func:`parse` reads.

    ``True``/``False`` as true/false, a list as its items, a dict as JSON, anything else as text.
    A name the stage does not take is an error (a misspelt setting must not vanish).
    """
    unknown = sorted(set(values) - set(stage_keywords(stage)))
    if unknown:
        raise TypeError(f"stage {stage} takes no parameter {', '.join(unknown)}")
    args: list[str] = []
    for name, value in values.items():
        args.append("--" + name.replace("_", "-"))
        if isinstance(value, bool):
            args.append(str(value).lower())
        elif isinstance(value, list | tuple):
            args += [str(v) for v in value]
        elif isinstance(value, dict):
            args.append(json.dumps(value))
        else:
            args.append(str(value))
    return args


def boolean(text: str) -> bool:
    """true/yes/1 -> True, false/no/0 -> False (any case); anything else is an error."""
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def key_value(text: str) -> tuple[str, str]:
    """``name=path`` -> (name, path)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    return key, value


class KeyValues(argparse.Action):
    """Stores ``name=value`` items (converted by :func:`key_value`) as one dict."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, dict(values))


def _without_none(hint):
    """``X | None`` -> X; other hints unchanged."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def argument_options(hint) -> dict:
    """argparse options for a parameter's type hint."""
    hint = _without_none(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return {"type": boolean, "metavar": "true|false"}
    if hint in (int, float, str):
        return {"type": hint}
    if origin is typing.Literal:
        return {"choices": list(args)}
    if origin is list:
        return {"type": args[0] if args else str, "nargs": "*"}
    if origin is dict and args == (str, str):
        return {"type": key_value, "nargs": "+", "metavar": "NAME=PATH", "action": KeyValues}
    if hint is dict or origin is dict:
        return {"type": json.loads, "metavar": "JSON"}
    raise TypeError(f"no command-line form for type {hint!r}")


def flag_parameters(func: Callable) -> dict[str, tuple[object, bool]]:
    """Every flag's parameter name -> (type hint, required): run()'s parameters, a dataclass's fields in its place."""
    hints = typing.get_type_hints(func)
    found = {}
    for name, param in inspect.signature(func).parameters.items():
        required = param.default is inspect.Parameter.empty
        fields = dataclass_fields(hints[name])
        for field, hint in fields.items() if fields else [(name, hints[name])]:
            if field in found:
                raise TypeError(f"{func.__module__}.{func.__name__}: two parameters give the flag --{field.replace('_', '-')}")
            found[field] = (hint, required)
    return found


def dataclass_fields(hint) -> dict[str, object]:
    """A dataclass's fields and their type hints; empty for any other type."""
    if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return {}
    hints = typing.get_type_hints(hint)
    return {f.name: hints[f.name] for f in dataclasses.fields(hint)}


def add_stage(sub: argparse._SubParsersAction, stage: str) -> None:
    """A sub-command with one flag per parameter of the stage's run() (per field of a dataclass parameter)."""
    func = stage_function(stage)
    summary = (inspect.getdoc(func) or "").split("\n\n")[0]
    parser = sub.add_parser(stage, help=summary, description=summary, argument_default=argparse.SUPPRESS)
    for name, (hint, required) in flag_parameters(func).items():
        kind = hint.__name__ if isinstance(hint, type) else str(hint)
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, dest=name, required=required, help=kind + ("" if required else " (optional)"), **argument_options(hint))


def build_parser(stages: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with a sub-command for each of ``stages`` (default: all; each imports its stage module)."""
    parser = argparse.ArgumentParser(prog="python -m bindscope", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="stage", required=True)
    for stage in stages or STAGES:
        add_stage(sub, stage)
    return parser


def parse(argv: list[str] | None = None) -> tuple[str, dict]:
    """The sub-command and run()'s keyword arguments (a dataclass parameter rebuilt from its fields' flags).

    Only the named stage's module is imported (a stage's start-up stays short); without a known
    stage every one is, for the help text.
    """
    argv = sys.argv[1:] if argv is None else argv
    stages = [argv[0]] if argv and argv[0] in STAGES else None
    args = vars(build_parser(stages).parse_args(argv))
    stage = args.pop("stage")
    for name, hint in typing.get_type_hints(stage_function(stage)).items():
        fields = dataclass_fields(hint)
        if fields and all(f in args for f in fields):
            args[name] = hint(**{f: args.pop(f) for f in fields})
    return stage, args


def output_paths(kwargs: dict) -> list[str]:
    """Paths a stage writes: the values of its ``out*`` parameters."""
    paths = []
    for key, value in kwargs.items():
        if key.startswith("out") and value:
            paths += list(value.values()) if isinstance(value, dict) else [value]
    return paths


def _exit_on_sigterm(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    stage, kwargs = parse(argv)
    # SLURM (scancel, a time limit) and other schedulers stop a job with SIGTERM before SIGKILL:
    # exit as for Ctrl-C, so temporaries and partial outputs are removed on the way out.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started, wall_start = time.perf_counter(), time.time()
    try:
        stage_function(stage)(**kwargs)
    except BaseException as err:
        for path in remove_partial_outputs(output_paths(kwargs), since=wall_start - 1):
            print(f"removed partial output {path}", file=sys.stderr)
        if isinstance(err, InputError):
            print(f"error: {err}", file=sys.stderr)
            return 1
        raise
    print(f"bindscope {stage}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
