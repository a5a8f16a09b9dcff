import html

import matplotlib.pyplot
import numpy as np
import pandas as pd
import pytest

from bindscope.io import read_json, save_encoded, write_json, write_table
from bindscope.motif_database import Motif, write_meme
from bindscope.render import fmt
from bindscope.stages.compare_methods import METHOD_COLUMNS
from bindscope.stages.report import run


def _tomtom(rows):
    return pd.DataFrame(rows, columns=["pattern", "n_seqlets", "match_rank", "target_id", "target_name", "qval"])


def _fake_model_outputs(root, name: str, per_base: bool, rng) -> dict[str, str]:
    """The report's input files of one model on 6 test windows of 50 bp (3 positives), by kind."""
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
    write_table(
        _tomtom([("pos_patterns.pattern_0", 40, 1, "MA0139.2", "CTCF", 1e-9)]).assign(database="vertebrates"), motifdir / "tomtom.tsv"
    )
    elsewhere = _tomtom([("pos_patterns.pattern_0", 40, 1, "MA0020.1", "Dof2", 1e-10)]).assign(target_taxon="plants", database="all")
    write_table(elsewhere, motifdir / "tomtom_all_taxa.tsv")
    ohe = np.zeros((3, 4, 50), dtype=np.uint8)
    ohe[:, 0] = 1
    contribution = rng.normal(size=(3, 4, 50)).astype(np.float32) * ohe
    scores = root / f"{name}.npz"
    y_base = np.zeros((3, 50), dtype=np.uint8)
    y_base[:, 20:30] = 1
    save_encoded(
        scores,
        ohe=ohe,
        contribution=contribution,
        chrom=chrom[:3],
        start=start[:3],
        y_base=y_base,
        attribution_peak=np.array([25, 20, 30]),
        method=np.array("deep_lift_shap"),
    )
    methods = pd.DataFrame(columns=METHOD_COLUMNS).assign(
        method=["deep_lift_shap", "saliency", "ism"], n_sequences=[3, 3, 2], seconds=[1.5, 0.1, 2.0], pearson_ism=[0.91, 0.95, 1.0]
    )
    methods = methods.assign(convergence_delta_max=[1e-5, None, None], modisco_input=["scores", "gradient", None])
    write_table(methods, root / f"{name}.methods.tsv")
    gradient_search = _tomtom(
        [("pos_patterns.pattern_0", 30, 1, "MA0155.1", "INSM1", 1e-4), ("pos_patterns.pattern_1", 20, 1, "MA0139.2", "CTCF", 1e-6)]
    )
    write_table(gradient_search, root / f"{name}.gradient.tsv")
    maps = root / "maps" / name
    maps.mkdir(parents=True)
    (maps / "top_1.png").write_bytes(png.read_bytes())
    write_table(
        pd.DataFrame(
            {
                "file": ["top_1.png"],
                "role": ["top"],
                "rank": [1],
                "chrom": ["c1"],
                "start": [0],
                "end": [50],
                "methods": ["deep_lift_shap; saliency"],
            }
        ),
        maps / "maps.tsv",
    )
    return {
        "maps": str(maps),
        "methods": str(root / f"{name}.methods.tsv"),
        "tomtom_gradient": str(root / f"{name}.gradient.tsv"),
        "metrics": str(evaldir / "metrics.json"),
        "curves": str(evaldir / "curves.tsv"),
        "predictions": str(evaldir / "predictions.npz"),
        "scores": str(scores),
        "tomtom": str(motifdir / "tomtom.tsv"),
        "tomtom_all": str(motifdir / "tomtom_all_taxa.tsv"),
        "logos": str(motifdir / "logos"),
    }


#: The regions stage's qc.json of the fake run.
QC = {
    "window": 50,
    "counts": {"peak": {"train": 5, "test": 3}, "gc_matched": {"train": 5, "test": 3}},
    "gc": {"all": {"positives_mean": 0.4, "negatives_mean": 0.41, "ks_statistic": 0.05}},
    "splits": {"test": ["c1"], "val": ["c2"]},
    "flanks": {"n": 4, "n_test_positives": 3, "gc_mean": 0.37, "test_positives_gc_mean": 0.4, "test_negatives_gc_mean": 0.41},
}
PER_MODEL_FILES = ("predictions", "scores", "methods", "tomtom", "tomtom_all", "tomtom_gradient", "logos", "maps")


