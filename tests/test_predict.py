import gzip

import numpy as np
import pandas as pd
import pytest

from bindscope import models
from bindscope.bigwig import read_bigwig
from bindscope.errors import InputError
from bindscope.genome import open_genome
from bindscope.inference import predict_probabilities
from bindscope.io import load_npz, save_encoded
from bindscope.layout import EVALUATION, PER_BASE_MODELS
from bindscope.sequence import one_hot
from bindscope.stages import evaluate, predict
from bindscope.stages.encode import window_one_hot
from conftest import files_in, write_checkpoint

UNET = {"channels": [4, 8], "kernel_size": 5, "dropout": 0.0}
WINDOW = 60
# batch_size as evaluate's (256): float32 convolutions may round differently in batches of another size (~1e-7).
OPTIONS = {"tile_margin": 0, "threshold": 0.5, "min_segment": 3, "batch_size": 256, "threads": 1}


def test_per_base_models_are_named_where_the_rules_read_them():
    assert set(PER_BASE_MODELS) == {name for name, cls in models.REGISTRY.items() if getattr(cls, "per_base", False)}


@pytest.fixture
def ckpts(tmp_path):
    return {
        "cnn": str(write_checkpoint(tmp_path / "cnn.ckpt")),
        "unet": str(write_checkpoint(tmp_path / "unet.ckpt", "unet", UNET, seed=1)),
    }


def outputs(folder):
    return {"table": str(folder / "p.tsv.gz"), "bigwig_unet": str(folder / "u.bw"), "segments_unet": str(folder / "u.bed")}


def test_windows_given_as_regions_get_evaluates_probabilities_exactly(tiny_genome, ckpts, tmp_path):
    fasta = open_genome(tiny_genome / "genome.fa")
    windows = pd.DataFrame({"chrom": ["chr1"] * 25 + ["chr3"] * 25, "start": np.r_[np.arange(25) * 97 + 5, np.arange(25) * 131]})
    save_encoded(
        tmp_path / "test.npz",
        x=window_one_hot(windows, fasta, WINDOW),
        y=np.arange(50) % 2,
        y_base=np.zeros((50, WINDOW), np.uint8),
        chrom=windows["chrom"].to_numpy(dtype=str),
        start=windows["start"].to_numpy(),
    )
    save_encoded(tmp_path / "controls.npz", x_shuffled=np.zeros((0, 4, WINDOW), np.uint8), x_flanks=np.zeros((0, 4, WINDOW), np.uint8))
    bed = tmp_path / "windows.bed"
    bed.write_text("".join(f"{c}\t{s}\t{s + WINDOW}\n" for c, s in windows.itertuples(index=False)))
    predict.run(ckpts, str(bed), str(tiny_genome / "genome.fa"), outputs(tmp_path), mode="centre", **OPTIONS)
    table = pd.read_csv(tmp_path / "p.tsv.gz", sep="\t")
    assert table["line"].tolist() == list(range(1, 51)) and (table["start"] == windows["start"]).all()
    for name, ckpt in ckpts.items():
        out = files_in(tmp_path / name, EVALUATION)
        evaluate.run(ckpt, str(tmp_path / "test.npz"), str(tmp_path / "controls.npz"), out, threshold=0.5, min_segment=3, threads=1)
        expected = load_npz(out["arrays"])["score"].astype(np.float32)
        assert np.array_equal(table[f"prob_{name}"].to_numpy(np.float32), expected), name


def test_fasta_records_are_tiled_and_become_the_tracks_chromosomes(ckpts, tmp_path):
    rng = np.random.default_rng(3)
    records = {"short": 25, "long": 150}
    seqs = {name: "".join(rng.choice(list("ACGT"), n)) for name, n in records.items()}
    fasta = tmp_path / "seqs.fa"
    fasta.write_text("".join(f">{name}\n{seq}\n" for name, seq in seqs.items()))
    predict.run(ckpts, str(fasta), "unused.fa", outputs(tmp_path), mode="tile", **OPTIONS)
    table = pd.read_csv(tmp_path / "p.tsv.gz", sep="\t")
    assert table.groupby("chrom")["tile"].count().to_dict() == {"long": 3, "short": 1}
    # the short record sits in the middle of one N-padded window; the bigWig holds only its own bases
    model, _ = models.load(ckpts["unet"])
    x = np.zeros((1, 4, WINDOW), np.uint8)
    x[0, :, 18:43] = one_hot(seqs["short"])  # tile start (25 - 60) // 2 = -18
    expected = predict_probabilities(model, x)[0, 18:43]
    assert np.allclose(read_bigwig(tmp_path / "u.bw", "short", 0, 25), expected, atol=1e-6)
    long = read_bigwig(tmp_path / "u.bw", "long", 0, 150)
    assert np.isfinite(long).all()
    for chrom, start, end, *_ in (line.split("\t") for line in (tmp_path / "u.bed").read_text().splitlines()):
        assert int(end) - int(start) >= OPTIONS["min_segment"]
        assert (read_bigwig(tmp_path / "u.bw", chrom, int(start), int(end)) >= 0.5).all()


