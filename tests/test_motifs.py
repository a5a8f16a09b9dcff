import numpy as np
import pytest
from memelite import tomtom
from scipy.stats import false_discovery_control

from bindscope.jaspar import fetch_jaspar
from bindscope.motifs import plot_logo, tomtom_matches, trim_bounds


def test_trim_bounds():
    cwm = np.zeros((10, 4))
    cwm[3:7, 0] = [0.05, 1.0, -0.8, 0.2]
    assert trim_bounds(cwm, 0.1) == (4, 7)
    assert trim_bounds(cwm, 0.03) == (3, 7)


@pytest.fixture(scope="module")
def fungi():
    return fetch_jaspar("JASPAR2024", "CORE", ["fungi"])


def test_tomtom_names_a_noisy_copy_and_its_reverse_complement(fungi):
    reb1 = next(m for m in fungi if m.id == "MA0363.3")
    rng = np.random.default_rng(0)
    noisy = reb1.ppm + rng.uniform(0, 0.05, reb1.ppm.shape)
    noisy /= noisy.sum(axis=0)
    forward, reverse = tomtom_matches([noisy, noisy[::-1, ::-1].copy()], fungi, top_n=3)
    assert forward["target_id"].iloc[0] == "MA0363.3" and forward["strand"].iloc[0] == "+"
    assert reverse["target_id"].iloc[0] == "MA0363.3" and reverse["strand"].iloc[0] == "-"
    assert forward["qval"].iloc[0] < 1e-3 and (np.diff(forward["pval"]) >= 0).all()
    np.testing.assert_allclose(forward["evalue"], forward["pval"] * len(fungi))
    # q-values: Benjamini-Hochberg over every target of the database, per query
    p = tomtom([noisy], [m.ppm for m in fungi])[0][0]
    np.testing.assert_allclose(forward["qval"], np.sort(false_discovery_control(p))[:3])


def test_logo_png(tmp_path):
    plot_logo(np.full((6, 4), 0.25), tmp_path / "l.png", "flat", "ppm")
    assert (tmp_path / "l.png").read_bytes()[:4] == b"\x89PNG"
