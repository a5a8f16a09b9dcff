import numpy as np
import torch

from bindscope.genome import chrom_codes, chrom_sizes, open_genome
from bindscope.io import read_peaks
from bindscope.motif_database.jaspar import fetch_jaspar_motif
from bindscope.sequence import one_hot_codes
from bindscope.stages.demo import DECOY, DEMO_TFS, WEAK_TF, gc_landscape, make_demo, make_weak_demo


def _best_scores(x: np.ndarray, ppm: np.ndarray) -> np.ndarray:
    pwm = np.log((ppm + 0.01) / 1.04 / 0.25)
    w = torch.tensor(np.stack([pwm, pwm[::-1, ::-1].copy()]), dtype=torch.float32)
    return torch.nn.functional.conv1d(torch.tensor(x, dtype=torch.float32), w).amax(dim=(1, 2)).numpy()


def test_gc_landscape_varies_like_isochores():
    gc = gc_landscape(500_000, np.random.default_rng(0))
    blocks = gc.reshape(-1, 10_000).mean(axis=1)
    assert 0.3 < gc.mean() < 0.5 and blocks.std() > 0.03


def test_demo_plants_tf_motifs_at_summits_and_decoy_everywhere(tmp_path):
    make_demo(tmp_path, n_peaks=300, seed=1)
    fasta = open_genome(tmp_path / "genome.fa")
    sizes = chrom_sizes(fasta)
    assert len(sizes) >= 3 and sum(sizes.values()) >= 2_000_000
    codes = {c: chrom_codes(fasta, c) for c in sizes}
    rng = np.random.default_rng(0)
    background = []
    for c, n in sizes.items():
        starts = rng.integers(0, n - 200, 200)
        background.append(codes[c][starts[:, None] + np.arange(200)])
    background = one_hot_codes(np.concatenate(background))
    decoy = fetch_jaspar_motif(DECOY)
    for tf, matrix_id in DEMO_TFS.items():
        peaks = read_peaks(tmp_path / f"{tf}.narrowPeak")
        assert len(peaks) > 250 and (peaks["summit"] > peaks["start"]).all()
        windows = one_hot_codes(np.stack([codes[p.chrom][p.summit - 100 : p.summit + 100] for p in peaks.itertuples()]))
        motif = fetch_jaspar_motif(matrix_id)
        threshold = np.quantile(_best_scores(background, motif.ppm), 0.95)
        assert (_best_scores(windows, motif.ppm) > threshold).mean() > 0.8  # planted, not at every peak
        d_in, d_out = _best_scores(windows, decoy.ppm), _best_scores(background, decoy.ppm)
        cut = 0.85 * np.log((decoy.ppm.max(axis=0) + 0.01) / 1.04 / 0.25).sum()  # a clear site, whatever the background
        assert abs((d_in > cut).mean() - (d_out > cut).mean()) < 0.1  # decoy as common inside as outside


def test_weak_demo_has_a_weak_motif_in_at_rich_poly_a_peaks(tmp_path):
    make_weak_demo(tmp_path, n_peaks=400, seed=1)
    fasta = open_genome(tmp_path / "genome.fa")
    sizes = chrom_sizes(fasta)
    codes = {c: chrom_codes(fasta, c) for c in sizes}
    peaks = read_peaks(tmp_path / f"{WEAK_TF[0]}.narrowPeak")
    assert len(peaks) > 350
    rng = np.random.default_rng(0)
    starts = {c: rng.integers(1000, n - 1200, 300) for c, n in sizes.items()}
    background = np.concatenate([codes[c][s[:, None] + np.arange(200)] for c, s in starts.items()])
    background = background[(background < 4).all(axis=1)]  # no N
    windows = np.stack([codes[p.chrom][p.summit - 100 : p.summit + 100] for p in peaks.itertuples()])
    gc = lambda w: np.isin(w, [1, 2]).mean()  # noqa: E731  codes: A0 C1 G2 T3
    assert gc(windows) < gc(background) - 0.05  # AT-rich promoter-like peaks
    motif = fetch_jaspar_motif(WEAK_TF[1])
    threshold = np.quantile(_best_scores(one_hot_codes(background), motif.ppm), 0.95)
    with_site = (_best_scores(one_hot_codes(windows), motif.ppm) > threshold).mean()
    assert 0.12 < with_site < 0.5  # enriched over the background's 5 %, but a weak motif: most peaks hold no clear site

    def poly_a(w):  # an A10 or T10 run anywhere in the window
        runs = np.lib.stride_tricks.sliding_window_view(w, 10, axis=1)
        return ((runs == 0).all(axis=2) | (runs == 3).all(axis=2)).any(axis=1).mean()

    assert poly_a(windows) > max(0.1, 5 * poly_a(background))  # 40 % of peaks carry a tract, some outside ±100 bp
