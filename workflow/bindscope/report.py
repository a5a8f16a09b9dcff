"""Stage 7, report: per-TF HTML report and summary row; the all-TF summary table and page."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from jinja2 import Environment  # noqa: E402

from bindscope.io import atomic_path, load_npz, read_json, write_table  # noqa: E402
from bindscope.motifdb import base_id, find_motif, read_meme  # noqa: E402

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


def image_uri(path: str | Path) -> str:
    """A PNG as a data: URI, so that the report is one self-contained file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else (f"{v:.2e}" if 0 < abs(v) < 1e-3 else f"{v:.4g}")
    return html.escape(str(v))


def figure_uri(fig: plt.Figure) -> str:
    """A matplotlib figure as a PNG data: URI (the figure is closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def overlaid_curves(curves: dict[str, pd.DataFrame], rows: dict[str, dict], positive_fraction: float) -> tuple[str, str]:
    """ROC and PR curves of every model on one plot each (data URIs); the legend gives each model's area."""
    uris = []
    for kind, area, xlabel, ylabel, chance in (
        ("roc", "auroc", "False positive rate", "True positive rate", ([0, 1], [0, 1])),
        ("pr", "auprc", "Recall", "Precision", ([0, 1], [positive_fraction] * 2)),
    ):
        fig, ax = plt.subplots(figsize=(4.4, 4.2))
        for name, table in curves.items():
            points = table[table["curve"] == kind]
            ax.plot(points["x"], points["y"], label=f"{name} ({_fmt(rows[name][area])})")
        ax.plot(*chance, ls="--", c="grey", lw=1, label="chance")
        ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel=xlabel, ylabel=ylabel, title=f"{kind.upper()}, test split")
        ax.legend(loc="lower right" if kind == "roc" else "lower left", frameon=False, title=area)
        fig.tight_layout()
        uris.append(figure_uri(fig))
    return uris[0], uris[1]


def track_examples(scores: dict[str, dict], n: int = 3) -> list[tuple[str, int]]:
    """(chrom, start) of ``n`` attributed positives common to every model, spread evenly over genome order."""
    common = None
    for s in scores.values():
        keys = set(zip(s["chrom"].tolist(), s["start"].tolist(), strict=True))
        common = keys if common is None else common & keys
    ordered = sorted(common or ())
    if not ordered:
        return []
    picks = np.unique(np.linspace(0, len(ordered) - 1, min(n, len(ordered))).round().astype(int))
    return [ordered[i] for i in picks]


def _row_of(arrays: dict, chrom: str, start: int) -> int:
    return int(np.flatnonzero((arrays["chrom"] == chrom) & (arrays["start"] == start))[0])


