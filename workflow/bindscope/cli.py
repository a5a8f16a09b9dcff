"""``python -m bindscope STAGE --flag value ...``: one sub-command per stage; flags are run()'s keywords.

Flags left out are not passed, so run()'s own defaults apply: defaults live in one place.

Bad input (:class:`~bindscope.errors.InputError`) is printed as one line on stderr, exit code 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import time

from bindscope.errors import InputError
from bindscope.io import remove_partial_outputs


def _boolean(text: str) -> bool:
    """true/yes/1 (any case) -> True; anything else -> False."""
    return text.lower() in ("1", "true", "yes")


# stage -> (module, function, {flag: argparse options})
STAGES: dict[str, tuple[str, str, dict[str, dict]]] = {
    "demo": ("bindscope.demo", "run", {"outdir": {"required": True}, "n_peaks": {"type": int}, "seed": {"type": int}}),
    "motif-db": (
        "bindscope.jaspar",
        "run",
        {"out": {"required": True}, "release": {}, "collection": {}, "tax_groups": {"nargs": "*"}, "source": {}},
    ),
    "validate": (
        "bindscope.validate",
        "run",
        {
            "peaks": {"required": True},
            "genome": {"required": True},
            "motif_db": {"required": True},
            "out": {"required": True},
            "blacklist": {},
            "motif": {},
            "window": {"type": int},
            "peak_padding": {"type": int},
            "max_n_fraction": {"type": float},
            "test_chroms": {"nargs": "*"},
            "val_chroms": {"nargs": "*"},
            "min_positives": {"type": int},
            "merge_overlapping": {"type": _boolean},
            "merge_distance": {"type": int},
        },
    ),
    "regions": (
        "bindscope.regions",
        "run",
        {
            "peaks": {"required": True},
            "genome": {"required": True},
            "out_regions": {"required": True},
            "out_qc": {"required": True},
            "blacklist": {},
            "window": {"type": int},
            "negative_ratio": {"type": float},
            "peak_padding": {"type": int},
            "max_n_fraction": {"type": float},
            "gc_bins": {"type": int},
            "test_chroms": {"nargs": "*"},
            "val_chroms": {"nargs": "*"},
            "min_positives": {"type": int},
            "merge_overlapping": {"type": _boolean},
            "merge_distance": {"type": int},
            "seed": {"type": int},
        },
    ),
    "encode": (
        "bindscope.encode",
        "run",
        {
            "regions": {"required": True},
            "genome": {"required": True},
            "outdir": {"required": True},
            "base_label_source": {"choices": ["auto", "interval", "summit"]},
            "summit_half_width": {"type": int},
            "max_peak_width": {"type": int},
        },
    ),
    "train": (
        "bindscope.train",
        "run",
        {
            "train": {"required": True},
            "val": {"required": True},
            "model": {"required": True},
            "out_ckpt": {"required": True},
            "out_log": {"required": True},
            "out_hparams": {"required": True},
            "model_params": {"type": json.loads},
            "lr": {"type": float},
            "weight_decay": {"type": float},
            "pos_weight": {"type": float},
            "batch_size": {"type": int},
            "max_epochs": {"type": int},
            "patience": {"type": int},
            "min_delta": {"type": float},
            "max_shift": {"type": int},
            "reverse_complement": {"type": _boolean},
            "threads": {"type": int},
            "seed": {"type": int},
        },
    ),
    "evaluate": (
        "bindscope.evaluate",
        "run",
        {
            "ckpt": {"required": True},
            "encoded": {"required": True},
            "outdir": {"required": True},
            "threads": {"type": int},
            "threshold": {"type": float},
            "min_segment": {"type": int},
        },
    ),
    "pwm-scan": (
        "bindscope.baselines.pwm_scan",
        "run",
        {
            "val": {"required": True},
            "test": {"required": True},
            "motif_db": {"required": True},
            "motif": {"required": True},
            "genome": {"required": True},
            "outdir": {"required": True},
            "threshold": {"type": float},
            "pseudocount": {"type": float},
            "threads": {"type": int},
        },
    ),
    "kmer-lr": (
        "bindscope.baselines.kmer_lr",
        "run",
        {
            "train": {"required": True},
            "val": {"required": True},
            "test": {"required": True},
            "outdir": {"required": True},
            "k": {"type": int},
            "cs": {"type": float, "nargs": "+"},
            "threshold": {"type": float},
            "seed": {"type": int},
        },
    ),
    "interpret": (
        "bindscope.interpret",
        "run",
        {
            "ckpt": {"required": True},
            "encoded": {"required": True},
            "out": {"required": True},
            "n_references": {"type": int},
            "max_sequences": {"type": int},
            "threads": {"type": int},
            "seed": {"type": int},
        },
    ),
    "motifs": (
        "bindscope.motifs",
        "run",
        {
            "scores": {"required": True},
            "motif_db": {"required": True},
            "outdir": {"required": True},
            "max_seqlets": {"type": int},
            "trim_threshold": {"type": float},
            "top_matches": {"type": int},
            "n_leiden_runs": {"type": int},
            "seed": {"type": int},
        },
    ),
    "report": (
        "bindscope.report",
        "run",
        {
            "tf": {"required": True},
            "peaks": {"required": True},
            "qc": {"required": True},
            "models": {"nargs": "+", "required": True},
            "evaldirs": {"nargs": "+", "required": True},
            "motifdirs": {"nargs": "+", "required": True},
            "scores": {"nargs": "+", "required": True},
            "out_html": {"required": True},
            "out_summary": {"required": True},
            "expected_motif": {},
            "motif_db": {},
            "baselines": {"nargs": "*"},
            "baseline_evaldirs": {"nargs": "*"},
            "notes": {"nargs": "*"},
            "validation": {},
            "n_tracks": {"type": int},
        },
    ),
    "summary": (
        "bindscope.report",
        "run_summary",
        {"rows": {"nargs": "+", "required": True}, "out_tsv": {"required": True}, "out_html": {"required": True}},
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bindscope", description=__doc__)
    sub = parser.add_subparsers(dest="stage", required=True)
    for stage, (module, func, flags) in STAGES.items():
        p = sub.add_parser(stage, help=f"{module}.{func}", argument_default=argparse.SUPPRESS)
        for flag, opts in flags.items():
            p.add_argument("--" + flag.replace("_", "-"), dest=flag, **opts)
    return parser


def _exit_on_sigterm(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    stage = args.pop("stage")
    module, func, _ = STAGES[stage]
    # SLURM (scancel, a time limit) and other schedulers stop a job with SIGTERM before SIGKILL:
    # exit as for Ctrl-C, so temporaries and partial outputs are removed on the way out.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started, wall_start = time.perf_counter(), time.time()
    outputs = [v for k, v in args.items() if k.startswith("out") and v]
    try:
        getattr(importlib.import_module(module), func)(**args)
    except BaseException as err:
        for path in remove_partial_outputs(outputs, since=wall_start - 1):
            print(f"removed partial output {path}", file=sys.stderr)
        if isinstance(err, InputError):
            print(f"error: {err}", file=sys.stderr)
            return 1
        raise
    print(f"bindscope {stage}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
