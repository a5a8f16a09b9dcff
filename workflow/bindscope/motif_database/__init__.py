"""Motif databases: MEME minimal-format files (read, write, look up) and their taxa table; JASPAR's
matrices from pyjaspar are in :mod:`bindscope.motif_database.jaspar`, apart so that only the stages
exporting JASPAR (motif_db, demo) need pyjaspar in their environment.

A motif is a position probability matrix (PPM), shape (4, w), rows A C G T.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from bindscope.errors import InputError
from bindscope.io import atomic_path

#: JASPAR's taxonomic groups by kingdom: a pattern whose significant matches are all another kingdom's is flagged.
KINGDOMS = {
    "vertebrates": "animals",
    "insects": "animals",
    "nematodes": "animals",
    "urochordates": "animals",
    "fungi": "fungi",
    "plants": "plants",
    "diatoms": "stramenopiles",
}


class Motif(NamedTuple):
    id: str
    name: str
    ppm: np.ndarray  # (4, w) float64, columns sum to 1


def base_id(motif_id: str) -> str:
    """Matrix ID without its version suffix: MA0363.3 -> MA0363."""
    return motif_id.split(".")[0]


def write_meme(motifs: list[Motif], path: str | os.PathLike, nsites: int = 20) -> None:
    """Write motifs as a MEME minimal-format file, atomically."""
    lines = [
        "MEME version 4",
        "",
        "ALPHABET= ACGT",
        "",
        "strands: + -",
        "",
        "Background letter frequencies",
        "A 0.25 C 0.25 G 0.25 T 0.25",
        "",
    ]
    for m in motifs:
        lines += [f"MOTIF {m.id} {m.name}".rstrip(), "", f"letter-probability matrix: alength= 4 w= {m.ppm.shape[1]} nsites= {nsites} E= 0"]
        lines += [" ".join(f"{v:.6f}" for v in col) for col in m.ppm.T]
        lines.append("")
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


_MATRIX = re.compile(r"letter-probability matrix:.*?w=\s*(\d+)")


def read_meme(path: str | os.PathLike) -> list[Motif]:
    """Read every motif of a MEME minimal-format file.

    Raises
    ------
    InputError
        Naming the file and line when a motif has no matrix, a row has the wrong number of
        columns or non-numeric values, or the file holds no motif.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such MEME file")
    motifs: list[Motif] = []
    lines = path.read_text(errors="replace").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line.startswith("MOTIF"):
            i += 1
            continue
        fields = line.split()
        if len(fields) < 2:
            raise InputError(path, f"line {i + 1}", "MOTIF line without an identifier")
        motif_id, name, start = fields[1], " ".join(fields[2:]) or fields[1], i
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(("letter-probability", "MOTIF")):
            i += 1
        match = _MATRIX.search(lines[i]) if i < len(lines) else None
        if match is None:
            raise InputError(path, f"line {start + 1}", f"motif {motif_id} has no 'letter-probability matrix: ... w= N' line")
        width = int(match.group(1))
        rows = []
        for j in range(i + 1, i + 1 + width):
            values = lines[j].split() if j < len(lines) else []
            try:
                row = [float(v) for v in values]
            except ValueError:
                raise InputError(path, f"line {j + 1}", f"motif {motif_id}: non-numeric value in {lines[j]!r}") from None
            if len(row) != 4:
                raise InputError(path, f"line {j + 1}", f"motif {motif_id}: expected 4 probabilities, got {len(row)}")
            rows.append(row)
        ppm = np.array(rows).T
        if (ppm < 0).any() or not np.allclose(ppm.sum(axis=0), 1.0, atol=0.02):
            raise InputError(path, f"line {i + 1}", f"motif {motif_id}: columns must be probabilities summing to 1")
        motifs.append(Motif(motif_id, name, ppm / ppm.sum(axis=0, keepdims=True)))
        i += 1 + width
    if not motifs:
        raise InputError(path, None, "no MOTIF entries: not a MEME motif file")
    return motifs


def find_motifs(motifs: list[Motif], query: str) -> list[Motif]:
    """Matrices a sheet's motif stands for: the one with its ID (version optional: MA0363 = MA0363.3) or,
    failing that, every matrix of that name (case aside): JASPAR names recur across taxa (CTCF: three
    vertebrate matrices and the fly's), and database order must not pick one of them."""
    by_id = [m for m in motifs if m.id == query or base_id(m.id) == base_id(query)]
    return by_id[:1] or [m for m in motifs if m.name.upper() == query.upper()]


def find_motif(motifs: list[Motif], query: str) -> Motif | None:
    """The first of :func:`find_motifs` (for a name: the TF's name, which every one of them shares), or None."""
    found = find_motifs(motifs, query)
    return found[0] if found else None


def log_odds(ppm: np.ndarray, background: np.ndarray, pseudocount: float) -> np.ndarray:
    """log2 of (PPM with a pseudocount, renormalised) over the background, (4, w)."""
    p = (np.asarray(ppm, dtype=np.float64) + pseudocount) / (1 + 4 * pseudocount)
    return np.log2(p / np.asarray(background, dtype=np.float64)[:, None])


def read_taxa(path: str | os.PathLike | None) -> dict[str, str]:
    """Matrix ID -> taxonomic group, from rule motif_db's table (id, name, taxon); empty without one."""
    if not path:
        return {}
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return dict(zip(table["id"], table["taxon"].str.lower(), strict=True))
