"""Stage tracks: genome-browser files of a TF's models on the held-out test sequence.

Writes, as bigWig on the genome's coordinates: each model's per-base contribution scores (the
interpret stage's first method, summed over bases) of the attributed test positives, and each
per-base model's probabilities over the test split's sequence (every test chromosome, or with region
splits every test block; adjacent windows tiling it, windows of only N left out); then an IGV
session (XML) that loads the genome, the TF's peaks and every track.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import torch

from bindscope import models
from bindscope.bigwig import chromosome_tracks, read_bigwig, write_bigwig
from bindscope.consistency import BinnedCounts, agreement, bound, labelled_intervals
from bindscope.genome import chrom_sizes, open_genome, padded_window_codes
from bindscope.inference import predict_probabilities
from bindscope.io import atomic_path, load_npz, read_regions, write_json
from bindscope.sequence import one_hot_codes
from bindscope.splits import parse_interval
from bindscope.tiling import margin_of, tile_starts

#: Windows scored per pass over a chromosome (memory: a few hundred MB at 1 kbp windows).
CHUNK = 8192


def split_chromosomes(regions: str | os.PathLike, split: str = "test") -> list[str]:
    """Chromosomes of a split, in the regions table's order."""
    table = read_regions(regions)
    return list(dict.fromkeys(table.loc[table["split"] == split, "chrom"]))


def test_spans(regions: str | os.PathLike, sizes: dict[str, int], qc: str | os.PathLike | None = None) -> list[tuple[str, int, int]]:
    """(chrom, start, end) of the test split in genome order: its blocks where regions held out regions
    (qc.json ``split_blocks``), else its whole chromosomes."""
    blocks = json.loads(Path(qc).read_text()).get("split_blocks") if qc else None
    if blocks:
        spans = [parse_interval(b) for b in blocks["test"]]
    else:
        spans = [(c, 0, sizes[c]) for c in split_chromosomes(regions)]
    order = {c: i for i, c in enumerate(sizes)}
    return sorted((s for s in spans if s and s[0] in sizes), key=lambda s: (order[s[0]], s[1]))


def contribution_track(scores: str | os.PathLike, sizes: dict[str, int]):
    """(chromosome, (positions, values)) of the per-base contributions in an interpret scores.npz."""
    data = load_npz(scores)
    return chromosome_tracks(data["chrom"], data["start"], data["contribution"].sum(axis=1), sizes)


def probability_track(model: torch.nn.Module, fasta, spans: list[tuple[str, int, int]], window: int, margin: int, batch_size: int):
    """(chromosome, (positions, values)) pieces of a per-base model's probabilities tiling ``spans``.

    Overlapping windows, of which only the central part (``margin`` bp dropped at either end) is
    kept (:func:`bindscope.tiling.tile_starts`): no base is reported from a window's edge, where the
    model sees only one side of it. ``spans`` (chrom, start, end) come in genome order
    (:func:`test_spans`: a bigWig takes entries in its header's order; a sorted regions table has
    chr10 before chr2). Central parts are adjacent, so each piece is written as it is scored;
    windows whose central part is all N are left out.
    """
    sizes = chrom_sizes(fasta)
    keep_from, keep_to = margin, window - margin
    for chrom, span_start, span_end in spans:
        end = min(span_end, sizes[chrom])
        starts = tile_starts(span_start, end, window, margin)
        for first in range(0, len(starts), CHUNK):
            part = starts[first : first + CHUNK]
            codes = padded_window_codes(fasta, chrom, part, window)
            keep = (codes[:, keep_from:keep_to] < 4).any(axis=1)
            if not keep.any():
                continue
            prob = predict_probabilities(model, one_hot_codes(codes[keep]), batch_size)[:, keep_from:keep_to]
            positions = (part[keep, None] + keep_from + np.arange(keep_to - keep_from)[None, :]).ravel()
            values = prob.astype(np.float64).ravel()
            inside = (positions >= span_start) & (positions < end)
            yield chrom, (positions[inside], values[inside])


def tallied(pieces, intervals: dict[str, np.ndarray], counts: BinnedCounts):
    """The track's pieces, passed on as they are, each base counted in ``counts`` as bound or not (``intervals``)."""
    for chrom, (positions, values) in pieces:
        counts.add(values, bound(positions, intervals.get(chrom)))
        yield chrom, (positions, values)


