"""Issue 6's 25 bad-input cases, one test each: rejected with the file and record named, or handled and counted.

Cases go through the entry point the workflow uses for them: ``validate.run`` (rule validate),
``read_sheet`` and ``check_config`` (before the job graph is built) or ``check_writable``.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bindscope.errors import InputError
from bindscope.io import check_writable, read_json
from bindscope.motif_database import Motif, write_meme
from bindscope.sheet import read_sheet
from bindscope.stages.regions import run as regions_run
from bindscope.stages.validate import run as validate_run
from conftest import REGIONS_OPTIONS, windows

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def inputs(tiny_genome) -> dict:
    """validate.run's arguments for the tiny genome: 4 chromosomes, ~80 peaks each, 100 bp windows."""
    rng = np.random.default_rng(1)
    ppm = rng.dirichlet(np.ones(4), size=12).T
    write_meme([Motif("MA0139.2", "CTCF", ppm), Motif("MA0138.3", "REST", ppm[:, ::-1])], tiny_genome / "db.meme")
    return {
        "peaks": str(tiny_genome / "peaks.narrowPeak"),
        "genome": str(tiny_genome / "genome.fa"),
        "motif_db": str(tiny_genome / "db.meme"),
        "out": str(tiny_genome / "validation.json"),
        "windows": windows(window=100, peak_padding=50, min_positives=10),
    }


def changed(inputs: dict, **changes) -> dict:
    """validate.run's arguments with ``changes``, window settings (window, test_chroms, ...) among them."""
    settings = {k: changes.pop(k) for k in list(changes) if hasattr(inputs["windows"], k)}
    return inputs | changes | {"windows": dataclasses.replace(inputs["windows"], **settings)}


def rejected(inputs: dict, **changes) -> str:
    """validate.run's InputError message; asserts nothing was written."""
    with pytest.raises(InputError) as err:
        validate_run(**changed(inputs, **changes))
    assert not Path(inputs["out"]).exists()
    return str(err.value)


def with_lines(inputs: dict, lines: list[str], name: str = "bad.narrowPeak") -> str:
    """A copy of the tiny peak file with ``lines`` appended: the bad record is the last line."""
    path = Path(inputs["peaks"]).with_name(name)
    good = Path(inputs["peaks"]).read_text()
    path.write_text(good + "\n".join(lines) + "\n")
    return str(path)


def last_line(path: str) -> str:
    return f"line {len(Path(path).read_text().splitlines())}"


def test_valid_inputs_pass_with_counts(inputs):
    validate_run(**inputs)
    report = read_json(inputs["out"])
    assert report["warnings"] == []
    assert report["positives"]["usable"] == report["peaks"]["lines"] > 300
    assert min(report["positives"]["per_split"].values()) >= 10


def test_01_too_few_columns(inputs):
    peaks = with_lines(inputs, ["chr1\t5000"])
    message = rejected(inputs, peaks=peaks)
    assert peaks in message and last_line(peaks) in message and "at least 3" in message


@pytest.mark.parametrize("record, problem", [("chr1\tfive\t5100", "must be integers"), ("chr1\t-5\t100", "negative start -5")])
def test_02_non_integer_or_negative_coordinates(inputs, record, problem):
    peaks = with_lines(inputs, [record])
    message = rejected(inputs, peaks=peaks)
    assert peaks in message and last_line(peaks) in message and problem in message


def test_03_start_not_before_end(inputs):
    peaks = with_lines(inputs, ["chr1\t5000\t5000"])
    message = rejected(inputs, peaks=peaks)
    assert peaks in message and last_line(peaks) in message and "not less than end" in message


def test_04_summit_offset_outside_interval(inputs):
    peaks = with_lines(inputs, ["chr1\t5000\t5120\tp\t0\t.\t1\t1\t1\t500"])
    message = rejected(inputs, peaks=peaks)
    assert peaks in message and last_line(peaks) in message and "summit offset 500 lies outside the 120 bp interval" in message


