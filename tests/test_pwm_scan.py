import numpy as np
import pytest

from bindscope.baselines.pwm_scan import best_match_scores, calibrate, run
from bindscope.errors import InputError
from bindscope.genome import genome_background, open_genome
from bindscope.io import save_encoded
from bindscope.layout import EVALUATION
from bindscope.motif_database import Motif, log_odds, write_meme
from bindscope.sequence import one_hot_codes, reverse_complement
from conftest import CONFIG, files_in

PPM = np.array([[0.9, 0.05, 0.05, 0.7], [0.05, 0.9, 0.05, 0.1], [0.025, 0.025, 0.85, 0.1], [0.025, 0.025, 0.05, 0.1]])


def _brute_force(x: np.ndarray, pwm: np.ndarray) -> np.ndarray:
    """Loop over windows, strands and positions: the definition, slowly."""
    w = pwm.shape[1]
    best = []
    for seq in x.astype(float):
        scores = []
        for strand in (seq, reverse_complement(seq)):
            scores += [float((strand[:, i : i + w] * pwm).sum()) for i in range(seq.shape[1] - w + 1)]
        best.append(max(scores))
    return np.array(best)


def test_best_match_scores_equal_a_loop_over_both_strands():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, (20, 30)).astype(np.uint8)  # 4 = N
    x = one_hot_codes(codes)
    pwm = log_odds(PPM, np.full(4, 0.25), CONFIG["pwm_scan"]["pseudocount"])
    np.testing.assert_allclose(best_match_scores(x, pwm, batch_size=7), _brute_force(x, pwm), atol=1e-5)


def test_reverse_strand_site_scores_as_high_as_the_forward_one():
    pwm = log_odds(PPM, np.full(4, 0.25), CONFIG["pwm_scan"]["pseudocount"])
    site = PPM.argmax(axis=0).astype(np.uint8)  # ACGA
    fwd = np.zeros((1, 12), np.uint8) + 3
    fwd[0, 4:8] = site
    rev = (3 - fwd[:, ::-1]).copy()
    scores = best_match_scores(one_hot_codes(np.concatenate([fwd, rev])), pwm)
    assert scores[0] == pytest.approx(scores[1]) == pytest.approx(pwm.max(axis=0).sum())


def test_log_odds_against_background():
    with np.errstate(divide="ignore"):
        pwm = log_odds(np.eye(4), np.array([0.3, 0.2, 0.2, 0.3]), pseudocount=0.0)
    assert pwm[0, 0] == pytest.approx(np.log2(1 / 0.3)) and np.isneginf(pwm[1, 0])


def test_genome_background_counts_acgt(tiny_genome):
    text = "".join(line for line in (tiny_genome / "genome.fa").read_text().upper().splitlines() if not line.startswith(">"))
    counts = np.array([text.count(b) for b in "ACGT"])
    np.testing.assert_allclose(genome_background(open_genome(tiny_genome / "genome.fa")), counts / counts.sum())


def test_calibration_is_increasing_for_an_enriched_motif():
    score = np.array([1.0, 2.0, 3.0, 8.0, 9.0, 10.0])
    model = calibrate(score, np.array([0, 0, 0, 1, 1, 1]))
    prob = model.predict_proba(score[:, None])[:, 1]
    assert np.all(np.diff(prob) > 0) and prob[0] < 0.5 < prob[-1]


def test_missing_motif_is_an_input_error(tmp_path, tiny_genome):
    write_meme([Motif("MA0001.1", "X", PPM)], tmp_path / "db.meme")
    x = one_hot_codes(np.zeros((2, 10), np.uint8))
    for split in ("val", "test"):
        save_encoded(tmp_path / f"{split}.npz", x=x, y=np.array([0, 1], np.uint8), chrom=np.array(["c", "c"]), start=np.arange(2))
    with pytest.raises(InputError, match="MA0363.*not in this motif database"):
        run(
            str(tmp_path / "val.npz"),
            str(tmp_path / "test.npz"),
            str(tmp_path / "controls.npz"),
            str(tmp_path / "db.meme"),
            "MA0363",
            str(tiny_genome / "genome.fa"),
            files_in(tmp_path / "out", EVALUATION),
            threshold=CONFIG["evaluate"]["threshold"],
            pseudocount=CONFIG["pwm_scan"]["pseudocount"],
            threads=1,
        )
    assert not (tmp_path / "out").exists()


def test_a_name_shared_by_several_matrices_scans_with_the_one_that_fits_the_validation_split():
    from bindscope.baselines.pwm_scan import best_matrix

    rng = np.random.default_rng(0)
    site = np.array([2, 0, 3, 3, 0, 1, 2, 2], np.uint8)  # GATTACGG
    codes = rng.integers(0, 4, (200, 60)).astype(np.uint8)
    y = (np.arange(200) % 2).astype(np.uint8)
    codes[y == 1, 20:28] = site
    planted = np.full((4, 8), 0.02)
    planted[site, np.arange(8)] = 0.94
    other = np.roll(planted, 2, axis=0)  # the same name, another taxon's matrix: not what the data hold
    candidates = [Motif("MA0002.1", "TF1", other), Motif("MA0001.1", "TF1", planted)]
    found, pwm = best_matrix(candidates, np.full(4, 0.25), 0.01, {"x": one_hot_codes(codes), "y": y})
    assert found.id == "MA0001.1" and pwm.shape == (4, 8)
