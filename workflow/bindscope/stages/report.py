"""Stage 7, report: a TF's HTML page and its summary rows, from the declared files of every model and baseline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bindscope.figures import curve_figure, figure_uri, track_examples, track_figure
from bindscope.io import atomic_path, load_npz, read_json, write_table
from bindscope.layout import REPORT, check_outputs, logo
from bindscope.render import image_uri, tf_report
from bindscope.verdict import (
    baseline_row,
    baseline_warnings,
    expected_label,
    expected_tf_name,
    motif_verdict,
    other_kingdom_patterns,
    summary_row,
    summary_table,
    summit_distance_median,
)

#: Example windows drawn as tracks.
N_TRACKS = 3


def match_lines(group: pd.DataFrame) -> list[str]:
    """ "rank. id name (q)" per match of one pattern, with the matrix's taxonomic group when known."""
    taxa = group["target_taxon"] if "target_taxon" in group else pd.Series("", index=group.index)
    return [
        f"{r.match_rank}. {r.target_id} {r.target_name}{f' [{t}]' if isinstance(t, str) and t else ''} ({r.qval:.1e})"
        for r, t in zip(group.itertuples(), taxa, strict=True)
    ]


def model_section(
    name: str,
    logos: str,
    tomtom: pd.DataFrame,
    tomtom_all: pd.DataFrame,
    row: dict,
    attribution_distance: float,
    methods: pd.DataFrame | None,
) -> dict:
    """What the page shows of one model: its patterns (logos, matches in the run's taxon and in all), verdict, and the
    attribution methods' comparison when it ran (``methods``: compare_methods' table, else None)."""
    flagged = other_kingdom_patterns(tomtom_all, row["taxon"])
    patterns = []
    for pattern, group in tomtom.groupby("pattern", sort=False):
        group = group.sort_values("match_rank")
        patterns.append(
            {
                "name": pattern,
                "n_seqlets": int(group["n_seqlets"].iloc[0]),
                "best": group["target_name"].iloc[0],
                "cwm": image_uri(logo(logos, pattern, "cwm")),
                "match": image_uri(logo(logos, pattern, "match")),
                "matches": match_lines(group),
                "matches_all": match_lines(tomtom_all[tomtom_all["pattern"] == pattern].sort_values("match_rank")),
                "other_kingdom": " or ".join(flagged.get(pattern, [])),
            }
        )
    return {
        "name": name,
        "patterns": patterns,
        "row": row,
        "taxon": row["taxon"],
        "attribution_distance": attribution_distance,
        "methods": [] if methods is None else methods.to_dict("records"),
        "scored_by": row["attribution_method"],
    }


def with_motif_verdicts(methods: pd.DataFrame, searches: dict[str, pd.DataFrame], expected: str | None, expected_name: str | None):
    """The methods table with the TF-MoDISco verdict (n_patterns, top match, expected motif's rank) of each method whose
    scores were searched: ``searches`` maps interpret's modisco_input (scores, gradient) to that search's Tomtom table."""
    columns = ["n_patterns", "top_match_name", "expected_motif_rank", "recovered"]
    verdicts = {kind: motif_verdict(table, expected, expected_name) for kind, table in searches.items()}
    found = [verdicts.get(kind, {}) for kind in methods["modisco_input"].fillna("")]
    return methods.assign(**{c: [v.get(c, "") for v in found] for c in columns})


def saliency_maps(folder: str) -> tuple[list[dict], list[str]]:
    """The saliency maps of one model (its maps folder's maps.tsv), each with its picture as a data: URI, and the
    attribution methods they draw."""
    table = pd.read_csv(Path(folder) / "maps.tsv", sep="\t")
    pictures = [
        {"uri": image_uri(Path(folder) / row.file), "alt": f"saliency map {row.role} {row.rank}: {row.chrom}:{row.start}-{row.end}"}
        for row in table.itertuples()
    ]
    methods = str(table["methods"].iloc[0]).split("; ") if len(table) else []
    return pictures, methods


