"""One TF's inputs checked and turned into positive windows: the one copy shared by validate and regions.

validate runs :func:`check_settings` and :func:`positive_set` (and :func:`check_blacklist`) and
reports what they found; regions runs the same two and builds negatives around their result.
Each problem raises one :class:`~bindscope.errors.InputError` naming the file, the line or
record, what is wrong and, where there is one, the fix; problems the workflow handles (gzip by
content, CRLF, duplicate lines, N-rich windows) are counted and returned as warnings.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pybedtools

from bindscope.errors import InputError
from bindscope.genome import chrom_sizes
from bindscope.io import SPLITS, is_gzipped, read_peaks
from bindscope.motif_database import Motif, find_motif
from bindscope.positives import merge_peaks, positive_windows
from bindscope.splits import SplitPlan, fold_plans, folds_problem, given_intervals, parse_interval, split_plan

_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
#: IUPAC ambiguity codes other than N: read as unknown bases (all-zero one-hot columns), counted.
IUPAC = b"RYKMSWBDHVU"


def contig_style(names: list[str]) -> str:
    """How a file names its contigs, by majority: 'chr' prefix or not, roman or arabic numerals."""
    prefix = Counter(n.startswith("chr") for n in names).most_common(1)[0][0]
    cores = [n[3:] if n.startswith("chr") else n for n in names]
    arabic = sum(c.isdigit() for c in cores)
    roman = sum(bool(c) and _ROMAN.match(c) is not None for c in cores)
    numerals = "arabic numerals" if arabic > roman else "roman numerals" if roman else "no numbered names"
    return f"{'a' if prefix else 'no'} 'chr' prefix, {numerals}"


def check_contigs(peaks: pd.DataFrame, sizes: dict[str, int], peaks_path: str | os.PathLike, genome_path: str | os.PathLike) -> None:
    """Raise InputError naming the first peak line on a contig absent from the genome, with a naming hint."""
    unknown = ~peaks["chrom"].isin(list(sizes))
    if not unknown.any():
        return
    first = peaks[unknown].iloc[0]
    peak_names, genome_names = list(dict.fromkeys(peaks.loc[unknown, "chrom"])), list(sizes)
    peak_style, genome_style = contig_style(peak_names), contig_style(genome_names)
    if peak_style != genome_style:
        hint = (
            f"; naming conventions differ: the peaks' unknown contigs use {peak_style} (e.g. {peak_names[:3]}), the genome uses "
            f"{genome_style} (e.g. {genome_names[:3]}): rename the contigs of one file to match the other"
        )
    else:
        hint = f"; the genome has {genome_names[:5]}{' ...' if len(genome_names) > 5 else ''}: were the peaks called on another assembly?"
    raise InputError(
        peaks_path,
        f"line {first['line']}",
        f"contig {first['chrom']!r} is not in genome {str(genome_path)!r} ({int(unknown.sum())} peaks affected){hint}",
    )


def check_peak_bounds(peaks: pd.DataFrame, sizes: dict[str, int], peaks_path: str | os.PathLike, genome_path: str | os.PathLike) -> None:
    """Raise InputError naming the first peak that ends past its chromosome's end (another assembly)."""
    past = peaks["end"].to_numpy() > peaks["chrom"].map(sizes).to_numpy()
    if not past.any():
        return
    first = peaks[past].iloc[0]
    raise InputError(
        peaks_path,
        f"line {first['line']}",
        f"peak end {first['end']} is past the end of {first['chrom']} ({sizes[first['chrom']]} bp in {str(genome_path)!r}; "
        f"{int(past.sum())} peaks affected): the peaks were probably called on another assembly of the genome",
    )


def check_window(window: int, sizes: dict[str, int], genome_path: str | os.PathLike) -> None:
    """Raise InputError when the window is longer than every chromosome."""
    longest = max(sizes, key=sizes.get)
    if window > sizes[longest]:
        raise InputError(
            genome_path,
            f"chromosome {longest}",
            f"window {window} bp is longer than the longest chromosome ({sizes[longest]} bp): lower windows.window in the config",
        )


