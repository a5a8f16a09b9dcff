"""TF-MoDISco's patterns as the motifs stage saves them (modisco.h5): trimming, and where each seqlet lies.

Shared by the motifs stage (which trims patterns before Tomtom) and the saliency maps (which mark
the trimmed part of each seqlet on the sequence it came from).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

#: Columns of :func:`seqlet_sites`.
SITE_COLUMNS = ["pattern", "example", "start", "end", "strand"]


def trim_bounds(cwm: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    """First and one-past-last positions of a (w, 4) CWM whose summed |contribution| >= threshold x max.

    A low threshold keeps the flanks that tell family members apart: trimmed at 30 % (as
    ``modisco report`` does) a pattern can shrink to the core a whole TF family shares, and a
    family member then outranks the true TF.
    """
    score = np.abs(cwm).sum(axis=1)
    keep = np.flatnonzero(score >= threshold * score.max())
    return int(keep[0]), int(keep[-1]) + 1


def seqlet_sites(h5: str | os.PathLike, threshold: float) -> pd.DataFrame:
    """Every seqlet of every pattern in a modisco.h5, as the trimmed pattern's span in its sequence.

    Returns a table of SITE_COLUMNS: pattern name (pos_patterns.pattern_0 ...), example (the row
    of the scores TF-MoDISco read), start and end in that sequence, strand (- for a seqlet that
    matches the pattern reverse-complemented). A pattern trimmed to [lo, hi) covers [start + lo,
    start + hi) of a + seqlet and [end - hi, end - lo) of a - seqlet.
    """
    import h5py

    rows = []
    with h5py.File(h5, "r") as f:
        for group in ("pos_patterns", "neg_patterns"):
            for name in f.get(group, {}):
                pattern = f[group][name]
                lo, hi = trim_bounds(pattern["contrib_scores"][:], threshold)
                seqlets = pattern["seqlets"]
                start, end, reverse = seqlets["start"][:], seqlets["end"][:], seqlets["is_revcomp"][:].astype(bool)
                rows.append(
                    pd.DataFrame(
                        {
                            "pattern": f"{group}.{name}",
                            "example": seqlets["example_idx"][:],
                            "start": np.where(reverse, end - hi, start + lo),
                            "end": np.where(reverse, end - lo, start + hi),
                            "strand": np.where(reverse, "-", "+"),
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=SITE_COLUMNS)
