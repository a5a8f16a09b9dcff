from pathlib import Path

import pytest
import yaml

from bindscope.errors import InputError
from bindscope.sheet import TAXA, read_sheet


def _sheet(tmp_path, body: str):
    p = tmp_path / "samples.tsv"
    p.write_text(body)
    return p


def test_sheet_reads_and_accepts_files_a_rule_makes(tmp_path):
    (tmp_path / "p.bed").write_text("chr1\t1\t2\n")
    p = _sheet(tmp_path, f"tf\tpeaks\tgenome\nA\t{tmp_path / 'p.bed'}\tmade/genome.fa\n")
    df = read_sheet(p, produced={"made/genome.fa"})
    assert list(df.index) == ["A"] and df.loc["A", "motif"] == ""


def test_missing_file_names_sheet_row_and_column(tmp_path):
    p = _sheet(tmp_path, "tf\tpeaks\tgenome\nA\treb1.narrowPeak\tg.fa\n")
    with pytest.raises(InputError) as err:
        read_sheet(p)
    assert str(err.value) == f"{p} row 2 (tf=A): peaks: no such file 'reb1.narrowPeak'"


@pytest.mark.parametrize(
    "body, problem",
    [
        ("tf\tpeaks\nA\tp\n", "missing required columns ['genome']"),
        ("tf\tpeaks\tgenome\textra\nA\tp\tg\tx\n", "unknown columns ['extra']"),
        ("tf\tpeaks\tgenome\n../A\tp\tg\n", "row 2 (tf=../A): tf must start"),
        ("tf\tpeaks\tgenome\nA\tp\tg\nA\tp\tg\n", "row 3 (tf=A): duplicate tf 'A' (first on row 2)"),
        ("tf\tpeaks\tgenome\nA\tp\t\n", "row 2 (tf=A): genome: empty"),
        ("tf\tpeaks\tgenome\tmotif\nA\tp\tg\tCTCF;rm -rf ~\n", "row 2 (tf=A): motif: 'CTCF;rm -rf ~' is not a matrix ID"),
        ("tf\tpeaks\tgenome\tmotif\nA\tp\tg\t$(touch x)\n", "row 2 (tf=A): motif: '$(touch x)' is not"),
        ("tf\tpeaks\tgenome\nA\t-p\tg\n", "row 2 (tf=A): peaks: a path may not start with '-'"),
        ("tf\tpeaks\tgenome\ttaxon\nA\tp\tg\tfungus\n", "row 2 (tf=A): taxon: 'fungus' is not one of auto, all, vertebrates"),
        ("tf\tpeaks\tgenome\nA\tp\t/data/{tf}/g.fa\n", "genome: '/data/{tf}/g.fa' holds '{tf}', which Snakemake reads as a wildcard"),
    ],
)
def test_sheet_errors(tmp_path, body, problem):
    with pytest.raises(InputError) as err:
        read_sheet(_sheet(tmp_path, body), produced={"p", "g"})
    assert problem in str(err.value) and "samples.tsv" in str(err.value)


@pytest.mark.parametrize("motif", ["MA0139.2", "CTCF", "NR2F1::RXRA", "EWSR1-FLI1", "ZNF384(var.2)", "Ahr::Arnt", ""])
def test_jaspar_style_motif_names_are_accepted(tmp_path, motif):
    p = _sheet(tmp_path, f"tf\tpeaks\tgenome\tmotif\nA\tp\tg\t{motif}\n")
    assert read_sheet(p, produced={"p", "g"}).loc["A", "motif"] == motif


def test_taxa_of_the_sheet_and_the_schemas_agree():
    root = Path(__file__).resolve().parents[1] / "workflow" / "schemas"
    config = yaml.safe_load((root / "config.schema.yaml").read_text())["properties"]["motifs"]["properties"]["taxon"]["enum"]
    sheet = yaml.safe_load((root / "samples.schema.yaml").read_text())["properties"]["taxon"]["enum"]
    assert config == list(TAXA) and sheet == ["", *TAXA]
