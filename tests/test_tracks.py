import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from bindscope import models
from bindscope.bigwig import read_bigwig
from bindscope.genome import open_genome
from bindscope.inference import predict_probabilities
from bindscope.io import save_encoded, write_table
from bindscope.stages import tracks
from bindscope.tiling import windows_one_hot
from conftest import write_checkpoint

WINDOW = 64
UNET = {"channels": [4, 8], "kernel_size": 5, "dropout": 0.0}


def regions_table(path):
    # chr4's row first, as a sorted table puts chr10 before chr2: tracks still follow the genome's order
    rows = [("chr4", 3_000, "test", 1), ("chr1", 1_000, "train", 1), ("chr2", 2_000, "test", 1), ("chr2", 5_000, "test", 0)]
    table = pd.DataFrame(rows, columns=["chrom", "start", "split", "label"]).assign(end=lambda t: t["start"] + WINDOW, kind="x")
    table = table.assign(peak_start=table["start"], peak_end=table["end"])
    write_table(table[["chrom", "start", "end", "label", "kind", "split", "peak_start", "peak_end"]], path)
    return path


def encoded_test_split(tiny_genome, path):
    """The encoded test windows of :func:`regions_table` (its test rows, a positive labelled over its whole window)."""
    table = pd.DataFrame({"chrom": ["chr4", "chr2", "chr2"], "start": [3_000, 2_000, 5_000], "y": [1, 1, 0]})
    x = windows_one_hot(open_genome(tiny_genome / "genome.fa"), table, WINDOW)
    y_base = np.repeat(table["y"].to_numpy(np.uint8)[:, None], WINDOW, axis=1)
    y = table["y"].to_numpy(np.uint8)
    save_encoded(path, x=x, y=y, y_base=y_base, chrom=table["chrom"].to_numpy(str), start=table["start"].to_numpy())
    return path


def run_tracks(tiny_genome, tmp_path, ckpt, **options) -> dict[str, str]:
    """tracks.run on scores.npz and the regions table in ``tmp_path``; its outputs under ``tmp_path / "t"``."""
    out = {
        "contributions_unet": str(tmp_path / "t" / "unet.contributions.bw"),
        "probabilities_unet": str(tmp_path / "t" / "unet.probabilities.bw"),
        "consistency_unet": str(tmp_path / "t" / "unet.consistency.json"),
        "session": str(tmp_path / "t" / "igv_session.xml"),
    }
    tracks.run(
        {"unet": str(tmp_path / "scores.npz")}, str(regions_table(tmp_path / "regions.tsv.gz")), str(tiny_genome / "genome.fa"),
        str(tiny_genome / "peaks.narrowPeak"), out, batch_size=32, threads=1, ckpts={"unet": str(ckpt)},
        test=str(encoded_test_split(tiny_genome, tmp_path / "test.npz")), **options,
    )  # fmt: skip
    return out


def test_tracks_hold_contributions_and_probabilities_of_the_test_chromosomes(tiny_genome, tmp_path):
    fasta = open_genome(tiny_genome / "genome.fa")
    ckpt = write_checkpoint(tmp_path / "unet.ckpt", "unet", UNET, window=WINDOW)
    rng = np.random.default_rng(0)
    contribution = rng.normal(size=(2, 4, WINDOW))
    save_encoded(tmp_path / "scores.npz", contribution=contribution, chrom=np.array(["chr2", "chr2"]), start=np.array([2_000, 2_032]))
    out = run_tracks(tiny_genome, tmp_path, ckpt, tile_margin=0)
    summed = contribution.sum(axis=1)
    got = read_bigwig(out["contributions_unet"], "chr2", 2_000, 2_096)
    assert np.allclose(got[:32], summed[0, :32]) and np.allclose(got[64:], summed[1, 32:])
    assert np.allclose(got[32:64], (summed[0, 32:] + summed[1, :32]) / 2)  # overlapping windows: the mean
    # probabilities: the model's on the tile that holds a base, on both test chromosomes only
    model, _ = models.load(ckpt)
    tile = pd.DataFrame({"chrom": ["chr2", "chr4"], "start": [64 * 100, 64 * 500]})
    expected = predict_probabilities(model, windows_one_hot(fasta, tile, WINDOW))
    assert np.allclose(read_bigwig(out["probabilities_unet"], "chr2", 6_400, 6_464), expected[0], atol=1e-6)
    assert np.allclose(read_bigwig(out["probabilities_unet"], "chr4", 32_000, 32_064), expected[1], atol=1e-6)
    assert np.isnan(read_bigwig(out["probabilities_unet"], "chr1", 0, 1_000)).all()
    assert np.isnan(read_bigwig(out["probabilities_unet"], "chr2", 30_016, 30_976)).all()  # tiles inside an N gap: not scored
    session = ET.parse(out["session"]).getroot()
    paths = [r.get("path") for r in session.iter("Resource")]
    assert paths[1:] == ["unet.contributions.bw", "unet.probabilities.bw"]  # relative to the session's folder
    assert (tmp_path / "t" / paths[0]).resolve() == (tiny_genome / "peaks.narrowPeak").resolve()
    assert session.get("locus") == "chr4:3001-3064"  # the first test positive
    assert (tmp_path / "t" / session.get("genome")).resolve() == (tiny_genome / "genome.fa").resolve()


