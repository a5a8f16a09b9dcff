"""Synthetic demo data with a known answer: planted JASPAR motifs at peak summits.

:func:`make_demo` writes a genome with isochore-like GC variation, soft-masked stretches and N
gaps; one narrowPeak file per TF whose summits carry sites sampled from that TF's JASPAR PPM
(not its consensus) at partial occupancy; a decoy motif planted at the same rate inside and
outside peaks; and a blacklist over the gaps.

:func:`make_weak_demo` is the hard test bed: one TF with a short, weak motif (GCN4's 8 bp,
mixed a little with uniform) at part of its summits, its peaks in AT-rich promoter-like
stretches with poly(dA:dT) tracts, and unbound sites of the motif across the genome, so that
composition alone (what a k-mer model learns) separates much of the peaks from GC-matched
negatives, and a scan of the motif alone less.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bindscope.io import atomic_path
from bindscope.motif_database import Motif
from bindscope.motif_database.jaspar import fetch_jaspar_motif

#: TF name -> JASPAR matrix planted at its summits.
DEMO_TFS = {"CTCF": "MA0139.2", "REST": "MA0138.3"}
#: Planted at the same rate inside and outside peaks: must never be learned as the TF's motif.
DECOY = "MA0018.5"  # CREB1
#: Files make_demo writes, relative to its output folder.
DEMO_FILES = ("genome.fa", "blacklist.bed", *(f"{tf}.narrowPeak" for tf in DEMO_TFS))
CHROM_LENGTHS = (520_000, 480_000, 450_000, 420_000, 380_000, 350_000)
#: The weak-motif test bed's TF and the matrix its sites are drawn from (degraded).
WEAK_TF = ("GCN4", "MA0303.3")
#: Files make_weak_demo writes, relative to its output folder.
WEAK_DEMO_FILES = ("genome.fa", "blacklist.bed", f"{WEAK_TF[0]}.narrowPeak")
WEAK_CHROM_LENGTHS = (640_000, 600_000, 560_000, 520_000, 480_000, 440_000)
LETTERS = np.frombuffer(b"ACGT", dtype=np.uint8)


def gc_landscape(length: int, rng: np.random.Generator, mean_segment: int = 40_000) -> np.ndarray:
    """Per-base GC probability: isochore-like segments plus 1 kb drift, clipped to [0.25, 0.65]."""
    n_seg = max(2, int(length / mean_segment * 2))
    bounds = np.unique(np.concatenate([[0], np.sort(rng.integers(0, length, n_seg)), [length]]))
    seg_gc = rng.normal(0.41, 0.07, len(bounds) - 1)
    gc = np.repeat(seg_gc, np.diff(bounds))
    drift = np.repeat(rng.normal(0, 0.03, length // 1000 + 1), 1000)[:length]
    return np.clip(gc + drift, 0.25, 0.65)


def random_sequence(gc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """ASCII bases drawn position by position from a GC probability, uint8 (L,)."""
    u = rng.random(len(gc))
    strong = u < gc
    half = np.where(strong, u / gc, (u - gc) / (1 - gc)) < 0.5
    codes = np.where(strong, np.where(half, 1, 2), np.where(half, 0, 3))
    return LETTERS[codes].copy()


def sample_site(motif: Motif, rng: np.random.Generator) -> bytes:
    """One binding site drawn column by column from the PPM, on a random strand."""
    cum = np.cumsum(motif.ppm, axis=0)
    codes = (rng.random(motif.ppm.shape[1])[None, :] > cum).sum(axis=0)
    codes = np.minimum(codes, 3)
    if rng.random() < 0.5:
        codes = 3 - codes[::-1]
    return LETTERS[codes].tobytes()


def plant(seq: np.ndarray, centre: int, site: bytes) -> None:
    start = centre - len(site) // 2
    seq[start : start + len(site)] = np.frombuffer(site, dtype=np.uint8)


def near(positions: np.ndarray, sorted_points: np.ndarray, distance: int) -> np.ndarray:
    """Whether each position lies within ``distance`` bp of any of the sorted points."""
    i = np.searchsorted(sorted_points, positions)
    left = np.abs(positions - sorted_points[np.clip(i - 1, 0, len(sorted_points) - 1)])
    right = np.abs(sorted_points[np.clip(i, 0, len(sorted_points) - 1)] - positions)
    return np.minimum(left, right) <= distance


def choose_summits(
    gc: np.ndarray, n: int, rng: np.random.Generator, forbidden: np.ndarray, margin: int = 1000, gc_preference: float = 10.0
) -> np.ndarray:
    """Peak summits at least 600 bp apart, weighted by exp(gc_preference * (GC - 0.41)).

    The default favours GC-rich stretches, as mammalian peaks do; a negative value favours
    AT-rich ones, as yeast promoters are.
    """
    weights = np.exp(gc_preference * (gc[::100] - 0.41))
    weights[forbidden[::100]] = 0
    weights[: margin // 100] = weights[-margin // 100 :] = 0
    picks = rng.choice(len(weights), size=min(n * 3, len(weights)), replace=False, p=weights / weights.sum()) * 100
    kept: list[int] = []
    for p in picks:
        if all(abs(p - k) >= 600 for k in kept):
            kept.append(int(p))
        if len(kept) == n:
            break
    return np.sort(np.array(kept))


def make_demo(
    outdir: str | Path,
    *,
    n_peaks: int,
    seed: int,
    occupancy: float = 0.6,
    sites_per_peak: int = 4,
    decoy_rate: float = 0.25,
    release: str = "JASPAR2024",
) -> None:
    """Write genome.fa, <TF>.narrowPeak, blacklist.bed under ``outdir``.

    Each peak has ``sites_per_peak`` candidate sites (the first within 5 bp of the summit, the
    others within 40 bp), each occupied with probability ``occupancy``: with the defaults
    0.4 ** 4 = 2.6 % of peaks carry no site, as in real data where some peaks lack the motif.
    """
    rng = np.random.default_rng(seed)
    outdir = Path(outdir)
    motifs = {tf: fetch_jaspar_motif(mid, release) for tf, mid in DEMO_TFS.items()}
    decoy = fetch_jaspar_motif(DECOY, release)
    chroms, peaks, blacklist = {}, {tf: [] for tf in DEMO_TFS}, []
    for i, length in enumerate(CHROM_LENGTHS, start=1):
        name = f"chr{i}"
        gc = gc_landscape(length, rng)
        seq = random_sequence(gc, rng)
        gap = int(rng.integers(length // 4, 3 * length // 4))
        forbidden = np.zeros(length, dtype=bool)
        forbidden[gap - 2000 : gap + 7000] = True
        all_summits = []
        for tf, motif in motifs.items():
            summits = choose_summits(gc, n_peaks * length // sum(CHROM_LENGTHS), rng, forbidden)
            all_summits.append(summits)
            for s in summits:
                for k in range(sites_per_peak):  # a homotypic cluster: the first site at the summit
                    if rng.random() < occupancy:
                        spread = 5 if k == 0 else 40
                        plant(seq, s + int(rng.integers(-spread, spread + 1)), sample_site(motif, rng))
                if rng.random() < decoy_rate:
                    plant(seq, s + int(rng.integers(-80, 81)), sample_site(decoy, rng))
                peaks[tf].append(peak_row(name, int(s), f"{tf}_peak_{len(peaks[tf]) + 1}", rng))
        # the decoy outside peaks at the same per-200-bp rate as inside them
        background = rng.integers(1000, length - 1000, int(decoy_rate * length / 200))
        for c in background[~near(background, np.sort(np.concatenate(all_summits)), 150)]:
            plant(seq, int(c), sample_site(decoy, rng))
        mask_repeats_and_gap(seq, gap, rng)
        blacklist.append((name, gap - 500, gap + 5500))
        chroms[name] = seq
    _write_outputs(outdir, chroms, peaks, blacklist)


def peak_row(chrom: str, summit: int, name: str, rng: np.random.Generator) -> tuple:
    """One narrowPeak record around ``summit``: 60-150 bp either side, random score and signal."""
    left, right = rng.integers(60, 150, 2)
    score = int(rng.integers(100, 1000))
    signal, p_value = round(float(rng.gamma(4, 5)), 3), round(float(rng.gamma(3, 8)), 3)
    return (chrom, summit - left, summit + right, name, score, ".", signal, p_value, -1, int(left))


def mask_repeats_and_gap(seq: np.ndarray, gap: int, rng: np.random.Generator) -> None:
    """Lower-case six stretches of 300-3,000 bp (soft-masked "repeats"); 5 kb of N from ``gap``."""
    for start in rng.integers(0, len(seq) - 3000, 6):
        seq[start : start + int(rng.integers(300, 3000))] |= 0x20  # to lower case, idempotently
    seq[gap : gap + 5000] = ord("N")


def degraded(motif: Motif, strength: float) -> Motif:
    """``motif`` with each column mixed with the uniform distribution: strength 1 keeps it, 0 erases it."""
    return Motif(motif.id, motif.name, strength * motif.ppm + (1 - strength) * 0.25)


def poly_a_tract(rng: np.random.Generator, lengths: tuple[int, int] = (10, 19), mismatch: float = 0.1) -> bytes:
    """A poly(dA) or poly(dT) tract of promoter nucleosome-depleted regions, with random mismatches."""
    n = int(rng.integers(*lengths))
    base = b"A" if rng.random() < 0.5 else b"T"
    tract = np.frombuffer(base * n, dtype=np.uint8).copy()
    swap = rng.random(n) < mismatch
    tract[swap] = LETTERS[rng.integers(0, 4, int(swap.sum()))]
    return tract.tobytes()


def make_weak_demo(
    outdir: str | Path,
    *,
    n_peaks: int,
    seed: int,
    strength: float = 0.95,
    occupancy: float = 0.8,
    poly_a_rate: float = 0.4,
    unbound_site_rate: float = 0.05,
    release: str = "JASPAR2024",
) -> None:
    """Write genome.fa, GCN4.narrowPeak, blacklist.bed under ``outdir``: the hard test bed.

    Summits favour AT-rich stretches, and ±200 bp around each is 8 % AT-richer still (a
    promoter); ``poly_a_rate`` of peaks carry a poly(dA:dT) tract 30-120 bp from the summit.
    Sites are drawn from GCN4's PPM mixed with uniform (``strength``): one within 15 bp of the
    summit with probability ``occupancy``, a second within 60 bp with half that; unbound sites
    are planted genome-wide at ``unbound_site_rate`` per 200 bp outside peaks. The defaults put
    the baselines where they were on the real bZIP ChIP-exo set this bed stands for (test AUPRC
    pwm_scan ~0.80, kmer_lr ~0.85): measured medians 0.79 and 0.87 at 1,000 peaks, seeds 0-2.
    """
    rng = np.random.default_rng(seed)
    outdir = Path(outdir)
    tf, matrix_id = WEAK_TF
    motif = degraded(fetch_jaspar_motif(matrix_id, release), strength)
    chroms, peaks, blacklist = {}, {tf: []}, []
    for i, length in enumerate(WEAK_CHROM_LENGTHS, start=1):
        name = f"chr{i}"
        gc = gc_landscape(length, rng)
        gap = int(rng.integers(length // 4, 3 * length // 4))
        forbidden = np.zeros(length, dtype=bool)
        forbidden[gap - 2000 : gap + 7000] = True
        summits = choose_summits(gc, n_peaks * length // sum(WEAK_CHROM_LENGTHS), rng, forbidden, gc_preference=-10.0)
        for s in summits:
            gc[s - 200 : s + 200] = np.clip(gc[s - 200 : s + 200] - 0.08, 0.2, None)
        seq = random_sequence(gc, rng)
        for s in summits:
            if rng.random() < poly_a_rate:
                offset = int(rng.integers(30, 121)) * (1 if rng.random() < 0.5 else -1)
                plant(seq, s + offset, poly_a_tract(rng))
            if rng.random() < occupancy:
                plant(seq, s + int(rng.integers(-15, 16)), sample_site(motif, rng))
            if rng.random() < occupancy / 2:
                plant(seq, s + int(rng.integers(-60, 61)), sample_site(motif, rng))
            peaks[tf].append(peak_row(name, int(s), f"{tf}_peak_{len(peaks[tf]) + 1}", rng))
        unbound = rng.integers(1000, length - 1000, int(unbound_site_rate * length / 200))
        for c in unbound[~near(unbound, summits, 250)]:
            plant(seq, int(c), sample_site(motif, rng))
        mask_repeats_and_gap(seq, gap, rng)
        blacklist.append((name, gap - 500, gap + 5500))
        chroms[name] = seq
    _write_outputs(outdir, chroms, peaks, blacklist)


def _write_outputs(outdir: Path, chroms: dict[str, np.ndarray], peaks: dict[str, list], blacklist: list) -> None:
    _write_fasta(chroms, outdir / "genome.fa")
    for tf, rows in peaks.items():
        df = pd.DataFrame(rows).sort_values([0, 1])
        with atomic_path(outdir / f"{tf}.narrowPeak") as tmp:
            df.to_csv(tmp, sep="\t", header=False, index=False)
    with atomic_path(outdir / "blacklist.bed") as tmp:
        pd.DataFrame(blacklist).to_csv(tmp, sep="\t", header=False, index=False)


def _write_fasta(chroms: dict[str, np.ndarray], path: Path, width: int = 60) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        for name, seq in chroms.items():
            fh.write(f">{name}\n".encode())
            raw = seq.tobytes()
            fh.write(b"\n".join(raw[i : i + width] for i in range(0, len(raw), width)) + b"\n")


def run(out_dir: str, *, n_peaks: int, seed: int) -> None:
    """Write the demo files (DEMO_FILES) into ``out_dir``."""
    make_demo(out_dir, n_peaks=n_peaks, seed=seed)
    print(f"demo data written to {out_dir}")


def run_weak(out_dir: str, *, n_peaks: int, seed: int) -> None:
    """Write the weak-motif test bed (WEAK_DEMO_FILES) into ``out_dir``."""
    make_weak_demo(out_dir, n_peaks=n_peaks, seed=seed)
    print(f"weak-motif demo data written to {out_dir}")
