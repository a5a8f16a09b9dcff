import json

import numpy as np
import pandas as pd
import pytest
import torch

from bindscope import models
from bindscope.inference import predict, predict_probabilities
from bindscope.io import save_encoded
from bindscope.scoring import binary_metrics
from bindscope.sequence import one_hot_codes
from bindscope.stages.train import run
from conftest import train_options

MOTIF = np.array([2, 0, 3, 0, 1, 0, 2, 2], dtype=np.uint8)  # GATACAGG


def _split(path, n, rng):
    codes = rng.integers(0, 4, (n, 60)).astype(np.uint8)
    y = (np.arange(n) % 2).astype(np.uint8)
    y_base = np.zeros((n, 60), np.uint8)
    for i in np.flatnonzero(y):
        at = rng.integers(10, 42)
        codes[i, at : at + 8] = MOTIF
        y_base[i, at : at + 8] = 1
    save_encoded(path, x=one_hot_codes(codes), y=y, y_base=y_base, chrom=np.array(["c"] * n), start=np.arange(n))


def _train(tmp_path, model: str, **options):
    tmp_path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", 400), ("val", 100), ("test", 100)):
        _split(tmp_path / f"{split}.npz", n, rng)
    out = tmp_path / "m"
    files = {"ckpt": str(out / "model.ckpt"), "log": str(out / "log.csv"), "hparams": str(out / "hparams.yaml")}
    settings = train_options(model) | {"threads": 1, "seed": 0} | options
    run(str(tmp_path / "train.npz"), str(tmp_path / "val.npz"), model, files, **settings)
    return out


def test_cnn_learns_a_planted_motif(tmp_path):
    out = _train(tmp_path, "cnn", model_params={"n_filters": 8, "n_filters2": 8}, lr=1e-2, max_epochs=25, patience=25)
    log = pd.read_csv(out / "log.csv")
    assert {"epoch", "train_loss", "val_auprc", "val_auroc"} <= set(log.columns) and len(log) >= 1
    assert "model_name: cnn" in (out / "hparams.yaml").read_text()
    model, hparams = models.load(out / "model.ckpt")
    assert hparams["model_params"]["input_length"] == 60
    data = np.load(tmp_path / "test.npz")
    assert binary_metrics(data["y"], predict(model, data["x"]), 0.5)["auroc"] > 0.95
    assert not list(out.glob(".*"))  # no temporary files left
    json.dumps(hparams)  # hyper-parameters are plain data


@pytest.mark.parametrize("scan_skip", [False, True])
def test_cnn_with_a_base_head_learns_a_planted_motif(tmp_path, scan_skip):
    params = {"n_filters": 8, "n_filters2": 8, "base_head": True, "batch_norm": True, "scan_skip": scan_skip}
    out = _train(tmp_path, "cnn", model_params=params, lr=1e-2, max_epochs=15, patience=15, base_loss_weight=1.0)
    model, hparams = models.load(out / "model.ckpt")
    assert model.base_head is not None and hparams["base_loss_weight"] == 1.0
    data = np.load(tmp_path / "test.npz")
    assert binary_metrics(data["y"], predict(model, data["x"]), 0.5)["auroc"] > 0.95
    with torch.no_grad():
        bases = torch.sigmoid(model.forward_with_bases(torch.from_numpy(data["x"]).float())[1]).numpy()
    at_site = data["y_base"][:, : bases.shape[1] * 4].reshape(len(bases), -1, 4).max(axis=2)
    assert binary_metrics(at_site.ravel(), bases.ravel(), 0.5)["auroc"] > 0.9  # the head learnt where the motif is


def test_unet_learns_where_the_motif_is(tmp_path):
    out = _train(tmp_path, "unet", model_params={"channels": [8, 16]}, lr=1e-2, max_epochs=15, patience=15, max_shift=0, pos_weight=2.0)
    log = pd.read_csv(out / "log.csv")
    assert {"val_auprc", "val_base_auprc", "val_base_auroc"} <= set(log.columns)
    model, hparams = models.load(out / "model.ckpt")
    assert hparams["pos_weight"] == 2.0 and "input_length" not in hparams["model_params"]
    data = np.load(tmp_path / "test.npz")
    prob = torch.sigmoid(model(torch.from_numpy(data["x"]).float())).detach().numpy()
    assert binary_metrics(data["y_base"].ravel(), prob.ravel(), 0.5)["auroc"] > 0.95  # per base
    assert binary_metrics(data["y"], predict(model, data["x"]), 0.5)["auroc"] > 0.95  # per sequence: maximum probability


