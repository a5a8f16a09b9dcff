import dataclasses
import inspect
import json
import os
import signal
import subprocess
import sys
import time
import types
import typing
from pathlib import Path

import numpy as np
import pytest

from bindscope.cli import STAGES, argument_options, build_parser, dataclass_fields, flag_parameters, main, parse, stage_function
from bindscope.errors import InputError
from bindscope.io import save_encoded
from bindscope.sequence import one_hot_codes
from conftest import train_options

#: What a rule gives for each hint: the flag's text, and the value run() must receive.
SAMPLES = {
    int: (["7"], 7),
    float: (["0.25"], 0.25),
    str: (["a path/with space"], "a path/with space"),
    bool: (["false"], False),
    list[str]: (["chrI", "chr II"], ["chrI", "chr II"]),
    list[float]: (["0.1", "1"], [0.1, 1.0]),
    dict: (['{"channels": [8, 16]}'], {"channels": [8, 16]}),
    dict[str, str]: (["cnn=a.json", "unet=b=c.json"], {"cnn": "a.json", "unet": "b=c.json"}),
}


def sample(hint):
    """A flag value and its parsed form for a type hint (``X | None`` as X; Literal: its first choice)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        hint = args[0]
    if typing.get_origin(hint) is typing.Literal:
        return [typing.get_args(hint)[0]], typing.get_args(hint)[0]
    return SAMPLES[hint]


@pytest.mark.parametrize("stage", list(STAGES))
def test_every_run_keyword_is_reachable_from_the_command_line(stage):
    """The CLI is derived from run()'s signature: every parameter has a flag that gives run() the typed value."""
    func = stage_function(stage)
    hints = typing.get_type_hints(func)
    argv, expected = [stage], {}
    for name in inspect.signature(func).parameters:
        fields = dataclass_fields(hints[name])
        values = {}
        for field, hint in fields.items() if fields else [(name, hints[name])]:
            text, values[field] = sample(hint)
            argv += ["--" + field.replace("_", "-"), *text]
        expected[name] = hints[name](**values) if fields else values[name]
    assert parse(argv) == (stage, expected)


@pytest.mark.parametrize("stage", list(STAGES))
def test_run_keywords_without_a_default_are_required_and_none_has_a_config_default(stage):
    """Defaults are said once, in config/config.yaml: a run() keyword either has none or is optional (None)."""
    func = stage_function(stage)
    params = inspect.signature(func).parameters.values()
    assert [p.name for p in params if p.default not in (inspect.Parameter.empty, None)] == []
    for hint in typing.get_type_hints(func).values():
        assert not [f.name for f in dataclasses.fields(hint) if f.default is not dataclasses.MISSING] if dataclass_fields(hint) else True
    required = {name for name, (_, needed) in flag_parameters(func).items() if needed}
    with pytest.raises(SystemExit):
        build_parser([stage]).parse_args([stage])  # nothing given: argparse names the required flags
    assert required  # every stage has inputs


def test_optional_flags_left_out_are_not_passed():
    argv = ["validate", "--peaks", "p", "--genome", "g", "--motif-db", "m", "--out", "o", "--window", "400", "--peak-padding", "200"]
    argv += ["--max-n-fraction", "0.1", "--split-by", "auto", "--test-chroms", "--val-chroms", "chrX", "--min-positives", "20"]
    argv += ["--merge-overlapping", "true", "--merge-distance", "0", "--folds", "1"]
    stage, kwargs = parse(argv)
    assert "blacklist" not in kwargs and "motif" not in kwargs
    settings = kwargs["windows"]
    assert settings.test_chroms == [] and settings.val_chroms == ["chrX"] and settings.merge_overlapping is True


def test_a_boolean_flag_refuses_other_words(capsys):
    with pytest.raises(SystemExit):
        parse(["train", "--reverse-complement", "maybe"])
    assert "expected true or false, got 'maybe'" in capsys.readouterr().err


def test_unknown_type_hints_have_no_silent_form():
    with pytest.raises(TypeError, match="no command-line form"):
        argument_options(set[int])


def test_bad_input_is_one_line_and_exit_code_1(tmp_path, capsys):
    argv = [
        "regions",
        "--peaks",
        str(tmp_path / "absent.bed"),
        "--genome",
        str(tmp_path / "g.fa"),
        "--out",
        "regions=r",
        "flanks=f",
        "qc=q",
    ]
    argv += ["--window", "400", "--negative-ratio", "1", "--peak-padding", "200", "--max-n-fraction", "0.1", "--gc-bins", "50"]
    argv += [
        "--split-by",
        "auto",
        "--test-chroms",
        "--val-chroms",
        "--min-positives",
        "20",
        "--merge-overlapping",
        "true",
        "--merge-distance",
        "0",
        "--folds",
        "1",
        "--seed",
        "0",
    ]
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 1 and err == f"error: {tmp_path / 'g.fa'}: no such genome file"


def test_a_failing_step_removes_the_outputs_it_wrote(tmp_path, capsys, monkeypatch):
    """A stage that wrote one output and then failed leaves nothing that looks finished."""
    import bindscope.stages.summary

    def writes_tsv_then_fails(rows: list[str], out: dict[str, str]) -> None:
        Path(out["tsv"]).write_text("tf\n")
        raise InputError("rows.tsv", "line 9", "bad record found after summary.tsv was written")

    monkeypatch.setattr(bindscope.stages.summary, "run", writes_tsv_then_fails)
    (tmp_path / "kept.tsv").write_text("an older file beside the outputs")
    args = ["summary", "--rows", "rows.tsv", "--out", f"tsv={tmp_path / 'summary.tsv'}", f"html={tmp_path / 'summary.html'}"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"removed partial output {tmp_path / 'summary.tsv'}" in err and "error: rows.tsv line 9: bad record" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.tsv"]


def test_sigterm_during_training_leaves_no_partial_files(tmp_path):
    """A scheduler's SIGTERM (scancel, time limit) mid-training: exit 143, no outputs, no temporaries."""
    rng = np.random.default_rng(0)
    for split in ("train", "val"):
        save_encoded(tmp_path / f"{split}.npz", x=one_hot_codes(rng.integers(0, 4, (64, 50)).astype(np.uint8)),
                     y=(np.arange(64) % 2).astype(np.uint8), y_base=np.zeros((64, 50), np.uint8))  # fmt: skip
    out = tmp_path / "model"
    cmd = [sys.executable, "-m", "bindscope", "train", "--train", str(tmp_path / "train.npz"), "--val", str(tmp_path / "val.npz")]
    cmd += ["--model", "cnn", "--out", f"ckpt={out / 'model.ckpt'}", f"log={out / 'log.csv'}", f"hparams={out / 'h.yaml'}"]
    settings = train_options("cnn") | {"max_epochs": 100000, "patience": 100000, "threads": 1, "seed": 0}
    for name, value in settings.items():
        cmd += ["--" + name.replace("_", "-"), str(value)]
    cmd += ["--model-params", json.dumps({"n_filters": 4, "n_filters2": 4})]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ)
    deadline = time.monotonic() + 120
    while not list(out.glob(".model.ckpt.bindscope-tmpdir.*/**/*.ckpt")):  # training is under way
        assert process.poll() is None and time.monotonic() < deadline, process.stdout.read() if process.poll() is not None else ""
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    assert list(out.iterdir()) == []
