import math

import numpy as np
import pandas as pd

from bindscope.motif_database import Motif, write_meme
from bindscope.stages import summary
from bindscope.verdict import SUMMARY_COLUMNS, expected_tf_name, motif_verdict, other_kingdom_patterns, summary_row, taxon_verdict


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


def test_expected_matrix_below_a_relative_still_recovers_with_its_own_q_value():
    # the TF's own matrix ranks 7th for the largest pattern (an AP-1 relative is best) at q 0.003
    family = _tomtom(
        [
            ("pos_patterns.pattern_0", 300, 1, "MA0099.4", "FOS::JUN", 1e-6),
            ("pos_patterns.pattern_0", 300, 7, "MA0303.3", "GCN4", 3e-3),
            ("pos_patterns.pattern_1", 100, 1, "MA0001.1", "X", 1e-3),
            ("pos_patterns.pattern_1", 100, 9, "MA0303.3", "GCN4", 0.3),
        ]
    )
    v = motif_verdict(family, "MA0303.3")
    assert math.isnan(v["expected_motif_rank"]) and v["expected_motif_qval"] == 3e-3 and v["recovered"] is True
    weak = family.assign(qval=family["qval"].where(family["target_name"] != "GCN4", 0.2))
    assert motif_verdict(weak, "MA0303")["recovered"] is False and motif_verdict(weak, "MA0303")["expected_motif_qval"] == 0.2
    assert math.isnan(motif_verdict(family, None)["expected_motif_qval"])


def test_summary_row_takes_a_per_base_models_own_summit_distance():
    qc = {"counts": {"peak": {"train": 1}}}
    metrics = {"n": 8, "auroc": 0.9, "base_auprc": 0.8, "iou": 0.7, "summit_distance_median": 6.0}
    scores = {"attribution_peak": np.array([10, 90]), "ohe": np.zeros((2, 4, 100))}
    row = summary_row("CTCF", "unet", qc, metrics, TOMTOM, scores, None)
    assert row["summit_distance_median"] == 6.0 and row["base_auprc"] == 0.8 and row["iou"] == 0.7


def test_any_matrix_of_the_expected_tf_counts_but_not_a_paralog():
    tied = _tomtom(
        [
            ("pos_patterns.pattern_0", 500, 1, "MA1930.2", "CTCF", 1e-23),
            ("pos_patterns.pattern_0", 500, 2, "MA0139.2", "CTCF", 1e-23),
            ("pos_patterns.pattern_1", 100, 1, "MA1102.3", "CTCFL", 1e-5),
        ]
    )
    by_id = motif_verdict(tied, "MA0139.2")  # by ID alone the pattern is named after MA1930, yet matches MA0139.2 at q 1e-23
    assert math.isnan(by_id["expected_motif_rank"]) and by_id["expected_motif_qval"] == 1e-23 and by_id["recovered"] is True
    v = motif_verdict(tied, "MA0139.2", expected_name="CTCF")
    assert v["expected_motif_rank"] == 1 and v["recovered"] is True
    assert motif_verdict(tied.iloc[2:], "MA0139.2", expected_name="CTCF")["recovered"] is False  # CTCFL is not CTCF


def test_expected_tf_name_from_the_motif_database(tmp_path):
    db = tmp_path / "db.meme"
    write_meme([Motif("MA0139.2", "CTCF", np.full((4, 6), 0.25))], db)
    assert expected_tf_name("MA0139", str(db)) == "CTCF" and expected_tf_name("CTCF", str(db)) == "CTCF"
    assert expected_tf_name("MA9999.1", str(db)) is None and expected_tf_name(None, str(db)) is None


def test_summary_row_and_table_columns_through_the_summary_stage(tmp_path):
    qc = {"counts": {"peak": {"train": 10, "test": 4}, "gc_matched": {"train": 10, "test": 4}}}
    metrics = {"n": 8, "accuracy": 0.9, "auroc": 0.95, "auprc": 0.96, "f1": 0.9, "mcc": 0.8}
    scores = {"attribution_peak": np.array([48, 55, 50]), "ohe": np.zeros((3, 4, 100))}
    row = summary_row("CTCF", "cnn", qc, metrics, TOMTOM, scores, "MA0139.2")
    assert list(row) == SUMMARY_COLUMNS
    assert row["n_train"] == 20 and row["n_test"] == 8 and row["auroc"] == 0.95
    assert row["summit_distance_median"] == 2.0  # |48-50|, |55-50|, |50-50| -> median 2
    assert math.isnan(row["base_auroc"]) and row["expected_motif_rank"] == 2 and row["recovered"] is True
    pd.DataFrame([row]).to_csv(tmp_path / "rows.tsv", sep="\t", index=False)
    summary.run([str(tmp_path / "rows.tsv")], {"tsv": str(tmp_path / "summary.tsv"), "html": str(tmp_path / "summary.html")})
    header = (tmp_path / "summary.tsv").read_text().splitlines()[0]
    assert header.split("\t") == SUMMARY_COLUMNS
    assert 'href="CTCF/report.html"' in (tmp_path / "summary.html").read_text()


def _taxa_tomtom(rows, database):
    columns = ["pattern", "n_seqlets", "match_rank", "target_id", "target_name", "qval", "target_taxon"]
    return pd.DataFrame(rows, columns=columns).assign(database=database)


def test_patterns_matching_only_another_kingdom_are_flagged():
    everywhere = _taxa_tomtom(
        [
            ("pos_patterns.pattern_0", 300, 1, "MA0303.3", "GCN4", 1e-6, "fungi"),
            ("pos_patterns.pattern_0", 300, 2, "MA0099.4", "FOS::JUN", 1e-5, "vertebrates"),
            ("pos_patterns.pattern_1", 200, 1, "MA0020.1", "Dof2", 1e-4, "plants"),  # an AT-rich DOF, nothing fungal
            ("pos_patterns.pattern_1", 200, 2, "MA0363.3", "REB1", 0.4, "fungi"),  # not significant: does not clear it
            ("pos_patterns.pattern_2", 100, 1, "MA0021.1", "Dof3", 0.2, "plants"),  # no significant match at all
            ("neg_patterns.pattern_0", 90, 1, "MA0020.1", "Dof2", 1e-4, "plants"),
        ],
        "all",
    )
    assert other_kingdom_patterns(everywhere, "fungi") == {"pos_patterns.pattern_1": ["plants"]}
    assert other_kingdom_patterns(everywhere, "plants") == {"pos_patterns.pattern_0": ["animals", "fungi"]}
    assert other_kingdom_patterns(everywhere, "all") == {}
    fungal = _taxa_tomtom([("pos_patterns.pattern_0", 300, 1, "MA0303.3", "GCN4", 1e-7, "fungi")], "fungi")
    assert taxon_verdict(fungal, everywhere) == {
        "taxon": "fungi",
        "top_match_all_taxa_id": "MA0303.3",
        "top_match_all_taxa_name": "GCN4",
        "other_kingdom_patterns": 1,
    }
    assert math.isnan(taxon_verdict(everywhere, everywhere)["other_kingdom_patterns"])  # a run over all taxa flags nothing


def test_best_method_is_the_closest_to_ism_and_never_ism_itself():
    from bindscope.verdict import best_method

    table = pd.DataFrame({"method": ["deep_lift_shap", "saliency", "ism", "input_x_gradient"], "pearson_ism": [0.8, 0.9, 1.0, None]})
    assert best_method(table) == "saliency"
    assert best_method(table[table["method"] != "saliency"]) == "deep_lift_shap"
    assert best_method(table[table["method"] == "input_x_gradient"]) == ""
