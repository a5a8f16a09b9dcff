import pytest
import torch

from bindscope.models import build, load
from bindscope.models.cnn import CNN


@pytest.mark.parametrize("length", [100, 200, 203])
def test_cnn_gives_one_logit_per_sequence(length, device):
    model = CNN(input_length=length).to(device)
    assert model(torch.zeros(3, 4, length, device=device)).shape == (3, 1)


def test_no_relu_next_to_maxpool():
    """captum's DeepLIFT breaks when two hooked non-linearities are adjacent (NOTES.md pitfall 1)."""
    names = [type(m).__name__ for m in CNN().children()]
    for a, b in zip(names, names[1:], strict=False):
        assert {a, b} != {"ReLU", "MaxPool1d"}


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