def test_05_contig_absent_from_fasta(inputs):
    peaks = with_lines(inputs, ["chrUn_random\t5000\t5120"])
    message = rejected(inputs, peaks=peaks)
    assert peaks in message and last_line(peaks) in message and "contig 'chrUn_random' is not in genome" in message
    assert inputs["genome"] in message


@pytest.mark.parametrize(
    "rename, peak_style, genome_style",
    [
        (lambda c: c[3:], "no 'chr' prefix, arabic numerals", "a 'chr' prefix, arabic numerals"),  # Ensembl 1 vs UCSC chr1
        (lambda c: "chr" + ["I", "II", "III", "IV"][int(c[3:]) - 1], "a 'chr' prefix, roman numerals", "a 'chr' prefix, arabic numerals"),
    ],
    ids=["1_vs_chr1", "chrI_vs_chr1"],
)
def test_06_naming_convention_mismatch_hint(inputs, rename, peak_style, genome_style):
    path = Path(inputs["peaks"]).with_name("renamed.narrowPeak")
    lines = Path(inputs["peaks"]).read_text().splitlines()
    path.write_text("\n".join(rename(line.split("\t")[0]) + line[line.index("\t") :] for line in lines) + "\n")
    message = rejected(inputs, peaks=str(path))
    assert str(path) in message and "line 1" in message
    assert f"the peaks' unknown contigs use {peak_style}" in message and f"the genome uses {genome_style}" in message


def test_07_peak_past_chromosome_end(inputs):
    peaks = with_lines(inputs, ["chr4\t59950\t60100"])  # chr4 is 60,000 bp
    message = rejected(inputs, peaks=peaks)
    assert peaks in message and last_line(peaks) in message and "past the end of chr4 (60000 bp" in message
    assert "another assembly" in message


@pytest.mark.parametrize("body", ["", 'track name=peaks description="x"\n# comment\nbrowser position chr1:1-100\n\n'])
def test_08_empty_or_header_only_peak_file(inputs, tmp_path, body):
    path = tmp_path / "empty.narrowPeak"
    path.write_text(body)
    message = rejected(inputs, peaks=str(path))
    record = f"lines 1-{len(body.splitlines())}" if body else "0 lines"
    assert f"{path} {record}: no peaks" in message


@pytest.mark.parametrize("name, compress, warning", [("plain.bed.gz", False, "plain text"), ("packed.bed", True, "lacks .gz")])
def test_09_compression_read_by_content_with_a_warning(inputs, name, compress, warning):
    path = Path(inputs["peaks"]).with_name(name)
    data = Path(inputs["peaks"]).read_bytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    validate_run(**(inputs | {"peaks": str(path)}))
    report = read_json(inputs["out"])
    assert report["peaks"]["lines"] == len(data.decode().splitlines())
    assert any(str(path) in w and warning in w for w in report["warnings"]), report["warnings"]


def test_10_crlf_accepted(inputs):
    validate_run(**inputs)
    expected = read_json(inputs["out"])
    path = Path(inputs["peaks"]).with_name("crlf.narrowPeak")
    path.write_bytes(Path(inputs["peaks"]).read_bytes().replace(b"\n", b"\r\n"))
    validate_run(**(inputs | {"peaks": str(path)}))
    assert read_json(inputs["out"]) == expected


def test_11_duplicate_peak_lines_counted(inputs, tiny_genome):
    lines = Path(inputs["peaks"]).read_text().splitlines()
    peaks = with_lines(inputs, lines[:7])  # 7 lines twice
    validate_run(**(inputs | {"peaks": peaks}))
    report = read_json(inputs["out"])
    assert report["peaks"]["duplicate_lines"] == 7 and any("7 duplicate peak lines" in w and peaks in w for w in report["warnings"])
    out = {"regions": str(tiny_genome / "r.tsv.gz"), "flanks": str(tiny_genome / "f.tsv.gz"), "qc": str(tiny_genome / "qc.json")}
    regions_run(peaks, inputs["genome"], out, windows(window=100, min_positives=10), **REGIONS_OPTIONS)
    assert read_json(tiny_genome / "qc.json")["n_duplicate_peak_lines"] == 7


