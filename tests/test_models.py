import inspect
from pathlib import Path

import pytest
import torch
import yaml

from bindscope.errors import InputError
from bindscope.models import REGISTRY, build, is_per_base, load, takes_input_length, trained_window
from bindscope.models.cnn import CNN
from bindscope.models.unet import UNet


@pytest.mark.parametrize("length", [100, 200, 203])
def test_cnn_gives_one_logit_per_sequence(length, device):
    model = CNN(input_length=length).to(device)
    assert model(torch.zeros(3, 4, length, device=device)).shape == (3, 1)


@pytest.mark.parametrize("options", [{"base_head": False, "scan_skip": False}, {"batch_norm": True}, {}])
def test_no_relu_next_to_maxpool(options):
    """captum's DeepLIFT breaks when two hooked non-linearities are adjacent (ReLU then MaxPool1d fails summation-to-delta)."""
    names = [type(m).__name__ for m in CNN(input_length=100, **options).children()]
    for a, b in zip(names, names[1:], strict=False):
        assert {a, b} != {"ReLU", "MaxPool1d"}


def test_cnn_base_head_is_for_training_only():
    torch.manual_seed(0)
    model = CNN(input_length=203, batch_norm=True, base_head=True).eval()
    x = torch.rand(3, 4, 203)
    logits, bases = model.forward_with_bases(x)
    assert bases.shape == (3, 203 // 4)
    torch.testing.assert_close(model(x), logits)  # predictions and attributions never see the head
    assert CNN(input_length=203, base_head=False).base_head is None


def test_cnn_scan_skip_reads_each_first_filter_maximum():
    torch.manual_seed(0)
    model = CNN(input_length=50, n_filters=3, n_filters2=2, dropout=0.0, scan_skip=True).eval()
    assert model.dense.in_features == 2 + 3
    with torch.no_grad():  # the logit becomes the first filter's maximum over the sequence
        model.dense.weight.copy_(torch.tensor([[0.0, 0.0, 1.0, 0.0, 0.0]]))
        model.dense.bias.zero_()
        x = torch.rand(4, 4, 50)
        torch.testing.assert_close(model(x)[:, 0], torch.relu(model.conv1(x))[:, 0].amax(dim=1))
    assert CNN(input_length=50, scan_skip=False).scan_pool is None


def test_build_rejects_unknown_model():
    with pytest.raises(ValueError, match="unknown model 'transformer'"):
        build("transformer")


def test_load_restores_weights_from_a_lightning_checkpoint(tmp_path):
    model = CNN(input_length=50, n_filters=4, n_filters2=4)
    state = {
        "hyper_parameters": {"model_name": "cnn", "model_params": {"input_length": 50, "n_filters": 4, "n_filters2": 4}},
        "state_dict": {f"model.{k}": v for k, v in model.state_dict().items()},
    }
    torch.save(state, tmp_path / "m.ckpt")
    loaded, hparams = load(tmp_path / "m.ckpt")
    x = torch.rand(2, 4, 50)
    assert not loaded.training and hparams["model_name"] == "cnn"
    torch.testing.assert_close(loaded(x), model.eval()(x))


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("length", [1, 63, 100, 200, 401])
def test_unet_gives_one_logit_per_base(length, attention, device):
    model = UNet(channels=(8, 16, 16), attention=attention).to(device)
    out = model(torch.rand(3, 4, length, device=device))
    assert out.shape == (3, length)


@pytest.mark.parametrize("attention", [False, True])
def test_unet_gradient_reaches_first_block_through_the_skip_path(attention):
    """With the first down-sampling cut (zero weights), only the skip connection links block 1 to the output."""
    torch.manual_seed(0)
    model = UNet(channels=(8, 16), attention=attention).eval()
    with torch.no_grad():
        model.down[0].weight.zero_()
        model.down[0].bias.zero_()
    x = torch.rand(2, 4, 50, requires_grad=True)
    model(x).sum().backward()
    grad = model.encoder[0].conv1.weight.grad
    assert grad is not None and grad.abs().sum() > 0  # the first block learns through the skip alone
    assert x.grad.abs().sum() > 0


def test_unet_output_depends_on_the_whole_window():
    """Bottleneck context: the logit at one end responds to a base at the other end."""
    torch.manual_seed(0)
    model = UNet().eval()
    x = torch.zeros(1, 4, 200, requires_grad=True)
    model(x)[0, 0].backward()
    assert x.grad[0, :, 150:].abs().sum() > 0


def test_models_declare_what_they_predict():
    assert is_per_base(UNet()) and not is_per_base(CNN(input_length=50))
    assert takes_input_length("cnn") and not takes_input_length("unet") and not takes_input_length("nope")


def test_no_two_nonlinear_modules_adjacent_in_unet_blocks():
    block = UNet().encoder[0]
    names = [type(m).__name__ for m in block.children()]
    nonlinear = {"PReLU", "ReLU", "Sigmoid", "MaxPool1d"}
    for a, b in zip(names, names[1:], strict=False):
        assert not {a, b} <= nonlinear, names


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_class_default_is_the_shipped_configuration(name):
    """config/config.yaml names every architecture parameter (the window aside) with the class's own default."""
    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "config.yaml").read_text())
    defaults = {k: p.default for k, p in inspect.signature(REGISTRY[name]).parameters.items() if k != "input_length"}
    shipped = config["architecture"][name]
    assert set(shipped) == set(defaults)
    assert {k: list(v) if isinstance(v, tuple) else v for k, v in defaults.items()} == shipped


def test_the_window_is_read_from_the_checkpoint(tmp_path):
    assert trained_window({"window": 400, "model_params": {}}, "m.ckpt") == 400
    assert trained_window({"model_params": {"input_length": 200}}, "m.ckpt") == 200  # a CNN from before the window was kept
    with pytest.raises(InputError, match="m.ckpt: the checkpoint does not say its window length"):
        trained_window({"model_params": {}}, "m.ckpt")