def track_consistency(model: torch.nn.Module, track: str, test: dict[str, np.ndarray], counts: BinnedCounts, batch_size: int) -> dict:
    """The track's per-base areas over the test split (``counts``) and its agreement with the centred test positives.

    The centred windows' per-base probabilities are those evaluate reports (both strands); the track's
    values over the same bases are read back from the written bigWig.
    """
    positive = test["y"] == 1
    window = test["x"].shape[-1]
    centred = predict_probabilities(model, test["x"][positive], batch_size)
    spans = zip(test["chrom"][positive], test["start"][positive], strict=True)
    tiled = np.stack([read_bigwig(track, str(c), int(s), int(s) + window) for c, s in spans]) if positive.any() else centred
    return {"track_per_base": counts.areas(), "centred_windows": agreement(tiled, centred)}


def igv_session(genome: str, peaks: str, tracks: dict[str, str], locus: str, folder: str | os.PathLike) -> str:
    """IGV session XML loading ``genome``, ``peaks`` and ``tracks`` (name -> bigWig), paths relative to ``folder``."""

    def rel(path: str) -> str:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(folder))

    resources = [f"    <Resource name={quoteattr('peaks')} path={quoteattr(rel(peaks))}/>"]
    resources += [f"    <Resource name={quoteattr(name)} path={quoteattr(rel(path))}/>" for name, path in tracks.items()]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<Session genome={quoteattr(rel(genome))} locus={quoteattr(locus)} version="8">\n'
        "  <Resources>\n" + "\n".join(resources) + "\n  </Resources>\n</Session>\n"
    )


def first_positive_locus(regions: str | os.PathLike) -> str:
    """chrom:start-end of the first test positive window (where the session opens)."""
    table = read_regions(regions)
    row = table[(table["split"] == "test") & (table["label"] == 1)].iloc[0]
    return f"{row['chrom']}:{int(row['start']) + 1}-{int(row['end'])}"


def run(
    scores: dict[str, str],
    regions: str,
    genome: str,
    peaks: str,
    out: dict[str, str],
    *,
    tile_margin: str,
    batch_size: int,
    threads: int,
    ckpts: dict[str, str] | None = None,
    qc: str | None = None,
    test: str | None = None,
) -> None:
    """Write ``out``: ``contributions_<model>`` for each model of ``scores``, ``probabilities_<model>`` for each
    per-base model of ``ckpts`` (over the test chromosomes of ``regions``, or the test blocks that the regions
    stage's ``qc`` lists) with its ``consistency_<model>`` against the encoded ``test`` split
    (:mod:`bindscope.consistency`), and ``session`` (IGV XML). Tiles are as long as each model's windows (its
    checkpoint says); ``tile_margin`` is "auto" (a quarter of the window) or bp."""
    if ckpts and not test:
        raise ValueError("per-base tracks need the encoded test split (test) for their consistency")
    torch.set_num_threads(threads)
    fasta = open_genome(genome)
    sizes = chrom_sizes(fasta)
    written = {}
    for name, path in scores.items():
        n = write_bigwig(out[f"contributions_{name}"], sizes, contribution_track(path, sizes))
        written[f"{name} contributions"] = out[f"contributions_{name}"]
        print(f"{name}: contributions on {n} bases")
    spans = test_spans(regions, sizes, qc)
    encoded = load_npz(test) if ckpts else {}
    labelled = labelled_intervals(encoded["chrom"], encoded["start"], encoded["y_base"]) if ckpts else {}
    for name, ckpt in (ckpts or {}).items():
        model, hparams = models.load(ckpt)
        if not models.is_per_base(model):
            raise ValueError(f"model {name} gives one probability per sequence: no per-base track")
        window = models.trained_window(hparams, ckpt)
        margin = margin_of(tile_margin, window)
        counts = BinnedCounts()
        pieces = tallied(probability_track(model, fasta, spans, window, margin, batch_size), labelled, counts)
        n = write_bigwig(out[f"probabilities_{name}"], sizes, pieces)
        written[f"{name} probability"] = out[f"probabilities_{name}"]
        print(f"{name}: probabilities on {n} bases of {len(spans)} test spans {[f'{c}:{a}-{b}' for c, a, b in spans[:5]]}")
        found = track_consistency(model, out[f"probabilities_{name}"], encoded, counts, batch_size)
        write_json(found | {"window": window, "tile_margin": margin}, out[f"consistency_{name}"])
        print(f"{name}: track consistency {found}")
    with atomic_path(out["session"]) as tmp:
        Path(tmp).write_text(igv_session(genome, peaks, written, first_positive_locus(regions), Path(out["session"]).parent))
    print(f"IGV session: {out['session']} (File > Open Session)")
