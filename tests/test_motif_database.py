import numpy as np
import pytest

from bindscope.errors import InputError
from bindscope.motif_database import Motif, base_id, find_motif, read_meme, write_meme
from bindscope.motif_database.jaspar import fetch_jaspar_motif
from conftest import jaspar_motifs


def test_meme_round_trip(tmp_path):
    motifs = [Motif("MA0001.1", "AGL3", np.array([[0.7, 0.1], [0.1, 0.1], [0.1, 0.1], [0.1, 0.7]])), Motif("X", "X", np.full((4, 3), 0.25))]
    write_meme(motifs, tmp_path / "db.meme")
    back = read_meme(tmp_path / "db.meme")
    assert [(m.id, m.name) for m in back] == [("MA0001.1", "AGL3"), ("X", "X")]
    np.testing.assert_allclose(back[0].ppm, motifs[0].ppm, atol=1e-6)


def test_reads_the_shared_jaspar_file():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "jaspar" / "JASPAR2024_CORE_fungi_non-redundant_pfms_meme.txt"
    if not path.exists():
        pytest.skip(f"shared data not present at {path}")
    motifs = read_meme(path)
    assert len(motifs) == 178 and find_motif(motifs, "MA0363").name == "REB1"


@pytest.mark.parametrize(
    "body, problem",
    [
        ("MEME version 4\n", "no MOTIF entries"),
        (
            "MOTIF A a\nletter-probability matrix: alength= 4 w= 2\n0.25 0.25 0.25 0.25\n0.5 0.5\n",
            "line 4: motif A: expected 4 probabilities, got 2",
        ),
        ("MOTIF A a\nletter-probability matrix: alength= 4 w= 1\n0.25 x 0.25 0.25\n", "line 3: motif A: non-numeric"),
        ("MOTIF A a\n\nMOTIF B\n", "line 1: motif A has no 'letter-probability matrix"),
        ("MOTIF A a\nletter-probability matrix: alength= 4 w= 1\n0.9 0.9 0.9 0.9\n", "summing to 1"),
    ],
)
def test_malformed_meme_names_file_and_line(tmp_path, body, problem):
    path = tmp_path / "bad.meme"
    path.write_text(body)
    with pytest.raises(InputError) as err:
        read_meme(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_find_motif_ignores_version_and_accepts_names():
    motifs = [Motif("MA0363.3", "REB1", np.full((4, 2), 0.25))]
    assert find_motif(motifs, "MA0363").id == "MA0363.3" and find_motif(motifs, "reb1").id == "MA0363.3"
    assert find_motif(motifs, "MA0139.2") is None and base_id("MA0139.2") == "MA0139"


def test_pyjaspar_offline():
    fungi = jaspar_motifs(["fungi"])
    assert any(m.id == "MA0363.3" and m.name == "REB1" for m in fungi)
    ctcf = fetch_jaspar_motif("MA0139.2")
    assert ctcf.name == "CTCF" and ctcf.ppm.shape == (4, 15)
    np.testing.assert_allclose(ctcf.ppm.sum(axis=0), 1)
