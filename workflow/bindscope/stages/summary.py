"""Stage 8, summary: every TF's summary rows joined into results/summary.tsv and summary.html."""

from __future__ import annotations

import pandas as pd

from bindscope.io import atomic_path, write_table
from bindscope.layout import SUMMARY, check_outputs
from bindscope.render import summary_page
from bindscope.verdict import summary_table


def run(rows: list[str], out: dict[str, str]) -> None:
    """Concatenate per-TF summary rows (summary_rows.tsv of the report stage) into ``out``: the table (tsv) and page (html)."""
    check_outputs(out, SUMMARY)
    table = summary_table(pd.concat([pd.read_csv(p, sep="\t", dtype={"tf": str}) for p in rows], ignore_index=True).to_dict("records"))
    write_table(table, out["tsv"])
    records = [{c: ("" if pd.isna(v) else v) for c, v in r.items()} for r in table.to_dict("records")]
    with atomic_path(out["html"]) as tmp:
        tmp.write_text(summary_page(records, list(dict.fromkeys(table["tf"]))))
    print(table.to_string(index=False))