def check_split_chroms(test_chroms: list[str], val_chroms: list[str], sizes: dict[str, int], genome_path: str | os.PathLike) -> None:
    """Raise InputError when configured test/val chromosomes or intervals (chrom:start-end) are not in the genome or overlap."""
    for key, items in (("windows.test_chroms", test_chroms), ("windows.val_chroms", val_chroms)):
        missing = [c for c in items if (parse_interval(c) or (c,))[0] not in sizes]
        if missing:
            raise InputError(
                "config",
                key,
                f"chromosomes {missing} are not in genome {str(genome_path)!r} (it has {list(sizes)[:8]}"
                f"{' ...' if len(sizes) > 8 else ''})",
            )
        for item in items:
            interval = parse_interval(item)
            if interval and not 0 <= interval[1] < interval[2] <= sizes[interval[0]]:
                raise InputError("config", key, f"interval {item!r} is empty or outside {interval[0]} (0-{sizes[interval[0]]})")
    named = [c for c in test_chroms + val_chroms if not parse_interval(c)]
    if named and len(named) < len(test_chroms) + len(val_chroms):
        raise InputError("config", "windows.test_chroms/val_chroms", "give whole chromosomes or intervals (chrom:start-end), not both")
    both = sorted(set(test_chroms) & set(val_chroms))
    given = given_intervals(test_chroms, val_chroms)
    if given is not None:
        for name, mine in given.sort_values("start").groupby("chrom"):
            if (mine["start"].to_numpy()[1:] < mine["end"].to_numpy()[:-1]).any():
                both.append(name)
    if both:
        raise InputError("config", "windows.test_chroms/val_chroms", f"{both} overlap: a chromosome or an interval belongs to one split")


def compression_warning(path: str | os.PathLike) -> str | None:
    """A warning when the file name's .gz disagrees with its content (the file is read by content)."""
    gz_name, gz_content = str(path).endswith(".gz"), is_gzipped(path)
    if gz_name and not gz_content:
        return f"{path}: name ends in .gz but the file is plain text; read as plain text"
    if gz_content and not gz_name:
        return f"{path}: gzip-compressed but its name lacks .gz; read as gzip"
    return None


def _lookup(symbols: bytes) -> np.ndarray:
    """A 256-entry table: 1 for each byte in ``symbols``, else 0."""
    table = np.zeros(256, dtype=np.uint8)
    table[np.frombuffer(symbols, dtype=np.uint8)] = 1
    return table


#: Columns of :func:`window_bases`, one per byte class below.
BASE_CLASSES = ["unknown", "soft_masked", "iupac", "other", "gc"]
#: Per byte: not ACGT in any case (unknown), lower case (soft-masked), IUPAC ambiguity code, not a
#: base letter at all, G or C in any case.
_BASE_CLASSES = np.stack(
    [
        1 - _lookup(b"ACGTacgt"),
        _lookup(b"acgtn" + IUPAC.lower()),
        _lookup(IUPAC + IUPAC.lower()),
        1 - _lookup(b"ACGTN" + IUPAC + b"acgtn" + IUPAC.lower()),
        _lookup(b"GCgc"),
    ],
    axis=1,
)


def window_bases(fasta, windows: pd.DataFrame) -> pd.DataFrame:
    """Per window: bases that are unknown (not ACGT in any case), soft-masked (lower case), IUPAC, other, and G or C.

    One byte per base and one class at a time: memory is a few bytes per window base, never a
    cumulative sum over all of them.
    """
    seqs = [fasta.fetch(c, s, e) for c, s, e in windows[["chrom", "start", "end"]].itertuples(index=False)]
    raw = np.frombuffer(b"".join(seqs), dtype=np.uint8)
    lengths = np.array([len(x) for x in seqs], dtype=np.int64)
    counts = np.zeros((len(seqs), len(BASE_CLASSES)), dtype=np.int64)
    filled = lengths > 0  # reduceat reads one element for an empty segment
    if filled.any():
        offsets = (np.cumsum(lengths) - lengths)[filled]
        for j in range(len(BASE_CLASSES)):
            counts[filled, j] = np.add.reduceat(_BASE_CLASSES[:, j][raw], offsets, dtype=np.int64)
    return pd.DataFrame(counts, columns=BASE_CLASSES, index=windows.index)


