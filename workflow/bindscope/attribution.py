"""Attribution methods for one-hot DNA models: DeepLIFT/SHAP, the gradient family and in-silico mutagenesis.

Every method returns :class:`Attributions`: ``hypothetical`` (N, 4, L), the score each base *would*
get at each position, and ``contribution`` = hypothetical x one-hot, the observed base's score (the
track a person reads, and what TF-MoDISco takes beside the hypothetical scores).

- ``deep_lift_shap``: DeepLIFT (Captum) against per-sequence dinucleotide-shuffled references,
  averaged over the references; hypothetical scores by the multiplier rule.
- ``saliency``: the gradient at the input (Captum ``Saliency``, signed), mean-centred across the four
  bases (the gradient correction of Majdandzic et al. 2023).
- ``input_x_gradient``: input x gradient (Captum's ``InputXGradient``), the classic uncorrected
  form: the observed base's raw gradient (its hypothetical scores are the raw gradient).
- ``integrated_gradients``: Captum ``IntegratedGradients`` along straight paths from shuffled
  references to the sequence; like DeepLIFT it scores differences between one-hot sequences.
- ``ism``: in-silico mutagenesis, every single-base substitution, the change in the target logit,
  mean-centred across the four bases at each position (as tangermeme's ``saturation_mutagenesis``).

The gradient correction: a one-hot sequence lies on a simplex, and the component of the gradient
common to all four bases at a position points off it (no sequence can move that way). Subtracting
the mean removes it. Reference-based methods (DeepLIFT/SHAP, integrated gradients) multiply by
``sequence - reference``, whose four entries at a position sum to zero, so that component cancels
in their contributions without a correction; ISM is centred by definition. Only ``saliency`` applies
it explicitly; ``input_x_gradient`` is left uncorrected to show what the correction changes.

Captum applies DeepLIFT's rescale rule only to the module types in its ``SUPPORTED_NON_LINEAR``
table, which lacks ``nn.PReLU`` (the U-Net's activation); an unlisted module gets its plain
gradient, which breaks summation-to-delta. PReLU is element-wise, so the rescale rule is exact for
it: it is added to the table here. ISM is written here because Captum has no substitution ISM
(its ablation methods replace a feature by one baseline value, not by each other base).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch
from captum.attr import DeepLift, IntegratedGradients, Saliency
from captum.attr._core import deep_lift as _captum_deep_lift
from scipy.stats import rankdata
from torch import nn

from bindscope import models
from bindscope.io import load_npz
from bindscope.sequence import check_one_hot

_captum_deep_lift.SUPPORTED_NON_LINEAR.setdefault(nn.PReLU, _captum_deep_lift.nonlinear)

#: Methods by config name, in the comparison's order (the first is the default interpret method).
METHODS = ("deep_lift_shap", "saliency", "input_x_gradient", "integrated_gradients", "ism")
#: Methods computed from gradients at the input or along a path (the "gradient family").
GRADIENT_METHODS = ("saliency", "input_x_gradient", "integrated_gradients")
#: Methods that explain f(x) - f(reference), whose contributions must sum to it (summation-to-delta).
REFERENCE_METHODS = ("deep_lift_shap", "integrated_gradients")


class Attributions(NamedTuple):
    ohe: np.ndarray  # (N, 4, L) uint8
    hypothetical: np.ndarray  # (N, 4, L) float32
    contribution: np.ndarray  # (N, 4, L) float32, hypothetical x one-hot


def attributions(x: np.ndarray, hypothetical: np.ndarray) -> Attributions:
    """Attributions of one-hot ``x`` from its hypothetical scores."""
    hypothetical = hypothetical.astype(np.float32, copy=False)
    return Attributions(x.astype(np.uint8), hypothetical, hypothetical * x)


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

    For base b at position i: sum over channels c of multiplier_c x (e_b - reference)_c, which is
    multiplier_b - sum_c multiplier_c x reference_c, so that hypothetical x one-hot gives the
    ordinary contribution (DeepLIFT's multipliers, or integrated gradients' path-averaged gradients).
    """
    m, ref = multipliers[0], baselines[0]
    return (m - (m * ref).sum(dim=1, keepdim=True),)


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


def _check_inputs(x: np.ndarray, references: np.ndarray | None, mask: np.ndarray | None) -> None:
    check_one_hot(x, "x")
    if references is not None and (references.ndim != 4 or references.shape[0] != len(x) or references.shape[2:] != x.shape[1:]):
        raise ValueError(f"references must have shape (N, R, 4, L) = ({len(x)}, R, {x.shape[1]}, {x.shape[2]}), got {references.shape}")
    if mask is not None and mask.shape != (len(x), x.shape[2]):
        raise ValueError(f"mask must have shape (N, L) = ({len(x)}, {x.shape[2]}), got {mask.shape}")


