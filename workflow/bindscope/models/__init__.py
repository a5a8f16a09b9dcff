"""Model architectures (plain nn.Modules) by name, and loading them from a checkpoint.

Each architecture class says what it predicts with a class attribute ``per_base``: False for
one logit per sequence, (N, 1); True for one logit per base, (N, L).
"""

from __future__ import annotations

import inspect
import os

import torch
from torch import nn

from bindscope.errors import InputError
from bindscope.io import atomic_path
from bindscope.models.cnn import CNN
from bindscope.models.unet import UNet

REGISTRY: dict[str, type[nn.Module]] = {"cnn": CNN, "unet": UNet}


def build(name: str, **params) -> nn.Module:
    """Build the architecture ``name`` (one of REGISTRY) with its parameters."""
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name](**params)


def is_per_base(model: nn.Module) -> bool:
    """Whether ``model`` gives one logit per base (N, L) rather than one per sequence (N, 1)."""
    return bool(getattr(model, "per_base", False))


def takes_input_length(name: str) -> bool:
    """Whether the architecture ``name`` is built for one sequence length (it takes ``input_length``)."""
    cls = REGISTRY.get(name)
    return cls is not None and "input_length" in inspect.signature(cls).parameters


class FoldEnsemble(nn.Module):
    """The fold models of one architecture (windows.folds > 1) as one model: the mean of their logits."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.per_base = is_per_base(members[0])

    def member_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Each fold model's logits, stacked: (k, N, 1) or (k, N, L)."""
        return torch.stack([member(x) for member in self.members])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.member_logits(x).mean(dim=0)


def _weights(state_dict: dict) -> dict:
    """The architecture's weights of a LightningModule's state dict (kept under ``model.``)."""
    return {k.removeprefix("model."): v for k, v in state_dict.items() if k.startswith("model.")}


def load(ckpt: str | os.PathLike) -> tuple[nn.Module, dict]:
    """The trained architecture from a Lightning checkpoint (or an ensemble of fold models, :func:`save_ensemble`),
    in eval mode, and its hyper-parameters.

    Needs nothing of train.py: the checkpoint's ``hyper_parameters`` name the model and its
    parameters, and its state dict holds the weights under ``model.``.
    """
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    hparams = dict(state["hyper_parameters"])
    members = []
    for weights in state.get("ensemble") or [_weights(state["state_dict"])]:
        member = build(hparams["model_name"], **hparams["model_params"])
        member.load_state_dict(weights)
        members.append(member)
    model = FoldEnsemble(members) if "ensemble" in state else members[0]
    return model.eval(), hparams


def save_ensemble(ckpts: list[str | os.PathLike], out: str | os.PathLike) -> None:
    """One checkpoint holding the fold models of ``ckpts`` (one architecture, one window), which :func:`load`
    returns as a :class:`FoldEnsemble`; its hyper-parameters are the first fold's, with ``folds`` and each fold's
    ``fold_training`` settings."""
    states = [torch.load(c, map_location="cpu", weights_only=False) for c in ckpts]
    first = dict(states[0]["hyper_parameters"])
    for ckpt, state in zip(ckpts, states, strict=True):
        theirs = state["hyper_parameters"]
        for key in ("model_name", "model_params", "window"):
            if theirs.get(key) != first.get(key):
                raise InputError(
                    ckpt, None, f"its {key} {theirs.get(key)!r} differs from {ckpts[0]}'s {first.get(key)!r}: not folds of one model"
                )
    hparams = {**first, "folds": len(states), "fold_training": [dict(s["hyper_parameters"]).get("training") for s in states]}
    with atomic_path(out) as tmp:
        torch.save({"hyper_parameters": hparams, "ensemble": [_weights(s["state_dict"]) for s in states]}, tmp)


def trained_window(hparams: dict, ckpt: str | os.PathLike) -> int:
    """The window length (bp) a trained model reads, from its checkpoint's hyper-parameters."""
    window = hparams.get("window") or hparams["model_params"].get("input_length")
    if window is None:
        raise InputError(ckpt, None, "the checkpoint does not say its window length (an earlier bindscope's): train it again")
    return int(window)


def check_window(hparams: dict, ckpt: str | os.PathLike, length: int, encoded: str | os.PathLike) -> None:
    """Raise InputError when encoded windows of ``length`` bp are not the length the model of ``ckpt`` reads."""
    window = trained_window(hparams, ckpt)
    if length != window:
        raise InputError(encoded, None, f"windows of {length} bp, but the model {ckpt} reads {window} bp: encode and train with one window")


def load_folds(ckpts: list[str], encoded: list[str], length: int) -> list[nn.Module]:
    """The model of each fold (``ckpts``, one per encoded split ``encoded``), each checked to read windows of ``length`` bp."""
    if len(ckpts) != len(encoded):
        raise ValueError(f"one encoded split per model: {len(ckpts)} checkpoints, {len(encoded)} encoded files")
    nets = []
    for ckpt, split in zip(ckpts, encoded, strict=True):
        model, hparams = load(ckpt)
        check_window(hparams, ckpt, length, split)
        nets.append(model)
    return nets


def common_window(hparams: dict[str, dict], ckpts: dict[str, str]) -> int:
    """The window length every model of ``ckpts`` reads; an error names two that differ."""
    windows = {name: trained_window(hparams[name], ckpts[name]) for name in ckpts}
    if len(set(windows.values())) > 1:
        ordered = sorted(windows.items(), key=lambda kv: kv[1])
        (a, wa), (b, wb) = ordered[0], ordered[-1]
        problem = f"model {b} reads {wb} bp windows and model {a} {wa} bp: apply models of one window length together"
        raise InputError(ckpts[b], None, problem)
    return next(iter(windows.values()))