def exclusion_intervals(peaks: pd.DataFrame, blacklist: pd.DataFrame | None, sizes: dict[str, int], padding: int) -> pybedtools.BedTool:
    """Where no negative may lie: every peak padded by ``padding`` bp, and the blacklist (unsorted, unmerged)."""
    genome = {c: (0, s) for c, s in sizes.items()}
    exclusion = pybedtools.BedTool.from_dataframe(peaks[["chrom", "start", "end"]]).slop(b=padding, g=genome)
    if blacklist is not None and len(blacklist):
        exclusion = exclusion.cat(pybedtools.BedTool.from_dataframe(blacklist[["chrom", "start", "end"]]), postmerge=False)
    return exclusion


def free_gaps(peaks: pd.DataFrame, blacklist: pd.DataFrame | None, sizes: dict[str, int], padding: int) -> pd.DataFrame:
    """The genome outside :func:`exclusion_intervals` (bedtools merge + complement): chrom, start, end in FASTA order."""
    genome_file = _genome_file(sizes)
    gaps = exclusion_intervals(peaks, blacklist, sizes, padding).sort(g=genome_file).merge().complement(g=genome_file)
    table = gaps.to_dataframe(names=["chrom", "start", "end"], dtype={"chrom": str})
    return table if len(table) else pd.DataFrame({"chrom": [], "start": [], "end": []})


