"""End to end: the demo's trained models used on new regions (predict), variants (variants) and in a genome
browser (tracks), in the session's demo run folder (only the jobs of these rules run there)."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import yaml

from bindscope import models
from bindscope.bigwig import read_bigwig
from bindscope.genome import open_genome, padded_window_codes, region_codes
from bindscope.io import load_npz, read_regions
from bindscope.motif_database import log_odds
from bindscope.motif_database.jaspar import fetch_jaspar_motif
from bindscope.pwm import strand_scores
from bindscope.sequence import ALPHABET, one_hot_codes
from bindscope.stages.demo import DEMO_TFS
from bindscope.stages.variants import allele_contributions
from conftest import run_snakemake

pytestmark = pytest.mark.e2e
TF = "CTCF"


def site_scores(codes: np.ndarray, pwm: np.ndarray) -> np.ndarray:
    """Log-odds score of ``pwm`` at each start of one sequence's base ``codes``, (2, starts): forward, reverse strand."""
    return strand_scores(one_hot_codes(codes)[None], pwm)[0].numpy()


def site_breaking_variants(fasta, positives: pd.DataFrame, n: int, window: int = 400) -> list[tuple[str, int, str, str, int]]:
    """(chrom, 1-based pos, ref, alt, site start) changing the most informative base of the best planted CTCF site
    of each of the first ``n`` test positives that holds a full-strength site, to the matrix's least likely base.

    Only sites that are the one CTCF site of the variant's window (no other site at half strength or more)
    are taken: where the window keeps a second site, breaking one leaves the model's answer near
    saturation, and the variant's effect says as much about the other site as about this one.
    """
    pwm = log_odds(fetch_jaspar_motif(DEMO_TFS[TF]).ppm, np.full(4, 0.25), 0.01)
    full, width = pwm.max(axis=0).sum(), pwm.shape[1]
    found = []
    for row in positives.itertuples():
        codes = region_codes(fasta, row.chrom, row.start, row.end)
        scores = site_scores(codes, pwm)
        strand, start = np.unravel_index(scores.argmax(), scores.shape)
        if scores[strand, start] < 0.8 * full:
            continue
        oriented = pwm if strand == 0 else pwm[::-1, ::-1]
        j = int(np.argmax(oriented.max(axis=0) - oriented.min(axis=0)))
        pos = row.start + start + j  # 0-based; the variant's window is [pos - window / 2, pos + window / 2)
        lo = pos - window // 2
        around = site_scores(padded_window_codes(fasta, row.chrom, np.array([lo]), window + width - 1)[0], pwm).max(axis=0)
        others = np.abs(np.arange(len(around)) - (row.start + start - lo)) >= width
        if around[others].max() >= 0.5 * full:
            continue
        found.append((row.chrom, pos + 1, ALPHABET[codes[start + j]], ALPHABET[int(np.argmin(oriented[:, j]))], row.start + start))
        if len(found) == n:
            break
    return found


