"""Stage variants: the effect of each variant of a VCF on a trained model's binding score.

Each variant (multi-allelic records split into one row per alternative allele) gets a reference and
an alternative window of the model's length with the variant's first base at the centre; the
sequence after the allele fills the window, so an indel keeps the window's length. The model's
logits are averaged over both strands (as chrombpnet's variant scorer does). Per variant: reference
and alternative probability and logit, the probability difference and the log-odds ratio (logit
difference, the effect the table is sorted by), for a per-base model the largest change of a base's
probability, the TF's JASPAR motif (its patterns' Tomtom matches) whose site the variant hits, and an
empirical p-value: the share of random single-base variants at random genome positions whose
|log-odds ratio| is as large. Variants the model cannot score (contig not in the genome, REF not the
genome's bases, too close to a chromosome end, symbolic or long alleles) are listed with the reason.
The top variants get a two-allele contribution logo (DeepLIFT/SHAP, reference over alternative).
"""

from __future__ import annotations

import os
from pathlib import Path

import logomaker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pysam
import torch

from bindscope import models
from bindscope.attribution import deep_lift_shap
from bindscope.errors import InputError
from bindscope.figures import save_figure
from bindscope.genome import chrom_sizes, genome_background, open_genome, padded_window_codes, region_codes
from bindscope.inference import sigmoid, strand_averaged_logits
from bindscope.io import replace_folder, temporary_dir, text_lines, write_table
from bindscope.motif_database import Motif, log_odds, read_meme
from bindscope.pwm import strand_scores
from bindscope.sequence import ALPHABET, encode_bases, one_hot_codes
from bindscope.shuffle import dinucleotide_shuffle

#: Columns of a variant table, in order.
VARIANT_COLUMNS = [
    "rank", "line", "chrom", "pos", "id", "ref", "alt", "kind", "status",
    "prob_ref", "prob_alt", "prob_diff", "logit_ref", "logit_alt", "log_odds_ratio", "base_change_max",
    "motif", "motif_score_ref", "motif_score_alt", "pvalue",
]  # fmt: skip
#: A motif site counts as hit when its relative score (0 = worst, 1 = best possible) reaches this on either allele.
SITE_SCORE = 0.8
#: Bases of sequence shown either side of the variant in a two-allele logo.
LOGO_FLANK = 20