#: Variant table columns shown in the report, and rows shown per model.
VARIANT_REPORT_COLUMNS = ["rank", "chrom", "pos", "id", "ref", "alt", "prob_ref", "prob_alt", "log_odds_ratio", "pvalue", "motif"]
N_VARIANT_ROWS = 10


def variant_section(table_path: str, logos: str, null: str) -> dict:
    """The top scored variants of one model (its variants.tsv.gz), how many random variants gave the p-values (null),
    and the two-allele logos as data: URIs."""
    table = pd.read_csv(table_path, sep="\t", dtype={"chrom": str, "motif": str}, keep_default_na=False, na_values=[""])
    scored = table[table["rank"] > 0]
    folder = Path(logos)
    pictures = [
        {"uri": image_uri(folder / f"{r.rank}.png"), "alt": f"variant {r.rank}: {r.chrom}:{r.pos} {r.ref}>{r.alt}"}
        for r in scored.itertuples()
        if (folder / f"{r.rank}.png").exists()
    ]
    return {
        "n_scored": len(scored),
        "n_skipped": len(table) - len(scored),
        "n_null": len(pd.read_csv(null, sep="\t")),
        "columns": VARIANT_REPORT_COLUMNS,
        "top": scored.head(N_VARIANT_ROWS).to_dict("records"),
        "logos": pictures,
    }


def check_keys(models: list[str], baselines: list[str], **files: dict[str, str]) -> None:
    """Raise ValueError unless every per-model file is given for each model, and metrics and curves for each baseline too."""
    for kind, given in files.items():
        wanted = models + baselines if kind in ("metrics", "curves") else models
        if list(given) != wanted:
            raise ValueError(f"report: --{kind} names {list(given)}, expected {wanted}")


def consistency_rows(consistency: dict[str, str], metrics: dict[str, dict]) -> list[dict]:
    """One row per per-base model: its track consistency (tracks stage) beside its centred windows' per-base areas."""
    rows = []
    for name, path in consistency.items():
        found = read_json(path)
        scored = metrics[name]  # evaluate's metrics.json: the per-base areas sit beside the window's
        rows.append({"model": name, **found, "window_base_auroc": scored.get("base_auroc"), "window_base_auprc": scored.get("base_auprc")})
    return rows


