"""Stage 3, train: the one LightningModule that trains every architecture, and the Trainer set-up."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import lightning as L
import pandas as pd
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint, TQDMProgressBar
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torchmetrics import MetricCollection
from torchmetrics.classification import BinaryAUROC, BinaryAveragePrecision

from bindscope.data import EncodedDataModule
from bindscope.io import atomic_path, temporary_dir
from bindscope.layout import MODEL, check_outputs
from bindscope.models import build, is_per_base, takes_input_length
from bindscope.sequence import ALPHABET


def package_versions() -> dict[str, str]:
    """Versions of bindscope and of the libraries a trained model depends on."""
    import bindscope

    return {"bindscope": bindscope.__version__, "torch": str(torch.__version__), "lightning": str(L.__version__)}


class BindingModule(L.LightningModule):
    """Holds a model, its loss and its metrics; the same module trains every architecture.

    A per-sequence model (``per_base`` False, (N, 1) logits) learns ``y`` with binary
    cross-entropy. A per-base model ((N, L) logits) learns ``y_base`` with binary
    cross-entropy weighted by ``pos_weight`` on positive bases, and is also scored per
    sequence by its maximum per-base probability, so that ``val_auroc``/``val_auprc`` mean the
    same for every model; its per-base metrics are ``val_base_auroc``/``val_base_auprc``.

    Parameters
    ----------
    model_name : str
        A name in :data:`bindscope.models.REGISTRY`.
    model_params : dict
        Keyword arguments of the architecture.
    window : int
        Length (bp) of the windows the model reads: predict, variants and tracks take it from the
        checkpoint.
    lr, weight_decay : float
        AdamW settings.
    pos_weight : float
        Weight of positive bases in a per-base model's loss (ignored for per-sequence models).
    base_loss_weight : float
        Weight of the per-base loss of a per-sequence model with an auxiliary base head (the CNN's
        ``base_head``): its binary cross-entropy against ``y_base`` max-pooled to the head's
        resolution, with ``pos_weight``, added to the sequence loss.
    lr_schedule : str
        "constant"; "onecycle" (warm-up over the first 10 % of max_epochs' steps to ``lr``, then
        cosine annealing); or "plateau" (``lr`` divided by 3 after 3 epochs without a better
        validation AUPRC).
    training : dict
        The rest of the training settings (batch size, epochs, shifts, strands, seed), kept in the
        checkpoint beside the model's alphabet and the versions it was trained with.
    """

    #: Learning-rate schedules :meth:`configure_optimizers` knows.
    SCHEDULES = ("constant", "onecycle", "plateau")

    def __init__(
        self,
        model_name: str,
        model_params: dict,
        *,
        window: int,
        lr: float,
        weight_decay: float,
        pos_weight: float,
        lr_schedule: str,
        base_loss_weight: float,
        training: dict | None = None,
    ):
        super().__init__()
        if lr_schedule not in self.SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {self.SCHEDULES}, got {lr_schedule!r}")
        self.save_hyperparameters()
        self.hparams.update(alphabet=ALPHABET, versions=package_versions())
        self.model = build(model_name, **model_params)
        self.per_base = is_per_base(self.model)
        self.loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight) if self.per_base else None)
        self.has_base_head = getattr(self.model, "base_head", None) is not None
        self.base_loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))
        metrics = MetricCollection({"auroc": BinaryAUROC(), "auprc": BinaryAveragePrecision()})
        self.val_metrics = metrics.clone(prefix="val_")
        self.test_metrics = metrics.clone(prefix="test_")
        if self.per_base:
            self.val_base_metrics = metrics.clone(prefix="val_base_")
            self.test_base_metrics = metrics.clone(prefix="test_base_")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def _logits_and_target(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        x, y, y_base = batch
        logits = self(x)
        return (logits, y_base) if self.per_base else (logits[:, 0], y)

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:
        if self.has_base_head:
            loss = self._loss_with_bases(batch)
        else:
            logits, target = self._logits_and_target(batch)
            loss = self.loss(logits, target)
        self.log("train_loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(batch[1]))
        return loss

    def _loss_with_bases(self, batch) -> torch.Tensor:
        """Sequence loss plus ``base_loss_weight`` x the base head's loss against y_base max-pooled to its bins."""
        x, y, y_base = batch
        logits, base_logits = self.model.forward_with_bases(x)
        pool = self.model.pool
        bins = nn.functional.max_pool1d(y_base[:, None, : base_logits.shape[-1] * pool], pool)[:, 0]
        return self.loss(logits[:, 0], y) + self.hparams.base_loss_weight * self.base_loss(base_logits, bins)

    def validation_step(self, batch, batch_idx: int) -> None:
        self._eval_step(batch, "val")

    def test_step(self, batch, batch_idx: int) -> None:
        self._eval_step(batch, "test")

    def _eval_step(self, batch, split: str) -> None:
        logits, target = self._logits_and_target(batch)
        self.log(f"{split}_loss", self.loss(logits, target), on_epoch=True, prog_bar=True, batch_size=len(target))
        prob = torch.sigmoid(logits)
        metrics = getattr(self, f"{split}_metrics")
        if self.per_base:
            base_metrics = getattr(self, f"{split}_base_metrics")
            base_metrics.update(prob.flatten(), target.flatten().int())
            self.log_dict(base_metrics, on_epoch=True)
            metrics.update(prob.amax(dim=-1), batch[1].int())
        else:
            metrics.update(prob, target.int())
        self.log_dict(metrics, on_epoch=True, prog_bar=True)

    def configure_optimizers(self):
        # The fused kernel updates every parameter in one call: on CPU the U-Net's step took 58 ms
        # instead of 66 ms (batch 32, 2 threads), the per-tensor loop of small tensors being the rest.
        fused = self.device.type in ("cpu", "cuda")
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay, fused=fused)
        if self.hparams.lr_schedule == "onecycle":
            total = int(self.trainer.estimated_stepping_batches)
            scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=self.hparams.lr, total_steps=total, pct_start=0.1)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
        if self.hparams.lr_schedule == "plateau":
            scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=1 / 3, patience=3)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "monitor": "val_auprc", "interval": "epoch"}}
        return optimizer