def read_vcf(path: str | os.PathLike) -> pd.DataFrame:
    """Variants of a plain or bgzipped VCF (pysam), one row per alternative allele.

    Returns line (1-based line of the record in the uncompressed file), chrom, pos (1-based), id, ref, alt.

    Raises
    ------
    InputError
        Naming the file (and the line where reading stopped) when it is not a VCF or a record is malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such VCF file")
    pysam.set_verbosity(0)  # htslib's own warnings (contigs missing from the header): problems are reported per variant
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(path, None, f"not a VCF file (plain or bgzipped, with a ##fileformat and #CHROM header): {err}") from None
    header_lines = count_header_lines(path)
    rows, line = [], header_lines
    try:
        with vcf:
            for line, record in enumerate(vcf, start=header_lines + 1):
                for alt in record.alts or ():
                    rows.append((line, record.chrom, record.pos, record.id or ".", record.ref.upper(), alt.upper()))
    except (OSError, ValueError) as err:
        raise InputError(path, f"line {line + 1}", f"malformed VCF record: {err}") from None
    return pd.DataFrame(rows, columns=["line", "chrom", "pos", "id", "ref", "alt"])


def count_header_lines(path: str | os.PathLike) -> int:
    """Lines starting with '#' at the top of a plain or (b)gzipped text file."""
    n = 0
    for n, line in text_lines(path):
        if not line.startswith("#"):
            return n - 1
    return n


def variant_kind(ref: str, alt: str) -> str:
    """snv, mnv (same length), insertion, deletion, or symbolic (<DEL>, *, breakends: not scored)."""
    if not set(alt) <= set("ACGTN") or not alt:
        return "symbolic"
    if len(ref) == len(alt):
        return "snv" if len(ref) == 1 else "mnv"
    return "insertion" if len(alt) > len(ref) else "deletion"


def check_variants(variants: pd.DataFrame, fasta, window: int, max_allele: int) -> pd.Series:
    """Why each variant cannot be scored ('' when it can): symbolic or long allele, contig absent, near an end, REF mismatch."""
    sizes = chrom_sizes(fasta)
    status = []
    for v in variants.itertuples():
        kind = variant_kind(v.ref, v.alt)
        size = sizes.get(v.chrom)
        start = v.pos - 1
        if kind == "symbolic":
            status.append(f"symbolic allele {v.alt!r} is not scored")
        elif max(len(v.ref), len(v.alt)) > max_allele:
            status.append(f"allele longer than {max_allele} bp")
        elif size is None:
            status.append(f"contig {v.chrom!r} not in the genome")
        elif start - window // 2 < 0 or start + len(v.ref) + window > size:
            status.append(f"within {window} bp of the end of {v.chrom}: no full window")
        else:
            genome = region_codes(fasta, v.chrom, start, start + len(v.ref))
            if not np.array_equal(genome, encode_bases(v.ref)):
                bases = "".join((ALPHABET + "N")[c] for c in genome)
                status.append(f"REF {v.ref} does not match the genome ({bases} at {v.chrom}:{v.pos})")
            else:
                status.append("")
    return pd.Series(status, index=variants.index, dtype=str)


def allele_windows(fasta, variants: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Base codes (M, window) of each variant's reference and alternative window (the allele starts at window // 2).

    The bases after the allele fill each window to its length (more of them after a deletion).
    """
    half = window // 2
    ref = np.empty((len(variants), window), np.uint8)
    alt = np.empty_like(ref)
    for i, v in enumerate(variants.itertuples()):
        start = v.pos - 1
        codes = padded_window_codes(fasta, v.chrom, np.array([start - half]), half + len(v.ref) + window)[0]
        after = codes[half + len(v.ref) :]
        ref[i] = codes[:window]
        alt[i] = np.concatenate([codes[:half], encode_bases(v.alt), after])[:window]
    return ref, alt


def base_change(prob_ref: np.ndarray, prob_alt: np.ndarray, variants: pd.DataFrame, window: int) -> np.ndarray:
    """Largest |change| of a base's probability between the alleles of each variant (per-base model), bases aligned
    across an indel (those after it shifted by the length difference)."""
    half = window // 2
    out = np.empty(len(variants))
    for i, (r, a) in enumerate(zip(variants["ref"].str.len(), variants["alt"].str.len(), strict=True)):
        shared = min(r, a)
        left = np.abs(prob_alt[i, : half + shared] - prob_ref[i, : half + shared])
        n = window - half - max(r, a)  # bases after the allele present in both windows
        right = np.abs(prob_alt[i, half + a : half + a + n] - prob_ref[i, half + r : half + r + n]) if n > 0 else np.zeros(0)
        out[i] = max(left.max(initial=0), right.max(initial=0))
    return out


def allele_scores(model: torch.nn.Module, ref: np.ndarray, alt: np.ndarray, variants: pd.DataFrame, batch_size: int) -> pd.DataFrame:
    """Strand-averaged logit and probability of both alleles, their difference, log-odds ratio and base change; for a
    fold ensemble also ``log_odds_ratio_sd``, the sample sd of the log-odds ratio over its fold models."""
    ref_logit = strand_averaged_logits(model, one_hot_codes(ref), batch_size)
    alt_logit = strand_averaged_logits(model, one_hot_codes(alt), batch_size)
    per_base = ref_logit.ndim == 2
    if per_base:
        change = base_change(sigmoid(ref_logit), sigmoid(alt_logit), variants, ref.shape[1])
        ref_logit, alt_logit = ref_logit.max(axis=1, initial=-np.inf), alt_logit.max(axis=1, initial=-np.inf)
    else:
        change = np.full(len(ref), np.nan)
    prob_ref, prob_alt = sigmoid(ref_logit), sigmoid(alt_logit)
    table = pd.DataFrame(
        {
            "prob_ref": prob_ref,
            "prob_alt": prob_alt,
            "prob_diff": prob_alt - prob_ref,
            "logit_ref": ref_logit,
            "logit_alt": alt_logit,
            "log_odds_ratio": alt_logit - ref_logit,
            "base_change_max": change,
        }
    )
    if isinstance(model, models.FoldEnsemble):
        table["log_odds_ratio_sd"] = np.std([fold_log_odds_ratio(m, ref, alt, batch_size) for m in model.members], axis=0, ddof=1)
    return table


