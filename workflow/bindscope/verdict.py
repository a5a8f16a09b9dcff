"""The scientific verdict and the summary rows: was the expected motif recovered, and one results/summary.tsv row per model.

Shared by the report stage (which writes a TF's rows) and the summary stage (which joins them).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bindscope.layout import CONTROL_KINDS
from bindscope.motif_database import KINGDOMS, base_id, find_motif, find_motifs, read_meme

#: Columns of results/summary.tsv, in this order (ARCHITECTURE.md). New columns go at the end.
SUMMARY_COLUMNS = [
    "tf",
    "model",
    "n_train",
    "n_test",
    "accuracy",
    "auroc",
    "auprc",
    "f1",
    "mcc",
    "base_auroc",
    "base_auprc",
    "iou",
    "summit_distance_median",
    "n_patterns",
    "top_match_id",
    "top_match_name",
    "top_match_qval",
    "expected_motif",
    "expected_motif_rank",
    "recovered",
    "auroc_shuffled",
    "auprc_shuffled",
    "auroc_flanks",
    "auprc_flanks",
    "expected_motif_qval",
    "taxon",
    "top_match_all_taxa_id",
    "top_match_all_taxa_name",
    "other_kingdom_patterns",
    "best_method_vs_ism",
    "attribution_method",
    "compared_methods",
]
#: Columns added at the end with windows.folds > 1: the number of folds and the mean and sample sd of the folds'
#: test AUROC and AUPRC (the other columns are then the pooled out-of-fold figures). Absent with one fold.
FOLD_COLUMNS = ["folds", "auroc_fold_mean", "auroc_fold_sd", "auprc_fold_mean", "auprc_fold_sd"]
#: Columns of the per-TF report's metrics table.
TF_TABLE_COLUMNS = [
    c for c in SUMMARY_COLUMNS if c not in {"tf", "n_train", "top_match_id", "expected_motif", "taxon", "top_match_all_taxa_id"}
]
#: Count columns: whole numbers, empty where they do not apply.
INTEGER_COLUMNS = ["n_train", "n_test", "n_patterns", "expected_motif_rank", "other_kingdom_patterns", "folds"]
RECOVERY_MAX_RANK = 3
RECOVERY_MAX_QVAL = 0.05


def motif_matches(target_id: str, target_name: str, expected: str, expected_name: str | None = None) -> bool:
    """Whether a database motif is the expected one: by ID without version (MA0363 = MA0363.3), or by TF name.

    ``expected_name`` is the database name of an expected ID (MA0139.2 -> CTCF): JASPAR holds
    several matrices of one TF (CTCF: MA0139, MA1929, MA1930) and a learnt pattern often ties
    between them, so any matrix of the expected TF counts. Names compare exactly, case aside
    (CTCFL is not CTCF).
    """
    names = {expected.upper()} | ({expected_name.upper()} if expected_name else set())
    return base_id(target_id) == base_id(expected) or target_name.upper() in names


def motif_verdict(tomtom: pd.DataFrame, expected: str | None, expected_name: str | None = None) -> dict:
    """Top match of the largest positive pattern, and the rank of the first positive pattern named after ``expected``.

    Patterns are ranked by seqlet count; a pattern is named after its best (rank 1) match, which
    is the expected motif when :func:`motif_matches` says so. ``expected_motif_qval`` is the lowest
    q-value of an expected matrix against any positive pattern, whether or not it is that pattern's
    best match (the motifs stage keeps those rows at their own rank). ``recovered``: one of the first
    3 patterns is named after the expected motif with q < 0.05, or matches it at q < 0.05 while
    another matrix (often a relative of the same family) ranks higher.
    """
    best = positive_patterns(tomtom)
    verdict = {
        "n_patterns": len(best),
        "top_match_id": "",
        "top_match_name": "",
        "top_match_qval": math.nan,
        "expected_motif": expected or "",
        "expected_motif_rank": math.nan,
        "recovered": "",
        "expected_motif_qval": math.nan,
    }
    if len(best):
        verdict.update(
            top_match_id=best.at[0, "target_id"], top_match_name=best.at[0, "target_name"], top_match_qval=float(best.at[0, "qval"])
        )
    if expected:
        hits = [i for i, row in best.iterrows() if motif_matches(row["target_id"], row["target_name"], expected, expected_name)]
        verdict["recovered"] = False
        if hits:
            rank = hits[0] + 1
            verdict["expected_motif_rank"] = rank
            verdict["recovered"] = bool(rank <= RECOVERY_MAX_RANK and best.at[hits[0], "qval"] < RECOVERY_MAX_QVAL)
        direct = expected_motif_qvals(tomtom, best["pattern"].tolist(), expected, expected_name)
        verdict["expected_motif_qval"] = float(direct.min()) if len(direct) else math.nan
        top = direct.reindex(best["pattern"].iloc[:RECOVERY_MAX_RANK]).dropna()
        verdict["recovered"] = bool(verdict["recovered"] or (top < RECOVERY_MAX_QVAL).any())
    return verdict


def positive_patterns(tomtom: pd.DataFrame) -> pd.DataFrame:
    """Rank-1 rows of the positive patterns, largest (most seqlets) first."""
    best = tomtom[(tomtom["match_rank"] == 1) & tomtom["pattern"].str.startswith("pos_patterns")]
    return best.sort_values("n_seqlets", ascending=False, kind="stable").reset_index(drop=True)


def other_kingdom_patterns(tomtom_all: pd.DataFrame, taxon: str) -> dict[str, list[str]]:
    """Positive patterns whose matches at q < 0.05 against every taxon are all from another kingdom than
    ``taxon``'s, each with those kingdoms.

    E.g. a pattern of a yeast run matching only plant matrices (an AT-rich DOF): more likely
    composition than the TF. Empty when ``taxon`` has no known kingdom (a run over all taxa).
    """
    kingdom = KINGDOMS.get(taxon)
    if kingdom is None:
        return {}
    rows = tomtom_all[tomtom_all["pattern"].str.startswith("pos_patterns") & (tomtom_all["qval"] < RECOVERY_MAX_QVAL)]
    kingdoms = rows["target_taxon"].map(KINGDOMS).fillna("unknown").groupby(rows["pattern"], sort=False).agg(lambda k: sorted(set(k)))
    return {pattern: found for pattern, found in kingdoms.items() if kingdom not in found}


def taxon_verdict(tomtom: pd.DataFrame, tomtom_all: pd.DataFrame) -> dict:
    """The run's taxonomic group, the top pattern's best match over every taxon, and how many patterns match only another kingdom."""
    taxon = str(tomtom["database"].iloc[0]) if len(tomtom) and "database" in tomtom else ""
    best = positive_patterns(tomtom_all)
    flagged = other_kingdom_patterns(tomtom_all, taxon)
    return {
        "taxon": taxon,
        "top_match_all_taxa_id": best.at[0, "target_id"] if len(best) else "",
        "top_match_all_taxa_name": best.at[0, "target_name"] if len(best) else "",
        "other_kingdom_patterns": len(flagged) if taxon in KINGDOMS else math.nan,
    }


def expected_motif_qvals(tomtom: pd.DataFrame, patterns: list[str], expected: str, expected_name: str | None) -> pd.Series:
    """The lowest q-value of a matrix of the expected motif against each of ``patterns`` (those where Tomtom kept one)."""
    is_expected = [motif_matches(i, n, expected, expected_name) for i, n in zip(tomtom["target_id"], tomtom["target_name"], strict=True)]
    rows = tomtom[np.array(is_expected, dtype=bool) & tomtom["pattern"].isin(patterns)]
    return rows.groupby("pattern")["qval"].min()


def summit_distance_median(scores: dict[str, np.ndarray]) -> float:
    """Median |attribution peak - summit| in bp over the attributed positives (summit = window centre).

    The localisation of a per-sequence model; a per-base model reports its own (output maximum)
    in metrics.json, which :func:`summary_row` prefers.
    """
    if len(scores["attribution_peak"]) == 0:
        return math.nan
    return float(np.median(np.abs(scores["attribution_peak"] - scores["ohe"].shape[-1] // 2)))


def control_columns(metrics: dict) -> dict:
    """auroc_<kind> and auprc_<kind> of the test positives against each kind of control negative (NaN where absent)."""
    controls = metrics.get("controls", {})
    return {f"{m}_{kind}": controls.get(kind, {}).get(m, math.nan) for kind in CONTROL_KINDS for m in ("auroc", "auprc")}


def fold_columns(metrics: dict) -> dict:
    """:data:`FOLD_COLUMNS` from a pooled evaluation's ``folds`` (pool_folds stage); nothing for one fold."""
    folds = metrics.get("folds")
    if not folds:
        return {}
    stats = {f"{m}_fold_{kind}": folds[kind].get(m, math.nan) for m in ("auroc", "auprc") for kind in ("mean", "sd")}
    return {"folds": folds["k"], **stats}


