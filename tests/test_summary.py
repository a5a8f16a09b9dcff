import pandas as pd

from bindscope.stages import summary
from bindscope.verdict import SUMMARY_COLUMNS


def test_summary_joins_every_tfs_rows_in_order_with_whole_counts(tmp_path):
    rows = []
    for tf, models in (("CTCF", ["cnn", "unet"]), ("0042", ["cnn"])):  # a TF name that reads as a number stays text
        path = tmp_path / f"{tf}.tsv"
        table = pd.DataFrame({"tf": tf, "model": models, "n_train": [1200.0] * len(models), "auroc": [0.97] * len(models)})
        table.to_csv(path, sep="\t", index=False)
        rows.append(str(path))
    out = {"tsv": str(tmp_path / "summary.tsv"), "html": str(tmp_path / "summary.html")}
    summary.run(rows, out)
    table = pd.read_csv(out["tsv"], sep="\t", dtype={"tf": str})
    assert list(table.columns) == SUMMARY_COLUMNS
    assert table[["tf", "model"]].values.tolist() == [["CTCF", "cnn"], ["CTCF", "unet"], ["0042", "cnn"]]
    assert open(out["tsv"]).read().splitlines()[1].split("\t")[2] == "1200"  # a count, not 1200.0
    page = open(out["html"]).read()
    assert "0042" in page and "CTCF" in page and ">nan<" not in page.lower()  # empty cells, not NaN