def test_with_region_splits_the_probabilities_cover_the_test_blocks_only(tiny_genome, tmp_path):
    """Issue 28: on a genome held out by regions, the tiled track holds no training base."""
    import json

    ckpt = write_checkpoint(tmp_path / "unet.ckpt", "unet", UNET, window=WINDOW)
    save_encoded(tmp_path / "scores.npz", contribution=np.zeros((1, 4, WINDOW)), chrom=np.array(["chr2"]), start=np.array([2_000]))
    qc = tmp_path / "qc.json"
    blocks = {"test": ["chr2:1900-3010", "chr1:500-700"], "val": [], "train": []}
    qc.write_text(json.dumps({"split_scheme": "region", "split_blocks": blocks}))
    out = run_tracks(tiny_genome, tmp_path, ckpt, tile_margin=0, qc=str(qc))
    chr2 = read_bigwig(out["probabilities_unet"], "chr2", 0, 4_000)
    assert np.isfinite(chr2[1_900:3_010]).all() and np.isnan(chr2[:1_900]).all() and np.isnan(chr2[3_010:]).all()
    chr1 = read_bigwig(out["probabilities_unet"], "chr1", 0, 1_000)
    assert np.isfinite(chr1[500:700]).all() and np.isnan(chr1[700:]).all()  # blocks in genome order, whatever qc's order
    assert np.isnan(read_bigwig(out["probabilities_unet"], "chr4", 0, 60_000)).all()  # a test chromosome of the table, not a block


def test_tracks_with_a_margin_keep_each_tiles_central_part(tiny_genome, tmp_path):
    """Issue 29: each base of the genome-wide track comes from the tile that holds it in its central part."""
    fasta = open_genome(tiny_genome / "genome.fa")
    ckpt = write_checkpoint(tmp_path / "unet.ckpt", "unet", UNET, window=WINDOW)
    save_encoded(tmp_path / "scores.npz", contribution=np.zeros((1, 4, WINDOW)), chrom=np.array(["chr2"]), start=np.array([2_000]))
    margin = 16
    out = run_tracks(tiny_genome, tmp_path, ckpt, tile_margin=margin)
    model, _ = models.load(ckpt)
    step = WINDOW - 2 * margin
    starts = np.array([-margin + k * step for k in (0, 150, 151)])  # tiles from the chromosome's start
    prob = predict_probabilities(model, windows_one_hot(fasta, pd.DataFrame({"chrom": "chr2", "start": starts}), WINDOW))
    for s, p in zip(starts, prob, strict=True):
        lo = max(0, s + margin)
        assert np.allclose(read_bigwig(out["probabilities_unet"], "chr2", lo, s + WINDOW - margin), p[lo - s : WINDOW - margin], atol=1e-6)


def test_the_track_is_scored_against_the_test_labels_and_the_centred_windows(tiny_genome, tmp_path):
    import json

    from bindscope.consistency import BinnedCounts, agreement

    ckpt = write_checkpoint(tmp_path / "unet.ckpt", "unet", UNET, window=WINDOW)
    save_encoded(tmp_path / "scores.npz", contribution=np.zeros((1, 4, WINDOW)), chrom=np.array(["chr2"]), start=np.array([2_000]))
    out = run_tracks(tiny_genome, tmp_path, ckpt, tile_margin=16)
    found = json.loads(open(out["consistency_unet"]).read())
    assert found["window"] == WINDOW and found["tile_margin"] == 16
    # per base over the test chromosomes (chr2, chr4): the two positives' windows bound, every other base not
    fasta = open_genome(tiny_genome / "genome.fa")
    counts = BinnedCounts()
    for chrom in ("chr2", "chr4"):
        values = read_bigwig(out["probabilities_unet"], chrom, 0, fasta.sizes[chrom])
        positions = np.flatnonzero(~np.isnan(values))
        start = {"chr2": 2_000, "chr4": 3_000}[chrom]
        counts.add(values[positions], (positions >= start) & (positions < start + WINDOW))
    assert found["track_per_base"] == counts.areas() and found["track_per_base"]["bound_bases"] == 2 * WINDOW
    # agreement: the track over each positive's window against that window scored on its own
    model, _ = models.load(ckpt)
    test = np.load(tmp_path / "test.npz")
    centred = predict_probabilities(model, test["x"][:2])
    tiled = np.stack([read_bigwig(out["probabilities_unet"], c, s, s + WINDOW) for c, s in (("chr4", 3_000), ("chr2", 2_000))])
    assert found["centred_windows"] == agreement(tiled, centred) and found["centred_windows"]["positives"] == 2