def test_predict_variants_and_tracks_on_the_demo(demo_run, tmp_path):
    fasta = open_genome(demo_run / "resources" / "demo" / "genome.fa")
    regions = read_regions(demo_run / "results" / TF / "regions" / "regions.tsv.gz")
    test = regions[regions["split"] == "test"].reset_index(drop=True)
    positives = test[test["label"] == 1]
    bed = tmp_path / "positives.bed"
    bed.write_text("".join(f"{r.chrom}\t{r.start}\t{r.end}\n" for r in positives.itertuples()))
    breaking = site_breaking_variants(fasta, positives, 3)
    assert len(breaking) == 3
    chrom, pos = positives["chrom"].iloc[0], int(positives["start"].iloc[0]) + 10
    genome_base = ALPHABET[region_codes(fasta, chrom, pos - 1, pos)[0]]
    wrong = next(b for b in "ACGT" if b != genome_base)
    vcf = tmp_path / "variants.vcf"
    records = [f"{c}\t{p}\tbreak{i}\t{r}\t{a}" for i, (c, p, r, a, _) in enumerate(breaking)] + [
        f"{chrom}\t{pos}\tmismatch\t{wrong}\t{genome_base}"
    ]
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + "".join(f"{r}\t.\t.\t.\n" for r in records))
    extra = tmp_path / "use.yaml"
    extra.write_text(yaml.safe_dump({"predict": {"regions": {TF: str(bed)}}, "variants": {"vcf": {TF: str(vcf)}}}))
    results = demo_run / "results" / TF
    targets = [f"results/{TF}/predict/predictions.tsv.gz", f"results/{TF}/tracks/igv_session.xml"]
    targets += [f"results/{TF}/variants/{m}/variants.tsv.gz" for m in ("cnn", "unet")]
    from conftest import TEST_CONFIG

    result = run_snakemake(demo_run, *targets, configfiles=(TEST_CONFIG, extra), timeout=900)
    assert result.returncode == 0, result.stderr[-5000:]
    ran = {line.split()[0] for line in result.stderr.split("Job stats:")[1].split("total")[0].splitlines()[3:] if line.strip()}
    assert ran <= {"predict", "variants", "tracks"}, ran  # nothing upstream reran

    # predict on the test positives gives evaluate's probabilities exactly
    table = pd.read_csv(results / "predict" / "predictions.tsv.gz", sep="\t")
    for model in ("cnn", "unet"):
        evaluated = load_npz(results / "eval" / model / "predictions.npz")
        expected = evaluated["score"][evaluated["label"] == 1].astype(np.float32)
        assert np.array_equal(table[f"prob_{model}"].to_numpy(np.float32), expected), model
    # the U-Net's per-base track at a positive is its evaluated per-base probability
    unet = load_npz(results / "eval" / "unet" / "predictions.npz")
    row = int(np.flatnonzero(unet["label"] == 1)[0])
    start = int(unet["start"][row])
    track = read_bigwig(results / "predict" / "unet.probabilities.bw", str(unet["chrom"][row]), start, start + 400)
    # (evaluate keeps per-base probabilities as float16, 11 significant bits: equal to that precision)
    assert np.allclose(track, unet["base_probability"][row], rtol=2.0**-10, atol=0), row

    # variants: each site-breaking variant beats 99 % of the 1,000 random variants for both models
    for model in ("cnn", "unet"):
        variants = pd.read_csv(results / "variants" / model / "variants.tsv.gz", sep="\t", keep_default_na=False, na_values=[""])
        broken = variants[variants["id"].str.startswith("break")]
        assert (broken["pvalue"] <= 0.01).all() and (broken["log_odds_ratio"] < 0).all(), broken
        assert broken["motif"].str.contains("CTCF").all(), broken
        mismatch = variants[variants["id"] == "mismatch"].iloc[0]
        assert mismatch["rank"] == 0 and mismatch["status"] == f"REF {wrong} does not match the genome ({genome_base} at {chrom}:{pos})"
        log = (demo_run / "logs" / TF / "variants" / f"{model}.log").read_text()
        assert f"variants.vcf line {int(mismatch['line'])} ({chrom}:{pos} {wrong}>{genome_base})" in log
        top = broken.sort_values("rank").iloc[0]
        assert (results / "variants" / model / "logos" / f"{int(top['rank'])}.png").stat().st_size > 10_000
        # the reference allele's logo shows the site: its highest contributions lie on the planted site
        c, p, _, _, site = next(b for b in breaking if b[1] == top["pos"])
        ref_codes = region_codes(fasta, c, p - 1 - 200, p - 1 + 200)[None]
        net, _ = models.load(results / "models" / model / "model.ckpt")
        scores = allele_contributions(net, ref_codes, n_references=10, seed=0, batch_size=64)[0].sum(axis=0)
        peak = int(np.argmax(np.convolve(scores, np.ones(10), mode="valid")))
        site_start = site - (p - 1 - 200)
        assert site_start - 10 <= peak <= site_start + 19, (peak, site_start)

    # tracks: an IGV session with bigWigs of both models' contributions and the U-Net's probabilities
    session = ET.parse(results / "tracks" / "igv_session.xml").getroot()
    names = [r.get("name") for r in session.iter("Resource")]
    assert names == ["peaks", "cnn contributions", "unet contributions", "unet probability"]
    scores = load_npz(results / "attributions" / "cnn" / "scores.npz")
    chrom, start = str(scores["chrom"][0]), int(scores["start"][0])
    values = read_bigwig(results / "tracks" / "cnn.contributions.bw", chrom, start, start + 400)
    assert np.isfinite(values).all()
    assert gzip.decompress((results / "predict" / "predictions.tsv.gz").read_bytes()).startswith(b"line\tregion_chrom")
