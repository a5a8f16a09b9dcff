import numpy as np
import pandas as pd
import pysam
import pytest
import torch
from torch import nn

from bindscope.errors import InputError
from bindscope.genome import open_genome, region_codes
from bindscope.motif_database import Motif, write_meme
from bindscope.sequence import ALPHABET
from bindscope.stages import variants
from conftest import write_checkpoint

HEADER = "##fileformat=VCFv4.2\n##contig=<ID=chr1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
WINDOW = 60
#: A 8 bp motif planted in the test genome; its PPM is near one-hot.
SITE = "TTGACGTC"


def genome_with_sites(tmp_path, n=18, length=20_000, seed=0):
    """chr1 of random sequence with SITE planted every 1,000 bp from 1,000 bp (< 1 % of bases); chr2 short."""
    rng = np.random.default_rng(seed)
    seq = np.array(list(rng.choice(list("ACGT"), length)))
    starts = 1_000 + 1_000 * np.arange(n)
    starts = starts[starts + len(SITE) < length - 1_000]
    for s in starts:
        seq[s : s + len(SITE)] = list(SITE)
    (tmp_path / "g.fa").write_text(">chr1\n" + "".join(seq) + "\n>chr2\n" + "ACGT" * 20 + "\n")
    return open_genome(tmp_path / "g.fa"), starts


def site_ppm() -> np.ndarray:
    ppm = np.full((4, len(SITE)), 0.01)
    for j, base in enumerate(SITE):
        ppm[ALPHABET.index(base), j] = 0.97
    return ppm


class SiteDetector(nn.Module):
    """A known-answer model: the logit rises with the best log-odds match of the planted motif on either strand
    above 10 bits (a full site scores 15.6; one mismatch 9.0), and is -4 without one."""

    per_base = False

    def __init__(self):
        super().__init__()
        pwm = np.log2(site_ppm() / 0.25)
        self.weight = torch.from_numpy(np.stack([pwm, pwm[::-1, ::-1]]).copy()).float()

    def forward(self, x):
        best = torch.nn.functional.conv1d(x, self.weight).amax(dim=(1, 2))[:, None]
        return 2 * torch.relu(best - 10) - 4


def write_vcf(path, records, bgzip=False):
    text = HEADER + "".join("\t".join(map(str, r)) + "\t.\t.\t.\n" for r in records)
    plain = path.with_suffix(".plain.vcf") if bgzip else path
    plain.write_text(text)
    if bgzip:
        pysam.tabix_compress(str(plain), str(path), force=True)
    return path


def test_read_vcf_splits_alleles_and_keeps_line_numbers(tmp_path):
    records = [("chr1", 100, "rs1", "A", "C"), ("chr1", 200, ".", "G", "T,GA,<DEL>")]
    for bgzip in (False, True):
        table = variants.read_vcf(write_vcf(tmp_path / f"v{bgzip}.vcf.gz", records, bgzip))
        assert table[["line", "pos", "ref", "alt"]].values.tolist() == [
            [4, 100, "A", "C"],
            [5, 200, "G", "T"],
            [5, 200, "G", "GA"],
            [5, 200, "G", "<DEL>"],
        ]
    write_vcf(tmp_path / "short.vcf.gz", [("chr1", 100, "A", "C")], bgzip=True)  # no ID column
    with pytest.raises(InputError, match="short.vcf.gz line 4: malformed VCF record"):
        variants.read_vcf(tmp_path / "short.vcf.gz")
    (tmp_path / "bad.vcf").write_text("chr1\t5\tA\n")
    with pytest.raises(InputError, match="bad.vcf.*not a VCF"):
        variants.read_vcf(tmp_path / "bad.vcf")
    (tmp_path / "bytes.vcf").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="bytes.vcf"):
        variants.read_vcf(tmp_path / "bytes.vcf")


def test_unscorable_variants_say_why(tmp_path):
    fasta, _ = genome_with_sites(tmp_path)
    base = ALPHABET[region_codes(fasta, "chr1", 2_999, 3_000)[0]]
    wrong = next(b for b in ALPHABET if b != base)
    table = pd.DataFrame(
        [("chr1", 3_000, base, "<DEL>"), ("chr1", 3_000, base, base + "A" * 60), ("chrX", 3_000, "A", "C"),
         ("chr1", 10, "A", "C"), ("chr2", 40, "A", "C"), ("chr1", 3_000, wrong, base), ("chr1", 3_000, base, wrong)],
        columns=["chrom", "pos", "ref", "alt"],
    )  # fmt: skip
    status = variants.check_variants(table, fasta, WINDOW, max_allele=50).tolist()
    assert "symbolic" in status[0] and "longer than 50" in status[1] and "'chrX' not in the genome" in status[2]
    assert "end of chr1" in status[3] and "end of chr2" in status[4]
    assert status[5] == f"REF {wrong} does not match the genome ({base} at chr1:3000)" and status[6] == ""