def write_variant_files(folder) -> dict[str, str]:
    """A variants stage's files: two scored variants (the first with a logo), one unscored; three null variants."""
    from bindscope.stages.variants import VARIANT_COLUMNS

    folder.mkdir(parents=True)
    rows = [
        [1, 4, "c1", 10, "v1", "A", "T", "snv", "", 0.9, 0.1, -0.8, 2.2, -2.2, -4.4, np.nan, "MA0139.2 CTCF", 0.95, 0.7, 0.25],
        [2, 5, "c1", 30, "v2", "G", "C", "snv", "", 0.5, 0.6, 0.1, 0.0, 0.4, 0.4, np.nan, "", np.nan, np.nan, 1.0],
        [0, 6, "c1", 50, "v3", "C", "A", "snv", "REF C does not match the genome (G at c1:50)", *[np.nan] * 7, "", np.nan, np.nan, np.nan],
    ]
    write_table(pd.DataFrame(rows, columns=VARIANT_COLUMNS), folder / "variants.tsv.gz")
    write_table(pd.DataFrame({"chrom": ["c1"] * 3, "log_odds_ratio": [0.1, -0.2, 0.3]}), folder / "null.tsv.gz")
    (folder / "logos").mkdir()
    logo_png(folder / "logos" / "1.png")
    return {"table": str(folder / "variants.tsv.gz"), "null": str(folder / "null.tsv.gz"), "logos": str(folder / "logos")}


def logo_png(path) -> None:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    fig.savefig(path)
    plt.close(fig)


def test_report_shows_models_side_by_side(tmp_path):
    rng = np.random.default_rng(0)
    files = {name: _fake_model_outputs(tmp_path, name, name == "unet", rng) for name in ("cnn", "unet", "kmer_lr")}
    models = ("cnn", "unet")
    cnn = read_json(files["cnn"]["metrics"])
    controls = {"shuffled": {"n_negative": 3, "auroc": 0.97, "auprc": 0.95}, "flanks": {"n_negative": 4, "auroc": 0.61, "auprc": 0.52}}
    write_json(cnn | {"auprc": 0.9, "controls": controls}, files["cnn"]["metrics"])  # below kmer_lr's 1.0
    write_json(QC, tmp_path / "qc.json")
    write_json({"warnings": ["peaks.bed: 7 duplicate peak lines ignored"]}, tmp_path / "validation.json")
    write_meme([Motif("MA0139.2", "CTCF", np.full((4, 6), 0.25))], tmp_path / "db.meme")
    variant_files = {name: write_variant_files(tmp_path / "variants" / name) for name in models}
    track = {"track_per_base": {"auroc": 0.9312, "auprc": 0.4567, "bases": 10, "bound_bases": 2}, "window": 50, "tile_margin": 12}
    track["centred_windows"] = {"positives": 2, "median_correlation": 0.9876, "median_maxima_distance": 4.0, "maxima_within_20bp": 0.95}
    write_json(track, tmp_path / "unet.consistency.json")
    run(
        "CTCF",
        "peaks.bed",
        str(tmp_path / "qc.json"),
        str(tmp_path / "validation.json"),
        str(tmp_path / "db.meme"),
        metrics={name: f["metrics"] for name, f in files.items()},
        curves={name: f["curves"] for name, f in files.items()},
        **{kind: {name: files[name][kind] for name in models} for kind in PER_MODEL_FILES},
        out={"html": str(tmp_path / "report.html"), "rows": str(tmp_path / "rows.tsv")},
        expected_motif="MA0139",
        notes=["pwm_scan left out: the sheet names no motif for this TF"],
        variants={name: f["table"] for name, f in variant_files.items()},
        variant_logos={name: f["logos"] for name, f in variant_files.items()},
        variant_nulls={name: f["null"] for name, f in variant_files.items()},
        consistency={"unet": str(tmp_path / "unet.consistency.json")},
    )
    page = (tmp_path / "report.html").read_text()
    assert "Genome-wide tracks against the centred windows" in page
    unet = read_json(files["unet"]["metrics"])
    assert f"<td>unet</td><td>0.9312</td><td>0.4567</td><td>{fmt(unet['base_auroc'])}</td><td>{fmt(unet['base_auprc'])}</td>" in page
    assert "<td>0.9876</td><td>4</td><td>0.95</td><td>12</td>" in page
    assert page.count("<h3>Variant effects</h3>") == 2 and "2 variants scored (1 not scored" in page
    assert "of 3 random single-base" in page and page.count('alt="variant 1: c1:10 A&gt;T"') == 2
    assert "<td>MA0139.2 CTCF</td>" in page and "REF C does not match" not in page  # the unscored are in the file only
    assert "ROC curves of all models" in page and "per-base tracks of example test positives" in page
    assert page.count("<h2>cnn</h2>") == 1 and page.count("<h2>unet</h2>") == 1
    assert "<th>base_auprc</th>" in page and "<th>iou</th>" in page
    assert "pwm_scan left out: the sheet names no motif for this TF" in page and "<td>kmer_lr</td>" in page
    assert "input: peaks.bed: 7 duplicate peak lines ignored" in page
    text = html.unescape(page)
    assert "warning: cnn's test AUPRC 0.900 is below kmer_lr's 1.000" in text and "unet's test AUPRC" not in text
    assert "<th>auroc_flanks</th>" in page and "4 peak flanks (GC 0.370" in page
    assert "the vertebrates matrices" in page and "1. MA0020.1 Dof2 [plants] (1.0e-10)" in page
    assert page.count("matches only plants matrices") == 2  # the pattern of each model
    rows = pd.read_csv(tmp_path / "rows.tsv", sep="\t")
    assert rows["model"].tolist() == ["cnn", "unet", "kmer_lr"]
    assert rows["summit_distance_median"].tolist()[:2] == [5.0, 3.0]  # cnn: attribution (|25-25|,|20-25|,|30-25|); unet: output
    assert rows["recovered"].tolist()[:2] == [True, True] and pd.isna(rows.loc[2, "recovered"])
    assert rows.loc[0, "auroc_shuffled"] == 0.97 and rows.loc[0, "auprc_flanks"] == 0.52 and pd.isna(rows.loc[1, "auroc_flanks"])
    assert rows["taxon"].tolist()[:2] == ["vertebrates"] * 2 and rows["other_kingdom_patterns"].tolist()[:2] == [1, 1]
    assert rows["top_match_all_taxa_name"].tolist()[:2] == ["Dof2"] * 2
    assert rows.loc[2, "auroc"] == 1.0 and pd.isna(rows.loc[2, "n_patterns"]) and rows.loc[2, "expected_motif"] == "MA0139"
    assert rows["best_method_vs_ism"].tolist()[:2] == ["saliency"] * 2 and pd.isna(rows.loc[2, "best_method_vs_ism"])
    assert page.count("<h3>Attribution methods</h3>") == 2 and page.count('<span class="ok">closest to ISM</span>') == 2
    # TF-MoDISco's verdict per searched method: DeepLIFT/SHAP's patterns (CTCF first), saliency's (CTCF second)
    for rank in (1, 2):
        assert page.count(f'<td>{rank} <span class="ok">recovered</span></td>') == 2, rank
    assert "<td>INSM1</td>" in page
    assert page.count("<h3>Saliency maps</h3>") == 2 and page.count('alt="saliency map top 1: c1:0-50"') == 2
    assert "<td>0.91</td>" in page and "<td>1.00e-05</td>" in page and "TF-MoDISco's on the deep_lift_shap scores" in page
    assert page.count("The comparison of attribution methods ran") == 2 and "did not run" not in page
    assert page.count("the saliency maps also draw saliency") == 2
    assert rows["attribution_method"].tolist()[:2] == ["deep_lift_shap"] * 2
    assert rows["compared_methods"].tolist()[:2] == ["deep_lift_shap; saliency; ism"] * 2