class TorchRandomState(Callback):
    """Saves torch's global random state (dropout draws) in checkpoints and restores it on resume."""

    def state_dict(self) -> dict:
        state = {"cpu": torch.get_rng_state()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        torch.set_rng_state(state_dict["cpu"])
        if "cuda" in state_dict and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state_dict["cuda"])


#: Precisions :func:`resolve_precision` knows ("auto": bf16-mixed on a GPU that has bfloat16, else 32-true).
PRECISIONS = ("auto", "32-true", "16-mixed", "bf16-mixed")


def uses_gpu(accelerator: str) -> bool:
    """Whether Lightning's ``accelerator`` (auto, cpu, gpu, cuda) trains on a CUDA GPU here."""
    return accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available())


def resolve_precision(precision: str, accelerator: str) -> str:
    """Lightning's precision for ``precision``: "auto" is bf16-mixed on a CUDA GPU with bfloat16, 32-true otherwise."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision
    return "bf16-mixed" if uses_gpu(accelerator) and torch.cuda.is_bf16_supported() else "32-true"


def validation_interval(n_batches: int, val_every_steps: int) -> float:
    """Lightning's ``val_check_interval``: the fraction of an epoch between validations.

    An epoch of at most ``val_every_steps`` batches is validated once, at its end; a longer one
    k = ceil(n_batches / val_every_steps) times, at equal intervals (so a large set is
    checked, and can stop early, within an epoch).
    """
    if val_every_steps < 1:
        raise ValueError(f"val_every_steps must be at least 1, got {val_every_steps}")
    return 1.0 / max(1, math.ceil(n_batches / val_every_steps))


def fit(
    module: BindingModule,
    data: EncodedDataModule,
    workdir: str | os.PathLike,
    *,
    max_epochs: int,
    min_epochs: int,
    patience: int,
    min_delta: float,
    val_every_steps: int,
    accelerator: str,
    precision: str,
    resume: bool = False,
) -> tuple[str, pd.DataFrame, bool]:
    """Train with early stopping on validation AUPRC; return the best checkpoint, the validation log and whether it stopped early.

    Validation runs every epoch, or several times per epoch when an epoch is longer than
    ``val_every_steps`` batches (:func:`validation_interval`). Training stops after ``patience``
    validations without an AUPRC gain above ``min_delta``, but not before ``min_epochs``; the
    checkpoint kept is the validation with the best AUPRC. The log has one row per validation
    (epoch, step, its metrics, and the epoch's mean training loss). ``workdir`` also keeps the
    last epoch's checkpoint, from which ``resume`` goes on (weights, optimiser, early stopping,
    the best checkpoint so far and the data's random streams) up to a larger ``max_epochs``; the
    log then holds the resumed epochs only.
    """
    deterministic_before = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    checkpoint = ModelCheckpoint(
        dirpath=Path(workdir) / "checkpoints", filename="best", monitor="val_auprc", mode="max", save_top_k=1, save_last=True
    )
    stopping = EarlyStopping(monitor="val_auprc", mode="max", patience=patience, min_delta=min_delta)
    version = 1 if resume else 0
    data.setup()
    n_batches = math.ceil(len(data.datasets["train"]) / data.batch_size)
    trainer = L.Trainer(
        max_epochs=max_epochs,
        min_epochs=min_epochs,
        accelerator=accelerator,
        precision=resolve_precision(precision, accelerator),
        devices=1,
        # CUDA has no deterministic kernel for some backward passes: warn there rather than fail.
        deterministic="warn" if uses_gpu(accelerator) else True,
        val_check_interval=validation_interval(n_batches, val_every_steps),
        default_root_dir=workdir,
        callbacks=[
            stopping,
            checkpoint,
            TorchRandomState(),
            TQDMProgressBar(refresh_rate=25),
        ],
        logger=CSVLogger(workdir, name="log", version=version),
        enable_progress_bar=True,
        log_every_n_steps=1,
        enable_model_summary=True,
    )
    # Lightning's deterministic=True does not reach oneDNN (CPU convolutions): its multi-threaded
    # reductions may sum in a different order from run to run unless its own flag is on.
    mkldnn_before = torch.backends.mkldnn.deterministic
    torch.backends.mkldnn.deterministic = True
    try:
        trainer.fit(module, datamodule=data, ckpt_path=Path(workdir) / "checkpoints" / "last.ckpt" if resume else None)
    finally:  # Lightning's deterministic=True switches torch's global flag on: leave both as we found them
        torch.use_deterministic_algorithms(deterministic_before[0], warn_only=deterministic_before[1])
        torch.backends.mkldnn.deterministic = mkldnn_before
    log = validation_log(Path(workdir) / "log" / f"version_{version}" / "metrics.csv")
    return checkpoint.best_model_path, log, stopping.stopped_epoch > 0


def validation_log(metrics_csv: Path) -> pd.DataFrame:
    """One row per validation from Lightning's metrics.csv, with its epoch's mean training loss."""
    metrics = pd.read_csv(metrics_csv)
    val = metrics[metrics["val_auprc"].notna()].drop(columns="train_loss")
    train = metrics.loc[metrics["train_loss"].notna(), ["epoch", "train_loss"]]
    return val.merge(train, on="epoch", how="left").reset_index(drop=True)


def probe_epochs(restart_validations: int, n_batches: int, val_every_steps: int) -> int:
    """Whole epochs that hold at least ``restart_validations`` validations (:func:`validation_interval`)."""
    if restart_validations < 1:
        raise ValueError(f"restart_validations must be at least 1, got {restart_validations}")
    per_epoch = round(1 / validation_interval(n_batches, val_every_steps))
    return math.ceil(restart_validations / per_epoch)


def run(
    train: str,
    val: str,
    model: str,
    out: dict[str, str],
    *,
    model_params: dict,
    lr: float,
    weight_decay: float,
    pos_weight: float,
    lr_schedule: str,
    base_loss_weight: float,
    batch_size: int,
    max_epochs: int,
    min_epochs: int,
    patience: int,
    min_delta: float,
    max_shift: int,
    reverse_complement: bool,
    restarts: int,
    restart_validations: int,
    val_every_steps: int,
    accelerator: str,
    precision: str,
    threads: int,
    seed: int,
) -> None:
    """Train ``model`` on train.npz, select on val.npz, and write ``out``: ckpt, log (per epoch) and hparams.

    ``restarts`` models start, with seeds ``seed``, ``seed + 1``, ...; each trains for the whole
    epochs that hold ``restart_validations`` validations, and the one with the best validation
    AUPRC so far (the first on a tie) goes on training to the end: a start stalled on its initial
    plateau is dropped at the cost of a few epochs, not of a whole training. The log holds every
    restart's epochs (column ``restart``; ``kept`` marks the model written).
    """
    check_outputs(out, MODEL)
    torch.set_num_threads(threads)
    Path(out["ckpt"]).parent.mkdir(parents=True, exist_ok=True)
    losses = {"pos_weight": pos_weight, "base_loss_weight": base_loss_weight}
    stopping = {"min_epochs": min_epochs, "patience": patience, "min_delta": min_delta}
    stopping |= {"val_every_steps": val_every_steps, "accelerator": accelerator, "precision": precision}
    settings = {"batch_size": batch_size, "max_epochs": max_epochs, "max_shift": max_shift, "reverse_complement": reverse_complement}
    settings |= {"restarts": restarts, "restart_validations": restart_validations} | stopping

    def start(restart: int) -> tuple[BindingModule, EncodedDataModule]:
        L.seed_everything(seed + restart, workers=True)
        augment = {"max_shift": max_shift, "reverse_complement": reverse_complement, "seed": seed + restart}
        data = EncodedDataModule(train, val, batch_size=batch_size, **augment)
        data.setup()
        params = dict(model_params)
        if takes_input_length(model):
            params.setdefault("input_length", data.window)
        options = {"lr": lr, "weight_decay": weight_decay, "lr_schedule": lr_schedule, **losses}
        return BindingModule(model, params, window=data.window, training=settings | {"seed": seed + restart}, **options), data

    with temporary_dir(out["ckpt"]) as workdir:
        runs = []
        for restart in range(restarts):
            module, data = start(restart)
            epochs = max_epochs
            if restarts > 1:
                n_batches = math.ceil(len(data.datasets["train"]) / batch_size)
                epochs = min(max_epochs, probe_epochs(restart_validations, n_batches, val_every_steps))
            folder = Path(workdir) / f"restart_{restart}"
            best, log, stopped = fit(module, data, folder, max_epochs=epochs, **stopping)
            runs.append((best, log.assign(restart=restart), folder, stopped or epochs == max_epochs))
            print(f"restart {restart} (seed {seed + restart}): best val_auprc {log['val_auprc'].max():.4f} in {epochs} epochs")
        kept = max(range(restarts), key=lambda i: (runs[i][1]["val_auprc"].max(), -i))
        best, kept_log, folder, finished = runs[kept]
        if not finished:  # the best start goes on from its last epoch
            module, data = start(kept)
            best, log, _ = fit(module, data, folder, max_epochs=max_epochs, resume=True, **stopping)
            runs[kept] = (best, pd.concat([kept_log, log.assign(restart=kept)], ignore_index=True), folder, True)
            print(f"restart {kept} went on: best val_auprc {runs[kept][1]['val_auprc'].max():.4f}")
        log = pd.concat([r[1] for r in runs], ignore_index=True)
        log["kept"] = log["restart"] == kept
        with atomic_path(out["hparams"]) as tmp:
            shutil.copyfile(folder / "log" / "version_0" / "hparams.yaml", tmp)
        with atomic_path(out["log"]) as tmp:
            log.to_csv(tmp, index=False)
        with atomic_path(out["ckpt"]) as tmp:
            shutil.copyfile(best, tmp)
    chosen = log[log["kept"]]
    best_row = chosen.loc[chosen["val_auprc"].idxmax()]
    scores = f"val_auprc {best_row['val_auprc']:.4f} val_auroc {best_row['val_auroc']:.4f}"
    print(f"kept restart {kept}, best epoch {int(best_row['epoch'])} (step {int(best_row['step'])}): {scores}")
