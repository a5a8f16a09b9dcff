import math

import matplotlib.pyplot
import numpy as np
import pandas as pd

from bindscope.io import save_encoded, write_json, write_table
from bindscope.motifdb import Motif, write_meme
from bindscope.report import SUMMARY_COLUMNS, expected_tf_name, motif_verdict, run, run_summary, summary_row, track_examples


def _tomtom(rows):
    return pd.DataFrame(rows, columns=["pattern", "n_seqlets", "match_rank", "target_id", "target_name", "qval"])


TOMTOM = _tomtom(
    [
        ("pos_patterns.pattern_0", 300, 1, "MA0018.5", "CREB1", 1e-8),
        ("pos_patterns.pattern_0", 300, 2, "MA0139.2", "CTCF", 1e-3),
        ("pos_patterns.pattern_1", 120, 1, "MA0139.2", "CTCF", 1e-12),
        ("neg_patterns.pattern_0", 500, 1, "MA0139.2", "CTCF", 1e-20),
    ]
)


def test_verdict_ranks_positive_patterns_by_seqlets_and_uses_best_matches():
    v = motif_verdict(TOMTOM, "MA0139")  # version ignored
    assert v["n_patterns"] == 2 and v["top_match_id"] == "MA0018.5" and v["top_match_qval"] == 1e-8
    assert v["expected_motif_rank"] == 2 and v["recovered"] is True


def test_verdict_not_recovered_when_q_too_high_or_absent():
    weak = _tomtom([("pos_patterns.pattern_0", 50, 1, "MA0139.2", "CTCF", 0.2)])
    assert motif_verdict(weak, "MA0139.2")["recovered"] is False
    v = motif_verdict(TOMTOM, "MA9999.1")
    assert v["recovered"] is False and math.isnan(v["expected_motif_rank"])
    assert motif_verdict(TOMTOM, None)["recovered"] == ""


def test_summary_row_and_table_columns(tmp_path):
    qc = {"counts": {"peak": {"train": 10, "test": 4}, "gc_matched": {"train": 10, "test": 4}}}
    metrics = {"n": 8, "accuracy": 0.9, "auroc": 0.95, "auprc": 0.96, "f1": 0.9, "mcc": 0.8}
    scores = {"attribution_peak": np.array([48, 55, 50]), "ohe": np.zeros((3, 4, 100))}
    row = summary_row("CTCF", "cnn", qc, metrics, TOMTOM, scores, "MA0139.2")
    assert list(row) == SUMMARY_COLUMNS
    assert row["n_train"] == 20 and row["n_test"] == 8 and row["auroc"] == 0.95
    assert row["summit_distance_median"] == 2.0  # |48-50|, |55-50|, |50-50| -> median 2
    assert math.isnan(row["base_auroc"]) and row["expected_motif_rank"] == 2 and row["recovered"] is True
    pd.DataFrame([row]).to_csv(tmp_path / "rows.tsv", sep="\t", index=False)
    run_summary([str(tmp_path / "rows.tsv")], str(tmp_path / "summary.tsv"), str(tmp_path / "summary.html"))
    header = (tmp_path / "summary.tsv").read_text().splitlines()[0]
    assert header.split("\t") == SUMMARY_COLUMNS
    assert 'href="CTCF/report.html"' in (tmp_path / "summary.html").read_text()


def test_summary_row_takes_a_per_base_models_own_summit_distance():
    qc = {"counts": {"peak": {"train": 1}}}
    metrics = {"n": 8, "auroc": 0.9, "base_auprc": 0.8, "iou": 0.7, "summit_distance_median": 6.0}
    scores = {"attribution_peak": np.array([10, 90]), "ohe": np.zeros((2, 4, 100))}
    row = summary_row("CTCF", "unet", qc, metrics, TOMTOM, scores, None)
    assert row["summit_distance_median"] == 6.0 and row["base_auprc"] == 0.8 and row["iou"] == 0.7


def test_track_examples_are_common_to_all_models_and_spread_in_genome_order():
    a = {"chrom": np.array(["c2", "c1", "c1", "c1"]), "start": np.array([0, 300, 100, 200])}
    b = {"chrom": np.array(["c1", "c1", "c2", "c1"]), "start": np.array([100, 200, 0, 999])}
    assert track_examples({"cnn": a, "unet": b}, 2) == [("c1", 100), ("c2", 0)]
    assert track_examples({"cnn": a, "unet": {"chrom": np.array(["x"]), "start": np.array([1])}}) == []