def _centred_split(path, n: int, rng, window: int, flank: int) -> None:
    """Windows with the motif at the centre of each positive (as peaks on their summits), with ``flank`` bp of flanks."""
    codes = rng.integers(0, 4, (n, window + 2 * flank)).astype(np.uint8)
    y = (np.arange(n) % 2).astype(np.uint8)
    y_base = np.zeros(codes.shape, np.uint8)
    at = flank + window // 2 - len(MOTIF) // 2
    codes[y == 1, at : at + len(MOTIF)] = MOTIF
    y_base[y == 1, at : at + len(MOTIF)] = 1
    x, inner = one_hot_codes(codes), slice(flank, flank + window)
    arrays = {"x": x[..., inner], "y": y, "y_base": y_base[:, inner], "chrom": np.array(["c"] * n), "start": np.arange(n)}
    if flank:
        arrays |= {"x_left": x[..., :flank], "x_right": x[..., flank + window :]}
        arrays |= {"y_base_left": y_base[:, :flank], "y_base_right": y_base[:, flank + window :]}
    save_encoded(path, **arrays)


@pytest.mark.parametrize("max_shift", [0, 30])
def test_a_unet_trained_on_shifted_windows_answers_wherever_the_site_sits(tmp_path, max_shift):
    """Issue 29: training windows always centred on their site teach the U-Net where sites usually are.

    Trained on the same centred windows, cropped from their 30 bp flanks at shifts of up to +/- 30 bp
    (half the window; the shipped U-Net's 100 bp are a quarter of 400), the U-Net gives the planted site the same
    probability (spread over positions measured 0.065, between even and odd offsets: the U-Net halves
    its resolution by strided convolutions; tolerance 0.1) wherever it sits at least a
    tiling margin (a quarter window) from the edges, and puts its maximum on the site. Without the
    shifts the same model finds the site only near the centre (measured: 0.01-0.91 by position).
    """
    window, rng = 60, np.random.default_rng(0)
    _centred_split(tmp_path / "train.npz", 400, rng, window, 30)
    _centred_split(tmp_path / "val.npz", 100, rng, window, 0)
    files = {"ckpt": str(tmp_path / "m.ckpt"), "log": str(tmp_path / "log.csv"), "hparams": str(tmp_path / "h.yaml")}
    settings = train_options("unet") | {"threads": 1, "seed": 0, "model_params": {"channels": [8, 16]}, "lr": 1e-2}
    settings |= {"max_epochs": 15, "patience": 15, "max_shift": max_shift, "pos_weight": 2.0}
    run(str(tmp_path / "train.npz"), str(tmp_path / "val.npz"), "unet", files, **settings)
    model, _ = models.load(files["ckpt"])
    sequence = np.random.default_rng(5).integers(0, 4, 400).astype(np.uint8)
    site = 200
    sequence[site : site + len(MOTIF)] = MOTIF
    margin = window // 4
    offsets = np.arange(margin, window - margin - len(MOTIF) + 1)  # where the site sits in each window
    prob = predict_probabilities(model, one_hot_codes(np.stack([sequence[site - o : site - o + window] for o in offsets])))
    at_site = np.array([prob[i, o : o + len(MOTIF)].mean() for i, o in enumerate(offsets)])
    maxima = np.array([np.argmax(prob[i, margin : window - margin]) + margin - o for i, o in enumerate(offsets)])
    if max_shift:
        assert at_site.min() > 0.9 and np.ptp(at_site) < 0.1, at_site.round(3)
        assert ((maxima >= 0) & (maxima < len(MOTIF))).all(), maxima
    else:  # the test can tell: centred training leaves a position-dependent answer
        assert np.ptp(at_site) > 0.5 and at_site.min() < 0.1, at_site.round(3)


def test_training_leaves_torch_deterministic_mode_as_it_found_it(tmp_path):
    """Lightning's deterministic=True turns torch's global flag on; later work in the same process
    (e.g. captum's max-pool rule, which has no deterministic kernel) must not inherit it."""
    assert not torch.are_deterministic_algorithms_enabled() and not torch.backends.mkldnn.deterministic
    _train(tmp_path, "cnn", model_params={"n_filters": 4, "n_filters2": 4}, max_epochs=1)
    assert not torch.are_deterministic_algorithms_enabled() and not torch.backends.mkldnn.deterministic


def test_schedules_and_min_epochs(tmp_path):
    """onecycle and plateau train and are saved with the model; early stopping waits for min_epochs."""
    small = {"n_filters": 4, "n_filters2": 4}
    runs = {name: tmp_path / name for name in ("onecycle", "plateau", "early")}
    for folder in runs.values():
        folder.mkdir()
    out = _train(runs["onecycle"], "cnn", model_params=small | {"batch_norm": True}, lr_schedule="onecycle", max_epochs=4)
    assert models.load(out / "model.ckpt")[1]["lr_schedule"] == "onecycle"
    out = _train(runs["plateau"], "cnn", model_params=small, lr_schedule="plateau", max_epochs=8, min_epochs=8, patience=1)
    early = _train(runs["early"], "cnn", model_params=small, lr_schedule="plateau", max_epochs=8, min_epochs=0, patience=1)
    assert len(pd.read_csv(out / "log.csv")) == 8 > len(pd.read_csv(early / "log.csv"))


