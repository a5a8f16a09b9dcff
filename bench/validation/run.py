"""How fast the workflow rejects bad input: issue 6's 25 cases and issue 28's genome formats and one-chromosome
splits, each a full ``snakemake`` on the demo data at
``--cores 1`` and ``--cores 2``.

Each case copies the demo inputs (resources/demo, made by ``make demo`` or ``python -m bindscope demo``)
into a fresh folder, breaks one thing, runs the whole workflow and times it from start to exit.
Writes bench/validation/results.tsv: case, outcome (rejected / accepted), median and largest seconds
over ``--repeats`` runs at each core count, whether any long job (regions, training, the Numba kernels)
started, and the first error line (or the warning, for the cases the workflow accepts).

    python bench/validation/run.py [--repeats 3] [--cores 1 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
MEME = REPO.parent / "shared" / "data" / "jaspar" / "JASPAR2024_CORE_vertebrates_non-redundant_pfms_meme.txt"
SHEET_HEADER = "tf\tpeaks\tgenome\tblacklist\tmotif\n"


def sheet(work: Path, peaks: str = "CTCF.narrowPeak", genome: str = "genome.fa", blacklist: str = "blacklist.bed", motif: str = "MA0139.2"):
    (work / "config" / "samples.tsv").write_text(SHEET_HEADER + f"CTCF\t{work / peaks}\t{work / genome}\t{work / blacklist}\t{motif}\n")


def append(work: Path, line: str, name: str = "CTCF.narrowPeak") -> None:
    with open(work / name, "a") as fh:
        fh.write(line + "\n")


def peaks_text(work: Path) -> str:
    return (work / "CTCF.narrowPeak").read_text()


def rename_contigs(work: Path, rename: Callable[[str], str]) -> None:
    lines = peaks_text(work).splitlines()
    (work / "CTCF.narrowPeak").write_text("".join(rename(x.split("\t")[0]) + x[x.index("\t") :] + "\n" for x in lines))


def set_genome_bytes(work: Path, edit: Callable[[bytearray], None]) -> None:
    data = bytearray((work / "genome.fa").read_bytes())
    edit(data)
    (work / "genome.fa").write_bytes(bytes(data))
    (work / "genome.fa.fai").unlink(missing_ok=True)


def iupac(data: bytearray) -> None:
    for i in range(100, len(data), 4999):
        if data[i] in b"ACGT":
            data[i] = ord("R")


def n_block(data: bytearray) -> None:
    data[10_000:60_000] = bytes(b if b == ord("\n") else ord("N") for b in data[10_000:60_000])


def cut_chromosomes(data: bytearray, length: int) -> None:
    """Keep the first ``length`` bases of every chromosome (60-column lines)."""
    records = bytes(data).split(b">")[1:]
    kept = []
    for record in records:
        header, _, seq = record.partition(b"\n")
        bases = seq.replace(b"\n", b"")[:length]
        kept.append(b">" + header + b"\n" + b"\n".join(bases[i : i + 60] for i in range(0, len(bases), 60)) + b"\n")
    data[:] = b"".join(kept)


def read_only_unindexed(work: Path) -> None:
    folder = work / "ro"
    folder.mkdir()
    shutil.copy(work / "genome.fa", folder / "genome.fa")
    folder.chmod(0o555)
    sheet(work, genome="ro/genome.fa")


def genome_as(work: Path, fmt: str) -> None:
    """The demo genome as plain gzip, bgzip or 2bit (the sheet names the new file)."""
    import pysam

    sys.path.insert(0, str(REPO / "tests"))
    from twobit import write_twobit

    plain = (work / "genome.fa").read_bytes()
    if fmt == "gzip":
        (work / "genome.fa.gz").write_bytes(gzip.compress(plain))
    elif fmt == "bgzip":
        pysam.tabix_compress(str(work / "genome.fa"), str(work / "genome.fa.gz"))
    else:
        records = {}
        for block in plain.split(b">")[1:]:
            name, _, seq = block.partition(b"\n")
            records[name.decode()] = seq.replace(b"\n", b"")
        write_twobit(work / "genome.2bit", records)
    sheet(work, genome="genome.2bit" if fmt == "2bit" else "genome.fa.gz")


def one_chromosome(work: Path) -> None:
    """chr1 of the demo alone, with its peaks."""
    text = (work / "genome.fa").read_text()
    (work / "chr1.fa").write_text(text[: text.index(">", 1)])
    (work / "CTCF.narrowPeak").write_text("".join(x for x in peaks_text(work).splitlines(keepends=True) if x.startswith("chr1\t")))
    sheet(work, genome="chr1.fa")


BROKEN_MEME = "MEME version 4\n\nMOTIF M1 X\nletter-probability matrix: alength= 4 w= 2\n0.25 0.25 0.5\n0.1 0.2 0.3 0.4\n"


def edit_sheet(work: Path, edit: Callable[[str], str]) -> None:
    path = work / "config" / "samples.tsv"
    path.write_text(edit(path.read_text()))


def whole_genome_bed(work: Path) -> str:
    """Every chromosome end to end, from the FASTA index."""
    return "".join(f"{line.split()[0]}\t0\t{line.split()[1]}\n" for line in (work / "genome.fa.fai").read_text().splitlines())


# case -> (what it breaks, extra --config values)
CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "01_too_few_columns": (lambda w: append(w, "chr1\t5000"), []),
    "02_non_integer_coordinate": (lambda w: append(w, "chr1\tfive\t5100"), []),
    "02_negative_coordinate": (lambda w: append(w, "chr1\t-5\t100"), []),
    "03_start_not_before_end": (lambda w: append(w, "chr1\t5000\t5000"), []),
    "04_summit_outside_interval": (lambda w: append(w, "chr1\t5000\t5120\tp\t0\t.\t1\t1\t1\t500"), []),
    "05_contig_absent": (lambda w: append(w, "chrUn_random\t5000\t5120"), []),
    "06_naming_1_vs_chr1": (lambda w: rename_contigs(w, lambda c: c[3:]), []),
    "06_naming_chrI_vs_chr1": (lambda w: rename_contigs(w, lambda c: "chr" + "I II III IV V VI".split()[int(c[3:]) - 1]), []),
    "07_past_chromosome_end": (lambda w: append(w, "chr6\t349950\t350100"), []),
    "08_empty_peak_file": (lambda w: (w / "CTCF.narrowPeak").write_text(""), []),
    "08_header_only_peak_file": (lambda w: (w / "CTCF.narrowPeak").write_text("track name=x\n# comment\n"), []),
    "09_gz_name_plain_file": (lambda w: (shutil.copy(w / "CTCF.narrowPeak", w / "CTCF.narrowPeak.gz"), sheet(w, "CTCF.narrowPeak.gz")), []),
    "09_gzip_without_gz": (
        lambda w: (w / "CTCF.narrowPeak").write_bytes(gzip.compress((w / "CTCF.narrowPeak").read_bytes())),
        [],
    ),
    "10_crlf": (lambda w: (w / "CTCF.narrowPeak").write_bytes((w / "CTCF.narrowPeak").read_bytes().replace(b"\n", b"\r\n")), []),
    "11_duplicate_lines": (lambda w: append(w, "\n".join(peaks_text(w).splitlines()[:10])), []),
    "12_fasta_missing": (lambda w: sheet(w, genome="absent.fa"), []),
    "12_not_fasta": (lambda w: (w / "genome.fa").write_bytes(b"\x00\x01 " + (w / "genome.fa").read_bytes()[:1000]), []),
    "12_gzip_genome": (lambda w: genome_as(w, "gzip"), []),
    "12_bgzip_genome": (lambda w: genome_as(w, "bgzip"), []),
    "12_2bit_genome": (lambda w: genome_as(w, "2bit"), []),
    "12_truncated_2bit": (lambda w: (genome_as(w, "2bit"), (w / "genome.2bit").write_bytes((w / "genome.2bit").read_bytes()[:5000])), []),
    "12_unindexed_read_only": (read_only_unindexed, []),
    "13_iupac_lowercase": (lambda w: set_genome_bytes(w, iupac), []),
    "14_n_rich_windows": (lambda w: set_genome_bytes(w, n_block), []),
    "15_duplicate_tf": (lambda w: edit_sheet(w, lambda t: t + t.splitlines()[1] + "\n"), []),
    "16_missing_column": (lambda w: (w / "config" / "samples.tsv").write_text(f"tf\tpeaks\nCTCF\t{w / 'CTCF.narrowPeak'}\n"), []),
    "16_unknown_column": (
        lambda w: (w / "config" / "samples.tsv").write_text(
            f"tf\tpeaks\tgenome\tcontrol\nCTCF\t{w / 'CTCF.narrowPeak'}\t{w / 'genome.fa'}\tx\n"
        ),
        [],
    ),
    "17_motif_absent": (lambda w: sheet(w, motif="MA9999.1"), []),
    "18_malformed_meme": (lambda w: (w / "db.meme").write_text(BROKEN_MEME), []),
    "19_test_chrom_absent": (lambda w: None, ["windows={test_chroms: [chrX], val_chroms: [chr2]}"]),
    "19_split_too_few_positives": (lambda w: None, ["windows={min_positives: 400, test_chroms: [chr6], val_chroms: [chr5]}"]),
    "19_one_chromosome_by_chromosome": (one_chromosome, ["windows={split_by: chromosome}"]),
    "19_one_chromosome_auto": (one_chromosome, []),
    # the demo's chromosomes (350-520 kb) are longer than the schema's largest window: cut them to 50 kb
    "20_window_longer_than_chromosome": (lambda w: set_genome_bytes(w, lambda d: cut_chromosomes(d, 50_000)), ["windows={window: 60000}"]),
    "21_blacklist_removes_all": (lambda w: (w / "blacklist.bed").write_text(whole_genome_bed(w)), []),
    "22_window_not_positive": (lambda w: None, ["windows={window: 0}"]),
    "22_lr_not_positive": (lambda w: (w / "override.yaml").write_text("train:\n  lr: 0\n"), []),
    "22_unknown_model": (lambda w: None, ["models=[cnn,lstm]"]),
    "23_results_not_writable": (lambda w: (w / "results").write_text("a file"), []),
    "24_unsafe_tf_name": (lambda w: edit_sheet(w, lambda t: t.replace("\nCTCF\t", "\n../CTCF\t")), []),
    "25_too_few_peaks": (lambda w: (w / "CTCF.narrowPeak").write_text("".join(peaks_text(w).splitlines(keepends=True)[:40])), []),
}
UNPRIVILEGED = {"12_unindexed_read_only"}  # as root, run without capabilities so the folder's mode holds
ACCEPTED = {"09_gz_name_plain_file", "09_gzip_without_gz", "10_crlf", "11_duplicate_lines", "13_iupac_lowercase", "14_n_rich_windows"}
ACCEPTED |= {"12_gzip_genome", "12_bgzip_genome", "12_2bit_genome", "19_one_chromosome_auto"}


def prepare(work: Path, case: str) -> list[str]:
    shutil.rmtree(work, ignore_errors=True)
    (work / "config").mkdir(parents=True)
    for name in ("CTCF.narrowPeak", "genome.fa", "genome.fa.fai", "blacklist.bed"):
        shutil.copy(DEMO / name, work / name)
    shutil.copy(MEME, work / "db.meme")
    sheet(work)
    breaker, config = CASES[case]
    breaker(work)
    return config


def run_case(
    work: Path, targets: list[str], config: list[str], unprivileged: bool, cores: int
) -> tuple[float, subprocess.CompletedProcess]:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(work), "--cores", str(cores), *targets]
    override = [str(work / "override.yaml")] if (work / "override.yaml").exists() else []
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), *override, "--config", "baselines=[kmer_lr]"]
    cmd += [f"motif_db={{source: {work / 'db.meme'}}}", *config]
    if unprivileged and os.geteuid() == 0:
        cmd = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *cmd]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - started, result


def summarise(work: Path, result: subprocess.CompletedProcess) -> tuple[str, str]:
    text = result.stdout + result.stderr
    errors = [line for line in text.splitlines() if line.startswith("error: ")]
    warnings = [line for line in text.splitlines() if line.startswith("warning: ")]
    if result.returncode:
        return "rejected", errors[0][len("error: ") :] if errors else text.strip().splitlines()[-1]
    log = work / "logs" / "CTCF" / "validate.log"
    found = [x for x in log.read_text().splitlines() if x.startswith("warning: ")] if log.exists() else warnings
    report = json.loads((work / "results" / "CTCF" / "validation.json").read_text())
    counts = f"{report['splits']['scheme']} splits {report['positives']['per_split']}, "
    counts += f"lines {report['peaks']['lines']}, duplicates {report['peaks']['duplicate_lines']}, " + ", ".join(
        f"{k} {v}" for k, v in report["bases_in_positive_windows"].items()
    )
    return "accepted", "; ".join([*(x[len("warning: ") :] for x in found), counts])


def long_jobs_started(work: Path) -> bool:
    """Whether a regions, training or Numba-kernel job left a trace (its output folder or its log)."""
    traces = [work / "results" / "CTCF" / "regions", work / "results" / "CTCF" / "models", work / "logs" / "motif_kernels.log"]
    return any(p.exists() for p in traces)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", default=str(Path(__file__).with_name("results.tsv")))
    parser.add_argument("--scratch", default="/tmp/bindscope-bench-validation")
    parser.add_argument("--cases", nargs="*", default=list(CASES), help="run these cases; the other rows of --out are kept")
    args = parser.parse_args()
    if not (DEMO / "genome.fa").exists():
        sys.exit(f"{DEMO} is missing: run `make demo` (or python -m bindscope demo --out-dir {DEMO}) first")
    if not (DEMO / "genome.fa.fai").exists():  # python -m bindscope demo writes no index; the workflow's first run does
        import pyfaidx

        pyfaidx.Faidx(str(DEMO / "genome.fa"))
    rows = []
    for case in args.cases:
        work = Path(args.scratch) / case
        row = {"case": case}
        for cores in args.cores:
            times, started = [], False
            for _ in range(args.repeats):
                config = prepare(work, case)
                # accepted inputs run only to the end of validation: the rest would be a full demo
                targets = ["results/CTCF/validation.json"] if case in ACCEPTED else []
                seconds, result = run_case(work, targets, config, case in UNPRIVILEGED, cores)
                times.append(seconds)
                started |= long_jobs_started(work)
            outcome, message = summarise(work, result)
            row |= {"outcome": outcome, f"median_s_cores{cores}": round(statistics.median(times), 2)}
            row |= {f"max_s_cores{cores}": round(max(times), 2), f"long_jobs_started_cores{cores}": started}
            row["message"] = message.replace(str(work) + "/", "")
            print(f"{case:36s} --cores {cores} {outcome:9s} {statistics.median(times):5.2f} s  {row['message'][:100]}", flush=True)
            for p in work.rglob("*"):
                if p.is_dir():
                    p.chmod(0o755)
        rows.append(row)
    table = pd.DataFrame(rows)
    if set(args.cases) != set(CASES) and Path(args.out).exists():  # keep the earlier rows of the cases not rerun
        earlier = pd.read_csv(args.out, sep="\t")
        table = pd.concat([earlier[~earlier["case"].isin(args.cases)], table])
        table = table.set_index("case").loc[[c for c in CASES if c in set(table["case"])]].reset_index()
    table[[c for c in table if c != "message"] + ["message"]].to_csv(args.out, sep="\t", index=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
