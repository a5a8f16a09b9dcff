"""Stage 6, motifs: TF-MoDISco (modisco-lite) patterns, named by Tomtom (memelite) against a motif database."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import logomaker  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import false_discovery_control  # noqa: E402

from bindscope.errors import InputError  # noqa: E402
from bindscope.io import atomic_path, load_npz, replace_folder, temporary_dir, write_table  # noqa: E402
from bindscope.layout import MOTIFS, check_outputs, logo  # noqa: E402
from bindscope.motif_database import Motif, find_motif, find_motifs, read_meme, read_taxa, write_meme  # noqa: E402
from bindscope.patterns import trim_bounds  # noqa: E402
from bindscope.verdict import motif_matches  # noqa: E402

#: Columns of tomtom.tsv and tomtom_all_taxa.tsv. ``database`` is the taxonomic group Tomtom's
#: database was narrowed to ("all" when it was not); ``target_taxon`` that of the matched matrix.
TOMTOM_COLUMNS = [
    "pattern", "n_seqlets", "match_rank", "target_id", "target_name", "pval", "qval", "evalue", "offset", "overlap", "strand",
    "target_taxon", "database",
]  # fmt: skip
ALL_TAXA = "all"


def run_modisco(
    ohe: np.ndarray,
    hypothetical: np.ndarray,
    *,
    max_seqlets: int = 2000,
    window: int = 20,
    flank: int = 5,
    fdr: float = 0.05,
    n_leiden_runs: int = 2,
    verbose: bool = False,
):
    """TF-MoDISco on (N, 4, L) arrays; positive and negative patterns, each sorted by seqlet count (or None).

    modisco-lite's API takes (N, L, 4) float32 (given (N, 4, L) it fails with an unrelated
    IndexError); the CLI's defaults are used for
    window, flank and FDR, which suit short windows better than the API's.
    """
    import tqdm
    from modiscolite.tfmodisco import TFMoDISco

    tqdm.tqdm.monitor_interval = 0  # tqdm's monitor thread would keep modisco-lite's workers from forking
    one_hot = np.ascontiguousarray(ohe.transpose(0, 2, 1), dtype=np.float32)
    hyp = np.ascontiguousarray(hypothetical.transpose(0, 2, 1), dtype=np.float32)
    pos, neg = TFMoDISco(
        one_hot,
        hyp,
        sliding_window_size=window,
        flank_size=flank,
        target_seqlet_fdr=fdr,
        max_seqlets_per_metacluster=max_seqlets,
        n_leiden_runs=n_leiden_runs,
        verbose=verbose,
    )
    by_size = lambda patterns: sorted(patterns, key=lambda p: -len(p.seqlets)) if patterns else patterns  # noqa: E731
    return by_size(pos), by_size(neg)


def tomtom_matches(queries: list[np.ndarray], targets: list[Motif], top_n: int = 5, also: list[int] | None = None) -> list[pd.DataFrame]:
    """Best ``top_n`` targets per query PPM (4, w) by Tomtom p-value, with BH q-values and E-values over all targets.

    Targets whose indices are in ``also`` (the expected motif's matrices) are kept too, at their own
    rank, wherever they rank: their q-values come from the same comparison with every target.
    """
    from memelite import tomtom

    p, _, offsets, overlaps, strands = tomtom(queries, [t.ppm for t in targets])
    q = false_discovery_control(p, axis=-1, method="bh")
    out = []
    for i in range(len(queries)):
        order = np.argsort(p[i], kind="stable")
        keep = np.union1d(np.arange(min(top_n, len(order))), np.flatnonzero(np.isin(order, also or [])))
        best = order[keep]
        out.append(
            pd.DataFrame(
                {
                    "match_rank": keep + 1,
                    "target_id": [targets[j].id for j in best],
                    "target_name": [targets[j].name for j in best],
                    "pval": p[i, best],
                    "qval": q[i, best],
                    "evalue": p[i, best] * len(targets),
                    "offset": offsets[i, best].astype(int),
                    "overlap": overlaps[i, best].astype(int),
                    "strand": np.where(strands[i, best] == 1, "-", "+"),
                }
            )
        )
    return out


def expected_targets(database: list[Motif], expected: str | None) -> list[int]:
    """Indices of the database matrices that count as the expected motif (:func:`~bindscope.verdict.motif_matches`)."""
    if not expected:
        return []
    found = find_motif(database, expected)
    name = found.name if found else None
    return [i for i, m in enumerate(database) if motif_matches(m.id, m.name, expected, name)]


def choose_taxon(setting: str | None, expected: str | None, database: list[Motif], taxa: dict[str, str]) -> str:
    """The taxonomic group Tomtom's database is narrowed to, or ``ALL_TAXA``.

    ``setting`` "all" keeps every matrix; a group name (fungi, vertebrates, plants, ...) narrows to
    it; "auto" (or None) narrows to the group of the expected motif's matrices when the database
    knows it and they share one (a name JASPAR uses in several groups, e.g. CTCF in vertebrates
    and insects, keeps every matrix: the sheet or config names the group). Without a taxa table
    every matrix is kept.

    Raises
    ------
    InputError
        When ``setting`` names a group the database has no matrix of.
    """
    setting = (setting or "auto").lower()
    if setting == ALL_TAXA or not taxa:
        return ALL_TAXA
    if setting != "auto":
        if setting not in set(taxa.values()):
            groups = sorted(set(taxa.values()))
            raise InputError("taxon", setting, f"no matrix of this taxonomic group in the motif database (it has {groups})")
        return setting
    groups = {taxa.get(m.id) for m in find_motifs(database, expected)} if expected else set()
    return groups.pop() if len(groups) == 1 and None not in groups else ALL_TAXA


def named_matches(
    queries: list[np.ndarray], database: list[Motif], taxa: dict[str, str], taxon: str, top_n: int, expected: str | None
) -> list[pd.DataFrame]:
    """:func:`tomtom_matches` against the database's matrices of ``taxon`` (all for ``ALL_TAXA``), each
    match with its matrix's taxonomic group; the expected motif's matrices kept at their own rank."""
    targets = database if taxon == ALL_TAXA else [m for m in database if taxa.get(m.id) == taxon]
    matches = tomtom_matches(queries, targets, top_n, expected_targets(targets, expected)) if queries else []
    return [t.assign(target_taxon=[taxa.get(i, "") for i in t["target_id"]], database=taxon) for t in matches]


def plot_logo(matrix: np.ndarray, path: str | os.PathLike, title: str, kind: str) -> None:
    """A sequence logo of a (w, 4) matrix: ``kind`` 'cwm' (contributions) or 'ppm' (information content)."""
    df = pd.DataFrame(matrix, columns=list("ACGT"))
    if kind == "ppm":
        df = logomaker.transform_matrix(df, from_type="probability", to_type="information")
    fig, ax = plt.subplots(figsize=(max(3.0, 0.3 * len(df)), 1.6))
    logomaker.Logo(df, ax=ax)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("bits" if kind == "ppm" else "contribution", fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)


def trimmed_patterns(pos, neg, threshold: float) -> list[tuple[str, object, int, int]]:
    """(name, pattern, start, end) for every pattern, positive first, each trimmed by :func:`trim_bounds`."""
    named = [
        (f"{group}.pattern_{i}", p)
        for group, patterns in (("pos_patterns", pos), ("neg_patterns", neg))
        for i, p in enumerate(patterns or [])
    ]
    return [(name, p, *trim_bounds(p.contrib_scores, threshold)) for name, p in named]


def write_logos(patterns: list[tuple[str, object, int, int]], matches: list[pd.DataFrame], database: list[Motif], logos: Path) -> None:
    """Logo of each pattern's CWM beside its best match's logo (on the matched strand); replaces ``logos``."""
    by_id = {m.id: m for m in database}
    with temporary_dir(logos) as tmp:
        for (name, pattern, lo, hi), table in zip(patterns, matches, strict=True):
            plot_logo(pattern.contrib_scores[lo:hi], logo(str(tmp), name, "cwm"), f"{name} ({len(pattern.seqlets)} seqlets)", "cwm")
            best = by_id[table["target_id"].iloc[0]]
            ppm = best.ppm if table["strand"].iloc[0] == "+" else best.ppm[::-1, ::-1]
            plot_logo(ppm.T, logo(str(tmp), name, "match"), f"{best.id} {best.name} (q={table['qval'].iloc[0]:.1e})", "ppm")
        replace_folder(tmp, logos)


def planted_example(seed: int, n: int = 300, length: int = 100, width: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """One-hot (n, 4, length) float32 sequences, each with one copy of a random ``width``-mer, and hypothetical
    contributions (mean-centred across bases) that are 1 on that k-mer and small noise elsewhere."""
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 4, (n, length))
    starts = rng.integers(0, length - width, n)
    columns = starts[:, None] + np.arange(width)
    bases[np.arange(n)[:, None], columns] = rng.integers(0, 4, width)
    ohe = np.zeros((n, 4, length), np.float32)
    ohe[np.arange(n)[:, None], bases, np.arange(length)] = 1
    hypothetical = rng.normal(0, 0.01, (n, 4, length)).astype(np.float32)
    hypothetical[np.arange(n)[:, None], bases[np.arange(n)[:, None], columns], columns] += 1.0
    return ohe, hypothetical - hypothetical.mean(axis=1, keepdims=True)


def compile_kernels(out: str, *, seed: int) -> None:
    """Compile the Numba kernels of TF-MoDISco and Tomtom on a planted example; write a note to ``out``.

    Cold, they take about 2 CPU-minutes to compile (Tomtom's alone 95 s); every motifs job that starts
    before the cache holds them compiles its own copy. One job that runs first lets the others load them.
    Tomtom's (memelite's, ``cache=True``) go to Numba's own cache, kept per environment (beside the
    installed modules, or the user's cache directory; NUMBA_CACHE_DIR when set), so a warm environment
    pays only TF-MoDISco's uncached compile here, whatever the run folder.
    """
    import time

    import numba

    started = time.perf_counter()
    pos, neg = run_modisco(*planted_example(seed), max_seqlets=500, n_leiden_runs=1)
    patterns = trimmed_patterns(pos, neg, 0.1)
    if not patterns:
        raise RuntimeError("TF-MoDISco found no pattern in the planted example: the Tomtom kernels were not compiled")
    rng = np.random.default_rng(seed)
    targets = [Motif(f"t{i}", "", rng.dirichlet(np.ones(4), w).T.copy()) for i, w in enumerate(range(6, 36))]
    tomtom_matches([p.sequence[lo:hi].T for _, p, lo, hi in patterns], targets, top_n=1)
    note = f"numba {numba.__version__}; cache {numba.config.CACHE_DIR or '(next to each module)'}; "
    note += f"{len(patterns)} planted patterns; {time.perf_counter() - started:.1f} s\n"
    with atomic_path(out) as tmp:
        Path(tmp).write_text(note)
    print(note, end="")


def match_table(patterns: list[tuple[str, object, int, int]], matches: list[pd.DataFrame]) -> pd.DataFrame:
    """One table (TOMTOM_COLUMNS) of every pattern's matches."""
    rows = [t.assign(pattern=name, n_seqlets=len(p.seqlets)) for (name, p, _, _), t in zip(patterns, matches, strict=True)]
    return pd.concat(rows, ignore_index=True)[TOMTOM_COLUMNS] if rows else pd.DataFrame(columns=TOMTOM_COLUMNS)


def run(
    scores: str,
    motif_db: str,
    out: dict[str, str],
    *,
    max_seqlets: int,
    trim_threshold: float,
    top_matches: int,
    n_leiden_runs: int,
    seed: int,
    expected_motif: str | None = None,
    taxa: str | None = None,
    taxon: str | None = None,
) -> None:
    """Write ``out``: h5 (TF-MoDISco's results), meme (the trimmed patterns), tomtom and tomtom_all (their
    matches) and the logos folder.

    tomtom holds each pattern's ``top_matches`` best matches among the matrices of the run's taxonomic
    group (:func:`choose_taxon` of ``taxon``, with the ``taxa`` table of rule motif_db) and, when the
    sheet names an ``expected_motif``, every matrix of that TF at its own rank (see
    :func:`expected_targets`); tomtom_all the same against every taxon, which is what shows a
    pattern that matches only another kingdom's matrices. The logos show tomtom's best match.
    """
    from modiscolite.io import save_hdf5

    check_outputs(out, MOTIFS)
    np.random.seed(seed)
    data = load_npz(scores)
    database = read_meme(motif_db)
    known_taxa = read_taxa(taxa)
    chosen = choose_taxon(taxon, expected_motif, database, known_taxa)
    pos, neg = run_modisco(data["ohe"], data["hypothetical"], max_seqlets=max_seqlets, n_leiden_runs=n_leiden_runs)
    with atomic_path(out["h5"]) as tmp:
        save_hdf5(str(tmp), pos, neg, window_size=20)
    patterns = trimmed_patterns(pos, neg, trim_threshold)
    queries = [p.sequence[lo:hi].T for _, p, lo, hi in patterns]
    in_taxon = len(database) if chosen == ALL_TAXA else sum(known_taxa.get(m.id) == chosen for m in database)
    print(f"Tomtom database: {chosen} ({in_taxon} of {len(database)} matrices)")
    matches = named_matches(queries, database, known_taxa, chosen, top_matches, expected_motif)
    write_logos(patterns, matches, database, Path(out["logos"]))
    table = match_table(patterns, matches)
    write_table(table, out["tomtom"])
    everywhere = named_matches(queries, database, known_taxa, ALL_TAXA, top_matches, expected_motif) if chosen != ALL_TAXA else matches
    write_table(match_table(patterns, everywhere), out["tomtom_all"])
    write_meme([Motif(name, f"n_seqlets={len(p.seqlets)}", q) for (name, p, _, _), q in zip(patterns, queries, strict=True)], out["meme"])
    for row in table[table["match_rank"] == 1].itertuples():
        print(f"{row.pattern}: {row.n_seqlets} seqlets, best match {row.target_id} {row.target_name} q={row.qval:.2e}")
