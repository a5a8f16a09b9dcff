import numpy as np
import pytest
import torch
from captum.attr import DeepLift, InputXGradient

from bindscope.attribution import (
    SummedOutput,
    agreement,
    attribute,
    convergence_delta,
    deep_lift_shap,
    input_x_gradient,
    integrated_gradients,
    ism,
    saliency,
    substitution_effects,
    target_mask,
)
from bindscope.models.cnn import CNN
from bindscope.models.unet import UNet
from bindscope.sequence import one_hot_codes
from bindscope.shuffle import dinucleotide_shuffle


def _model(seed: int = 0, **options) -> CNN:
    torch.manual_seed(seed)
    model = CNN(input_length=60, n_filters=8, kernel_size=7, n_filters2=8, kernel_size2=3, pool=4, dropout=0.0, **options)
    with torch.no_grad():  # spread the weights so that units both fire and stay silent
        for p in model.parameters():
            p.mul_(3)
    return model.eval()


def _seqs(n: int = 6, length: int = 60, seed: int = 1) -> np.ndarray:
    return one_hot_codes(np.random.default_rng(seed).integers(0, 4, (n, length)).astype(np.uint8))


@pytest.mark.parametrize("options", [{}, {"batch_norm": True, "base_head": True}, {"scan_skip": True, "base_head": True}])
def test_deeplift_sums_to_output_difference(options):
    model, x = _model(**options), _seqs()
    refs = dinucleotide_shuffle(x, 4, 0)
    xt = torch.from_numpy(x).float().repeat_interleave(4, 0)
    bt = torch.from_numpy(refs).float().reshape(-1, 4, 60)
    attr, delta = DeepLift(model).attribute(xt, baselines=bt, target=0, return_convergence_delta=True)
    diff = (model(xt) - model(bt))[:, 0].detach()
    assert diff.abs().max() > 0.1  # the test is not vacuous
    assert torch.allclose(attr.sum(dim=(1, 2)), diff, atol=1e-4)
    assert delta.abs().max() < 1e-4


def test_contribution_is_hypothetical_times_one_hot():
    model, x = _model(), _seqs()
    attr = deep_lift_shap(model, x, dinucleotide_shuffle(x, 5, 0))
    assert attr.hypothetical.shape == x.shape
    np.testing.assert_allclose(attr.contribution, attr.hypothetical * x)
    # summed contributions = mean over references of f(x) - f(reference)
    refs = dinucleotide_shuffle(x, 5, 0)
    with torch.no_grad():
        fx = model(torch.from_numpy(x).float())[:, 0]
        fr = model(torch.from_numpy(refs).float().reshape(-1, 4, 60))[:, 0].reshape(len(x), 5)
    np.testing.assert_allclose(attr.contribution.sum(axis=(1, 2)), (fx[:, None] - fr).mean(1).numpy(), atol=1e-4)


def test_hypothetical_agrees_with_tangermeme():
    tangermeme = pytest.importorskip("tangermeme.deep_lift_shap")
    model, x = _model(), _seqs(n=8)
    refs = dinucleotide_shuffle(x, 10, 3)
    ours = deep_lift_shap(model, x, refs).hypothetical
    theirs = tangermeme.deep_lift_shap(
        model, torch.from_numpy(x).float(), target=0, references=torch.from_numpy(refs).float(), hypothetical=True, warning_threshold=1e-3
    ).numpy()
    r = np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]
    assert r >= 0.99, r


def test_bad_references_shape_raises():
    model, x = _model(), _seqs()
    with pytest.raises(ValueError, match="references"):
        deep_lift_shap(model, x, np.zeros((2, 3, 4, 60)))


