"""Stage motif_db: the motif database Tomtom names patterns against, as one MEME file.

From pyjaspar (offline) by release, collection and taxonomic groups, or a user's MEME file,
read and validated, then written again.
"""

from __future__ import annotations

from bindscope.jaspar import fetch_jaspar
from bindscope.motifdb import read_meme, write_meme


def run(out: str, *, release: str, collection: str, tax_groups: list[str], source: str | None = None) -> None:
    """Write the motif database as MEME: from pyjaspar (no ``source``), or validated from the MEME file ``source``."""
    motifs = read_meme(source) if source else fetch_jaspar(release, collection, tax_groups)
    write_meme(motifs, out)
    print(f"wrote {len(motifs)} motifs to {out}")