def test_bad_regions_are_named_before_any_model_runs(tiny_genome, ckpts, tmp_path):
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t100\t200\nchrUn\t5\t50\n")
    with pytest.raises(InputError, match=r"r.bed.*line 2.*contig 'chrUn'"):
        predict.run(ckpts, str(bed), str(tiny_genome / "genome.fa"), outputs(tmp_path), mode="centre", **OPTIONS)
    bed.write_text("chr1\t100\tx\n")
    with pytest.raises(InputError, match="line 1.*integers"):
        predict.run(ckpts, str(bed), str(tiny_genome / "genome.fa"), outputs(tmp_path), mode="centre", **OPTIONS)
    assert not any((tmp_path / name).exists() for name in ("p.tsv.gz", "u.bw", "u.bed"))


def test_models_of_different_window_lengths_are_refused_together(tiny_genome, tmp_path):
    unet = write_checkpoint(tmp_path / "u.ckpt", "unet", UNET, window=80)
    ckpts = {"cnn": str(write_checkpoint(tmp_path / "cnn.ckpt")), "unet": str(unet)}
    peaks, genome = str(tiny_genome / "peaks.narrowPeak"), str(tiny_genome / "genome.fa")
    with pytest.raises(InputError, match=r"u.ckpt: model unet reads 80 bp windows and model cnn 60 bp"):
        predict.run(ckpts, peaks, genome, outputs(tmp_path), mode="centre", **OPTIONS)


def test_table_is_gzipped_and_names_the_models(tiny_genome, ckpts, tmp_path):
    peaks = tiny_genome / "peaks.narrowPeak"
    predict.run(ckpts, str(peaks), str(tiny_genome / "genome.fa"), outputs(tmp_path), mode="centre", **OPTIONS)
    header = gzip.decompress((tmp_path / "p.tsv.gz").read_bytes()).decode().splitlines()[0].split("\t")
    assert header[-2:] == ["prob_cnn", "prob_unet"]
    table = pd.read_csv(tmp_path / "p.tsv.gz", sep="\t")
    summits = pd.read_csv(peaks, sep="\t", header=None)
    assert (table["start"] == summits[1] + summits[9] - WINDOW // 2).all()  # centred on the narrowPeak summit


def test_tiles_with_a_margin_report_each_base_from_a_window_centre(ckpts, tmp_path):
    """Issue 29: with tile_margin m, tiles overlap by 2m and each base of the bigWig is the probability
    the tile holding it in its central part gives it, never one from a window's outer m bases."""
    rng = np.random.default_rng(4)
    seq = "".join(rng.choice(list("ACGT"), 200))
    fasta = tmp_path / "seqs.fa"
    fasta.write_text(f">r\n{seq}\n")
    margin = 15
    predict.run(ckpts, str(fasta), "unused.fa", outputs(tmp_path), mode="tile", **OPTIONS | {"tile_margin": margin})
    table = pd.read_csv(tmp_path / "p.tsv.gz", sep="\t")
    step = WINDOW - 2 * margin
    assert (np.diff(table["start"]) == step).all() and table["start"].iloc[0] + margin <= 0 and table["end"].iloc[-1] - margin >= 200
    model, _ = models.load(ckpts["unet"])
    track = read_bigwig(tmp_path / "u.bw", "r", 0, 200)
    padded = "N" * WINDOW + seq + "N" * WINDOW
    for start in table["start"]:
        x = one_hot(padded[start + WINDOW : start + 2 * WINDOW])[None]
        centre = predict_probabilities(model, x)[0, margin : WINDOW - margin]
        lo, hi = max(0, start + margin), min(200, start + WINDOW - margin)
        assert np.allclose(track[lo:hi], centre[lo - start - margin : hi - start - margin], atol=1e-6)
