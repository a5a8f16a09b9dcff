"""Hostile input: sheet paths, config values and contig names full of shell metacharacters run no
command and are read as the files and names they are; a path with spaces gives the plain path's metrics."""

from __future__ import annotations

import gzip
import shlex
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from markupsafe import escape

from bindscope.motif_database import Motif, write_meme
from conftest import TEST_CONFIG, run_snakemake

pytestmark = pytest.mark.e2e
#: A legal folder name holding a space, quotes, $(...), backticks, ';', glob characters, braces and non-ASCII
#: letters ({name} alone is refused by the sheet check: Snakemake would read it as a wildcard).
HOSTILE = "run 1 'q' \"dq\" $(touch CANARY) `touch CANARY2` ; * ? [ab] {} {a b} $HOME é ü"
CANARIES = ("CANARY", "CANARY2", "CANARY3")
TARGETS = ["results/CTCF/eval/cnn/metrics.json", "results/CTCF/eval/pwm_scan/metrics.json"]


def canaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name in CANARIES]


def hostile_demo(demo_run: Path, root: Path) -> tuple[Path, dict[str, Path]]:
    """A run folder whose sheet and config name copies of the demo's CTCF inputs inside HOSTILE folders."""
    data = root / HOSTILE / "in $(touch CANARY3) dir"
    data.mkdir(parents=True)
    demo = demo_run / "resources" / "demo"
    files = {
        "peaks": data / "CTCF peaks;`x`.narrowPeak",
        "genome": data / "genome $HOME.fa",
        "blacklist": data / "black list'.bed",
        "motif_db": data / "JASPAR é.meme",
    }
    shutil.copy(demo / "CTCF.narrowPeak", files["peaks"])
    shutil.copy(demo / "genome.fa", files["genome"])
    shutil.copy(demo / "blacklist.bed", files["blacklist"])
    shutil.copy(next((demo_run / "resources" / "motif_db").glob("*.meme")), files["motif_db"])
    workdir = root / "work"
    (workdir / "config").mkdir(parents=True)
    row = ["CTCF", files["peaks"], files["genome"], files["blacklist"], "MA0139.2"]  # as a user writes it: no quoting
    (workdir / "config" / "samples.tsv").write_text("tf\tpeaks\tgenome\tblacklist\tmotif\n" + "\t".join(map(str, row)) + "\n")
    config = {"tfs": ["CTCF"], "models": ["cnn"], "baselines": ["pwm_scan"], "motif_db": {"source": str(files["motif_db"])}}
    (workdir / "config" / "hostile.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return workdir, files


def printed_commands(output: str) -> list[list[str]]:
    """Every shell command a dry run prints (printshellcmds), split as the shell would split it."""
    prefix = "Shell command: "
    return [shlex.split(line[len(prefix) :]) for line in output.splitlines() if line.startswith(prefix) and line != prefix + "None"]


def test_hostile_paths_run_no_command_and_give_the_plain_paths_metrics(demo_run, tmp_path):
    workdir, files = hostile_demo(demo_run, tmp_path)
    configs = (workdir / "config" / "hostile.yaml",)

    # every rule's command, printed by a dry run of the whole workflow: each path is one intact word
    dry = run_snakemake(workdir, "-n", "-p", "--forceall", configfiles=(TEST_CONFIG, *configs), timeout=300)
    assert dry.returncode == 0, dry.stderr[-3000:]
    commands = printed_commands(dry.stdout + dry.stderr)
    rules = {c[3] for c in commands if c[:3] == ["python", "-m", "bindscope"]}
    assert {"validate", "regions", "encode", "train", "evaluate", "pwm-scan", "interpret", "motifs", "report", "summary"} <= rules
    words = {w for c in commands for w in c}
    for path in files.values():
        assert str(path) in words, path

    # the real thing, end to end (validate to the report): the demo run's bytes from plain paths
    result = run_snakemake(workdir, configfiles=(TEST_CONFIG, *configs), timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    for target in TARGETS:
        assert (workdir / target).read_bytes() == (demo_run / target).read_bytes(), target
    summary = pd.read_csv(workdir / "results" / "summary.tsv", sep="\t")
    assert list(summary["model"]) == ["cnn", "pwm_scan"] and summary["recovered"].tolist()[0] is True
    # A user's MEME file carries no taxa, so Tomtom searches all of it (taxon "all") where the demo run
    # searched the vertebrate matrices of the same file: the q-values differ by the database's size.
    assert summary["taxon"].tolist()[0] == "all"
    by_database = ["taxon", "top_match_qval", "expected_motif_qval", "other_kingdom_patterns"]
    local = pd.read_csv(demo_run / "results" / "summary.tsv", sep="\t").merge(summary[["tf", "model"]])
    pd.testing.assert_frame_equal(summary.drop(columns=by_database), local.drop(columns=by_database))
    assert str(escape(str(files["peaks"]))) in (workdir / "results" / "CTCF" / "report.html").read_text()  # shown, HTML-escaped
    assert canaries(tmp_path) == [] and not list(Path.cwd().glob("CANARY*"))


def test_shell_metacharacters_in_contig_and_split_names(tiny_genome, tmp_path):
    """Contigs named with ';', '$(...)', quotes and backticks, used as test/val chromosomes in the config."""
    names = {"chr3": "chr3'`touch${IFS}CANARY`", "chr4": "chr4;$(touch${IFS}CANARY2)&"}  # FASTA names end at whitespace
    fasta = (tiny_genome / "genome.fa").read_text()
    peaks = (tiny_genome / "peaks.narrowPeak").read_text()
    for old, new in names.items():
        fasta = fasta.replace(f">{old}\n", f">{new}\n")
        peaks = "".join(new + line[len(old) :] if line.startswith(old + "\t") else line for line in peaks.splitlines(keepends=True))
    (tiny_genome / "genome.fa").write_text(fasta)
    (tiny_genome / "peaks.narrowPeak").write_text(peaks)
    write_meme([Motif("M1", "X", np.full((4, 6), 0.25))], tiny_genome / "db.meme")
    workdir = tmp_path / "work"
    (workdir / "config").mkdir(parents=True)
    (workdir / "config" / "samples.tsv").write_text(
        f"tf\tpeaks\tgenome\nT\t{tiny_genome / 'peaks.narrowPeak'}\t{tiny_genome / 'genome.fa'}\n"
    )
    config = {"windows": {"window": 100, "min_positives": 10, "test_chroms": [names["chr4"]], "val_chroms": [names["chr3"]]}}
    config["motif_db"] = {"source": str(tiny_genome / "db.meme")}
    (workdir / "config" / "chroms.yaml").write_text(yaml.safe_dump(config))
    result = run_snakemake(workdir, "results/T/encoded/test.npz", configfiles=(workdir / "config" / "chroms.yaml",), timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    regions = pd.read_csv(workdir / "results" / "T" / "regions" / "regions.tsv.gz", sep="\t")
    assert set(regions.loc[regions["split"] == "test", "chrom"]) == {names["chr4"]}
    assert set(regions.loc[regions["split"] == "val", "chrom"]) == {names["chr3"]}
    assert canaries(tmp_path) == [] and canaries(tiny_genome) == []
    assert gzip.decompress((workdir / "results" / "T" / "regions" / "regions.tsv.gz").read_bytes()).count(names["chr4"].encode()) > 10


def test_a_motif_with_shell_syntax_is_rejected_by_the_sheet_check(tiny_genome, tmp_path):
    workdir = tmp_path / "work"
    (workdir / "config").mkdir(parents=True)
    sheet = f"tf\tpeaks\tgenome\tmotif\nT\t{tiny_genome / 'peaks.narrowPeak'}\t{tiny_genome / 'genome.fa'}\tCTCF;touch CANARY\n"
    (workdir / "config" / "samples.tsv").write_text(sheet)
    result = run_snakemake(workdir, timeout=300)
    assert result.returncode != 0
    assert "config/samples.tsv row 2 (tf=T): motif: 'CTCF;touch CANARY' is not a matrix ID or motif name" in result.stdout + result.stderr
    assert not (workdir / "results").exists() and not (workdir / "logs").exists() and canaries(tmp_path) == []