def run(
    tf: str,
    peaks: str,
    qc: str,
    validation: str,
    motif_db: str,
    metrics: dict[str, str],
    curves: dict[str, str],
    predictions: dict[str, str],
    scores: dict[str, str],
    tomtom: dict[str, str],
    logos: dict[str, str],
    out: dict[str, str],
    maps: dict[str, str] | None = None,
    *,
    methods: dict[str, str] | None = None,
    tomtom_all: dict[str, str] | None = None,
    tomtom_gradient: dict[str, str] | None = None,
    expected_motif: str | None = None,
    notes: list[str] | None = None,
    variants: dict[str, str] | None = None,
    variant_logos: dict[str, str] | None = None,
    variant_nulls: dict[str, str] | None = None,
    consistency: dict[str, str] | None = None,
) -> None:
    """Write ``out``: the TF's page (html) and its summary rows (rows: one per model, then one per baseline).

    The per-file arguments map a model name to its declared file (metrics.json, curves.tsv,
    predictions.npz, scores.npz, tomtom.tsv, logos folder; optional: tomtom_all, the
    tomtom_all_taxa.tsv, by default the same as tomtom; methods and tomtom_gradient, the method comparison's
    table and the matches of the patterns found in the gradient method's scores (both given, or neither when
    the comparison did not run); maps, the saliency maps folder; variants, variant_logos and
    variant_nulls, the variants stage's table, logos folder and random variants); the models are the keys of
    ``tomtom``, in order, and the baselines the other keys of ``metrics`` (metrics and curves
    only). ``motif_db`` (MEME) names the expected motif's TF; ``notes`` are shown as they are
    (e.g. a baseline left out), followed by the input warnings of ``validation``.
    """
    check_outputs(out, REPORT)
    models = list(tomtom)
    baselines = [name for name in metrics if name not in tomtom]
    tomtom_all = tomtom_all or tomtom
    if (methods is None) != (tomtom_gradient is None):
        raise ValueError("report: --methods and --tomtom-gradient come together (the method comparison's files) or not at all")
    per_model = {"predictions": predictions, "scores": scores, "logos": logos, "tomtom_all": tomtom_all}
    if methods is not None:
        per_model |= {"methods": methods, "tomtom_gradient": tomtom_gradient}
    if maps is not None:
        per_model["maps"] = maps
    if variants is not None:
        per_model |= {"variants": variants, "variant_logos": variant_logos or {}, "variant_nulls": variant_nulls or {}}
    check_keys(models, baselines, metrics=metrics, curves=curves, **per_model)
    qc_data = read_json(qc)
    notes = list(notes or []) + [f"input: {w}" for w in read_json(validation)["warnings"]]
    expected = expected_motif or None
    expected_name = expected_tf_name(expected, motif_db)
    all_metrics = {name: read_json(path) for name, path in metrics.items()}
    if k := all_metrics[models[0]].get("folds", {}).get("k"):
        notes.insert(
            0,
            f"{k} folds: every test metric is pooled out of fold (each window scored by the fold model that never trained "
            "on it), with the folds' mean and sd at the end of the table; the split counts and QC shown are fold 0's",
        )
    all_curves = {name: pd.read_csv(path, sep="\t") for name, path in curves.items()}
    attributions = {name: load_npz(scores[name]) for name in models}
    rows, sections = {}, []
    for name in models:
        table, table_all = (pd.read_csv(files[name], sep="\t") for files in (tomtom, tomtom_all))
        method_table = pd.read_csv(methods[name], sep="\t") if methods else None
        rows[name] = summary_row(
            tf, name, qc_data, all_metrics[name], table, attributions[name], expected, expected_name, table_all, method_table
        )
        distance = summit_distance_median(attributions[name])
        if method_table is not None:
            searches = {"scores": table, "gradient": pd.read_csv(tomtom_gradient[name], sep="\t")}
            method_table = with_motif_verdicts(method_table, searches, expected, expected_name)
        sections.append(model_section(name, logos[name], table, table_all, rows[name], distance, method_table))
        sections[-1]["maps"], sections[-1]["map_methods"] = saliency_maps(maps[name]) if maps else ([], [])
        sections[-1]["variants"] = variant_section(variants[name], variant_logos[name], variant_nulls[name]) if variants else None
    for name in baselines:
        rows[name] = baseline_row(tf, name, qc_data, all_metrics[name], expected)
    notes = baseline_warnings(rows, models, baselines) + notes
    positive_fraction = all_metrics[models[0]]["positive_fraction"]  # every model and baseline scores the same test windows
    figures = {kind: figure_uri(curve_figure(kind, all_curves, rows, positive_fraction)) for kind in ("roc", "pr")}
    examples = track_examples(attributions, N_TRACKS)
    arrays = {name: load_npz(predictions[name]) for name in models}
    figures["tracks"] = figure_uri(track_figure(attributions, arrays, examples)) if examples else ""
    with atomic_path(out["html"]) as tmp:
        page = tf_report(tf, peaks, expected_label(expected, motif_db), qc_data, list(rows.values()), sections, figures, notes,
                         consistency_rows(consistency or {}, all_metrics))  # fmt: skip
        tmp.write_text(page)
    write_table(summary_table(list(rows.values())), out["rows"])
    for r in rows.values():
        print({k: r[k] for k in ("tf", "model", "auroc", "base_auprc", "summit_distance_median", "top_match_name", "recovered")})