def test_an_unknown_schedule_is_refused(tmp_path):
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        _train(tmp_path, "cnn", model_params={"n_filters": 4, "n_filters2": 4}, lr_schedule="cyclic", max_epochs=1)


def test_restarts_keep_the_best_validation_auprc(tmp_path):
    out = _train(tmp_path, "cnn", model_params={"n_filters": 2, "n_filters2": 2}, max_epochs=2, restarts=3)
    log = pd.read_csv(out / "log.csv")
    assert sorted(log["restart"].unique()) == [0, 1, 2]
    best = log.groupby("restart")["val_auprc"].max()
    kept = log.loc[log["kept"], "restart"].unique()
    assert len(kept) == 1 and best[kept[0]] == best.max()
    assert models.load(out / "model.ckpt")[0] is not None and not list(out.glob(".*"))


def test_only_the_best_start_goes_on_and_it_trains_as_if_never_stopped(tmp_path):
    """Two starts compete for one epoch; the better goes on to epoch 3 exactly as it would have trained alone."""
    small = {"model_params": {"n_filters": 2, "n_filters2": 2}, "max_epochs": 3, "patience": 10}
    out = _train(tmp_path / "restarts", "cnn", restarts=2, restart_validations=1, **small)
    log = pd.read_csv(out / "log.csv")
    kept = int(log.loc[log["kept"], "restart"].iloc[0])
    assert log.groupby("restart")["epoch"].apply(list).to_dict() == {kept: [0, 1, 2], 1 - kept: [0]}
    first_epoch = log[log["epoch"] == 0].set_index("restart")["val_auprc"]
    assert first_epoch[kept] == first_epoch.max()

    alone = _train(tmp_path / "alone", "cnn", restarts=1, seed=kept, **small)
    alone_log = pd.read_csv(alone / "log.csv")
    columns = ["epoch", "step", "val_auprc", "val_auroc", "val_loss", "train_loss"]
    pd.testing.assert_frame_equal(log.loc[log["kept"], columns].reset_index(drop=True), alone_log[columns])
    resumed, alone_model = (models.load(path / "model.ckpt")[0].state_dict() for path in (out, alone))
    assert all(torch.equal(resumed[k], alone_model[k]) for k in alone_model)


def test_validation_interval_splits_long_epochs_evenly():
    from bindscope.stages.train import validation_interval

    assert validation_interval(100, 500) == 1.0  # a short epoch: validated once, at its end
    assert validation_interval(500, 500) == 1.0
    assert validation_interval(2083, 500) == 0.2  # 66,656 windows in batches of 32: five validations
    with pytest.raises(ValueError, match="val_every_steps"):
        validation_interval(10, 0)


def test_long_epochs_are_validated_and_stopped_within_the_epoch(tmp_path):
    """400 windows in batches of 8 are 50 steps: validated every 10, with patience counted in validations."""
    small = {"n_filters": 4, "n_filters2": 4}
    out = _train(tmp_path, "cnn", model_params=small, batch_size=8, val_every_steps=10, max_epochs=2, patience=50)
    log = pd.read_csv(out / "log.csv")
    assert len(log) == 10 and list(log["epoch"]) == [0] * 5 + [1] * 5
    assert log["step"].is_monotonic_increasing and log["train_loss"].notna().all()


def test_precision_auto_is_full_on_cpu_and_unknown_names_fail():
    from bindscope.stages.train import resolve_precision

    assert resolve_precision("auto", "cpu") == "32-true"
    assert resolve_precision("bf16-mixed", "cpu") == "bf16-mixed"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("fp8", "cpu")


@pytest.mark.gpu
def test_training_on_the_gpu_keeps_the_set_there_and_learns(tmp_path):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    from bindscope.data import EncodedDataModule
    from bindscope.stages.train import resolve_precision

    out = _train(tmp_path, "cnn", model_params={"n_filters": 16}, lr=1e-2, max_epochs=25, patience=25, accelerator="gpu")
    data = EncodedDataModule(str(tmp_path / "train.npz"), str(tmp_path / "val.npz"))
    data.setup()
    data.move_to_device(torch.device("cuda"))
    assert all(t.is_cuda for t in data.datasets["train"].tensors)
    assert resolve_precision("auto", "gpu") in ("bf16-mixed", "32-true")
    model, _ = models.load(out / "model.ckpt")
    test = np.load(tmp_path / "test.npz")
    assert binary_metrics(test["y"], predict(model, test["x"]), 0.5)["auroc"] > 0.9