def _mask_args(mask: np.ndarray | None, rows: slice, device: torch.device, repeats: int = 1) -> tuple | None:
    """Captum's ``additional_forward_args`` for a batch: the per-base target mask, repeated per reference."""
    if mask is None:
        return None
    return (torch.from_numpy(mask[rows]).to(device).float().repeat_interleave(repeats, dim=0),)


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


def _over_references(
    attribute: Callable[..., torch.Tensor], x: np.ndarray, references: np.ndarray, mask: np.ndarray | None, batch_size: int, device
) -> np.ndarray:
    """Hypothetical scores (N, 4, L) of a reference-based Captum method, averaged over each sequence's references.

    ``attribute(inputs, baselines, extra)`` runs the method on (sequence x reference) pairs,
    ``batch_size`` pairs at a time.
    """
    device = torch.device(device)
    n_refs = references.shape[1]
    per_batch = max(1, batch_size // n_refs)
    hyp = np.empty(x.shape, dtype=np.float32)
    for i in range(0, len(x), per_batch):
        rows = slice(i, i + per_batch)
        xb = torch.from_numpy(x[rows]).to(device).float()
        inputs = xb.repeat_interleave(n_refs, dim=0).requires_grad_()
        base = torch.from_numpy(references[rows]).to(device).float().reshape(-1, *x.shape[1:])
        attr = attribute(inputs, base, _mask_args(mask, rows, device, n_refs))
        hyp[rows] = attr.detach().reshape(len(xb), n_refs, *x.shape[1:]).mean(dim=1).cpu().numpy()
    return hyp


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
    _check_inputs(x, references, mask)
    explainer = DeepLift(SummedOutput(model.eval().to(device)))

    def attribute(inputs, base, extra):
        return explainer.attribute(
            inputs, baselines=base, target=0, additional_forward_args=extra, custom_attribution_func=hypothetical_contributions
        )

    with _nondeterministic_ops_warn_only():
        hyp = _over_references(attribute, x, references, mask, batch_size, device)
    return attributions(x, hyp)


def integrated_gradients(
    model: nn.Module,
    x: np.ndarray,
    references: np.ndarray,
    *,
    steps: int,
    mask: np.ndarray | None = None,
    batch_size: int = 64,
    device: torch.device | str = "cpu",
) -> Attributions:
    """Integrated gradients from per-sequence references, averaged over the references.

    Captum's ``IntegratedGradients`` (Gauss-Legendre, ``steps`` points per path) gives each
    pair's path-averaged gradient; the hypothetical score of base b is that gradient times
    ``e_b - reference``, so hypothetical x one-hot sums to f(x) - mean f(reference) up to the
    quadrature error (:func:`convergence_delta` measures it). Arguments as :func:`deep_lift_shap`;
    ``batch_size`` counts pair x step evaluations per forward pass.
    """
    _check_inputs(x, references, mask)
    if steps < 1:
        raise ValueError(f"integrated gradients needs at least 1 step, got {steps}")
    explainer = IntegratedGradients(SummedOutput(model.eval().to(device)), multiply_by_inputs=False)

    def attribute(inputs, base, extra):
        avg_grad = explainer.attribute(
            inputs, baselines=base, target=0, additional_forward_args=extra, n_steps=steps, internal_batch_size=max(batch_size, len(inputs))
        )
        return hypothetical_contributions((avg_grad,), (inputs,), (base,))[0]

    hyp = _over_references(attribute, x, references, mask, max(1, batch_size // steps), device)
    return attributions(x, hyp)


def _input_gradients(
    explainer_class: type, model: nn.Module, x: np.ndarray, mask: np.ndarray | None, batch_size: int, device, **options
) -> np.ndarray:
    """Captum's ``explainer_class`` (Saliency, InputXGradient) on ``x``, batch by batch, as an (N, 4, L) array."""
    device = torch.device(device)
    explainer = explainer_class(SummedOutput(model.eval().to(device)))
    out = np.empty(x.shape, dtype=np.float32)
    for i in range(0, len(x), batch_size):
        rows = slice(i, i + batch_size)
        inputs = torch.from_numpy(x[rows]).to(device).float().requires_grad_()
        attr = explainer.attribute(inputs, target=0, additional_forward_args=_mask_args(mask, rows, device), **options)
        out[rows] = attr.detach().cpu().numpy()
    return out


def mean_centred(scores: np.ndarray) -> np.ndarray:
    """Scores (N, 4, L) less their mean over the four bases at each position (Majdandzic et al. 2023)."""
    return scores - scores.mean(axis=1, keepdims=True)


def saliency(
    model: nn.Module, x: np.ndarray, *, mask: np.ndarray | None = None, batch_size: int = 64, device: torch.device | str = "cpu"
) -> Attributions:
    """The gradient of the target at the input (Captum ``Saliency``, signed), mean-centred across bases."""
    _check_inputs(x, None, mask)
    return attributions(x, mean_centred(_input_gradients(Saliency, model, x, mask, batch_size, device, abs=False)))


def input_x_gradient(
    model: nn.Module, x: np.ndarray, *, mask: np.ndarray | None = None, batch_size: int = 64, device: torch.device | str = "cpu"
) -> Attributions:
    """Input x gradient, uncorrected: contributions are the observed bases' raw gradients.

    Its hypothetical scores are the raw gradient (Captum ``Saliency``, signed), so that the
    contributions, hypothetical x one-hot, are Captum ``InputXGradient``'s scores from the same
    single backward pass (tested against it).
    """
    _check_inputs(x, None, mask)
    return attributions(x, _input_gradients(Saliency, model, x, mask, batch_size, device, abs=False))


def rows_of(mask: np.ndarray | torch.Tensor | None, rows) -> np.ndarray | torch.Tensor | None:
    """A per-base target mask's ``rows`` (None for a per-sequence model, which has none)."""
    return None if mask is None else mask[rows]


def substitution_effects(
    model: nn.Module, x: np.ndarray, *, mask: np.ndarray | None = None, batch_size: int = 64, device: torch.device | str = "cpu"
) -> np.ndarray:
    """In-silico mutagenesis: f(x with base b at position i) - f(x), (N, 4, L); 0 for the observed base.

    Every single-base substitution of every sequence (3 L per sequence) is made on the device,
    ``batch_size`` mutants per forward pass, without a copy of the sequences per mutant on the host.
    On 2 CPU cores 64 mutants per pass ran 4.4x faster than 1,024 (the CNN's activations stay in cache).
    """
    _check_inputs(x, None, mask)
    device = torch.device(device)
    target = SummedOutput(model.eval().to(device))
    n, _, length = x.shape
    seq, base, pos = np.nonzero(x == 0)  # the alternative bases: (sequence, base, position) of each mutant
    effects = np.zeros(x.shape, dtype=np.float32)
    xt = torch.from_numpy(x).to(device).float()
    mt = None if mask is None else torch.from_numpy(mask).to(device).float()
    with torch.no_grad():
        reference = torch.cat([target(xt[i : i + batch_size], rows_of(mt, slice(i, i + batch_size))) for i in range(0, n, batch_size)])[
            :, 0
        ]
        for i in range(0, len(seq), batch_size):
            s, b, p = (torch.from_numpy(a[i : i + batch_size]).to(device) for a in (seq, base, pos))
            mutants = xt[s]
            rows = torch.arange(len(s), device=device)
            mutants[rows, :, p] = 0
            mutants[rows, b, p] = 1
            out = target(mutants, rows_of(mt, s))[:, 0]
            effects[seq[i : i + batch_size], base[i : i + batch_size], pos[i : i + batch_size]] = (out - reference[s]).cpu().numpy()
    return effects


def ism(
    model: nn.Module, x: np.ndarray, *, mask: np.ndarray | None = None, batch_size: int = 64, device: torch.device | str = "cpu"
) -> Attributions:
    """In-silico mutagenesis scores: substitution effects mean-centred across the four bases at each position.

    A base's hypothetical score is how much better the target is with it than with the average
    base there; the observed base's is minus the mean effect of substituting it.
    """
    return attributions(x, mean_centred(substitution_effects(model, x, mask=mask, batch_size=batch_size, device=device)))


@torch.no_grad()
def convergence_delta(
    model: nn.Module, x: np.ndarray, references: np.ndarray, contribution: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """|summed contributions - (f(x) - mean f(reference))| per sequence (N,): ~0 when a reference method's rules hold.

    A model with an operation no DeepLIFT rule covers (the U-Net's attention gates multiply two
    input-dependent tensors) breaks summation-to-delta; for integrated gradients it measures the
    error of the path integral's quadrature.
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


def rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` (N, M) with the same row of ``b``; NaN for a constant row."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (a * b).sum(axis=1) / denominator, np.nan)


def agreement(contribution: np.ndarray, truth: np.ndarray) -> dict[str, np.ndarray]:
    """Per-sequence Pearson and Spearman correlation (N,) of two methods' per-base contribution tracks.

    Each track is the observed base's score at every position (contribution summed over bases).
    """
    a, b = contribution.sum(axis=1), truth.sum(axis=1)
    return {
        "pearson": rowwise_pearson(a, b),
        "spearman": rowwise_pearson(rankdata(a, axis=1), rankdata(b, axis=1)),
    }


def attributed_rows(y: np.ndarray, max_sequences: int) -> np.ndarray:
    """Rows of an encoded split that are attributed: its first ``max_sequences`` positives (``y == 1``)."""
    return np.flatnonzero(np.asarray(y) == 1)[:max_sequences]


def fold_shares(n: np.ndarray, total: int) -> np.ndarray:
    """At most ``total`` items dealt out in proportion to ``n`` (largest remainders; ties to the lower fold), each <= its n."""
    share = n * min(1.0, total / max(int(n.sum()), 1))
    caps = np.floor(share).astype(int)
    extra = min(total, int(n.sum())) - int(caps.sum())
    caps[np.argsort(-(share - caps), kind="stable")[:extra]] += 1
    return caps


def fold_positives(ckpts: list[str], encoded: list[str], max_sequences: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The attributed positives of the encoded splits ``encoded`` (one per fold, its model in ``ckpts``): their arrays
    (x, y_base, chrom, start) joined in fold order, and each one's fold. With folds the first ``max_sequences`` are
    spread over the folds by their shares of the positives."""
    parts = [load_npz(path) for path in encoded]
    n = np.array([int((part["y"] == 1).sum()) for part in parts])
    caps = [max_sequences] if len(parts) == 1 else fold_shares(n, max_sequences)
    kept = {name: [] for name in ("x", "y_base", "chrom", "start")}
    fold = []
    for f, (part, cap) in enumerate(zip(parts, caps, strict=True)):
        rows = attributed_rows(part["y"], int(cap))
        for name in kept:
            kept[name].append(part[name][rows])
        fold.append(np.full(len(rows), f, np.int16))
    return {name: np.concatenate(arrays) for name, arrays in kept.items()}, np.concatenate(fold)


def rows_by_fold(fold: np.ndarray, rows: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(fold, the ``rows`` of that fold) for each fold among ``rows``, in fold order."""
    return [(int(f), rows[fold[rows] == f]) for f in np.unique(fold[rows])]


def attribute_by_fold(
    method: str,
    nets: list[nn.Module],
    fold: np.ndarray,
    rows: np.ndarray,
    x: np.ndarray,
    references: np.ndarray,
    mask: np.ndarray | None,
    **options,
) -> Attributions:
    """:func:`attribute` of the ``rows`` of x, each by its own fold's model (``nets[fold]``), in the order of ``rows``
    (which are ascending in fold, as :func:`fold_positives` gives them); ``options`` as :func:`attribute` takes them."""
    groups = rows_by_fold(fold, rows) or [(0, rows)]
    parts = [attribute(method, nets[f], x[r], references[r], rows_of(mask, r), **options) for f, r in groups]
    return Attributions(*(np.concatenate([getattr(part, name) for part in parts]) for name in Attributions._fields))


def attribute(
    method: str,
    model: nn.Module,
    x: np.ndarray,
    references: np.ndarray,
    mask: np.ndarray | None,
    *,
    batch_size: int,
    ig_steps: int,
    ig_references: int,
    device: torch.device | str = "cpu",
) -> Attributions:
    """One method's (a name of :data:`METHODS`) attributions of ``x``, as the interpret stage runs it.

    ``references`` (N, R, 4, L) serve the reference-based methods; integrated gradients take the
    first ``ig_references`` of them; ISM runs ``batch_size`` mutants per forward pass.
    """
    options = {"mask": mask, "batch_size": batch_size, "device": device}
    if method == "deep_lift_shap":
        return deep_lift_shap(model, x, references, **options)
    if method == "integrated_gradients":
        return integrated_gradients(model, x, references[:, :ig_references], steps=ig_steps, **options)
    if method == "saliency":
        return saliency(model, x, **options)
    if method == "input_x_gradient":
        return input_x_gradient(model, x, **options)
    if method == "ism":
        return ism(model, x, **options)
    raise ValueError(f"unknown attribution method {method!r}; known: {list(METHODS)}")