def track_plot(scores: dict[str, dict], predictions: dict[str, dict], examples: list[tuple[str, int]]) -> str:
    """Tracks per example window: true per-base label with every per-base model's probability, then
    each model's per-base contribution (DeepLIFT, summed over bases). Returns a data URI."""
    names = list(scores)
    per_base = [m for m in names if "base_probability" in predictions[m]]
    fig, axes = plt.subplots(1 + len(names), len(examples), figsize=(4.2 * len(examples), 1.5 * (1 + len(names))), squeeze=False)
    for j, (chrom, start) in enumerate(examples):
        first = scores[names[0]]
        i = _row_of(first, chrom, start)
        length = first["ohe"].shape[-1]
        pos = np.arange(length)
        ax = axes[0, j]
        ax.fill_between(pos, first["y_base"][i], step="mid", color="#bbb", label="peak bases (label)")
        for m in per_base:
            ax.plot(
                pos, predictions[m]["base_probability"][_row_of(predictions[m], chrom, start)].astype(float), lw=1, label=f"{m} probability"
            )
        ax.axvline(length // 2, ls=":", c="k", lw=0.8)
        ax.set(ylim=(0, 1.05), title=f"{chrom}:{start:,}-{start + length:,}", xticks=[])
        for k, m in enumerate(names, start=1):
            contrib = scores[m]["contribution"][_row_of(scores[m], chrom, start)].sum(axis=0)
            axes[k, j].fill_between(pos, contrib, step="mid", color=f"C{k}", lw=0)
            axes[k, j].axvline(length // 2, ls=":", c="k", lw=0.8)
            if k < len(names):
                axes[k, j].set_xticks([])
            if j == 0:
                axes[k, j].set_ylabel(f"{m}\ncontribution", fontsize=8)
        if j == 0:
            axes[0, j].legend(fontsize=7, frameon=False, loc="upper left")
    axes[-1, 0].set_xlabel("position in window (bp); dotted: summit")
    fig.tight_layout()
    return figure_uri(fig)


_STYLE = """<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.ok{color:#1a7f37;font-weight:bold}
.bad{color:#b42318;font-weight:bold}img{vertical-align:middle}.note{color:#666;font-size:90%}</style>"""

_TF_TEMPLATE = Environment(autoescape=True).from_string(
    """<!doctype html><html><head><meta charset="utf-8">
<title>bindscope: {{ tf }}</title>"""
    + _STYLE
    + """</head><body>
<h1>{{ tf }}</h1>
<p>Peaks: <code>{{ peaks }}</code>. Expected motif: <b>{{ expected or "not given" }}</b>.</p>
<h2>Regions</h2>
<table><tr><th>kind</th>{% for s in splits %}<th>{{ s }}</th>{% endfor %}</tr>
{% for kind, c in qc.counts.items() %}<tr><td>{{ kind }}</td>{% for s in splits %}<td>{{ c.get(s, 0) }}</td>{% endfor %}</tr>{% endfor %}</table>
<p class="note">Window {{ qc.window }} bp. GC of positives vs negatives (all splits): {{ "%.3f"|format(qc.gc.all.positives_mean) }} vs
{{ "%.3f"|format(qc.gc.all.negatives_mean) }}, KS statistic {{ "%.3f"|format(qc.gc.all.ks_statistic) }}.
Test chromosomes {{ qc.splits.test|join(", ") }}; validation {{ qc.splits.val|join(", ") }}.</p>
<h2>Test-set metrics</h2>
<table><tr>{% for c in metric_cols %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for c in metric_cols %}<td>{{ fmt(r[c]) }}</td>{% endfor %}</tr>{% endfor %}</table>
{% for n in notes %}<p class="note">{{ n }}</p>{% endfor %}
<p class="note">Baselines (no patterns): pwm_scan = best log-odds score of the sheet's motif over both strands, as a
probability by a logistic fit on the validation split; kmer_lr = logistic regression on canonical k-mer counts, C chosen on
the validation split. Sequence-level columns score each window by the model's probability (a per-base model: its maximum over
the window). base_auroc/base_auprc pool every test base; iou is that of the predicted segments (threshold, then runs shorter
than the minimum segment dropped) with the labelled peak bases. summit_distance_median: |predicted position - summit| in bp
over test positives (per-base model: its output maximum; per-sequence model: its attribution maximum).</p>
<p><img src="{{ roc }}" alt="ROC curves of all models" width="400"> <img src="{{ pr }}" alt="PR curves of all models" width="400"></p>
{% if tracks %}<h2>Tracks of test positives</h2>
<p class="note">Windows spread evenly over the attributed test positives in genome order (not chosen by score).</p>
<p><img src="{{ tracks }}" alt="per-base tracks of example test positives" style="max-width:100%"></p>{% endif %}
{% for m in models %}<h2>{{ m.name }}</h2>
<p>Expected motif: {% if m.row.recovered is sameas true %}<span class="ok">recovered</span> (pattern rank {{ fmt(m.row.expected_motif_rank) }})
{% elif m.row.recovered is sameas false %}<span class="bad">not recovered</span>{% else %}no expected motif given{% endif %}.
Median distance of the attribution peak to the summit: {{ fmt(m.attribution_distance) }} bp.</p>
<table><tr><th>pattern</th><th>seqlets</th><th>contribution logo</th><th>best match</th><th>matches (q-value)</th></tr>
{% for p in m.patterns %}<tr><td>{{ p.name }}</td><td>{{ p.n_seqlets }}</td><td><img src="{{ p.cwm }}" alt="logo of {{ p.name }}" height="80"></td>
<td><img src="{{ p.match }}" alt="logo of {{ p.best }}" height="80"></td><td style="text-align:left">{% for t in p.matches %}{{ t }}<br>{% endfor %}</td></tr>
{% else %}<tr><td colspan="5">TF-MoDISco found no pattern.</td></tr>{% endfor %}</table>
{% endfor %}</body></html>"""
)


def render_tf_report(
    tf: str, peaks: str, expected: str | None, qc: dict, rows: list[dict], models: list[dict], figures: dict, notes: list[str]
) -> str:
    """The per-TF page; ``figures`` holds the data URIs roc, pr and tracks (empty string: no tracks)."""
    return _TF_TEMPLATE.render(
        notes=notes,
        tf=tf,
        peaks=peaks,
        expected=expected,
        qc=qc,
        splits=("train", "val", "test"),
        rows=rows,
        models=models,
        metric_cols=TF_TABLE_COLUMNS,
        fmt=_fmt,
        **figures,
    )


def model_section(name: str, motifdir: Path, tomtom: pd.DataFrame, row: dict, attribution_distance: float) -> dict:
    patterns = []
    for pattern, group in tomtom.groupby("pattern", sort=False):
        group = group.sort_values("match_rank")
        patterns.append(
            {
                "name": pattern,
                "n_seqlets": int(group["n_seqlets"].iloc[0]),
                "best": group["target_name"].iloc[0],
                "cwm": image_uri(motifdir / "logos" / f"{pattern}.cwm.png"),
                "match": image_uri(motifdir / "logos" / f"{pattern}.match.png"),
                "matches": [f"{r.target_id} {r.target_name} ({r.qval:.1e})" for r in group.itertuples()],
            }
        )
    return {"name": name, "patterns": patterns, "row": row, "attribution_distance": attribution_distance}


def run(
    tf: str,
    peaks: str,
    qc: str,
    models: list[str],
    evaldirs: list[str],
    motifdirs: list[str],
    scores: list[str],
    out_html: str,
    out_summary: str,
    expected_motif: str | None = None,
    motif_db: str | None = None,
    baselines: list[str] | None = None,
    baseline_evaldirs: list[str] | None = None,
    notes: list[str] | None = None,
    validation: str | None = None,
    n_tracks: int = 3,
) -> None:
    """Write results/{tf}/report.html and the TF's summary rows (one per model, then one per baseline).

    Reads each model's eval folder (metrics.json, curves.tsv, predictions.npz), motif folder
    (tomtom.tsv, logos/) and attribution scores, and each baseline's eval folder; ``motif_db``
    (MEME) names the expected motif's TF; ``notes`` are shown as they are (e.g. a baseline left out),
    followed by the input warnings of ``validation`` (validation.json of the validate stage).
    """
    qc_data = read_json(qc)
    notes = list(notes or []) + [f"input: {w}" for w in (read_json(validation)["warnings"] if validation else [])]
    expected_name = expected_tf_name(expected_motif, motif_db)
    rows, sections, curves, predictions, attributions = {}, [], {}, {}, {}
    for name, evaldir, motifdir, score_path in zip(models, evaldirs, motifdirs, scores, strict=True):
        tomtom = pd.read_csv(Path(motifdir) / "tomtom.tsv", sep="\t")
        metrics = read_json(Path(evaldir) / "metrics.json")
        positive_fraction = metrics["positive_fraction"]  # every model and baseline scores the same test windows
        attributions[name] = load_npz(score_path)
        rows[name] = summary_row(tf, name, qc_data, metrics, tomtom, attributions[name], expected_motif or None, expected_name)
        curves[name] = pd.read_csv(Path(evaldir) / "curves.tsv", sep="\t")
        predictions[name] = load_npz(Path(evaldir) / "predictions.npz")
        sections.append(model_section(name, Path(motifdir), tomtom, rows[name], summit_distance_median(attributions[name])))
    for name, evaldir in zip(baselines or [], baseline_evaldirs or [], strict=True):
        rows[name] = baseline_row(tf, name, qc_data, read_json(Path(evaldir) / "metrics.json"), expected_motif or None)
        curves[name] = pd.read_csv(Path(evaldir) / "curves.tsv", sep="\t")
    roc, pr = overlaid_curves(curves, rows, positive_fraction)
    examples = track_examples(attributions, n_tracks)
    figures = {"roc": roc, "pr": pr, "tracks": track_plot(attributions, predictions, examples) if examples else ""}
    with atomic_path(out_html) as tmp:
        tmp.write_text(render_tf_report(tf, peaks, expected_motif, qc_data, list(rows.values()), sections, figures, notes))
    write_table(summary_table(list(rows.values())), out_summary)
    for r in rows.values():
        print({k: r[k] for k in ("tf", "model", "auroc", "base_auprc", "summit_distance_median", "top_match_name", "recovered")})


_SUMMARY_TEMPLATE = Environment(autoescape=True).from_string(
    """<!doctype html><html><head><meta charset="utf-8">
<title>bindscope summary</title>"""
    + _STYLE
    + """</head><body><h1>bindscope summary</h1>
<p>Test-split metrics and motif verdicts, one row per TF and model. Per-TF reports:
{% for tf in tfs %}<a href="{{ tf }}/report.html">{{ tf }}</a> {% endfor %}</p>
<table><tr>{% for c in cols %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for c in cols %}<td{% if c == "recovered" and r[c] is sameas true %} class="ok"{% elif c == "recovered" and r[c] is sameas false %} class="bad"{% endif %}>{{ fmt(r[c]) }}</td>{% endfor %}</tr>{% endfor %}
</table></body></html>"""
)


def run_summary(rows: list[str], out_tsv: str, out_html: str) -> None:
    """Concatenate per-TF summary rows into results/summary.tsv and summary.html."""
    table = summary_table(pd.concat([pd.read_csv(p, sep="\t", dtype={"tf": str}) for p in rows], ignore_index=True).to_dict("records"))
    write_table(table, out_tsv)
    records = [{c: ("" if pd.isna(v) else v) for c, v in r.items()} for r in table.to_dict("records")]
    with atomic_path(out_html) as tmp:
        tmp.write_text(_SUMMARY_TEMPLATE.render(rows=records, cols=SUMMARY_COLUMNS, tfs=list(dict.fromkeys(table["tf"])), fmt=_fmt))
    print(table.to_string(index=False))
