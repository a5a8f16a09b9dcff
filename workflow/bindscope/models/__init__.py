"""Model architectures (plain nn.Modules) by name, and loading them from a checkpoint."""

from __future__ import annotations

import os

import torch
from torch import nn

from bindscope.models.cnn import CNN

REGISTRY: dict[str, type[nn.Module]] = {"cnn": CNN}


def build(name: str, **params) -> nn.Module:
    """Build the architecture ``name`` (one of REGISTRY) with its parameters."""
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name](**params)


def load(ckpt: str | os.PathLike) -> tuple[nn.Module, dict]:
    """The trained architecture from a Lightning checkpoint, in eval mode, and its hyper-parameters.

    Needs nothing of train.py: the checkpoint's ``hyper_parameters`` name the model and its
    parameters, and its state dict holds the weights under ``model.``.
    """
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    hparams = dict(state["hyper_parameters"])
    model = build(hparams["model_name"], **hparams["model_params"])
    weights = {k.removeprefix("model."): v for k, v in state["state_dict"].items() if k.startswith("model.")}
    model.load_state_dict(weights)
    return model.eval(), hparams
