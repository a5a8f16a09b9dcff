import pytest

from bindscope.shifts import max_shift, training_flank


def test_one_number_shifts_every_model_and_a_mapping_shifts_by_name():
    assert max_shift(10, "cnn") == max_shift(10, "unet") == 10
    by_model = {"cnn": 10, "unet": 100}
    assert (max_shift(by_model, "cnn"), max_shift(by_model, "unet"), max_shift(by_model, "other")) == (10, 100, 0)


@pytest.mark.parametrize(
    ("setting", "models", "flank"),
    [({"cnn": 10, "unet": 100}, ["cnn", "unet"], 100), ({"cnn": 10, "unet": 100}, ["cnn"], 10), (25, ["cnn", "unet"], 25), (25, [], 0)],
)
def test_the_flank_covers_the_largest_shift_of_the_models_trained(setting, models, flank):
    assert training_flank(setting, models) == flank
