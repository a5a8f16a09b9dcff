from bindscope.cli import build_parser, main


def test_bad_input_is_one_line_and_exit_code_1(tmp_path, capsys):
    code = main(
        ["regions", "--peaks", str(tmp_path / "absent.bed"), "--genome", str(tmp_path / "g.fa"), "--out-regions", "r", "--out-qc", "q"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1 and err == f"error: {tmp_path / 'g.fa'}: no such FASTA file"


def test_flags_left_out_are_not_passed():
    args = vars(build_parser().parse_args(["interpret", "--ckpt", "m", "--encoded", "e", "--out", "o", "--n-references", "5"]))
    assert args == {"stage": "interpret", "ckpt": "m", "encoded": "e", "out": "o", "n_references": 5}
