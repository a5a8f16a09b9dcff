"""Stage 6b, saliency maps: base-by-base pictures of what a model scores in single test positives.

For the attributed test positives a model is most sure of, and for those where the models disagree
most, one PNG each: a sequence logo of the contributions over the highest-scoring stretch (letters
scaled by contribution), with TF-MoDISco's seqlets shaded and named after their pattern's best
JASPAR match, and below it every attribution method's per-base contributions over the window.

The first method's scores are those TF-MoDISco read (interpret's scores.npz, of interpret's method),
so the seqlets sit on exactly what is drawn; the other methods (config saliency_maps.methods; saliency by default) are
computed here for the chosen sequences alone (ISM and the gradients are deterministic; integrated
gradients use fresh shuffled references).
"""

from __future__ import annotations

from pathlib import Path

import logomaker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from bindscope import models
from bindscope.attribution import attribute_by_fold, attribution_peaks, resolve_device, target_mask
from bindscope.figures import save_figure
from bindscope.io import load_npz, replace_folder, temporary_dir, write_table
from bindscope.patterns import seqlet_sites
from bindscope.shuffle import dinucleotide_shuffle

#: Width (bp) of the stretch drawn as a logo, centred on the highest-scoring 10 bp.
STRETCH = 40
#: Columns of maps.tsv, one row per picture.
MAP_COLUMNS = ["file", "role", "rank", "chrom", "start", "end", "stretch_start", "stretch_end", "seqlets", "methods"]


def row_keys(arrays: dict[str, np.ndarray]) -> list[tuple[str, int]]:
    """(chrom, start) of each row of an npz of windows."""
    return list(zip(arrays["chrom"].astype(str).tolist(), arrays["start"].astype(int).tolist(), strict=True))


