"""Stage motif_db: JASPAR's matrices from pyjaspar (offline) as one MEME file, with each matrix's taxonomic group."""

from __future__ import annotations

import numpy as np

from bindscope.motif_database import read_meme, read_taxa
from bindscope.motif_database.jaspar import jaspar_records, taxa_table
from bindscope.stages.motif_db import run as write_motif_db


def test_motif_db_writes_each_matrix_taxon(tmp_path):
    write_motif_db(
        str(tmp_path / "db.meme"), release="JASPAR2024", collection="CORE", tax_groups=["fungi", "plants"], taxa=str(tmp_path / "t.tsv")
    )
    database, taxa = read_meme(tmp_path / "db.meme"), read_taxa(tmp_path / "t.tsv")
    assert set(taxa) == {m.id for m in database} and set(taxa.values()) == {"fungi", "plants"}
    assert taxa["MA0363.3"] == "fungi" and taxa_table(jaspar_records("JASPAR2024", "CORE", ["fungi"]))["taxon"].eq("fungi").all()


def test_every_matrix_is_a_probability_matrix_named_as_in_jaspar(tmp_path):
    write_motif_db(str(tmp_path / "db.meme"), release="JASPAR2024", collection="CORE", tax_groups=["fungi"])
    database = read_meme(tmp_path / "db.meme")
    assert len(database) == len(jaspar_records("JASPAR2024", "CORE", ["fungi"])) and not (tmp_path / "t.tsv").exists()
    assert all(np.allclose(m.ppm.sum(axis=0), 1, atol=1e-3) and m.ppm.shape[0] == 4 for m in database)
    assert {m.id: m.name for m in database}["MA0303.3"] == "GCN4"
