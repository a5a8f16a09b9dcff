"""Shared fixtures: the compute device, and small trained-free models."""

from __future__ import annotations

import os

import pytest
import torch

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".cache", "numba"))


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def device(request) -> str:
    """Run a test on the CPU, and again on CUDA when a GPU is present."""
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    return request.param


@pytest.fixture
def tiny_genome(tmp_path):
    """A 4-chromosome FASTA (60-90 kb each, varying GC, an N gap, soft-masked stretch) and 80 peaks per chromosome."""
    import numpy as np

    from bindscope.demo import gc_landscape, random_sequence

    rng = np.random.default_rng(0)
    fasta, peaks = [], []
    for i, length in enumerate((90_000, 80_000, 70_000, 60_000), start=1):
        seq = random_sequence(gc_landscape(length, rng, mean_segment=10_000), rng)
        seq[30_000:31_000] = ord("N")
        seq[40_000:41_000] |= 0x20  # lower case
        fasta.append(f">chr{i}\n" + "\n".join(seq[j : j + 70].tobytes().decode() for j in range(0, length, 70)))
        for s in np.sort(rng.choice(np.arange(1_000, length - 1_000, 500), 80, replace=False)):
            if not 29_500 < s < 31_500:
                peaks.append(f"chr{i}\t{s - 50}\t{s + 70}\tp\t0\t.\t-1\t-1\t-1\t50")
    (tmp_path / "genome.fa").write_text("\n".join(fasta) + "\n")
    (tmp_path / "peaks.narrowPeak").write_text("\n".join(peaks) + "\n")
    (tmp_path / "blacklist.bed").write_text("chr1\t50000\t60000\n")
    return tmp_path