def metric_columns(tf: str, model: str, qc: dict, metrics: dict) -> dict:
    """The summary columns every row has: TF, model, split sizes, test metrics and control metrics (NaN where absent),
    and with folds :func:`fold_columns`."""
    return {
        **fold_columns(metrics),
        **control_columns(metrics),
        "tf": tf,
        "model": model,
        "n_train": sum(v.get("train", 0) for v in qc["counts"].values()),
        "n_test": metrics["n"],
        **{k: metrics.get(k, math.nan) for k in ("accuracy", "auroc", "auprc", "f1", "mcc", "base_auroc", "base_auprc", "iou")},
    }


def best_method(methods: pd.DataFrame) -> str:
    """The attribution method (ISM aside) whose contributions agree best with ISM's (median Pearson); '' when none was compared."""
    candidates = methods[(methods["method"] != "ism") & methods["pearson_ism"].notna()]
    return "" if candidates.empty else str(candidates.loc[candidates["pearson_ism"].idxmax(), "method"])


def summary_row(
    tf: str,
    model: str,
    qc: dict,
    metrics: dict,
    tomtom: pd.DataFrame,
    scores: dict[str, np.ndarray],
    expected: str | None,
    expected_name: str | None = None,
    tomtom_all: pd.DataFrame | None = None,
    methods: pd.DataFrame | None = None,
) -> dict:
    """One summary.tsv row for a TF and model.

    summit_distance_median is the model's own (per-base output maximum, in ``metrics``) when it
    has one, else that of its attribution maximum. ``tomtom_all`` (matches against every taxon)
    defaults to ``tomtom``; ``methods`` is the compare_methods stage's table (methods.tsv), None when the
    comparison did not run. attribution_method is the method of the model's ``scores``; compared_methods
    the methods of ``methods`` ('; '-separated; empty without the comparison).
    """
    row = {
        **metric_columns(tf, model, qc, metrics),
        "summit_distance_median": metrics.get("summit_distance_median", summit_distance_median(scores)),
        **motif_verdict(tomtom, expected, expected_name),
        **taxon_verdict(tomtom, tomtom if tomtom_all is None else tomtom_all),
        "best_method_vs_ism": "" if methods is None else best_method(methods),
        "attribution_method": str(scores["method"]) if "method" in scores else "",
        "compared_methods": "" if methods is None else "; ".join(methods["method"]),
    }
    return {c: row.get(c, "") for c in columns_of([row])}