def report_without_comparison(tmp_path, **changes) -> None:
    """The report of one CNN whose run had the method comparison off (no methods.tsv, no gradient search)."""
    files = _fake_model_outputs(tmp_path, "cnn", False, np.random.default_rng(0))
    write_json(QC, tmp_path / "qc.json")
    write_json({"warnings": []}, tmp_path / "validation.json")
    write_meme([Motif("MA0139.2", "CTCF", np.full((4, 6), 0.25))], tmp_path / "db.meme")
    kinds = {kind: {"cnn": path} for kind, path in files.items() if kind not in ("methods", "tomtom_gradient")}
    args = [str(tmp_path / name) for name in ("qc.json", "validation.json", "db.meme")]
    out = {"html": str(tmp_path / "report.html"), "rows": str(tmp_path / "rows.tsv")}
    run("CTCF", "peaks.bed", *args, **kinds, out=out, expected_motif="MA0139", **changes)


def test_without_the_comparison_the_report_says_which_methods_ran_and_shows_no_table(tmp_path):
    report_without_comparison(tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "Genome-wide tracks" not in page  # no per-base track ran
    assert "Attributions: deep_lift_shap scores every attributed test positive" in page
    assert "the saliency maps also draw saliency" in page and "compare_methods.enabled: true</code> to run it" in page
    assert "Pearson with ISM" not in page and "closest to ISM" not in page
    rows = pd.read_csv(tmp_path / "rows.tsv", sep="\t", keep_default_na=False)
    assert rows.loc[0, "attribution_method"] == "deep_lift_shap" and rows.loc[0, "recovered"]
    assert rows.loc[0, "compared_methods"] == "" and rows.loc[0, "best_method_vs_ism"] == ""


def test_the_comparison_files_come_together(tmp_path):
    with pytest.raises(ValueError, match="--methods and --tomtom-gradient come together"):
        report_without_comparison(tmp_path, methods={"cnn": str(tmp_path / "cnn.methods.tsv")})


def test_report_names_a_missing_file_of_a_model(tmp_path):
    files = _fake_model_outputs(tmp_path, "cnn", False, np.random.default_rng(0))
    kinds = {kind: {"cnn": path} for kind, path in files.items()}
    kinds["logos"] = {}
    with pytest.raises(ValueError, match=r"--logos names \[\], expected \['cnn'\]"):
        run("CTCF", "p.bed", "qc.json", "v.json", "db.meme", **kinds, out={"html": "r.html", "rows": "r.tsv"})
