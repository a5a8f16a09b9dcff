"""Memory each rule asks its scheduler for (Snakemake's ``mem_mb``), from its input size and attempt.

A rule asks for a floor plus a share of its input's size in GB, times the attempt number (a job
retried after running out of memory asks for twice as much, then three times). The floors and
shares cover the peak RSS that bench/scale measured at 3 Gbp / 50,000 peaks with a margin of at
least 1.25 (tests/test_resources.py holds them to bench/scale/results.tsv). Rules reading the
genome scale with it; the others read capped inputs (interpret.max_sequences,
motifs.max_seqlets) or encoded windows, and keep their floor.
"""

from __future__ import annotations

from typing import NamedTuple


class Memory(NamedTuple):
    floor_mb: int
    mb_per_input_gb: int = 0


#: rule -> its memory request.
MEMORY: dict[str, Memory] = {
    "genome_copy": Memory(500),
    "validate": Memory(2000, 100),
    "validated": Memory(100),
    "regions": Memory(1000, 300),
    "encode": Memory(1000, 400),
    "motif_db": Memory(1000),
    "train": Memory(4000),
    "evaluate": Memory(2000),
    "pwm_scan": Memory(2000),
    "kmer_lr": Memory(4000),
    "interpret": Memory(4000),
    "compare_methods": Memory(4000),
    "motif_kernels": Memory(2000),
    "motifs": Memory(4000),
    "saliency_maps": Memory(2000),
    "report": Memory(2000),
    "summary": Memory(1000),
    "predict": Memory(2000, 400),
    "variants": Memory(2000, 400),
    "tracks": Memory(3000, 400),
    "demo": Memory(2000),
    "demo_weak": Memory(2000),
}


def genome_mb(path: str, size_mb: float) -> float:
    """A genome file's size as plain FASTA would have it (2bit and gzip hold about 4 bases per byte), for :func:`mem_mb`."""
    from bindscope.genome import BASES_PER_BYTE, genome_format

    try:
        return size_mb * BASES_PER_BYTE.get(genome_format(path), 1.0)
    except OSError:  # not there yet: the rule that makes it decides
        return size_mb


def mem_mb(rule: str, input_mb: float, attempt: int = 1) -> int:
    """MB that ``rule`` asks for with ``input_mb`` MB of input on its ``attempt``-th try (1 first)."""
    if rule not in MEMORY:
        raise KeyError(f"no memory request for rule {rule!r}: add it to bindscope.resources.MEMORY")
    memory = MEMORY[rule]
    return int((memory.floor_mb + memory.mb_per_input_gb * input_mb / 1024) * max(1, attempt))
