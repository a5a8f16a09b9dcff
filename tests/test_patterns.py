"""Seqlet sites from a modisco.h5: the trimmed pattern's span on each seqlet's sequence and strand."""

from __future__ import annotations

import h5py
import numpy as np

from bindscope.patterns import seqlet_sites, trim_bounds


def write_modisco(path, cwm: np.ndarray, seqlets: dict[str, np.ndarray]) -> None:
    """A modisco.h5 with one positive pattern (its CWM) and its seqlets, laid out as modiscolite.io.save_hdf5 does."""
    with h5py.File(path, "w") as f:
        pattern = f.create_group("pos_patterns/pattern_0")
        pattern["contrib_scores"] = cwm
        group = pattern.create_group("seqlets")
        for key, values in seqlets.items():
            group[key] = values
        f.create_group("neg_patterns")


def test_trim_bounds():
    cwm = np.zeros((10, 4))
    cwm[3, 0], cwm[4:7, 1] = 0.05, 1.0
    assert trim_bounds(cwm, 0.1) == (4, 7)
    assert trim_bounds(cwm, 0.03) == (3, 7)


def test_seqlet_sites_place_the_trimmed_core_on_either_strand(tmp_path):
    cwm = np.zeros((20, 4))
    cwm[5:9, 2] = 1.0  # the core: positions 5-8 of a 20 bp seqlet
    seqlets = {
        "example_idx": np.array([3, 7]),
        "start": np.array([100, 40]),
        "end": np.array([120, 60]),
        "is_revcomp": np.array([False, True]),
    }
    write_modisco(tmp_path / "m.h5", cwm, seqlets)
    sites = seqlet_sites(tmp_path / "m.h5", 0.1)
    assert sites.to_dict("records") == [
        {"pattern": "pos_patterns.pattern_0", "example": 3, "start": 105, "end": 109, "strand": "+"},
        {"pattern": "pos_patterns.pattern_0", "example": 7, "start": 51, "end": 55, "strand": "-"},  # 60 - 9, 60 - 5
    ]


def test_no_patterns_no_sites(tmp_path):
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.create_group("pos_patterns")
    assert seqlet_sites(tmp_path / "m.h5", 0.1).empty
