from pathlib import Path

from bindscope.cli import build_parser, main
from bindscope.errors import InputError


def test_bad_input_is_one_line_and_exit_code_1(tmp_path, capsys):
    code = main(
        ["regions", "--peaks", str(tmp_path / "absent.bed"), "--genome", str(tmp_path / "g.fa"), "--out-regions", "r", "--out-qc", "q"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1 and err == f"error: {tmp_path / 'g.fa'}: no such FASTA file"


def test_flags_left_out_are_not_passed():
    args = vars(build_parser().parse_args(["interpret", "--ckpt", "m", "--encoded", "e", "--out", "o", "--n-references", "5"]))
    assert args == {"stage": "interpret", "ckpt": "m", "encoded": "e", "out": "o", "n_references": 5}


def test_a_failing_step_removes_the_outputs_it_wrote(tmp_path, capsys, monkeypatch):
    """A stage that wrote one output and then failed leaves nothing that looks finished."""
    import bindscope.regions

    def writes_qc_then_fails(out_qc, out_regions, **_):
        Path(out_qc).write_text("{}")
        raise InputError("peaks.bed", "line 9", "bad record found after qc.json was written")

    monkeypatch.setattr(bindscope.regions, "run", writes_qc_then_fails)
    (tmp_path / "kept.tsv").write_text("an older file beside the outputs")
    args = ["regions", "--peaks", "p", "--genome", "g", "--out-regions", str(tmp_path / "r.tsv.gz"), "--out-qc", str(tmp_path / "qc.json")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"removed partial output {tmp_path / 'qc.json'}" in err and "error: peaks.bed line 9: bad record" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.tsv"]


def test_sigterm_during_training_leaves_no_partial_files(tmp_path):
    """A scheduler's SIGTERM (scancel, time limit) mid-training: exit 143, no outputs, no temporaries."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import numpy as np

    from bindscope.io import save_encoded
    from bindscope.sequence import one_hot_codes

    rng = np.random.default_rng(0)
    for split in ("train", "val"):
        save_encoded(tmp_path / f"{split}.npz", x=one_hot_codes(rng.integers(0, 4, (64, 50)).astype(np.uint8)),
                     y=(np.arange(64) % 2).astype(np.uint8), y_base=np.zeros((64, 50), np.uint8))  # fmt: skip
    out = tmp_path / "model"
    cmd = [sys.executable, "-m", "bindscope", "train", "--train", str(tmp_path / "train.npz"), "--val", str(tmp_path / "val.npz")]
    cmd += [
        "--model",
        "cnn",
        "--out-ckpt",
        str(out / "model.ckpt"),
        "--out-log",
        str(out / "log.csv"),
        "--out-hparams",
        str(out / "h.yaml"),
    ]
    cmd += ["--max-epochs", "100000", "--patience", "100000", "--model-params", '{"n_filters": 4, "n_filters2": 4}']
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ)
    deadline = time.monotonic() + 120
    while not list(out.glob(".model.ckpt.bindscope-tmpdir.*/**/*.ckpt")):  # training is under way
        assert process.poll() is None and time.monotonic() < deadline, process.stdout.read() if process.poll() is not None else ""
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    assert list(out.iterdir()) == []