def _tile_span(gaps: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Per gap: the first grid window index k starting inside it (ceil) and how many windows fit wholly inside."""
    first = -(-gaps["start"].to_numpy(np.int64) // window)
    return first, np.clip(gaps["end"].to_numpy(np.int64) // window - first, 0, None)


def grid_tiles(gaps: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid windows [k * window, (k + 1) * window) lying wholly inside ``gaps``: each one's gap row and k.

    The same windows, in the same order, as tiling every chromosome and removing those that
    overlap an excluded base, without tiling the whole genome.
    """
    first, count = _tile_span(gaps, window)
    row = np.repeat(np.arange(len(gaps)), count)
    k = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
    return row, k


def candidate_negative_windows(
    peaks: pd.DataFrame, blacklist: pd.DataFrame | None, sizes: dict[str, int], window: int, padding: int
) -> int:
    """Grid windows (as regions tiles them) left outside :func:`exclusion_intervals`: a count, by interval arithmetic."""
    return int(_tile_span(free_gaps(peaks, blacklist, sizes, padding), window)[1].sum())


def _genome_file(sizes: dict[str, int]) -> str:
    """A bedtools genome file (chrom<TAB>size) in FASTA order; removed by pybedtools.cleanup()."""
    return pybedtools.chromsizes_to_file({c: (0, s) for c, s in sizes.items()})


def blacklist_on_genome(
    blacklist: pd.DataFrame, sizes: dict[str, int], blacklist_path: str | os.PathLike, genome_path: str | os.PathLike
) -> tuple[pd.DataFrame, str | None]:
    """The blacklist intervals on the genome's contigs, and a warning counting those elsewhere (e.g. chrM, chrUn_*).

    Raises InputError, with the naming hint, when no interval is on a genome contig: such a blacklist
    would silently remove nothing.
    """
    known = blacklist["chrom"].isin(list(sizes)).to_numpy()
    if known.all():
        return blacklist, None
    if not known.any():
        check_contigs(blacklist, sizes, blacklist_path, genome_path)
    unknown = sorted(set(blacklist.loc[~known, "chrom"]))
    return blacklist[known], f"{blacklist_path}: {int((~known).sum())} intervals on contigs not in the genome ignored ({unknown[:5]})"


def check_blacklist(
    peaks: pd.DataFrame,
    blacklist: pd.DataFrame | None,
    sizes: dict[str, int],
    window: int,
    padding: int,
    blacklist_path: str | os.PathLike | None,
) -> int:
    """Raise InputError when peaks and blacklist leave no window for negatives; return the candidate count."""
    n = candidate_negative_windows(peaks, blacklist, sizes, window, padding)
    if n == 0:
        if blacklist is not None and len(blacklist):
            widest = blacklist.assign(width=blacklist["end"] - blacklist["start"]).sort_values("width").iloc[-1]
            raise InputError(
                blacklist_path,
                f"line {widest['line']}",
                f"with this blacklist ({len(blacklist)} intervals, the widest {widest['chrom']}:{widest['start']}-{widest['end']}) "
                f"and the peaks padded by {padding} bp, no {window} bp window is left for negatives: check that the blacklist "
                "matches the genome (a blacklist of whole chromosomes?)",
            )
        raise InputError(
            "config", "peak_padding", f"peaks padded by {padding} bp cover the genome: no {window} bp window is left for negatives"
        )
    return n


def check_motif(database: list[Motif], motif: str | None, motif_db: str | os.PathLike) -> None:
    """Raise InputError, suggesting matrices of a similar name, when the sheet's motif is not in the database."""
    if motif and find_motif(database, motif) is None:
        similar = [f"{m.id} {m.name}" for m in database if motif.upper() in m.name.upper()][:5]
        raise InputError(
            motif_db,
            f"motif {motif}",
            f"the sample sheet's motif is not in this motif database ({len(database)} motifs)"
            + (f"; matrices with a similar name: {similar}" if similar else "; give a matrix ID of the database, e.g. MA0139.2"),
        )


@dataclass(frozen=True)
class WindowSettings:
    """How peaks become positive windows and splits: what validate checks is what regions builds.

    window: bp, centred on summits; peak_padding: bp negatives keep from every peak;
    max_n_fraction: windows with more unknown bases are dropped; split_by: hold out whole
    chromosomes, regions, or auto (chromosomes where each split can get its share,
    :mod:`bindscope.splits`); test_chroms, val_chroms: held-out chromosomes or intervals
    (chrom:start-end; both empty: chosen automatically); min_positives: per split, or the run stops;
    merge_overlapping, merge_distance: peaks that overlap or lie within this many bp become one;
    folds: 1 (one split) or k >= 3 plans whose test sets partition the positives
    (:func:`bindscope.splits.fold_plans`; the split chromosomes must then be left empty).
    """

    window: int
    peak_padding: int
    max_n_fraction: float
    split_by: Literal["auto", "chromosome", "region"]
    test_chroms: list[str]
    val_chroms: list[str]
    min_positives: int
    merge_overlapping: bool
    merge_distance: int
    folds: int


def check_settings(sizes: dict[str, int], genome: str | os.PathLike, settings: WindowSettings) -> None:
    """The checks of the configuration against the genome alone: window length, split chromosomes."""
    check_window(settings.window, sizes, genome)
    check_split_chroms(settings.test_chroms, settings.val_chroms, sizes, genome)
    if problem := folds_problem(settings.folds, settings.test_chroms, settings.val_chroms):
        raise ValueError(problem)


@dataclass
class PositiveSet:
    """What :func:`positive_set` found: the tables regions builds from, and the counts validate reports.

    ``peaks`` are the deduplicated peak lines (negatives avoid every one of them), ``merged`` the
    peaks that become positives, ``windows`` their summit-centred windows inside the chromosomes,
    ``usable`` those kept by the N filter and inside a split's block (``plan``), with their
    ``split`` and ``gc`` (among ACGT bases). With folds, ``plan`` and ``split`` are those of fold
    ``fold``, and ``fold_counts`` the usable positives per split of every fold.
    """

    sizes: dict[str, int]
    peaks: pd.DataFrame
    merged: pd.DataFrame
    blacklist: pd.DataFrame | None
    windows: pd.DataFrame
    bases: pd.DataFrame
    usable: pd.DataFrame
    plan: SplitPlan
    n_lines: int
    n_out_of_bounds: int
    n_duplicate_windows: int
    n_rich: int
    n_in_split_gaps: int
    warnings: list[str] = field(default_factory=list)
    fold: int = 0
    fold_counts: list[dict[str, int]] = field(default_factory=list)

    @property
    def per_split(self) -> dict[str, int]:
        """Usable positives per split, in SPLITS order."""
        return self.usable["split"].value_counts().reindex(list(SPLITS), fill_value=0).astype(int).to_dict()


def positive_set(
    peaks: str | os.PathLike,
    fasta,
    genome: str | os.PathLike,
    blacklist: str | os.PathLike | None,
    settings: WindowSettings,
    fold: int = 0,
) -> PositiveSet:
    """Peaks to usable positive windows and chromosome splits, checking as it goes (cheap checks first).

    Reads the peaks and the blacklist; drops duplicate lines; checks contigs and chromosome ends;
    merges overlapping peaks; centres windows on summits; drops N-rich windows; assigns splits (of
    fold ``fold`` when ``settings.folds`` > 1); and raises when fewer than ``min_positives``
    positives are left in a split of any fold (see :class:`WindowSettings`).
    """
    window, max_n_fraction, min_positives = settings.window, settings.max_n_fraction, settings.min_positives
    sizes = chrom_sizes(fasta)
    warnings: list[str] = []
    minimum = len(SPLITS) * min_positives
    table = read_peaks(peaks)
    if len(table) < minimum:
        raise InputError(
            peaks,
            f"lines 1-{table['line'].max()}",
            f"{len(table)} peaks, fewer than training needs ({min_positives} positives in each of {len(SPLITS)} splits = {minimum}; "
            "'min_positives' in the config)",
        )
    for path in (peaks, blacklist):
        if path and (warning := compression_warning(path)):
            warnings.append(warning)
    n_lines = len(table)
    table = table.drop_duplicates(["chrom", "start", "end", "summit"])
    if len(table) < n_lines:
        warnings.append(f"{peaks}: {n_lines - len(table)} duplicate peak lines ignored")
    check_contigs(table, sizes, peaks, genome)
    check_peak_bounds(table, sizes, peaks, genome)
    bl = None
    if blacklist:
        bl, warning = blacklist_on_genome(read_peaks(blacklist), sizes, blacklist, genome)
        warnings += [warning] if warning else []
    merged = merge_peaks(table, settings.merge_distance) if settings.merge_overlapping else table
    windows, n_out, n_dup = positive_windows(merged, sizes, window)
    bases = window_bases(fasta, windows)
    n_rich = (bases["unknown"] / window > max_n_fraction).to_numpy()
    if n_rich.any():
        first = windows[n_rich].iloc[0]
        warnings.append(
            f"{peaks}: {int(n_rich.sum())} positive windows are more than {max_n_fraction:.0%} unknown bases (N) and are dropped, "
            f"e.g. {first['chrom']}:{first['start']}-{first['end']}"
        )
    if bases["other"].sum():
        warnings.append(f"{genome}: {int(bases['other'].sum())} bases in positive windows are not IUPAC letters; read as N")
    usable = windows[~n_rich].reset_index(drop=True)
    kept = bases[~n_rich]
    with np.errstate(invalid="ignore", divide="ignore"):
        gc = kept["gc"].to_numpy() / (window - kept["unknown"].to_numpy())
    gap = window + settings.peak_padding
    if settings.folds > 1:
        plans = fold_plans(usable, sizes, k=settings.folds, split_by=settings.split_by, gap=gap, min_positives=min_positives)
    else:
        plans = [
            split_plan(
                usable,
                sizes,
                split_by=settings.split_by,
                test=settings.test_chroms,
                val=settings.val_chroms,
                gap=gap,
                min_positives=min_positives,
            )
        ]
    if not 0 <= fold < len(plans):
        raise ValueError(f"fold {fold} of {settings.folds} fold(s): folds are numbered 0 to {len(plans) - 1}")
    splits = [plan.assign(usable["chrom"], usable["start"], usable["end"]) for plan in plans]
    fold_counts = [pd.Series(s).value_counts().reindex(list(SPLITS), fill_value=0).astype(int).to_dict() for s in splits]
    in_gap = pd.isna(splits[fold])
    usable = usable.assign(split=splits[fold], gc=gc)[~in_gap].reset_index(drop=True)
    counts = (n_out, n_dup, int(n_rich.sum()), int(in_gap.sum()))
    found = PositiveSet(sizes, table, merged, bl, windows, bases, usable, plans[fold], n_lines, *counts, warnings, fold, fold_counts)
    check_positive_counts(found, peaks, min_positives)
    return found


def check_positive_counts(found: PositiveSet, peaks: str | os.PathLike, min_positives: int) -> None:
    """Raise InputError when too few positives are left in all, or in one split."""
    minimum = len(SPLITS) * min_positives
    if len(found.usable) < minimum:
        raise InputError(
            peaks,
            f"{len(found.usable)} usable peaks",
            f"of {found.n_lines} peak lines, {len(found.peaks) - len(found.merged)} merged into others, {found.n_out_of_bounds} too "
            f"close to a chromosome end, {found.n_rich} N-rich: fewer than training needs ({minimum}; 'min_positives' in the config)",
        )
    if len(found.fold_counts) <= 1:
        for split, n in found.per_split.items():
            if n < min_positives:
                raise InputError(peaks, f"split {split}", no_split_reason(found, split, n, min_positives))
    for f, per_split in enumerate(found.fold_counts if len(found.fold_counts) > 1 else []):
        for split, n in per_split.items():
            if n < min_positives:
                raise InputError(
                    peaks,
                    f"fold {f} split {split}",
                    f"{n} positives, fewer than min_positives={min_positives}: {len(found.usable)} usable positives dealt into "
                    f"{len(found.fold_counts)} folds leave too few per fold; lower windows.folds (or windows.min_positives)",
                )


def no_split_reason(found: PositiveSet, split: str, n: int, min_positives: int) -> str:
    """Why ``split`` got too few positives, in terms of the data, and what to change."""
    per_chrom = found.usable["chrom"].value_counts()
    where = ", ".join(f"{c}: {k}" for c, k in per_chrom.head(6).items()) + (" ..." if len(per_chrom) > 6 else "")
    data = f"the {len(found.usable)} usable positives lie on {len(per_chrom)} chromosome(s) ({where})"
    if found.plan.scheme == "chromosome" and len(per_chrom) < len(SPLITS):
        return (
            f"{n} positives: {data}, so whole chromosomes can't give train, val and test each a share (min_positives="
            f"{min_positives}): set windows.split_by: region (or auto), or give windows.test_chroms/val_chroms as intervals "
            "(chrom:start-end)"
        )
    held = found.plan.intervals()[split] if found.plan.scheme == "region" else found.plan.chromosomes()[split]
    reason = f"{n} positives on its {found.plan.scheme}s {held[:6]}, fewer than min_positives={min_positives}"
    if found.plan.scheme == "chromosome":
        fix = "choose other windows.test_chroms/val_chroms in the config, or leave both empty with windows.split_by: auto"
    else:
        fix = "give other windows.test_chroms/val_chroms intervals, or lower windows.min_positives"
    return f"{reason}: {data}; {fix}"
