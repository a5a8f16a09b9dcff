"""Stage 0, validate: every check of one TF's inputs that needs no training, in seconds.

The checks themselves live in :mod:`bindscope.inputs` (regions runs the same ones); this stage
runs them, adds the motif database and the room left for negatives, and reports counts and
warnings in validation.json.
"""

from __future__ import annotations

import pybedtools

from bindscope.genome import chrom_sizes, open_genome
from bindscope.inputs import PositiveSet, WindowSettings, check_blacklist, check_motif, check_settings, positive_set
from bindscope.io import write_json
from bindscope.motif_database import find_motifs, read_meme


def run(
    peaks: str, genome: str, motif_db: str, out: str, windows: WindowSettings, *, blacklist: str | None = None, motif: str | None = None
) -> None:
    """Check one TF's genome, peaks, blacklist and motif; write validation.json with counts and warnings."""
    fasta = open_genome(genome)
    sizes = chrom_sizes(fasta)
    check_settings(sizes, genome, windows)
    database = read_meme(motif_db)
    check_motif(database, motif, motif_db)
    try:
        found = positive_set(peaks, fasta, genome, blacklist, windows)
        n_candidates = check_blacklist(found.peaks, found.blacklist, sizes, windows.window, windows.peak_padding, blacklist)
    finally:
        pybedtools.cleanup()
    matrices = [m.id for m in find_motifs(database, motif)] if motif else []
    report = validation_report(found, windows.window, n_candidates, motif_db, len(database), motif, matrices)
    write_json(report, out)
    for warning in report["warnings"]:
        print(f"warning: {warning}")
    scheme = report["splits"]["scheme"]
    print(f"inputs valid: {report['positives']['usable']} usable positives, {scheme} splits {report['positives']['per_split']}")


def validation_report(
    found: PositiveSet, window: int, n_candidates: int, motif_db: str, n_motifs: int, motif: str | None, matrices: list[str]
) -> dict:
    """validation.json: what the checks counted, and the warnings; ``matrices``: the IDs the sheet's motif stands for."""
    bases = found.bases
    return {
        "peaks": {
            "lines": found.n_lines,
            "duplicate_lines": found.n_lines - len(found.peaks),
            "after_merging": len(found.merged),
        },
        "positives": {
            "windows": len(found.windows),
            "out_of_bounds": found.n_out_of_bounds,
            "duplicate_windows": found.n_duplicate_windows,
            "n_rich": found.n_rich,
            "in_split_gaps": found.n_in_split_gaps,
            "usable": len(found.usable),
            "per_split": found.per_split,
        },
        "splits": {
            "scheme": found.plan.scheme,
            "blocks": found.plan.intervals() if found.plan.scheme == "region" else found.plan.chromosomes(),
            **({"positives_per_fold": found.fold_counts} if len(found.fold_counts) > 1 else {}),
        },
        "bases_in_positive_windows": {
            "total": int(len(found.windows) * window),
            "soft_masked": int(bases["soft_masked"].sum()),
            "unknown": int(bases["unknown"].sum()),
            "iupac": int(bases["iupac"].sum()),
            "other": int(bases["other"].sum()),
        },
        "candidate_negative_windows": n_candidates,
        "motif_db": {"path": str(motif_db), "motifs": n_motifs, "sheet_motif": motif or None, "sheet_motif_matrices": matrices},
        "warnings": found.warnings,
    }
