"""Stage 5, interpret: DeepLIFT/SHAP hypothetical contributions against dinucleotide-shuffled references.

Captum's DeepLiftShap takes one baseline set per call, so per-sequence references are run
as DeepLift on (sequence x reference) pairs and averaged over the references: the same
estimate DeepLiftShap and tangermeme's ``deep_lift_shap`` compute (tangermeme's
``hypothetical_attributions`` serves as captum's ``custom_attribution_func``).

Captum applies DeepLIFT's rescale rule only to the module types in its
``SUPPORTED_NON_LINEAR`` table, which lacks ``nn.PReLU`` (the U-Net's activation); an
unlisted module gets its plain gradient, which breaks summation-to-delta. PReLU is
element-wise, so the rescale rule is exact for it: it is added to the table here.
"""

from __future__ import annotations

import contextlib
from typing import NamedTuple

import numpy as np
import torch
from captum.attr import DeepLift
from captum.attr._core import deep_lift as _captum_deep_lift
from torch import nn

from bindscope import models
from bindscope.io import load_npz, save_encoded
from bindscope.sequence import check_one_hot
from bindscope.shuffle import dinucleotide_shuffle

_captum_deep_lift.SUPPORTED_NON_LINEAR.setdefault(nn.PReLU, _captum_deep_lift.nonlinear)


class Attributions(NamedTuple):
    ohe: np.ndarray  # (N, 4, L) uint8
    hypothetical: np.ndarray  # (N, 4, L) float32
    contribution: np.ndarray  # (N, 4, L) float32, hypothetical x one-hot


