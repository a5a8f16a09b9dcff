"""Stage motif_db: JASPAR matrices from pyjaspar (offline, bundled SQLite) exported as a MEME file.

Apart from bindscope.motifdb so that only this stage and the demo need pyjaspar.
"""

from __future__ import annotations

import numpy as np

from bindscope.errors import InputError
from bindscope.motifdb import Motif, read_meme, write_meme


def fetch_jaspar(release: str = "JASPAR2024", collection: str = "CORE", tax_groups: list[str] | None = None) -> list[Motif]:
    """Latest version of every JASPAR matrix in a collection and taxonomic groups (pyjaspar, offline)."""
    from pyjaspar import jaspardb

    db = jaspardb(release=release)
    groups = [g.lower() for g in tax_groups] if tax_groups else None
    records = db.fetch_motifs(collection=collection, tax_group=groups, all_versions=False)
    if not records:
        raise InputError(release, None, f"no motifs for collection {collection!r} and tax groups {tax_groups}")
    return [_from_jaspar(r) for r in records]


def fetch_jaspar_motif(matrix_id: str, release: str = "JASPAR2024") -> Motif:
    """One JASPAR matrix by ID (e.g. MA0139.2)."""
    from pyjaspar import jaspardb

    record = jaspardb(release=release).fetch_motif_by_id(matrix_id)
    if record is None:
        raise InputError(release, None, f"no JASPAR matrix {matrix_id!r}")
    return _from_jaspar(record)


def _from_jaspar(record) -> Motif:
    counts = np.array([record.counts[b] for b in "ACGT"], dtype=np.float64)
    return Motif(record.matrix_id, record.name, counts / counts.sum(axis=0, keepdims=True))


def run(
    out: str, release: str = "JASPAR2024", collection: str = "CORE", tax_groups: list[str] | None = None, source: str | None = None
) -> None:
    """Write the motif database as MEME: from pyjaspar, or validated from a user's MEME file."""
    motifs = read_meme(source) if source else fetch_jaspar(release, collection, tax_groups)
    write_meme(motifs, out)
    print(f"wrote {len(motifs)} motifs to {out}")
