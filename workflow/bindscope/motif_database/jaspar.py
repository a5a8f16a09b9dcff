"""JASPAR's matrices from pyjaspar (offline, bundled SQLite): what rule motif_db exports and the demo plants."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bindscope.errors import InputError
from bindscope.motif_database import Motif


def jaspar_records(release: str, collection: str, tax_groups: list[str]) -> list:
    """pyjaspar's records of the latest version of every matrix in a collection and taxonomic groups (offline)."""
    from pyjaspar import jaspardb

    db = jaspardb(release=release)
    groups = [g.lower() for g in tax_groups] if tax_groups else None
    records = db.fetch_motifs(collection=collection, tax_group=groups, all_versions=False)
    if not records:
        raise InputError(release, None, f"no motifs for collection {collection!r} and tax groups {tax_groups}")
    return records


def taxa_table(records: list) -> pd.DataFrame:
    """The taxonomic group of each record (columns id, name, taxon; e.g. MA0303.3, GCN4, fungi)."""
    taxa = [str(r.tax_group or "").lower() for r in records]
    return pd.DataFrame({"id": [r.matrix_id for r in records], "name": [r.name for r in records], "taxon": taxa})


def fetch_jaspar_motif(matrix_id: str, release: str = "JASPAR2024") -> Motif:
    """One JASPAR matrix by ID (e.g. MA0139.2)."""
    from pyjaspar import jaspardb

    record = jaspardb(release=release).fetch_motif_by_id(matrix_id)
    if record is None:
        raise InputError(release, None, f"no JASPAR matrix {matrix_id!r}")
    return from_jaspar(record)


def from_jaspar(record) -> Motif:
    counts = np.array([record.counts[b] for b in "ACGT"], dtype=np.float64)
    return Motif(record.matrix_id, record.name, counts / counts.sum(axis=0, keepdims=True))
