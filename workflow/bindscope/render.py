"""HTML pages from the Jinja2 templates in bindscope/templates (the per-TF report and the summary)."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from bindscope.io import SPLITS
from bindscope.verdict import FOLD_COLUMNS, TF_TABLE_COLUMNS, columns_of

ENVIRONMENT = Environment(loader=PackageLoader("bindscope", "templates"), autoescape=True, undefined=StrictUndefined)


def fmt(value) -> str:
    """A table cell: floats to 4 significant digits (small ones in scientific notation), NaN empty, text escaped."""
    if isinstance(value, float):
        return "" if math.isnan(value) else (f"{value:.2e}" if 0 < abs(value) < 1e-3 else f"{value:.4g}")
    return html.escape(str(value))


def image_uri(path: str | Path) -> str:
    """A PNG file as a data: URI, so that the page is one self-contained file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def tf_report(
    tf: str,
    peaks: str,
    expected: str | None,
    qc: dict,
    rows: list[dict],
    models: list[dict],
    figures: dict,
    notes: list[str],
    consistency: list[dict] | None = None,
) -> str:
    """The per-TF page; ``figures`` holds the data URIs roc, pr and tracks (empty string: no tracks);
    ``consistency``: one row per per-base model's genome-wide track (none: the tracks did not run)."""
    return ENVIRONMENT.get_template("tf_report.html.j2").render(
        consistency=consistency or [],
        notes=notes,
        tf=tf,
        peaks=peaks,
        expected=expected,
        qc=qc,
        splits=SPLITS,
        rows=rows,
        models=models,
        metric_cols=TF_TABLE_COLUMNS + [c for c in FOLD_COLUMNS if c in columns_of(rows)],
        fmt=fmt,
        **figures,
    )


def summary_page(rows: list[dict], tfs: list[str]) -> str:
    """The all-TF summary page: one table row per TF and model."""
    return ENVIRONMENT.get_template("summary.html.j2").render(rows=rows, cols=columns_of(rows), tfs=tfs, fmt=fmt)
