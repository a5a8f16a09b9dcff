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