def expected_tf_name(expected: str | None, motif_db: str | None) -> str | None:
    """Database name of the expected motif (an ID or a name), or None when it is not in ``motif_db``."""
    if not expected or not motif_db:
        return None
    motif = find_motif(read_meme(motif_db), expected)
    return motif.name if motif else None


def expected_label(expected: str | None, motif_db: str | None) -> str | None:
    """The sheet's motif and the database matrices it stands for, e.g. "CTCF (MA0139.2, MA1929.2, MA1930.2, MA0531.2)"."""
    if not expected or not motif_db:
        return expected or None
    matrices = find_motifs(read_meme(motif_db), expected)
    return f"{expected} ({', '.join(m.id if m.name.upper() == expected.upper() else f'{m.id} {m.name}' for m in matrices)})"


def baseline_row(tf: str, name: str, qc: dict, metrics: dict, expected: str | None) -> dict:
    """A summary row for a baseline: its test metrics; no patterns, so the motif columns stay empty."""
    row = {**metric_columns(tf, name, qc, metrics), "expected_motif": expected or ""}
    return {c: row.get(c, "") for c in columns_of([row])}


def columns_of(rows: list[dict]) -> list[str]:
    """SUMMARY_COLUMNS, and FOLD_COLUMNS when a row has folds."""
    folds = any(not pd.isna(r.get("folds", math.nan)) and r.get("folds", "") != "" for r in rows)
    return SUMMARY_COLUMNS + (FOLD_COLUMNS if folds else [])


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """Rows as a table with SUMMARY_COLUMNS (and FOLD_COLUMNS with folds), count columns as nullable integers (1, not 1.0)."""
    columns = columns_of(rows)
    table = pd.DataFrame(rows, columns=columns)
    for c in [c for c in INTEGER_COLUMNS if c in columns]:
        table[c] = pd.to_numeric(table[c], errors="coerce").round().astype("Int64")
    return table


def baseline_warnings(rows: dict[str, dict], models: list[str], baselines: list[str]) -> list[str]:
    """A warning for each model whose test AUPRC is below a baseline's: it learnt less than a motif scan or k-mer counts."""
    warnings = []
    for model in models:
        for baseline in baselines:
            ours, theirs = rows[model]["auprc"], rows[baseline]["auprc"]
            if ours < theirs:  # False when either is NaN
                warnings.append(
                    f"warning: {model}'s test AUPRC {ours:.3f} is below {baseline}'s {theirs:.3f}; "
                    "read its motifs with care (docs/outputs.md, 'When a model loses to a baseline')"
                )
    return warnings
