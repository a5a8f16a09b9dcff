"""Stage motif_db: the motif database Tomtom names patterns against, as one MEME file.

From pyjaspar (offline) by release, collection and taxonomic groups, with a table of each
matrix's taxonomic group beside it (what the motifs stage narrows Tomtom's database by). A user's
own MEME file (config motif_db.source) needs no export: the rules read it where it is.
"""

from __future__ import annotations

from bindscope.io import write_table
from bindscope.motif_database import write_meme
from bindscope.motif_database.jaspar import from_jaspar, jaspar_records, taxa_table


def run(out: str, *, release: str, collection: str, tax_groups: list[str], taxa: str | None = None) -> None:
    """Write the JASPAR matrices of a release, collection and taxonomic groups as MEME to ``out``
    (pyjaspar, offline), with each matrix's taxonomic group in the TSV ``taxa``.
    """
    records = jaspar_records(release, collection, tax_groups)
    motifs = [from_jaspar(r) for r in records]
    if taxa:
        table = taxa_table(records)
        write_table(table, taxa)
        print(f"taxonomic groups: {table['taxon'].value_counts().to_dict()}")
    write_meme(motifs, out)
    print(f"wrote {len(motifs)} motifs to {out}")