def _unet(seed: int = 0, attention: bool = False) -> UNet:
    torch.manual_seed(seed)
    model = UNet(channels=(4, 8), kernel_size=5, attention=attention, dropout=0.0)
    with torch.no_grad():  # non-trivial batch-norm statistics and PReLU slopes
        for name, p in model.named_parameters():
            if "act" in name:
                p.uniform_(-0.5, 0.5)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def test_unet_target_is_the_sum_of_logits_over_the_mask_and_deeplift_sums_to_it():
    """PReLU gets the rescale rule (registered by bindscope.stages.interpret): contributions sum to f(x) - mean f(reference)."""
    model, x = _unet(), _seqs()
    refs = dinucleotide_shuffle(x, 4, 0)
    y_base = np.zeros((len(x), 60), dtype=np.uint8)
    y_base[:, 20:35] = 1
    y_base[0] = 0  # no labelled base: the whole window is the target
    mask = target_mask(y_base)
    attr = deep_lift_shap(model, x, refs, mask=mask)
    with torch.no_grad():
        fx = (model(torch.from_numpy(x).float()) * torch.from_numpy(mask)).sum(1)
        fr = (model(torch.from_numpy(refs).float().reshape(-1, 4, 60)) * torch.from_numpy(mask).repeat_interleave(4, 0)).sum(1)
    expected = (fx[:, None] - fr.reshape(len(x), 4)).mean(1).numpy()
    assert np.abs(expected).max() > 0.1  # not vacuous
    np.testing.assert_allclose(attr.contribution.sum(axis=(1, 2)), expected, atol=1e-3)


def test_unet_hypothetical_agrees_with_tangermeme():
    """tangermeme's own DeepLIFT treats PReLU with the rescale rule, as bindscope registers it for captum."""
    tangermeme = pytest.importorskip("tangermeme.deep_lift_shap")
    model, x = _unet(1), _seqs(n=6)
    refs = dinucleotide_shuffle(x, 8, 3)
    ours = deep_lift_shap(model, x, refs).hypothetical
    theirs = tangermeme.deep_lift_shap(
        SummedOutput(model),
        torch.from_numpy(x).float(),
        target=0,
        references=torch.from_numpy(refs).float(),
        hypothetical=True,
        warning_threshold=1e-2,
    ).numpy()
    r = np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]
    assert r >= 0.99, r


def test_convergence_delta_is_small_without_and_large_with_attention_gates():
    """Attention gates multiply two input-dependent tensors, which no DeepLIFT rule covers: the check must show it."""
    x = _seqs()
    refs = dinucleotide_shuffle(x, 4, 0)
    plain, gated = _unet(0), _unet(0, attention=True)
    assert convergence_delta(plain, x, refs, deep_lift_shap(plain, x, refs).contribution).max() < 1e-3
    assert convergence_delta(gated, x, refs, deep_lift_shap(gated, x, refs).contribution).max() > 1e-2


def test_attribution_works_under_global_deterministic_mode():
    """captum's max-pool rule uses max_unpool (no deterministic kernel): it warns, not raises, and the mode is restored."""
    model, x = _model(), _seqs(n=2)
    torch.use_deterministic_algorithms(True)
    try:
        attr = deep_lift_shap(model, x, dinucleotide_shuffle(x, 2, 0))
        assert torch.are_deterministic_algorithms_enabled() and not torch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        torch.use_deterministic_algorithms(False)
    assert np.isfinite(attr.hypothetical).all()


def test_contributions_do_not_depend_on_the_batch_size():
    """Contributions are equal; hypothetical scores of absent bases may differ where a multiplier's
    denominator is near zero (captum's rescale rule then falls back to the gradient)."""
    model, x = _model(), _seqs(n=7)
    refs = dinucleotide_shuffle(x, 3, 0)
    small, large = deep_lift_shap(model, x, refs, batch_size=3), deep_lift_shap(model, x, refs, batch_size=64)
    np.testing.assert_allclose(large.contribution, small.contribution, atol=1e-5)
    assert np.corrcoef(large.hypothetical.ravel(), small.hypothetical.ravel())[0, 1] > 0.98


def test_resolve_device_names_what_is_missing():
    from bindscope.attribution import resolve_device

    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="accelerator"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            resolve_device("gpu")


