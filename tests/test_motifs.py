import numpy as np
import pytest
from memelite import tomtom
from scipy.stats import false_discovery_control

from bindscope.errors import InputError
from bindscope.motif_database import Motif, read_meme, read_taxa
from bindscope.stages.motif_db import run as write_motif_db
from bindscope.stages.motifs import (
    ALL_TAXA,
    choose_taxon,
    compile_kernels,
    expected_targets,
    named_matches,
    planted_example,
    plot_logo,
    run_modisco,
    tomtom_matches,
)
from conftest import jaspar_motifs


@pytest.fixture(scope="module")
def fungi():
    return jaspar_motifs(["fungi"])


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


def test_expected_matrices_are_kept_at_their_own_rank(fungi):
    reb1 = next(m for m in fungi if m.id == "MA0363.3")
    rng = np.random.default_rng(1)
    noisy = reb1.ppm + rng.uniform(0, 0.05, reb1.ppm.shape)
    noisy /= noisy.sum(axis=0)
    also = expected_targets(fungi, "MA0363")
    assert [fungi[i].id for i in also] == ["MA0363.3"] and expected_targets(fungi, None) == []
    far = int(np.argsort(tomtom([noisy], [m.ppm for m in fungi])[0][0])[-1])  # the worst match of all
    (table,) = tomtom_matches([noisy], fungi, top_n=2, also=[far])
    assert table["match_rank"].tolist() == [1, 2, len(fungi)] and table["target_id"].iloc[-1] == fungi[far].id
    (plain,) = tomtom_matches([noisy], fungi, top_n=2)
    assert plain["match_rank"].tolist() == [1, 2]
    np.testing.assert_array_equal(table["qval"].iloc[:2], plain["qval"])


@pytest.fixture(scope="module")
def fungi_and_plants(tmp_path_factory):
    """Rule motif_db's two outputs for JASPAR's fungal and plant matrices, read back."""
    folder = tmp_path_factory.mktemp("db")
    write_motif_db(
        str(folder / "db.meme"), release="JASPAR2024", collection="CORE", tax_groups=["fungi", "plants"], taxa=str(folder / "taxa.tsv")
    )
    return read_meme(folder / "db.meme"), read_taxa(folder / "taxa.tsv")


def test_taxon_comes_from_the_setting_or_the_expected_motif(fungi_and_plants):
    database, taxa = fungi_and_plants
    assert choose_taxon("auto", "MA0363.3", database, taxa) == "fungi" and choose_taxon(None, "REB1", database, taxa) == "fungi"
    assert choose_taxon("auto", None, database, taxa) == ALL_TAXA and choose_taxon("auto", "MA9999.1", database, taxa) == ALL_TAXA
    assert choose_taxon("all", "MA0363.3", database, taxa) == ALL_TAXA and choose_taxon("Plants", "MA0363.3", database, taxa) == "plants"
    assert choose_taxon("fungi", "MA0363.3", database, {}) == ALL_TAXA  # a user's MEME file: no taxa known
    with pytest.raises(InputError, match=r"taxon vertebrates: no matrix of this taxonomic group .* \['fungi', 'plants'\]"):
        choose_taxon("vertebrates", None, database, taxa)


def test_a_name_jaspar_uses_in_several_taxa_is_never_narrowed_to_the_first_one(tmp_path):
    """CTCF names three vertebrate matrices and the fly's (listed first here, as database order may put it)."""
    from bindscope.motif_database import find_motifs

    ppm = np.full((4, 6), 0.25)
    database = [
        Motif("MA0531.2", "CTCF", ppm),
        Motif("MA0139.2", "CTCF", ppm),
        Motif("MA1929.2", "CTCF", ppm),
        Motif("MA0138.3", "REST", ppm),
    ]
    taxa = {"MA0531.2": "insects", "MA0139.2": "vertebrates", "MA1929.2": "vertebrates", "MA0138.3": "vertebrates"}
    assert [m.id for m in find_motifs(database, "ctcf")] == ["MA0531.2", "MA0139.2", "MA1929.2"]
    assert [m.id for m in find_motifs(database, "MA0139")] == ["MA0139.2"]  # an ID is one matrix
    assert choose_taxon("auto", "CTCF", database, taxa) == ALL_TAXA  # both groups' matrices stay in
    assert (
        choose_taxon("auto", "MA0139.2", database, taxa) == "vertebrates"
        and choose_taxon("vertebrates", "CTCF", database, taxa) == "vertebrates"
    )
    assert choose_taxon("auto", "REST", database, taxa) == "vertebrates"
    assert expected_targets(database, "CTCF") == [0, 1, 2]  # any CTCF matrix counts as the expected motif


def test_matches_in_one_taxon_have_their_own_q_values(fungi_and_plants):
    database, taxa = fungi_and_plants
    reb1 = next(m for m in database if m.id == "MA0363.3")
    (fungal,) = named_matches([reb1.ppm], database, taxa, "fungi", 5, "MA0363.3")
    (everywhere,) = named_matches([reb1.ppm], database, taxa, ALL_TAXA, 5, "MA0363.3")
    assert fungal["target_taxon"].eq("fungi").all() and fungal["database"].eq("fungi").all()
    assert fungal["target_id"].iloc[0] == everywhere["target_id"].iloc[0] == "MA0363.3" and everywhere["database"].eq(ALL_TAXA).all()
    n_fungi = sum(t == "fungi" for t in taxa.values())
    np.testing.assert_allclose(fungal["evalue"].iloc[0], fungal["pval"].iloc[0] * n_fungi)  # over the fungal matrices only
    assert fungal["qval"].iloc[0] <= everywhere["qval"].iloc[0]


def test_logo_png(tmp_path):
    plot_logo(np.full((6, 4), 0.25), tmp_path / "l.png", "flat", "ppm")
    assert (tmp_path / "l.png").read_bytes()[:4] == b"\x89PNG"


def test_planted_example_has_one_kmer_where_the_contributions_are():
    ohe, hypothetical = planted_example(0, n=50)
    assert ohe.shape == hypothetical.shape == (50, 4, 100) and (ohe.sum(axis=1) == 1).all()
    np.testing.assert_allclose(hypothetical.sum(axis=1), 0, atol=1e-5)  # mean-centred across bases
    actual = (ohe * hypothetical).sum(axis=1)
    top = np.sort(np.argsort(-actual, axis=1)[:, :10], axis=1)
    kmers = {ohe[i][:, top[i]].argmax(axis=0).tobytes() for i in range(50)}
    assert len(kmers) == 1 and (np.diff(top, axis=1) == 1).all()  # one contiguous 10-mer, the same everywhere


def test_compile_kernels_finds_the_planted_pattern_and_writes_a_note(tmp_path):
    compile_kernels(str(tmp_path / "kernels.txt"), seed=0)
    note = (tmp_path / "kernels.txt").read_text()
    assert note.startswith("numba ") and " 1 planted patterns;" in note
    pos, _ = run_modisco(*planted_example(0), max_seqlets=500, n_leiden_runs=1)
    ohe, _ = planted_example(0)
    first = "".join("ACGT"[b] for b in ohe[0].argmax(axis=0))  # every sequence holds one copy of the k-mer
    consensus = "".join("ACGT"[b] for b in pos[0].sequence.argmax(axis=1))
    assert len(pos) == 1 and len(pos[0].seqlets) >= 50
    assert any(consensus[i : i + 8] in first for i in range(len(consensus) - 7)), (consensus, first)