def test_allele_windows_put_the_allele_at_the_centre_and_fill_the_window(tmp_path):
    fasta, _ = genome_with_sites(tmp_path)
    codes = region_codes(fasta, "chr1", 3_000 - WINDOW // 2, 3_000 + 2 * WINDOW)
    ref_base = ALPHABET[codes[WINDOW // 2 - 1]]  # pos 3000 is 0-based 2999
    deleted = "".join(ALPHABET[c] for c in codes[WINDOW // 2 : WINDOW // 2 + 3])
    snv = ("chr1", 3_000, ref_base, "G" if ref_base != "G" else "C")
    table = pd.DataFrame(
        [snv, ("chr1", 3_000, ref_base + deleted, ref_base), ("chr1", 3_000, ref_base, ref_base + "TTT")],
        columns=["chrom", "pos", "ref", "alt"],
    )
    ref, alt = variants.allele_windows(fasta, table, WINDOW)
    genome = region_codes(fasta, "chr1", 2_999 - WINDOW // 2, 2_999 + 2 * WINDOW)
    assert (ref == genome[:WINDOW]).all()
    assert np.flatnonzero(alt[0] != ref[0]).tolist() == [WINDOW // 2]  # SNV: one base
    assert np.array_equal(alt[1], np.r_[genome[: WINDOW // 2 + 1], genome[WINDOW // 2 + 4 : WINDOW + 3]])  # 3 bp deletion
    assert np.array_equal(alt[2], np.r_[genome[: WINDOW // 2 + 1], [3, 3, 3], genome[WINDOW // 2 + 1 : WINDOW - 3]])  # insertion
    # per-base probabilities that follow the sequence: no change outside the allele once indels are aligned
    track = lambda c: c.astype(float) / 4  # noqa: E731
    change = variants.base_change(track(ref), track(alt), table, WINDOW)
    assert change[1] == 0 and change[2] == 0


def test_empirical_pvalues_count_null_effects_as_large():
    null = np.array([-3.0, -1.0, 0.5, 2.0])
    assert variants.empirical_pvalues(np.array([4.0, -2.0, 0.0]), null).tolist() == [1 / 5, 3 / 5, 5 / 5]


def test_a_variant_breaking_a_planted_site_ranks_first_and_names_the_motif(tmp_path):
    fasta, starts = genome_with_sites(tmp_path)
    model = SiteDetector()
    # in a site: the motif's most informative base changed; beside a site; far from sites
    s = int(starts[5])
    table = pd.DataFrame(
        [("chr1", s + 4, "A", "T"), ("chr1", s + 20, ALPHABET[region_codes(fasta, "chr1", s + 19, s + 20)[0]], "N")],
        columns=["chrom", "pos", "ref", "alt"],
    )
    table.loc[1, "alt"] = "A" if table.loc[1, "ref"] != "A" else "C"
    scores, ref, alt = variants.score_variants(model, fasta, table, WINDOW, batch_size=16)
    null = variants.null_variants(fasta, 200, WINDOW, np.random.default_rng(0))
    null_scores, _, _ = variants.score_variants(model, fasta, null, WINDOW, batch_size=16)
    p = variants.empirical_pvalues(scores["log_odds_ratio"].to_numpy(), null_scores["log_odds_ratio"].to_numpy())
    assert scores["log_odds_ratio"].iloc[0] < -5 and abs(scores["log_odds_ratio"].iloc[1]) < 1e-5
    assert p[0] < 0.05 and p[1] == 1.0
    motif = Motif("MA9999.1", "PLANTED", site_ppm())
    hits = variants.motif_hits(ref, alt, table, [motif], np.full(4, 0.25))
    assert hits["motif"].tolist() == ["MA9999.1 PLANTED", ""]
    assert hits["motif_score_ref"].iloc[0] > 0.99 and hits["motif_score_alt"].iloc[0] < 0.9


def test_run_sorts_by_effect_lists_the_unscored_and_draws_logos(tmp_path):
    fasta, starts = genome_with_sites(tmp_path)
    ckpt = write_checkpoint(tmp_path / "cnn.ckpt")
    motif = Motif("MA9999.1", "PLANTED", site_ppm())
    write_meme([motif], tmp_path / "db.meme")
    pd.DataFrame({"pattern": ["p0"], "target_id": ["MA9999.1"], "qval": [1e-5]}).to_csv(tmp_path / "tomtom.tsv", sep="\t", index=False)
    records = [("chr1", int(s) + 4, f"site{i}", "A", "T") for i, s in enumerate(starts[:6])]
    records += [("chr1", 3_001, "bad_ref", "N", "C"), ("chrUn", 5, "no_contig", "A", "C")]
    vcf = write_vcf(tmp_path / "v.vcf.gz", records, bgzip=True)
    out = {"table": str(tmp_path / "o" / "v.tsv.gz"), "null": str(tmp_path / "o" / "n.tsv.gz"), "logos": str(tmp_path / "o" / "logos")}
    options = {"n_null": 50, "n_logos": 2, "n_references": 2, "max_allele": 50, "batch_size": 16, "seed": 0, "threads": 1}
    variants.run(str(ckpt), str(tmp_path / "g.fa"), str(vcf), str(tmp_path / "tomtom.tsv"), str(tmp_path / "db.meme"), out, **options)
    table = pd.read_csv(out["table"], sep="\t", keep_default_na=False, na_values=[""])
    assert list(table.columns) == variants.VARIANT_COLUMNS
    scored = table[table["rank"] > 0]
    assert scored["rank"].tolist() == [1, 2, 3, 4, 5, 6] and scored["log_odds_ratio"].abs().is_monotonic_decreasing
    assert (scored["motif"] == "MA9999.1 PLANTED").all()
    unscored = table[table["rank"] == 0]
    assert unscored["line"].tolist() == [10, 11] and unscored["status"].str.contains("REF N does not match|not in the genome").all()
    assert sorted(p.name for p in (tmp_path / "o" / "logos").iterdir()) == ["1.png", "2.png"]
    assert len(pd.read_csv(out["null"], sep="\t")) == 50
