"""The scientific verdict and the summary rows: was the expected motif recovered, and one results/summary.tsv row per model.

Shared by the report stage (which writes a TF's rows) and the summary stage (which joins them).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bindscope.motifdb import base_id, find_motif, read_meme

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
]
#: Columns of the per-TF report's metrics table.
TF_TABLE_COLUMNS = [c for c in SUMMARY_COLUMNS if c not in {"tf", "n_train", "top_match_id", "expected_motif"}]
#: Count columns: whole numbers, empty where they do not apply.
INTEGER_COLUMNS = ["n_train", "n_test", "n_patterns", "expected_motif_rank"]
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
    is the expected motif when :func:`motif_matches` says so. ``recovered`` needs that rank <= 3
    and the match's q < 0.05.
    """
    best = tomtom[(tomtom["match_rank"] == 1) & tomtom["pattern"].str.startswith("pos_patterns")]
    best = best.sort_values("n_seqlets", ascending=False, kind="stable").reset_index(drop=True)
    verdict = {
        "n_patterns": len(best),
        "top_match_id": "",
        "top_match_name": "",
        "top_match_qval": math.nan,
        "expected_motif": expected or "",
        "expected_motif_rank": math.nan,
        "recovered": "",
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
    return verdict


def summit_distance_median(scores: dict[str, np.ndarray]) -> float:
    """Median |attribution peak - summit| in bp over the attributed positives (summit = window centre).

    The localisation of a per-sequence model; a per-base model reports its own (output maximum)
    in metrics.json, which :func:`summary_row` prefers.
    """
    if len(scores["attribution_peak"]) == 0:
        return math.nan
    return float(np.median(np.abs(scores["attribution_peak"] - scores["ohe"].shape[-1] // 2)))


def metric_columns(tf: str, model: str, qc: dict, metrics: dict) -> dict:
    """The summary columns every row has: TF, model, split sizes and test metrics (NaN where absent)."""
    return {
        "tf": tf,
        "model": model,
        "n_train": sum(v.get("train", 0) for v in qc["counts"].values()),
        "n_test": metrics["n"],
        **{k: metrics.get(k, math.nan) for k in ("accuracy", "auroc", "auprc", "f1", "mcc", "base_auroc", "base_auprc", "iou")},
    }


def summary_row(
    tf: str,
    model: str,
    qc: dict,
    metrics: dict,
    tomtom: pd.DataFrame,
    scores: dict[str, np.ndarray],
    expected: str | None,
    expected_name: str | None = None,
) -> dict:
    """One summary.tsv row for a TF and model.

    summit_distance_median is the model's own (per-base output maximum, in ``metrics``) when it
    has one, else that of its attribution maximum.
    """
    row = {
        **metric_columns(tf, model, qc, metrics),
        "summit_distance_median": metrics.get("summit_distance_median", summit_distance_median(scores)),
        **motif_verdict(tomtom, expected, expected_name),
    }
    return {c: row.get(c, "") for c in SUMMARY_COLUMNS}


def expected_tf_name(expected: str | None, motif_db: str | None) -> str | None:
    """Database name of the expected motif (an ID or a name), or None when it is not in ``motif_db``."""
    if not expected or not motif_db:
        return None
    motif = find_motif(read_meme(motif_db), expected)
    return motif.name if motif else None


def baseline_row(tf: str, name: str, qc: dict, metrics: dict, expected: str | None) -> dict:
    """A summary row for a baseline: its test metrics; no patterns, so the motif columns stay empty."""
    row = {**metric_columns(tf, name, qc, metrics), "expected_motif": expected or ""}
    return {c: row.get(c, "") for c in SUMMARY_COLUMNS}


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """Rows as a table with SUMMARY_COLUMNS, count columns as nullable integers (1, not 1.0)."""
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for c in INTEGER_COLUMNS:
        table[c] = pd.to_numeric(table[c], errors="coerce").round().astype("Int64")
    return table