@pytest.mark.gpu
def test_gpu_scores_match_the_cpu_scores():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    model, x = _model(), _seqs(n=16)
    refs = dinucleotide_shuffle(x, 4, 0)
    cpu = deep_lift_shap(model, x, refs).hypothetical
    gpu = deep_lift_shap(model, x, refs, batch_size=1024, device="cuda").hypothetical
    np.testing.assert_allclose(gpu, cpu, atol=1e-4, rtol=1e-3)


# --- the gradient family and in-silico mutagenesis ---------------------------------------------


class MotifDetector(torch.nn.Module):
    """A model whose answer is known: the best match of one motif (a fixed filter), soft-plus'd; one logit per sequence."""

    per_base = False

    def __init__(self, motif: np.ndarray):
        super().__init__()
        self.conv = torch.nn.Conv1d(4, 1, motif.shape[1], bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy(2.0 * motif - 0.5).float()[None])
        self.act = torch.nn.Softplus()
        self.pool = torch.nn.MaxPool1d(60 - motif.shape[1] + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.act(self.conv(x) - 4.0))[:, :, 0]


def _planted(n: int = 12, at: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Random sequences with the 8-mer GATTACAG planted at ``at``, and the motif's one-hot (4, 8)."""
    motif = one_hot_codes(np.frombuffer(b"GATTACAG", dtype=np.uint8) % 32 // 2 % 4)  # any fixed 8-mer
    x = _seqs(n=n)
    x[:, :, at : at + 8] = motif
    return x, motif


def _gradient(model, x: np.ndarray) -> np.ndarray:
    xt = torch.from_numpy(x).float().requires_grad_()
    model(xt)[:, 0].sum().backward()
    return xt.grad.numpy()


@pytest.mark.parametrize("method", ["deep_lift_shap", "saliency", "input_x_gradient", "integrated_gradients", "ism"])
def test_every_method_scores_the_planted_motif_highest(method):
    x, motif = _planted()
    model = MotifDetector(motif).eval()
    refs = dinucleotide_shuffle(x, 6, 0)
    attr = attribute(method, model, x, refs, None, batch_size=16, ig_steps=16, ig_references=6)
    assert attr.contribution.shape == x.shape
    top = attr.contribution.sum(axis=1).argmax(axis=1)
    assert ((top >= 25) & (top < 33)).mean() >= 0.9, top


def test_saliency_is_the_mean_centred_gradient():
    model, x = _model(), _seqs()
    grad = _gradient(model, x)
    attr = saliency(model, x, batch_size=4)
    np.testing.assert_allclose(attr.hypothetical, grad - grad.mean(axis=1, keepdims=True), atol=1e-5)
    np.testing.assert_allclose(attr.hypothetical.sum(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(attr.contribution, attr.hypothetical * x)


def test_input_x_gradient_is_the_raw_gradient_of_the_observed_base():
    model, x = _model(), _seqs()
    grad = _gradient(model, x)
    attr = input_x_gradient(model, x, batch_size=4)
    np.testing.assert_allclose(attr.contribution, grad * x, atol=1e-5)
    np.testing.assert_allclose(attr.hypothetical, grad, atol=1e-5)
    captum = InputXGradient(model).attribute(torch.from_numpy(x).float().requires_grad_(), target=0).detach().numpy()
    np.testing.assert_allclose(attr.contribution, captum, atol=1e-6)


def test_gradient_methods_agree_with_tangermeme_saliency():
    tangermeme = pytest.importorskip("tangermeme.saliency")
    model, x = _model(), _seqs(n=8)
    xt = torch.from_numpy(x).float()
    for ours, correction in ((saliency, True), (input_x_gradient, False)):
        theirs = tangermeme.saliency(model, xt, target=0, hypothetical=True, gradient_correction=correction, device="cpu").numpy()
        np.testing.assert_allclose(ours(model, x).hypothetical, theirs, atol=1e-5)


def test_integrated_gradients_sum_to_the_output_difference_and_converge_with_steps():
    model, x = _model(), _seqs()
    refs = dinucleotide_shuffle(x, 3, 0)
    deltas = [convergence_delta(model, x, refs, integrated_gradients(model, x, refs, steps=s).contribution) for s in (8, 1024)]
    with torch.no_grad():
        fx = model(torch.from_numpy(x).float())[:, 0]
        fr = model(torch.from_numpy(refs).float().reshape(-1, 4, 60))[:, 0].reshape(len(x), 3)
    scale = (fx[:, None] - fr).mean(1).abs().mean().item()
    assert scale > 0.1  # not vacuous
    # the path integral's quadrature error shrinks with steps (slowly on this deliberately sharp network)
    assert deltas[1].max() < 0.01 * scale and deltas[1].mean() < 0.1 * deltas[0].mean()


def test_integrated_gradients_do_not_depend_on_the_batch_size():
    model, x = _model(), _seqs(n=5)
    refs = dinucleotide_shuffle(x, 2, 0)
    small = integrated_gradients(model, x, refs, steps=8, batch_size=8)
    large = integrated_gradients(model, x, refs, steps=8, batch_size=1000)
    np.testing.assert_allclose(small.contribution, large.contribution, atol=1e-5)


def test_ism_is_every_substitution_by_brute_force():
    model, x = _model(), _seqs(n=3)
    effects = substitution_effects(model, x, batch_size=50)
    with torch.no_grad():
        f = lambda s: model(torch.from_numpy(s[None]).float())[0, 0].item()  # noqa: E731
        for n in range(3):
            for pos in (0, 17, 59):
                for base in range(4):
                    mutant = x[n].copy()
                    mutant[:, pos] = 0
                    mutant[base, pos] = 1
                    assert effects[n, base, pos] == pytest.approx(f(mutant) - f(x[n]), abs=1e-5)
    attr = ism(model, x)
    np.testing.assert_allclose(attr.hypothetical, effects - effects.mean(axis=1, keepdims=True), atol=1e-6)


def test_ism_agrees_with_tangermeme_saturation_mutagenesis():
    tangermeme = pytest.importorskip("tangermeme.saturation_mutagenesis")
    model, x = _model(), _seqs(n=4)
    theirs = tangermeme.saturation_mutagenesis(model, torch.from_numpy(x).float(), target=0, hypothetical=True, fast=False, device="cpu")
    np.testing.assert_allclose(ism(model, x).hypothetical, theirs.numpy(), atol=1e-5)


def test_unet_ism_explains_the_masked_sum_of_logits():
    model, x = _unet(), _seqs(n=2)
    mask = np.zeros((2, 60), dtype=np.float32)
    mask[:, 20:30] = 1
    effects = substitution_effects(model, x, mask=mask, batch_size=64)
    mutant = x[1].copy()
    mutant[:, 40] = np.eye(4, dtype=np.uint8)[(x[1][:, 40].argmax() + 1) % 4]
    with torch.no_grad():
        f = lambda s: (model(torch.from_numpy(s[None]).float())[0] * torch.from_numpy(mask[1])).sum().item()  # noqa: E731
    base = int(mutant[:, 40].argmax())
    assert effects[1, base, 40] == pytest.approx(f(mutant) - f(x[1]), abs=1e-4)


def test_agreement_is_one_for_the_same_track_and_matches_scipy():
    from scipy.stats import pearsonr, spearmanr

    rng = np.random.default_rng(0)
    x = _seqs(n=5)
    a, b = rng.normal(size=x.shape) * x, rng.normal(size=x.shape) * x
    same = agreement(a, a)
    np.testing.assert_allclose(same["pearson"], 1.0)
    np.testing.assert_allclose(same["spearman"], 1.0)
    scores = agreement(a, b)
    for i in range(5):
        assert scores["pearson"][i] == pytest.approx(pearsonr(a[i].sum(0), b[i].sum(0))[0])
        assert scores["spearman"][i] == pytest.approx(spearmanr(a[i].sum(0), b[i].sum(0))[0])
    assert np.isnan(agreement(np.zeros_like(a), b)["pearson"]).all()  # a constant track has no correlation