def _fake_model_outputs(root, name: str, per_base: bool, rng) -> tuple[str, str, str]:
    """eval/, motifs/ and scores.npz of one model on 6 test windows of 50 bp (3 positives)."""
    y = np.array([1, 1, 1, 0, 0, 0])
    chrom, start = np.array(["c1"] * 6), np.arange(6) * 100
    evaldir, motifdir = root / "eval" / name, root / "motifs" / name
    metrics = {"n": 6, "accuracy": 1.0, "auroc": 1.0, "auprc": 1.0, "f1": 1.0, "mcc": 1.0, "positive_fraction": 0.5}
    arrays = {"chrom": chrom, "start": start, "label": y, "score": y * 0.8 + 0.1}
    if per_base:
        metrics.update(base_auroc=0.9, base_auprc=0.8, iou=0.6, summit_distance_median=3.0)
        arrays["base_probability"] = rng.random((6, 50)).astype(np.float16)
    write_json(metrics, evaldir / "metrics.json")
    save_encoded(evaldir / "predictions.npz", **arrays)
    curves = pd.DataFrame({"curve": ["roc"] * 3 + ["pr"] * 3, "x": [0, 0, 1, 0, 1, 1], "y": [0, 1, 1, 1, 1, 0.5]})
    write_table(curves, evaldir / "curves.tsv")
    (motifdir / "logos").mkdir(parents=True)
    png = (evaldir / "metrics.json").parent / "logo.png"
    matplotlib.pyplot.imsave(png, np.zeros((4, 4)))
    for kind in ("cwm", "match"):
        (motifdir / "logos" / f"pos_patterns.pattern_0.{kind}.png").write_bytes(png.read_bytes())
    write_table(_tomtom([("pos_patterns.pattern_0", 40, 1, "MA0139.2", "CTCF", 1e-9)]), motifdir / "tomtom.tsv")
    ohe = np.zeros((3, 4, 50), dtype=np.uint8)
    ohe[:, 0] = 1
    contribution = rng.normal(size=(3, 4, 50)).astype(np.float32) * ohe
    scores = root / f"{name}.npz"
    y_base = np.zeros((3, 50), dtype=np.uint8)
    y_base[:, 20:30] = 1
    save_encoded(
        scores, ohe=ohe, contribution=contribution, chrom=chrom[:3], start=start[:3], y_base=y_base, attribution_peak=np.array([25, 20, 30])
    )
    return str(evaldir), str(motifdir), str(scores)


def test_report_shows_models_side_by_side(tmp_path):
    rng = np.random.default_rng(0)
    dirs = [_fake_model_outputs(tmp_path, name, name == "unet", rng) for name in ("cnn", "unet", "kmer_lr")]
    qc = {
        "window": 50,
        "counts": {"peak": {"train": 5, "test": 3}, "gc_matched": {"train": 5, "test": 3}},
        "gc": {"all": {"positives_mean": 0.4, "negatives_mean": 0.41, "ks_statistic": 0.05}},
        "splits": {"test": ["c1"], "val": ["c2"]},
    }
    write_json(qc, tmp_path / "qc.json")
    write_json({"warnings": ["peaks.bed: 7 duplicate peak lines ignored"]}, tmp_path / "validation.json")
    run(
        "CTCF",
        "peaks.bed",
        str(tmp_path / "qc.json"),
        ["cnn", "unet"],
        [d[0] for d in dirs[:2]],
        [d[1] for d in dirs[:2]],
        [d[2] for d in dirs[:2]],
        str(tmp_path / "report.html"),
        str(tmp_path / "rows.tsv"),
        expected_motif="MA0139",
        baselines=["kmer_lr"],
        baseline_evaldirs=[dirs[2][0]],
        notes=["pwm_scan left out: the sheet names no motif for this TF"],
        validation=str(tmp_path / "validation.json"),
    )
    page = (tmp_path / "report.html").read_text()
    assert "ROC curves of all models" in page and "per-base tracks of example test positives" in page
    assert page.count("<h2>cnn</h2>") == 1 and page.count("<h2>unet</h2>") == 1
    assert "<th>base_auprc</th>" in page and "<th>iou</th>" in page
    assert "pwm_scan left out: the sheet names no motif for this TF" in page and "<td>kmer_lr</td>" in page
    assert "input: peaks.bed: 7 duplicate peak lines ignored" in page
    rows = pd.read_csv(tmp_path / "rows.tsv", sep="\t")
    assert rows["model"].tolist() == ["cnn", "unet", "kmer_lr"]
    assert rows["summit_distance_median"].tolist()[:2] == [5.0, 3.0]  # cnn: attribution (|25-25|,|20-25|,|30-25|); unet: output
    assert rows["recovered"].tolist()[:2] == [True, True] and pd.isna(rows.loc[2, "recovered"])
    assert rows.loc[2, "auroc"] == 1.0 and pd.isna(rows.loc[2, "n_patterns"]) and rows.loc[2, "expected_motif"] == "MA0139"


def test_any_matrix_of_the_expected_tf_counts_but_not_a_paralog():
    tied = _tomtom(
        [
            ("pos_patterns.pattern_0", 500, 1, "MA1930.2", "CTCF", 1e-23),
            ("pos_patterns.pattern_0", 500, 2, "MA0139.2", "CTCF", 1e-23),
            ("pos_patterns.pattern_1", 100, 1, "MA1102.3", "CTCFL", 1e-5),
        ]
    )
    assert motif_verdict(tied, "MA0139.2")["recovered"] is False  # by ID alone, the tie is lost
    v = motif_verdict(tied, "MA0139.2", expected_name="CTCF")
    assert v["expected_motif_rank"] == 1 and v["recovered"] is True
    assert motif_verdict(tied.iloc[2:], "MA0139.2", expected_name="CTCF")["recovered"] is False  # CTCFL is not CTCF


def test_expected_tf_name_from_the_motif_database(tmp_path):
    db = tmp_path / "db.meme"
    write_meme([Motif("MA0139.2", "CTCF", np.full((4, 6), 0.25))], db)
    assert expected_tf_name("MA0139", str(db)) == "CTCF" and expected_tf_name("CTCF", str(db)) == "CTCF"
    assert expected_tf_name("MA9999.1", str(db)) is None and expected_tf_name(None, str(db)) is None
