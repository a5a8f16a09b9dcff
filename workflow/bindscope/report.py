"""Stage 7, report: per-TF HTML report and summary row; the all-TF summary table and page."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment

from bindscope.io import atomic_path, load_npz, read_json, write_table
from bindscope.motifdb import base_id

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
TF_TABLE_COLUMNS = [
    c for c in SUMMARY_COLUMNS if c not in {"tf", "n_train", "base_auroc", "base_auprc", "iou", "top_match_id", "expected_motif"}
]
RECOVERY_MAX_RANK = 3
RECOVERY_MAX_QVAL = 0.05


def motif_matches(target_id: str, target_name: str, expected: str) -> bool:
    """Whether a database motif is the expected one: by ID without version (MA0363 = MA0363.3) or by name."""
    return base_id(target_id) == base_id(expected) or target_name.upper() == expected.upper()


def motif_verdict(tomtom: pd.DataFrame, expected: str | None) -> dict:
    """Top match of the largest positive pattern, and the rank of the first positive pattern named after ``expected``.

    Patterns are ranked by seqlet count; a pattern is named after its best (rank 1) match.
    ``recovered`` needs that rank <= 3 and the match's q < 0.05.
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
        hits = [i for i, row in best.iterrows() if motif_matches(row["target_id"], row["target_name"], expected)]
        verdict["recovered"] = False
        if hits:
            rank = hits[0] + 1
            verdict["expected_motif_rank"] = rank
            verdict["recovered"] = bool(rank <= RECOVERY_MAX_RANK and best.at[hits[0], "qval"] < RECOVERY_MAX_QVAL)
    return verdict


def summit_distance_median(scores: dict[str, np.ndarray]) -> float:
    """Median |attribution peak - summit| in bp over the attributed positives (summit = window centre)."""
    if len(scores["attribution_peak"]) == 0:
        return math.nan
    return float(np.median(np.abs(scores["attribution_peak"] - scores["ohe"].shape[-1] // 2)))


def summary_row(
    tf: str, model: str, qc: dict, metrics: dict, tomtom: pd.DataFrame, scores: dict[str, np.ndarray], expected: str | None
) -> dict:
    """One summary.tsv row for a TF and model."""
    counts = qc["counts"]
    row = {
        "tf": tf,
        "model": model,
        "n_train": sum(v.get("train", 0) for v in counts.values()),
        "n_test": metrics["n"],
        **{k: metrics.get(k, math.nan) for k in ("accuracy", "auroc", "auprc", "f1", "mcc", "base_auroc", "base_auprc", "iou")},
        "summit_distance_median": summit_distance_median(scores),
        **motif_verdict(tomtom, expected),
    }
    return {c: row.get(c, "") for c in SUMMARY_COLUMNS}


def image_uri(path: str | Path) -> str:
    """A PNG as a data: URI, so that the report is one self-contained file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else (f"{v:.2e}" if 0 < abs(v) < 1e-3 else f"{v:.4g}")
    return html.escape(str(v))


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
{% for m in models %}<h2>{{ m.name }}</h2>
<p><img src="{{ m.roc }}" alt="ROC curve of {{ m.name }}" width="340"> <img src="{{ m.pr }}" alt="PR curve of {{ m.name }}" width="340"></p>
<p>Expected motif: {% if m.row.recovered is sameas true %}<span class="ok">recovered</span> (pattern rank {{ fmt(m.row.expected_motif_rank) }})
{% elif m.row.recovered is sameas false %}<span class="bad">not recovered</span>{% else %}no expected motif given{% endif %}.
Median distance of the attribution peak to the summit: {{ fmt(m.row.summit_distance_median) }} bp.</p>
<table><tr><th>pattern</th><th>seqlets</th><th>contribution logo</th><th>best match</th><th>matches (q-value)</th></tr>
{% for p in m.patterns %}<tr><td>{{ p.name }}</td><td>{{ p.n_seqlets }}</td><td><img src="{{ p.cwm }}" alt="logo of {{ p.name }}" height="80"></td>
<td><img src="{{ p.match }}" alt="logo of {{ p.best }}" height="80"></td><td style="text-align:left">{% for t in p.matches %}{{ t }}<br>{% endfor %}</td></tr>
{% else %}<tr><td colspan="5">TF-MoDISco found no pattern.</td></tr>{% endfor %}</table>
{% endfor %}</body></html>"""
)


def render_tf_report(tf: str, peaks: str, expected: str | None, qc: dict, rows: list[dict], models: list[dict]) -> str:
    return _TF_TEMPLATE.render(
        tf=tf,
        peaks=peaks,
        expected=expected,
        qc=qc,
        splits=("train", "val", "test"),
        rows=rows,
        models=models,
        metric_cols=TF_TABLE_COLUMNS,
        fmt=_fmt,
    )


def model_section(name: str, evaldir: Path, motifdir: Path, tomtom: pd.DataFrame, row: dict) -> dict:
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
    return {"name": name, "roc": image_uri(evaldir / "roc.png"), "pr": image_uri(evaldir / "pr.png"), "patterns": patterns, "row": row}


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
) -> None:
    """Write results/{tf}/report.html and the TF's summary rows (one per model)."""
    qc_data = read_json(qc)
    rows, sections = [], []
    for name, evaldir, motifdir, score_path in zip(models, evaldirs, motifdirs, scores, strict=True):
        tomtom = pd.read_csv(Path(motifdir) / "tomtom.tsv", sep="\t")
        row = summary_row(
            tf, name, qc_data, read_json(Path(evaldir) / "metrics.json"), tomtom, load_npz(score_path), expected_motif or None
        )
        rows.append(row)
        sections.append(model_section(name, Path(evaldir), Path(motifdir), tomtom, row))
    with atomic_path(out_html) as tmp:
        tmp.write_text(render_tf_report(tf, peaks, expected_motif, qc_data, rows, sections))
    write_table(pd.DataFrame(rows, columns=SUMMARY_COLUMNS), out_summary)
    for r in rows:
        print({k: r[k] for k in ("tf", "model", "auroc", "top_match_name", "expected_motif_rank", "recovered")})


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
    table = pd.concat([pd.read_csv(p, sep="\t", dtype={"tf": str}) for p in rows], ignore_index=True)[SUMMARY_COLUMNS]
    write_table(table, out_tsv)
    records = [{c: (v if not (isinstance(v, float) and math.isnan(v)) else "") for c, v in r.items()} for r in table.to_dict("records")]
    with atomic_path(out_html) as tmp:
        tmp.write_text(_SUMMARY_TEMPLATE.render(rows=records, cols=SUMMARY_COLUMNS, tfs=list(dict.fromkeys(table["tf"])), fmt=_fmt))
    print(table.to_string(index=False))