class SummedOutput(nn.Module):
    """Wraps a model so that the attribution target is one scalar per sequence.

    A per-sequence model's (N, 1) logit is kept as it is. For a per-base model the target is
    the sum of its per-base logits over the positions where ``mask`` (N, L) is 1 (the peak
    bases, ``y_base``), as an (N, 1) tensor; without a mask, over all positions.
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        self.per_base = models.is_per_base(model)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        out = self.model(x)
        if not self.per_base:
            return out
        return (out if mask is None else out * mask).sum(dim=-1, keepdim=True)


def hypothetical_contributions(
    multipliers: tuple[torch.Tensor, ...], inputs: tuple[torch.Tensor, ...], baselines: tuple[torch.Tensor, ...]
) -> tuple[torch.Tensor, ...]:
    """Captum ``custom_attribution_func``: the contribution each base *would* make at each position.

    For base b at position i: sum over channels of multiplier x (e_b - reference), so that
    hypothetical x one-hot gives the ordinary DeepLIFT contribution.
    """
    m, ref = multipliers[0], baselines[0]
    out = torch.empty_like(inputs[0])
    for b in range(inputs[0].shape[1]):  # 4 channels, vectorised over batch and length
        diff = -ref.clone()
        diff[:, b] += 1
        out[:, b] = (diff * m).sum(dim=1)
    return (out,)


def target_mask(y_base: np.ndarray) -> np.ndarray:
    """Per-base attribution target mask (N, L) float32: the labelled bases; all bases where none is labelled."""
    mask = np.asarray(y_base, dtype=np.float32)
    mask[mask.sum(axis=1) == 0] = 1.0
    return mask


def resolve_device(accelerator: str) -> torch.device:
    """The torch device for ``accelerator``: auto (CUDA when there is one, else CPU), cpu, gpu or cuda."""
    if accelerator == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if accelerator in ("gpu", "cuda"):
        if not torch.cuda.is_available():
            raise ValueError(f"accelerator {accelerator!r} asked for, but torch sees no CUDA device here")
        return torch.device("cuda")
    if accelerator == "cpu":
        return torch.device("cpu")
    raise ValueError(f"accelerator must be auto, cpu, gpu or cuda, got {accelerator!r}")


def deep_lift_shap(
    model: nn.Module,
    x: np.ndarray,
    references: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    batch_size: int = 64,
    device: torch.device | str = "cpu",
) -> Attributions:
    """Hypothetical DeepLIFT contributions averaged over per-sequence references.

    Parameters
    ----------
    model : torch.nn.Module
        Returns (N, 1) logits, or (N, L) per-base logits of which the sum over ``mask`` is
        explained (see :class:`SummedOutput`).
    x : numpy.ndarray, shape (N, 4, L), uint8
        One-hot sequences.
    references : numpy.ndarray, shape (N, R, 4, L)
        R references per sequence, e.g. from :func:`bindscope.shuffle.dinucleotide_shuffle`.
    mask : numpy.ndarray, shape (N, L), optional
        Bases whose logits a per-base model's target sums (e.g. :func:`target_mask`); all when None.
    batch_size : int
        Sequence x reference pairs per forward pass.
    device : torch.device or str
        Where the model runs (each batch is copied there and its scores back).

    Returns
    -------
    Attributions
        ohe, hypothetical and contribution, each (N, 4, L).
    """
    check_one_hot(x, "x")
    if references.ndim != 4 or references.shape[0] != len(x) or references.shape[2:] != x.shape[1:]:
        raise ValueError(f"references must have shape (N, R, 4, L) = ({len(x)}, R, {x.shape[1]}, {x.shape[2]}), got {references.shape}")
    if mask is not None and mask.shape != (len(x), x.shape[2]):
        raise ValueError(f"mask must have shape (N, L) = ({len(x)}, {x.shape[2]}), got {mask.shape}")
    explainer = DeepLift(SummedOutput(model.eval().to(device)))
    with _nondeterministic_ops_warn_only():
        hyp = _attribute(explainer, x, references, mask, batch_size, torch.device(device))
    return Attributions(x.astype(np.uint8), hyp, hyp * x)


@contextlib.contextmanager
def _nondeterministic_ops_warn_only():
    """captum's max-pool rule uses max_unpool, which has no deterministic kernel: where torch's global
    deterministic mode is on, let it warn instead of raising, and restore the mode afterwards."""
    enabled, warn_only = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    if enabled:
        torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)


def _attribute(
    explainer: DeepLift, x: np.ndarray, references: np.ndarray, mask: np.ndarray | None, batch_size: int, device: torch.device
) -> np.ndarray:
    """Hypothetical contributions (N, 4, L), averaged over each sequence's references."""
    n_refs = references.shape[1]
    per_batch = max(1, batch_size // n_refs)
    hyp = np.empty(x.shape, dtype=np.float32)
    for i in range(0, len(x), per_batch):
        xb = torch.from_numpy(x[i : i + per_batch]).to(device).float()
        inputs = xb.repeat_interleave(n_refs, dim=0).requires_grad_()
        base = torch.from_numpy(references[i : i + per_batch]).to(device).float().reshape(-1, *x.shape[1:])
        extra = None
        if mask is not None:
            extra = (torch.from_numpy(mask[i : i + per_batch]).to(device).float().repeat_interleave(n_refs, dim=0),)
        attr = explainer.attribute(
            inputs, baselines=base, target=0, additional_forward_args=extra, custom_attribution_func=hypothetical_contributions
        )
        hyp[i : i + per_batch] = attr.detach().reshape(len(xb), n_refs, *x.shape[1:]).mean(dim=1).cpu().numpy()
    return hyp


@torch.no_grad()
def convergence_delta(
    model: nn.Module, x: np.ndarray, references: np.ndarray, contribution: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """|summed contributions - (f(x) - mean f(reference))| per sequence (N,): ~0 when DeepLIFT's rules hold.

    A model with an operation no rule covers (the U-Net's attention gates multiply two
    input-dependent tensors) breaks summation-to-delta; this measures by how much.
    """
    target = SummedOutput(model.eval())
    n, n_refs = references.shape[:2]
    m = None if mask is None else torch.from_numpy(mask).float()
    fx = target(torch.from_numpy(x).float(), m)[:, 0]
    refs = torch.from_numpy(references).float().reshape(-1, *x.shape[1:])
    fr = target(refs, None if m is None else m.repeat_interleave(n_refs, dim=0))[:, 0].reshape(n, n_refs)
    return np.abs(contribution.sum(axis=(1, 2)) - (fx[:, None] - fr).mean(dim=1).numpy())


def attribution_peaks(contribution: np.ndarray, width: int = 10) -> np.ndarray:
    """Centre of the ``width``-bp stretch with the largest summed contribution, per sequence (N,) int.

    The localisation of a per-sequence model: compared with the summit (the window centre).
    """
    per_base = contribution.sum(axis=1)  # (N, L)
    cum = np.concatenate([np.zeros((len(per_base), 1)), np.cumsum(per_base, axis=1)], axis=1)
    sums = cum[:, width:] - cum[:, :-width]  # (N, L - width + 1)
    return sums.argmax(axis=1) + width // 2


def run(
    ckpt: str,
    encoded: str,
    out: str,
    *,
    n_references: int,
    max_sequences: int,
    batch_size: int,
    accelerator: str,
    threads: int,
    seed: int,
) -> None:
    """Attributions for the positives of one encoded split, written to scores.npz.

    A per-sequence model's logit is explained; for a per-base model, the sum of its logits over
    each positive's labelled peak bases (``y_base``; all bases where none is labelled). The model
    runs on ``accelerator`` (:func:`resolve_device`), ``batch_size`` sequence x reference pairs at a time.
    """
    torch.set_num_threads(threads)
    model, _ = models.load(ckpt)
    data = load_npz(encoded)
    keep = np.flatnonzero(data["y"] == 1)[:max_sequences]
    x = data["x"][keep]
    refs = dinucleotide_shuffle(x, n_references, np.random.default_rng(seed))
    mask = target_mask(data["y_base"][keep]) if models.is_per_base(model) else None
    device = resolve_device(accelerator)
    attr = deep_lift_shap(model, x, refs, mask=mask, batch_size=batch_size, device=device)
    model.cpu()
    check = slice(0, 64)  # a sample: the check is one forward pass over its sequence x reference pairs
    delta = convergence_delta(model, x[check], refs[check], attr.contribution[check], None if mask is None else mask[check])
    scale = np.abs(attr.contribution[check].sum(axis=(1, 2))).mean() if len(x) else 0.0
    print(f"summation-to-delta on {len(delta)} sequences: max |delta| {delta.max(initial=0):.2e} (mean |sum of contributions| {scale:.2e})")
    if len(delta) and delta.max() > 0.01 * max(scale, 1e-6):
        print(
            "warning: DeepLIFT contributions do not sum to the output difference (an operation without "
            "a DeepLIFT rule, e.g. attention gates); treat them as approximate"
        )
    save_encoded(
        out,
        ohe=attr.ohe,
        hypothetical=attr.hypothetical,
        contribution=attr.contribution,
        chrom=data["chrom"][keep],
        start=data["start"][keep],
        y_base=data["y_base"][keep],
        attribution_peak=attribution_peaks(attr.contribution),
    )
    print(f"attributions for {len(x)} positives x {n_references} references")