def probabilities(keys: list[tuple[str, int]], predictions: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """Each model's test probability (its predictions.npz ``score``) of the windows ``keys``, one column per model."""
    columns = {}
    for name, arrays in predictions.items():
        score = dict(zip(row_keys(arrays), arrays["score"].astype(float).tolist(), strict=True))
        columns[name] = [score.get(k, np.nan) for k in keys]
    return pd.DataFrame(columns)


def choose(prob: pd.DataFrame, model: str, n: int) -> list[tuple[str, int, int]]:
    """(role, rank, row) of the pictures: the ``n`` rows ``model`` scores highest ("top"), then, when there are
    other models, the ``n`` with the largest gap between ``model``'s probability and another's ("disagree")."""
    chosen = [("top", k + 1, int(i)) for k, i in enumerate(prob[model].sort_values(ascending=False, kind="stable").index[:n])]
    others = [c for c in prob if c != model]
    if others:
        gap = prob[others].sub(prob[model], axis=0).abs().max(axis=1)
        chosen += [("disagree", k + 1, int(i)) for k, i in enumerate(gap.sort_values(ascending=False, kind="stable").index[:n])]
    return chosen


def stretch_of(contribution: np.ndarray, width: int = STRETCH) -> tuple[int, int]:
    """[lo, hi) of ``width`` bp centred on the highest-scoring 10 bp of a (4, L) contribution, inside the window."""
    length = contribution.shape[-1]
    centre = int(attribution_peaks(contribution[None])[0])
    lo = min(max(0, centre - width // 2), max(0, length - width))
    return lo, min(length, lo + width)


def site_labels(sites: pd.DataFrame, tomtom: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with a label: the pattern's short name and its best Tomtom match's name (pos_patterns.pattern_0 -> pos 0: CTCF)."""
    best = tomtom[tomtom["match_rank"] == 1].set_index("pattern")["target_name"].to_dict()
    short = sites["pattern"].str.replace("_patterns.pattern_", " ", regex=False)
    return sites.assign(label=[f"{s}: {best.get(p, 'no match')}" for s, p in zip(short, sites["pattern"], strict=True)])


def title_of(model: str, role: str, rank: int, key: tuple[str, int], length: int, prob: pd.Series) -> str:
    """A picture's title: where the window is, why it was chosen, each model's probability."""
    chrom, start = key
    why = f"top {rank} of {model}" if role == "top" else f"models disagree ({rank})"
    scores = ", ".join(f"{name} {p:.3f}" for name, p in prob.items())
    return f"{chrom}:{start:,}-{start + length:,}: {why}; probability {scores}"


def saliency_map_figure(
    ohe: np.ndarray,
    contributions: dict[str, np.ndarray],
    stretch: tuple[int, int],
    sites: pd.DataFrame,
    title: str,
) -> plt.Figure:
    """A saliency map of one sequence: a logo of the first method's contributions over ``stretch`` (letters
    scaled by contribution), then each method's per-base contribution over the whole window.

    ``ohe`` (4, L) is the sequence; ``contributions`` maps each method to its (4, L) hypothetical x
    one-hot scores (the first is drawn as the logo); ``sites`` (columns start, end, label) are the
    TF-MoDISco seqlets in this sequence, shaded on every panel and labelled on the logo.
    """
    names = list(contributions)
    lo, hi = stretch
    length = ohe.shape[-1]
    fig, axes = plt.subplots(
        1 + len(names), 1, figsize=(9, 2.2 + 0.9 * len(names)), gridspec_kw={"height_ratios": [2.2] + [1] * len(names)}
    )
    logo_ax = axes[0]
    window = pd.DataFrame(contributions[names[0]][:, lo:hi].T, columns=list("ACGT"), index=np.arange(lo, hi))
    logomaker.Logo(window, ax=logo_ax, color_scheme="classic")
    logo_ax.axhline(0, c="k", lw=0.5)
    logo_ax.set_ylabel(f"{names[0]}\ncontribution", fontsize=8)
    logo_ax.set_title(title, fontsize=9, pad=14)
    top = logo_ax.get_ylim()[1]
    for site in sites.itertuples():
        if site.end > lo and site.start < hi:
            logo_ax.axvspan(max(site.start, lo) - 0.5, min(site.end, hi) - 0.5, color="C1", alpha=0.15, lw=0)
            logo_ax.text((max(site.start, lo) + min(site.end, hi)) / 2 - 0.5, top, site.label, ha="center", va="bottom", fontsize=7)
    positions = np.arange(length)
    for ax, name in zip(axes[1:], names, strict=True):
        ax.fill_between(positions, contributions[name].sum(axis=0), step="mid", color="C0", lw=0)
        ax.axvspan(lo - 0.5, hi - 0.5, color="grey", alpha=0.15, lw=0)
        for site in sites.itertuples():
            ax.axvspan(site.start - 0.5, site.end - 0.5, color="C1", alpha=0.25, lw=0)
        ax.axvline(length // 2, ls=":", c="k", lw=0.8)
        ax.set_xlim(-0.5, length - 0.5)
        ax.set_ylabel(name, fontsize=7, rotation=0, ha="right", va="center")
        ax.tick_params(labelsize=7)
        if ax is not axes[-1]:
            ax.set_xticklabels([])
    axes[-1].set_xlabel("position in window (bp); grey: the logo's stretch; orange: TF-MoDISco seqlets; dotted: summit", fontsize=8)
    fig.tight_layout()
    return fig


def run(
    ckpt: list[str],
    encoded: list[str],
    scores: str,
    modisco: str,
    tomtom: str,
    predictions: dict[str, str],
    out: str,
    *,
    model: str,
    method: str,
    methods: list[str],
    n_maps: int,
    n_references: int,
    ig_steps: int,
    ig_references: int,
    trim_threshold: float,
    batch_size: int,
    accelerator: str,
    threads: int,
    seed: int,
) -> None:
    """Write the folder ``out``: one PNG per chosen positive (top_<k>.png, disagree_<k>.png) and maps.tsv.

    ``predictions`` maps every model's name to its predictions.npz (``model`` is this one); the
    attributed positives are those of ``scores`` (interpret's, of ``method``: TF-MoDISco's input),
    found in ``encoded`` by position. ``methods`` are drawn below ``method``'s, computed here. With folds
    (windows.folds > 1) ``ckpt`` and ``encoded`` list each fold's model and test split, and each positive's
    ``methods`` are those of the model that held it out (its ``fold`` in ``scores``).
    """
    torch.set_num_threads(threads)
    if model not in predictions:
        raise ValueError(f"--predictions names {sorted(predictions)}, not this model {model!r}")
    attributed = load_npz(scores)
    keys = row_keys(attributed)
    prob = probabilities(keys, {name: load_npz(path) for name, path in predictions.items()})
    chosen = choose(prob, model, n_maps)
    rows = sorted({i for _, _, i in chosen})
    data = [load_npz(path) for path in encoded]
    where = {k: (f, i) for f, part in enumerate(data) for i, k in enumerate(row_keys(part))}
    found = [where[keys[i]] for i in rows]
    x = np.stack([data[f]["x"][i] for f, i in found]) if found else data[0]["x"][:0]
    y_base = np.stack([data[f]["y_base"][i] for f, i in found]) if found else data[0]["y_base"][:0]
    fold = np.array([f for f, _ in found], dtype=int)
    refs = dinucleotide_shuffle(x, n_references, np.random.default_rng(seed))
    device = resolve_device(accelerator)
    options = {"batch_size": batch_size, "ig_steps": ig_steps, "ig_references": ig_references, "device": device}
    drawn = {method: attributed["contribution"][rows]}
    nets = models.load_folds(ckpt, encoded, x.shape[-1])
    mask = target_mask(y_base) if models.is_per_base(nets[0]) else None
    rows_all = np.arange(len(x))  # the chosen rows ascend in fold, as interpret wrote them
    drawn |= {m: attribute_by_fold(m, nets, fold, rows_all, x, refs, mask, **options).contribution for m in methods if m != method}
    sites = site_labels(seqlet_sites(modisco, trim_threshold), pd.read_csv(tomtom, sep="\t"))
    table = []
    with temporary_dir(Path(out)) as tmp:
        for role, rank, i in chosen:
            j = rows.index(i)
            here = sites[sites["example"] == i]
            stretch = stretch_of(drawn[method][j])
            title = title_of(model, role, rank, keys[i], x.shape[-1], prob.loc[i])
            name = f"{role}_{rank}.png"
            save_figure(saliency_map_figure(x[j], {m: c[j] for m, c in drawn.items()}, stretch, here, title), Path(tmp) / name)
            chrom, start = keys[i]
            table.append((name, role, rank, chrom, start, start + x.shape[-1], *stretch, "; ".join(here["label"]), "; ".join(drawn)))
        write_table(pd.DataFrame(table, columns=MAP_COLUMNS), Path(tmp) / "maps.tsv")
        replace_folder(Path(tmp), Path(out))
    print(f"{len(table)} saliency maps of {model} in {out}")
