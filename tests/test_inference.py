import numpy as np
import torch

from bindscope import models
from bindscope.inference import predict, predict_probabilities, sequence_scores, strand_averaged_logits
from bindscope.models.cnn import CNN
from bindscope.models.unet import UNet
from bindscope.sequence import reverse_complement


def _one_hot(n: int, length: int, seed: int = 0) -> np.ndarray:
    codes = np.random.default_rng(seed).integers(0, 4, (n, length))
    return np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1).copy()


def _models() -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(0)
    return CNN(input_length=64, n_filters=8, n_filters2=8).eval(), UNet(channels=[4, 8]).eval()


def test_logits_are_the_mean_of_both_strands():
    x = _one_hot(10, 64)
    for model in _models():
        with torch.no_grad():
            forward = model(torch.from_numpy(x))
            reverse = model(torch.from_numpy(reverse_complement(x).copy()))
        per_base = models.is_per_base(model)
        reverse = reverse.flip(1) if per_base else reverse  # a per-base track, back to x's order
        expected = ((forward + reverse) / 2).numpy()
        got = strand_averaged_logits(model, x, batch_size=3)
        np.testing.assert_allclose(got, expected if per_base else expected[:, 0], rtol=1e-5, atol=1e-6)


def test_a_window_and_its_reverse_complement_score_the_same():
    x = _one_hot(7, 64, seed=1)
    rc = reverse_complement(x).copy()
    cnn, unet = _models()
    np.testing.assert_array_equal(predict_probabilities(cnn, x), predict_probabilities(cnn, rc))
    np.testing.assert_array_equal(predict_probabilities(unet, x), predict_probabilities(unet, rc)[:, ::-1])
    np.testing.assert_array_equal(predict(unet, x), sequence_scores(predict_probabilities(unet, rc)))


def test_batch_size_and_empty_input():
    x = _one_hot(9, 64, seed=2)
    cnn, unet = _models()
    for model in (cnn, unet):
        np.testing.assert_allclose(predict_probabilities(model, x, 2), predict_probabilities(model, x, 256), atol=1e-6)
    assert predict_probabilities(cnn, x[:0]).shape == (0,)
    assert predict_probabilities(unet, x[:0]).shape == (0, 64)
