"""Hold-out splits as genome blocks: whole chromosomes, or contiguous regions where chromosomes can't be held out.

A :class:`SplitPlan` is a table of blocks (chrom, start, end, split). A window belongs to the split
of the block that holds it whole; a window in no block (one straddling a boundary or in the gap
between blocks of different splits) belongs to none and is dropped. Blocks of different splits on
one chromosome are kept ``gap`` bp apart (window + peak_padding), so no positive, negative, flank
or control of one split can overlap another split's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bindscope.io import SPLITS
from bindscope.positives import AUTO_SPLIT_SHARE, assign_splits

#: split_by values: chromosome, region, or auto (chromosomes where each split can get its share).
SCHEMES = ("auto", "chromosome", "region")
#: Automatic region splits cut the positives into this many blocks of about equal counts (5 % each),
#: which the chromosome rule then deals out to test, val and train by their target shares.
N_REGION_BLOCKS = 20
#: auto keeps chromosome splits when each split gets at least this share of its target.
MIN_SHARE_OF_TARGET = 0.5
_INTERVAL = re.compile(r"^(?P<chrom>.+):(?P<start>[0-9][0-9,_]*)-(?P<end>[0-9][0-9,_]*)$")


def parse_interval(text: str) -> tuple[str, int, int] | None:
    """``chr22:17000000-25000000`` (0-based, half-open; commas allowed) -> (chrom, start, end); None for a plain name."""
    match = _INTERVAL.match(text)
    if not match:
        return None
    number = lambda s: int(re.sub(r"[,_]", "", s))  # noqa: E731
    return match["chrom"], number(match["start"]), number(match["end"])


@dataclass
class SplitPlan:
    """Blocks of the genome and their split; ``scheme`` says how they were made ("chromosome" or "region")."""

    scheme: str
    blocks: pd.DataFrame

    def assign(self, chrom, start, end) -> np.ndarray:
        """Split of each window (chrom, start, end arrays): the block holding it whole, or None."""
        chrom, start, end = np.asarray(chrom, dtype=object), np.asarray(start, np.int64), np.asarray(end, np.int64)
        out = np.full(len(chrom), None, dtype=object)
        for name, blocks in self.blocks.groupby("chrom", sort=False):
            mine = np.flatnonzero(chrom == name)
            if not len(mine):
                continue
            blocks = blocks.sort_values("start")
            starts, ends, splits = (blocks[c].to_numpy() for c in ("start", "end", "split"))
            i = np.searchsorted(starts, start[mine], side="right") - 1
            inside = (i >= 0) & (end[mine] <= ends[np.maximum(i, 0)])
            out[mine[inside]] = splits[i[inside]]
        return out

    def chromosomes(self) -> dict[str, list[str]]:
        """Split -> chromosomes with a block of it (every chromosome, for chromosome splits)."""
        return {s: sorted(set(self.blocks.loc[self.blocks["split"] == s, "chrom"])) for s in SPLITS}

    def intervals(self) -> dict[str, list[str]]:
        """Split -> its blocks as chrom:start-end (region splits: what qc.json and the report list)."""
        return {s: [f"{r.chrom}:{r.start}-{r.end}" for r in self.blocks[self.blocks["split"] == s].itertuples()] for s in SPLITS}


def chromosome_plan(positive_counts: dict[str, int], sizes: dict[str, int], test: list[str], val: list[str]) -> SplitPlan:
    """Whole chromosomes as blocks, split as :func:`bindscope.positives.assign_splits` chooses."""
    split = assign_splits(positive_counts, list(sizes), test, val)
    blocks = pd.DataFrame({"chrom": list(sizes), "start": 0, "end": list(sizes.values()), "split": [split[c] for c in sizes]})
    return SplitPlan("chromosome", blocks)


def chromosome_plan_fits(plan: SplitPlan, positive_counts: dict[str, int], min_positives: int) -> bool:
    """Whether each split of a chromosome plan holds min_positives and at least MIN_SHARE_OF_TARGET of its share."""
    total = sum(positive_counts.values())
    split_of = dict(zip(plan.blocks["chrom"], plan.blocks["split"], strict=True))
    have = {s: sum(n for c, n in positive_counts.items() if split_of.get(c) == s) for s in SPLITS}
    return all(have[s] >= max(min_positives, MIN_SHARE_OF_TARGET * AUTO_SPLIT_SHARE[s] * total) for s in SPLITS)


def _cut_indices(chrom_index: np.ndarray, starts: np.ndarray, ends: np.ndarray, n_blocks: int) -> list[int]:
    """Indices i of sorted windows where a block starts: near equal counts, at the widest space between windows i-1 and i."""
    n = len(starts)
    space = np.full(n, -np.inf)
    space[1:] = np.where(chrom_index[1:] != chrom_index[:-1], np.inf, starts[1:] - ends[:-1])
    reach = max(1, n // (4 * n_blocks))
    cuts: list[int] = []
    for k in range(1, n_blocks):
        target = round(k * n / n_blocks)
        lo, hi = max(1, target - reach, (cuts[-1] + 1) if cuts else 1), min(n - 1, target + reach)
        if lo > hi:
            continue
        candidates = np.arange(lo, hi + 1)
        best = candidates[np.lexsort((np.abs(candidates - target), -space[candidates]))[0]]
        cuts.append(int(best))
    return cuts


def region_plan(
    windows: pd.DataFrame, sizes: dict[str, int], gap: int, n_blocks: int = N_REGION_BLOCKS, seed_blocks: pd.DataFrame | None = None
) -> SplitPlan:
    """Contiguous blocks holding about equal numbers of ``windows`` (chrom, start, end), dealt to splits by share.

    Boundaries fall at the widest space between consecutive windows near each equal-count point;
    where two blocks of different splits meet on one chromosome, ``gap`` bp around the boundary
    belong to neither. ``seed_blocks`` (chrom, start, end, split): user-given test/val intervals,
    kept whole, the rest of the genome train, with the gap taken from the train side.
    """
    if seed_blocks is not None and len(seed_blocks):
        return SplitPlan("region", _around_given(seed_blocks, sizes, gap))
    blocks, counts = region_blocks(windows, sizes, n_blocks)
    names = [f"block{g}" for g in range(len(counts))]
    split_of_group = assign_splits(dict(zip(names, counts, strict=True)), names, [], [])
    blocks["split"] = blocks["group"].map(lambda g: split_of_group[f"block{g}"])
    return SplitPlan("region", _with_gaps(blocks[["chrom", "start", "end", "split"]], gap))


def region_blocks(windows: pd.DataFrame, sizes: dict[str, int], n_blocks: int) -> tuple[pd.DataFrame, list[int]]:
    """The genome cut into contiguous blocks of about equal numbers of ``windows``: pieces (chrom, start, end,
    group; a block can span chromosomes) and the windows per group.

    Boundaries inside a chromosome fall at the widest space between consecutive windows near each
    equal-count point; every base of the genome is in one piece.
    """
    order = list(sizes)
    rank = {c: i for i, c in enumerate(order)}
    table = windows.assign(rank=windows["chrom"].map(rank)).sort_values(["rank", "start"]).reset_index(drop=True)
    chrom_index, starts, ends = table["rank"].to_numpy(), table["start"].to_numpy(np.int64), table["end"].to_numpy(np.int64)
    cuts = _cut_indices(chrom_index, starts, ends, min(n_blocks, max(1, len(table))))
    group = np.zeros(len(table), dtype=np.int64)
    for c in cuts:
        group[c:] += 1
    # boundaries: (chrom, position) of each cut inside a chromosome; a cut at a chromosome change needs none
    pieces = []
    boundaries: dict[str, list[tuple[int, int]]] = {}
    for c in cuts:
        if chrom_index[c] == chrom_index[c - 1]:
            name = order[chrom_index[c]]
            boundaries.setdefault(name, []).append(((int(ends[c - 1]) + int(starts[c])) // 2, int(group[c])))
    current = 0
    for i, name in enumerate(order):
        mine = np.flatnonzero(chrom_index == i)
        if len(mine):
            current = int(group[mine[0]])
        edge, g = 0, current
        for position, next_group in boundaries.get(name, []):
            pieces.append((name, edge, position, g))
            edge, g = position, next_group
        pieces.append((name, edge, sizes[name], g))
        if len(mine):
            current = int(group[mine[-1]])
    n_groups = int(group.max()) + 1 if len(group) else 1
    counts = np.bincount(group, minlength=n_groups).tolist()
    return pd.DataFrame(pieces, columns=["chrom", "start", "end", "group"]), counts


def _with_gaps(blocks: pd.DataFrame, gap: int) -> pd.DataFrame:
    """Merge touching blocks of one split; where blocks of two splits touch, pull each back by half of ``gap``."""
    rows = []
    for name, mine in blocks.groupby("chrom", sort=False):
        merged: list[list] = []
        for r in mine.sort_values("start").itertuples(index=False):
            if merged and merged[-1][3] == r.split and merged[-1][2] == r.start:
                merged[-1][2] = r.end
            else:
                merged.append([name, r.start, r.end, r.split])
        for left, right in zip(merged, merged[1:], strict=False):
            if left[2] == right[1]:
                left[2] -= gap // 2
                right[1] += gap - gap // 2
        rows += [m for m in merged if m[2] > m[1]]
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "split"])


def _around_given(given: pd.DataFrame, sizes: dict[str, int], gap: int) -> pd.DataFrame:
    """User intervals as test/val blocks; every other base train, ``gap`` bp away from them."""
    rows = []
    for name, size in sizes.items():
        mine = given[given["chrom"] == name].sort_values("start")
        edge = 0
        for r in mine.itertuples(index=False):
            if r.start - gap > edge:
                rows.append([name, edge, r.start - gap, "train"])
            rows.append([name, r.start, r.end, r.split])
            edge = r.end + gap
        if size > edge:
            rows.append([name, edge, size, "train"])
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "split"])


def given_intervals(test: list[str], val: list[str]) -> pd.DataFrame | None:
    """test_chroms/val_chroms entries that are intervals (chrom:start-end) as blocks; None when all are chromosome names."""
    rows = [(*parse_interval(t), split) for split, items in (("test", test), ("val", val)) for t in items if parse_interval(t)]
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "split"]) if rows else None


def split_plan(
    windows: pd.DataFrame, sizes: dict[str, int], *, split_by: str, test: list[str], val: list[str], gap: int, min_positives: int
) -> SplitPlan:
    """The hold-out plan for positive ``windows``: by chromosome, by region, or (auto) by chromosome where each split gets its share.

    Intervals among ``test``/``val`` (chrom:start-end) make region blocks of them; plain names are
    whole chromosomes as before.
    """
    if split_by not in SCHEMES:
        raise ValueError(f"split_by must be one of {SCHEMES}, got {split_by!r}")
    given = given_intervals(test, val)
    if given is not None:
        return region_plan(windows, sizes, gap, seed_blocks=given)
    counts = windows["chrom"].value_counts().to_dict()
    if split_by != "region":
        plan = chromosome_plan(counts, sizes, test, val)
        if split_by == "chromosome" or test or val or chromosome_plan_fits(plan, counts, min_positives):
            return plan
    return region_plan(windows, sizes, gap)


def fold_groups(counts: dict[str, int], k: int) -> dict[str, int]:
    """Unit (chromosome or block) -> fold 0..k-1, about equal positives per fold: from most to fewest
    positives, each unit to the fold with fewest so far (ties: the lower fold; units without positives: fold 0)."""
    have = [0] * k
    fold = {}
    for unit in sorted(counts, key=lambda u: (-counts[u], str(u))):
        f = min(range(k), key=lambda i: (have[i], i)) if counts[unit] else 0
        fold[unit] = f
        have[f] += counts[unit]
    return fold


def fold_split(fold: int, group: int, k: int) -> str:
    """The split of fold group ``group`` in fold ``fold``: test its own group, val the next one, train the rest."""
    return "test" if group == fold else "val" if group == (fold + 1) % k else "train"


def folds_problem(folds: int, test: list[str], val: list[str]) -> str | None:
    """What is wrong with a number of folds and the given split chromosomes, or None."""
    if folds == 1:
        return None
    if folds < 3:
        return (
            f"windows.folds is {folds}: folds are 1 or at least 3 (each fold tests on one group of chromosomes or regions, "
            "validates on the next and trains on the rest)"
        )
    if test or val:
        return f"windows.folds is {folds}: leave windows.test_chroms and val_chroms empty (each fold chooses its own)"
    return None


def fold_plans(windows: pd.DataFrame, sizes: dict[str, int], *, k: int, split_by: str, gap: int, min_positives: int) -> list[SplitPlan]:
    """``k`` hold-out plans (k >= 3) whose test sets partition the positive ``windows``.

    The genome's units (whole chromosomes, or with ``split_by`` region contiguous blocks) are dealt
    into k groups of about equal positives (:func:`fold_groups`); fold f tests on group f, selects on
    group f + 1 and trains on the rest (:func:`fold_split`), so every positive is tested by exactly one
    fold's models, none of which trained on it. ``auto`` uses chromosomes when each group gets at least
    ``min_positives`` and half its share, else ``k`` contiguous blocks of about equal positives (one
    per fold: the fewest boundaries, so the fewest positives lost to the gaps), kept ``gap`` bp from
    blocks of other splits.
    """
    if k < 3:
        raise ValueError(f"folds must be 1 or at least 3 (test, val and train each need a group), got {k}")
    if split_by not in SCHEMES:
        raise ValueError(f"split_by must be one of {SCHEMES}, got {split_by!r}")
    counts = windows["chrom"].value_counts().to_dict()
    if split_by != "region":
        group = fold_groups({c: counts.get(c, 0) for c in sizes}, k)
        per_fold = np.bincount([group[c] for c in sizes], weights=[counts.get(c, 0) for c in sizes], minlength=k)
        total = sum(counts.values())
        if split_by == "chromosome" or per_fold.min() >= max(min_positives, MIN_SHARE_OF_TARGET * total / k):
            blocks = pd.DataFrame({"chrom": list(sizes), "start": 0, "end": list(sizes.values())})
            groups = blocks["chrom"].map(group)
            return [SplitPlan("chromosome", blocks.assign(split=[fold_split(f, g, k) for g in groups])) for f in range(k)]
    pieces, _ = region_blocks(windows, sizes, k)
    groups = pieces["group"]
    return [
        SplitPlan("region", _with_gaps(pieces.assign(split=[fold_split(f, g, k) for g in groups])[["chrom", "start", "end", "split"]], gap))
        for f in range(k)
    ]