def test_19_one_chromosome_held_out_by_chromosome_says_why_in_terms_of_the_data(inputs, tiny_genome):
    """Issue 28: every positive on one chromosome and split_by: chromosome: the error counts where they lie and names the fix."""
    peaks = Path(inputs["peaks"])
    peaks.write_text("".join(line for line in peaks.read_text().splitlines(keepends=True) if line.startswith("chr1\t")))
    message = rejected(inputs, split_by="chromosome", min_positives=5)
    assert "lie on 1 chromosome(s) (chr1: " in message and "whole chromosomes can't give train, val and test" in message
    assert "set windows.split_by: region (or auto)" in message


def test_12_fasta_missing_or_not_fasta(inputs, tmp_path):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(f"tf\tpeaks\tgenome\nCTCF\t{inputs['peaks']}\t{tmp_path / 'absent.fa'}\n")
    with pytest.raises(InputError) as err:  # caught with the sheet row before the job graph is built
        read_sheet(sheet)
    assert str(err.value) == f"{sheet} row 2 (tf=CTCF): genome: no such file '{tmp_path / 'absent.fa'}'"
    message = rejected(inputs, genome=str(tmp_path / "absent.fa"))  # and by the stage itself, run alone
    assert "absent.fa: no such genome file" in message
    not_fasta = tmp_path / "genome.fa"
    not_fasta.write_bytes(b"\x00\x01 not sequence")
    message = rejected(inputs, genome=str(not_fasta))
    assert str(not_fasta) in message and "line 1" in message and "not a genome file" in message
    # a plain gzip FASTA given to the stage itself (the workflow reads rule genome_copy's bgzip copy): the fix is named
    plain_gzip = tmp_path / "genome.fa.gz"
    plain_gzip.write_bytes(gzip.compress(b">chr1\nACGT\n"))
    message = rejected(inputs, genome=str(plain_gzip))
    assert str(plain_gzip) in message and "plain gzip FASTA has no random access" in message and "bindscope genome-copy" in message