def fold_log_odds_ratio(model: torch.nn.Module, ref: np.ndarray, alt: np.ndarray, batch_size: int) -> np.ndarray:
    """One model's log-odds ratio (alt - ref logit) per variant; a per-base model's of its maximum logit over bases."""
    ref_logit, alt_logit = (strand_averaged_logits(model, one_hot_codes(codes), batch_size) for codes in (ref, alt))
    if ref_logit.ndim == 2:
        ref_logit, alt_logit = ref_logit.max(axis=1, initial=-np.inf), alt_logit.max(axis=1, initial=-np.inf)
    return alt_logit - ref_logit


def null_variants(fasta, n: int, window: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` random single-base variants: a position drawn uniformly over the genome (a full window of
    A/C/G/T around it) and one of the three other bases."""
    sizes = {c: s for c, s in chrom_sizes(fasta).items() if s > 3 * window}
    if not sizes:
        raise ValueError(f"no chromosome is longer than {3 * window} bp: no random variants to compare with")
    chroms, lengths = list(sizes), np.array(list(sizes.values()), dtype=np.float64)
    rows = []
    for _ in range(100):
        chrom_of = rng.choice(len(chroms), size=2 * n, p=lengths / lengths.sum())
        for k in np.unique(chrom_of):
            chrom = chroms[k]
            pos = np.sort(rng.integers(window, sizes[chrom] - 2 * window, size=int((chrom_of == k).sum())))
            codes = padded_window_codes(fasta, chrom, pos - window // 2, window)
            clean = (codes < 4).all(axis=1)
            ref = codes[clean, window // 2]
            alt = (ref + rng.integers(1, 4, size=len(ref))) % 4
            rows += [(chrom, int(p) + 1, ALPHABET[r], ALPHABET[a]) for p, r, a in zip(pos[clean], ref, alt, strict=True)]
        if len(rows) >= n:
            break
    if len(rows) < n:
        raise ValueError(f"found {len(rows)} of {n} random variants with a window of A/C/G/T bases")
    picked = sorted(rng.choice(len(rows), size=n, replace=False))
    table = pd.DataFrame([rows[i] for i in picked], columns=["chrom", "pos", "ref", "alt"])
    return table.assign(line=0, id=".")[["line", "chrom", "pos", "id", "ref", "alt"]]


def empirical_pvalues(effect: np.ndarray, null: np.ndarray) -> np.ndarray:
    """(1 + #null with |effect| >= this |effect|) / (1 + #null) for each effect."""
    ordered = np.sort(np.abs(null))
    at_least = len(ordered) - np.searchsorted(ordered, np.abs(effect), side="left")
    return (1 + at_least) / (1 + len(ordered))


def tf_motifs(tomtom: str | os.PathLike, database: list[Motif], max_qval: float = 0.05) -> list[Motif]:
    """The database motifs the TF's patterns match (Tomtom q <= ``max_qval``), best match first."""
    table = pd.read_csv(tomtom, sep="\t")
    table = table[table["qval"] <= max_qval].sort_values("qval")
    by_id = {m.id: m for m in database}
    return [by_id[i] for i in dict.fromkeys(table["target_id"]) if i in by_id]


@torch.no_grad()
def motif_hits(ref: np.ndarray, alt: np.ndarray, variants: pd.DataFrame, motifs: list[Motif], background: np.ndarray) -> pd.DataFrame:
    """For each variant, the first of ``motifs`` (the TF's Tomtom matches, best first) with a site over the variant
    (either strand) scoring >= SITE_SCORE on one allele: its name and best relative site score (0..1) on each allele."""
    half = ref.shape[1] // 2
    best = pd.DataFrame({"motif": "", "motif_score_ref": np.nan, "motif_score_alt": np.nan}, index=range(len(ref)))
    span = variants["ref"].str.len().to_numpy().clip(min=1)
    for motif in motifs:
        pwm = log_odds(motif.ppm, background, 0.01)
        w = pwm.shape[1]
        low, high = pwm.min(axis=0).sum(), pwm.max(axis=0).sum()
        scores = []
        for codes, length in ((ref, span), (alt, variants["alt"].str.len().to_numpy().clip(min=1))):
            site = strand_scores(one_hot_codes(codes), pwm).amax(dim=1).numpy()  # (M, L - w + 1), best strand per start
            starts = np.arange(site.shape[1])[None, :]
            over = (starts > half - w) & (starts < half + length[:, None])  # sites overlapping the allele
            scores.append((np.where(over, site, -np.inf).max(axis=1) - low) / (high - low))
        s_ref, s_alt = scores
        better = (np.maximum(s_ref, s_alt) >= SITE_SCORE) & (best["motif"] == "").to_numpy()
        best.loc[better, "motif"] = f"{motif.id} {motif.name}"
        best.loc[better, "motif_score_ref"] = s_ref[better]
        best.loc[better, "motif_score_alt"] = s_alt[better]
    return best


def two_allele_figure(ref: np.ndarray, alt: np.ndarray, row: pd.Series, window: int) -> plt.Figure:
    """Contribution logos (letters scaled by DeepLIFT/SHAP contribution) of the reference over the alternative
    window, LOGO_FLANK bases either side of the allele (shaded)."""
    half = window // 2
    lo, hi = half - LOGO_FLANK, half + max(len(row["ref"]), len(row["alt"])) + LOGO_FLANK
    fig, axes = plt.subplots(2, 1, figsize=(9, 3.6), sharex=True, sharey=True)
    for ax, scores, allele, logit in ((axes[0], ref, row["ref"], row["logit_ref"]), (axes[1], alt, row["alt"], row["logit_alt"])):
        frame = pd.DataFrame(scores[:, lo:hi].T, columns=list(ALPHABET), index=np.arange(lo, hi) - half)
        logomaker.Logo(frame, ax=ax, color_scheme="classic")
        ax.axvspan(-0.5, len(allele) - 0.5, color="C1", alpha=0.2, lw=0)
        ax.axhline(0, c="k", lw=0.5)
        ax.set_ylabel(f"{allele[:12]}\nlogit {logit:.2f}", fontsize=8)
    motif = f"; {row['motif']}" if row["motif"] else ""
    axes[0].set_title(
        f"{row['chrom']}:{row['pos']} {row['ref'][:12]}>{row['alt'][:12]}  log-odds ratio {row['log_odds_ratio']:.2f}, "
        f"p = {row['pvalue']:.3g}{motif}",
        fontsize=9,
    )
    axes[1].set_xlabel("bp from the variant (orange: the allele); reference above, alternative below", fontsize=8)
    fig.tight_layout()
    return fig


def allele_contributions(model: torch.nn.Module, codes: np.ndarray, n_references: int, seed: int, batch_size: int) -> np.ndarray:
    """DeepLIFT/SHAP contributions (M, 4, L) of windows against dinucleotide-shuffled references (both alleles
    of a variant get the same seed); a per-base model's explained output is the sum of its per-base logits."""
    x = one_hot_codes(codes)
    references = dinucleotide_shuffle(x, n=n_references, rng=seed)
    return deep_lift_shap(model, x, references, batch_size=batch_size).contribution


def draw_logos(
    folder: str | os.PathLike, model, ref: np.ndarray, alt: np.ndarray, table: pd.DataFrame, n_references: int, seed: int, batch_size: int
) -> int:
    """Write <rank>.png two-allele logos of ``table``'s rows (their windows ``ref``/``alt``) into ``folder`` atomically."""
    window = ref.shape[1]
    with temporary_dir(folder) as tmp:
        if len(table):
            ref_scores = allele_contributions(model, ref, n_references, seed, batch_size)
            alt_scores = allele_contributions(model, alt, n_references, seed, batch_size)
            for i, (_, row) in enumerate(table.iterrows()):
                save_figure(two_allele_figure(ref_scores[i], alt_scores[i], row, window), tmp / f"{int(row['rank'])}.png")
        replace_folder(tmp, folder)
    return len(table)


def score_variants(model, fasta, variants: pd.DataFrame, window: int, batch_size: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`allele_scores` of scorable variants (index kept), and their allele windows' base codes."""
    ref, alt = allele_windows(fasta, variants, window)
    scores = allele_scores(model, ref, alt, variants.reset_index(drop=True), batch_size)
    scores.index = variants.index
    return scores, ref, alt


def run(
    ckpt: str,
    genome: str,
    vcf: str,
    tomtom: str,
    motif_db: str,
    out: dict[str, str],
    *,
    n_null: int,
    n_logos: int,
    n_references: int,
    max_allele: int,
    batch_size: int,
    seed: int,
    threads: int,
) -> None:
    """Score every variant of ``vcf`` with the model of ``ckpt``; write ``out``: table (variants.tsv.gz, sorted by
    |log-odds ratio|, unscorable variants last with the reason), null (the random variants' effects), logos (folder).
    Each variant is scored in a window as long as the model's (its checkpoint says)."""
    torch.set_num_threads(threads)
    fasta = open_genome(genome)
    variants = read_vcf(vcf)
    model, hparams = models.load(ckpt)
    window = models.trained_window(hparams, ckpt)
    variants["kind"] = [variant_kind(r, a) for r, a in zip(variants["ref"], variants["alt"], strict=True)]
    variants["status"] = check_variants(variants, fasta, window, max_allele)
    scorable = variants[variants["status"] == ""]
    skipped = variants[variants["status"] != ""]
    print(f"{len(variants)} variants from {vcf}: {len(scorable)} scored, {len(skipped)} not scored")
    for v in skipped.head(20).itertuples():
        print(f"  not scored: {vcf} line {v.line} ({v.chrom}:{v.pos} {v.ref[:12]}>{v.alt[:12]}): {v.status}")
    rng = np.random.default_rng(seed)
    null = null_variants(fasta, n_null, window, rng).assign(kind="snv", status="")
    null_scores, _, _ = score_variants(model, fasta, null, window, batch_size)
    scores, ref, alt = score_variants(model, fasta, scorable, window, batch_size)
    database = read_meme(motif_db)
    hits = motif_hits(ref, alt, scorable.reset_index(drop=True), tf_motifs(tomtom, database), genome_background(fasta))
    hits.index = scorable.index
    table = pd.concat([variants, scores, hits], axis=1)
    table["pvalue"] = np.nan
    table.loc[scorable.index, "pvalue"] = empirical_pvalues(scores["log_odds_ratio"].to_numpy(), null_scores["log_odds_ratio"].to_numpy())
    order = table["log_odds_ratio"].abs().sort_values(ascending=False, na_position="last").index
    table = table.loc[order].reset_index()
    table["rank"] = np.where(table["status"] == "", np.arange(1, len(table) + 1), 0)
    write_table(table[VARIANT_COLUMNS + [c for c in ("log_odds_ratio_sd",) if c in table]], out["table"])
    write_table(pd.concat([null, null_scores], axis=1).drop(columns=["line", "id", "status"]), out["null"])
    top = table[table["status"] == ""].head(n_logos)
    position = {index: i for i, index in enumerate(scorable.index)}
    rows = [position[i] for i in top["index"]]
    drawn = draw_logos(out["logos"], model, ref[rows], alt[rows], top, n_references, seed, batch_size)
    print(f"top variant: {top.iloc[0][['chrom', 'pos', 'ref', 'alt', 'log_odds_ratio', 'pvalue', 'motif']].to_dict()}" if drawn else "")
    print(f"{drawn} two-allele logos; null: {n_null} random single-base variants")