def unprivileged(argv: list[str]) -> list[str]:
    """``argv`` run without root's power to write anywhere (no capabilities), so permission bits hold."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): cannot make a folder read-only to this test")
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *argv]


def run_python(code: str) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(REPO / "workflow")}
    return subprocess.run(unprivileged([sys.executable, "-c", code]), capture_output=True, text=True, env=env, timeout=60)


def test_12_unindexed_fasta_in_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "genome.fa").write_text(">chr1\n" + "ACGT" * 100 + "\n")
    folder.chmod(0o555)
    try:
        result = run_python(
            "from bindscope.genome import open_genome\nfrom bindscope.errors import InputError\n"
            f"try:\n    open_genome({str(folder / 'genome.fa')!r})\nexcept InputError as e:\n    print(e)\n"
        )
    finally:
        folder.chmod(0o755)
    assert str(folder / "genome.fa") in result.stdout and "no index genome.fa.fai and the folder is read-only" in result.stdout
    assert "samtools faidx" in result.stdout, result.stderr
    assert not (folder / "genome.fa.fai").exists()


def test_13_iupac_and_lowercase_bases_counted(inputs, tiny_genome):
    genome = Path(inputs["genome"])
    text = genome.read_text()
    header_end = text.index("\n") + 1
    seq = bytearray(text.encode())
    iupac_at = [i for i in range(header_end + 1000, header_end + 90_000) if seq[i] not in b"\n"][::997][:40]
    for i in iupac_at:
        seq[i] = ord("R")
    path = tiny_genome / "iupac.fa"
    path.write_bytes(bytes(seq))
    validate_run(**(inputs | {"genome": str(path)}))
    bases = read_json(inputs["out"])["bases_in_positive_windows"]
    assert bases["soft_masked"] > 0  # the tiny genome's lower-case stretch overlaps peaks' windows
    assert 0 < bases["iupac"] <= 40 and bases["unknown"] == bases["iupac"] and bases["other"] == 0


def test_14_mostly_n_windows_dropped_and_counted(inputs):
    peaks = with_lines(inputs, ["chr1\t30400\t30500", "chr1\t30600\t30700"])  # inside the tiny genome's N gap
    validate_run(**(inputs | {"peaks": peaks}))
    report = read_json(inputs["out"])
    assert report["positives"]["n_rich"] == 2 and report["positives"]["usable"] == report["peaks"]["lines"] - 2
    assert any(peaks in w and "2 positive windows" in w and "chr1:30400-30500" in w for w in report["warnings"])


def test_14_all_windows_mostly_n_rejected(inputs, tmp_path):
    path = tmp_path / "n_only.bed"
    path.write_text("".join(f"chr1\t{s}\t{s + 40}\n" for s in range(30_000, 31_000, 50)))  # 20 peaks in the N gap
    message = rejected(inputs, peaks=str(path), min_positives=1)
    assert str(path) in message and "0 usable peaks" in message and "20 N-rich" in message


def test_15_duplicate_tf_names(tmp_path):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("tf\tpeaks\tgenome\nCTCF\tp\tg\nREST\tp\tg\nCTCF\tp\tg\n")
    with pytest.raises(InputError) as err:
        read_sheet(sheet, produced={"p", "g"})
    assert str(err.value) == f"{sheet} row 4 (tf=CTCF): duplicate tf 'CTCF' (first on row 2)"


@pytest.mark.parametrize(
    "header, problem",
    [("tf\tpeaks", "missing required columns ['genome']"), ("tf\tpeaks\tgenome\tcontrol", "unknown columns ['control']")],
)
def test_16_missing_or_unknown_sheet_columns(tmp_path, header, problem):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(header + "\n" + "\t".join(["A", "p", "g", "c"][: header.count("\t") + 1]) + "\n")
    with pytest.raises(InputError) as err:
        read_sheet(sheet, produced={"p", "g"})
    assert str(sheet) in str(err.value) and "header" in str(err.value) and problem in str(err.value)


def test_17_motif_absent_from_database(inputs):
    message = rejected(inputs, motif="MA9999.1")
    assert inputs["motif_db"] in message and "motif MA9999.1" in message and "not in this motif database (2 motifs)" in message
    assert "similar name: ['MA0139.2 CTCF']" in rejected(inputs, motif="CTC")


def test_18_malformed_meme_motif_db(inputs, tmp_path):
    db = tmp_path / "broken.meme"
    db.write_text("MEME version 4\n\nMOTIF M1 X\nletter-probability matrix: alength= 4 w= 2\n0.25 0.25 0.5\n0.1 0.2 0.3 0.4\n")
    message = rejected(inputs, motif_db=str(db))
    assert str(db) in message and "line 5" in message and "expected 4 probabilities, got 3" in message


def test_19_split_chromosomes_absent_from_genome(inputs):
    message = rejected(inputs, test_chroms=["chrX"], val_chroms=["chr2"])
    assert "config windows.test_chroms" in message and "['chrX']" in message and inputs["genome"] in message


def test_19_split_left_with_too_few_positives(inputs, tiny_genome):
    path = tiny_genome / "few_on_chr4.narrowPeak"
    path.write_text("".join(line + "\n" for line in Path(inputs["peaks"]).read_text().splitlines() if not line.startswith("chr4"))[:-1])
    path.write_text(path.read_text() + "\nchr4\t5000\t5120\n")
    message = rejected(inputs, peaks=str(path), test_chroms=["chr4"], val_chroms=["chr3"])
    assert str(path) in message and "split test" in message and "1 positives on its chromosomes ['chr4']" in message


def test_20_window_longer_than_every_chromosome(inputs):
    message = rejected(inputs, window=95_000)
    assert inputs["genome"] in message and "chromosome chr1" in message and "window 95000 bp is longer than the longest" in message


def test_21_blacklist_removing_every_negative(inputs, tiny_genome):
    blacklist = tiny_genome / "everything.bed"
    blacklist.write_text("chr1\t0\t90000\nchr2\t0\t80000\nchr3\t0\t70000\nchr4\t0\t60000\n")
    message = rejected(inputs, blacklist=str(blacklist))
    assert str(blacklist) in message and "line 1" in message and "no 100 bp window is left for negatives" in message


def test_21_blacklist_on_other_contigs_ignored_or_named(inputs, tiny_genome):
    blacklist = tiny_genome / "encode.bed"
    blacklist.write_text("chrM\t0\t16569\nchr1\t50000\t60000\nchrUn_KI270302v1\t0\t2274\n")
    validate_run(**(inputs | {"blacklist": str(blacklist)}))
    warnings = read_json(inputs["out"])["warnings"]
    assert any(str(blacklist) in w and "2 intervals on contigs not in the genome ignored" in w for w in warnings), warnings
    ensembl = tiny_genome / "ensembl_blacklist.bed"
    ensembl.write_text("1\t50000\t60000\n2\t0\t1000\n")  # matches nothing: a naming mismatch, not a no-op
    Path(inputs["out"]).unlink()
    message = rejected(inputs, blacklist=str(ensembl))
    assert str(ensembl) in message and "line 1" in message and "naming conventions differ" in message


def test_23_results_folder_not_writable(tmp_path):
    (tmp_path / "results").write_text("a file where the results folder should be")
    with pytest.raises(InputError) as err:
        check_writable(tmp_path / "results" / "CTCF")
    assert str(tmp_path / "results" / "CTCF") in str(err.value) and "exists and is not a folder" in str(err.value)
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    try:
        result = run_python(f"from bindscope.io import check_writable\ncheck_writable({str(folder / 'results')!r})")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1 and str(folder / "results") in result.stderr and "cannot write output files here" in result.stderr
    assert list(folder.iterdir()) == []  # the probe created nothing


@pytest.mark.parametrize("name", ["../CTCF", "CTCF rep1", "results/x", ".hidden"])
def test_24_tf_name_unsafe_as_folder_name(tmp_path, name):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(f"tf\tpeaks\tgenome\n{name}\tp\tg\n")
    with pytest.raises(InputError) as err:
        read_sheet(sheet, produced={"p", "g"})
    assert str(err.value).startswith(f"{sheet} row 2 (tf={name}): tf must start with a letter or digit")


def test_25_fewer_peaks_than_training_needs(inputs, tmp_path):
    path = tmp_path / "few.bed"
    path.write_text("".join(f"chr1\t{s}\t{s + 100}\n" for s in range(5_000, 25_000, 1_000)))  # 20 peaks
    message = rejected(inputs, peaks=str(path))
    assert str(path) in message and "lines 1-20" in message and "20 peaks, fewer than training needs" in message and "= 30" in message


def test_folds_are_checked_fold_by_fold(inputs):
    """Every fold must give each split min_positives: validation.json counts them per fold, and too many folds for the
    peaks are named with the fold and split that fall short."""
    validate_run(**changed(inputs, folds=3, split_by="chromosome"))
    per_fold = read_json(inputs["out"])["splits"]["positives_per_fold"]
    assert len(per_fold) == 3 and all(min(f.values()) >= 10 for f in per_fold)
    assert sorted(f["test"] for f in per_fold) == sorted(f["val"] for f in per_fold)  # fold f validates on fold f + 1's test set
    Path(inputs["out"]).unlink()
    message = rejected(inputs, folds=30, split_by="region", min_positives=20)
    assert "fold" in message and "lower windows.folds" in message
