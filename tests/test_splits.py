import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bindscope.positives import assign_splits
from bindscope.splits import fold_groups, fold_plans, parse_interval, region_plan, split_plan

GAP = 600  # window 400 + peak_padding 200


def windows_on(chroms: dict[str, list[int]], window: int = 400) -> pd.DataFrame:
    rows = [(c, s, s + window) for c, starts in chroms.items() for s in starts]
    return pd.DataFrame(rows, columns=["chrom", "start", "end"])


def test_intervals_parse_and_names_do_not():
    assert parse_interval("chr22:17,000,000-25000000") == ("chr22", 17_000_000, 25_000_000)
    assert parse_interval("HLA-A*01:01:01:01:100-200") == ("HLA-A*01:01:01:01", 100, 200)
    assert parse_interval("chr22") is None and parse_interval("chrUn_gl000220") is None


def test_auto_keeps_chromosome_splits_where_each_split_gets_its_share():
    sizes = {f"chr{i}": 1_000_000 for i in range(1, 9)}
    windows = windows_on({c: list(range(1_000, 500_000, 20_000)) for c in sizes})
    plan = split_plan(windows, sizes, split_by="auto", test=[], val=[], gap=GAP, min_positives=5)
    expected = assign_splits(windows["chrom"].value_counts().to_dict(), list(sizes), [], [])
    assert plan.scheme == "chromosome" and dict(zip(plan.blocks["chrom"], plan.blocks["split"], strict=True)) == expected
    assert (plan.assign(windows["chrom"], windows["start"], windows["end"]) == windows["chrom"].map(expected)).all()


def test_one_chromosome_falls_back_to_regions_with_each_share():
    sizes = {"chr1": 5_000_000}
    rng = np.random.default_rng(0)
    windows = windows_on({"chr1": sorted(rng.choice(np.arange(0, 4_999_000, 400), 500, replace=False).tolist())})
    plan = split_plan(windows, sizes, split_by="auto", test=[], val=[], gap=GAP, min_positives=20)
    assert plan.scheme == "region"
    split = pd.Series(plan.assign(windows["chrom"], windows["start"], windows["end"]))
    share = split.value_counts(normalize=True)
    assert abs(share["test"] - 0.2) < 0.05 and abs(share["val"] - 0.15) < 0.05 and split.isna().mean() < 0.05
    with pytest.raises(ValueError, match="split_by must be one of"):
        split_plan(windows, sizes, split_by="blocks", test=[], val=[], gap=GAP, min_positives=20)


def test_given_intervals_are_blocks_and_train_keeps_the_gap():
    sizes = {"chr22": 51_000_000, "chr21": 48_000_000}
    windows = windows_on({"chr22": [20_000_000], "chr21": [1_000]})
    plan = split_plan(
        windows, sizes, split_by="auto", test=["chr22:17000000-25000000"], val=["chr22:30000000-33000000"], gap=GAP, min_positives=1
    )
    blocks = plan.blocks.sort_values(["chrom", "start"]).values.tolist()
    assert ["chr22", 17_000_000, 25_000_000, "test"] in blocks and ["chr22", 30_000_000, 33_000_000, "val"] in blocks
    assert ["chr22", 0, 17_000_000 - GAP, "train"] in blocks and ["chr22", 25_000_000 + GAP, 30_000_000 - GAP, "train"] in blocks
    assert ["chr21", 0, 48_000_000, "train"] in blocks


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(5_000, 400_000), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1)), min_size=60, max_size=400),
    st.integers(100, 1_000),
)
def test_region_blocks_of_different_splits_never_come_within_the_gap(lengths, picks, window):
    sizes = {f"c{i}": n for i, n in enumerate(lengths)}
    names = list(sizes)
    starts = {}
    for k, at in picks:
        name = names[k % len(names)]
        starts.setdefault(name, set()).add(int(at * (sizes[name] - window)))
    windows = windows_on({c: sorted(s) for c, s in starts.items()}, window)
    gap = window + 200
    plan = region_plan(windows, sizes, gap)
    blocks = plan.blocks.sort_values(["chrom", "start"])
    assert ((blocks["end"] > blocks["start"]) & (blocks["start"] >= 0) & (blocks["end"] <= blocks["chrom"].map(sizes))).all()
    for _, mine in blocks.groupby("chrom"):
        rows = mine.to_numpy()
        for left, right in zip(rows, rows[1:], strict=False):
            assert right[1] >= left[2], "blocks overlap"
            if left[3] != right[3]:
                assert right[1] - left[2] >= gap, "blocks of two splits closer than the gap"
    # every window of a split lies whole in a block of that split, so windows of two splits never overlap
    split = plan.assign(windows["chrom"], windows["start"], windows["end"])
    kept = windows[pd.notna(split)].assign(split=split[pd.notna(split)])
    for (_, a), (_, b) in ((x, y) for x in kept.groupby("chrom") for y in kept.groupby("chrom") if x[0] == y[0]):
        overlap = (a["start"].to_numpy()[:, None] < b["end"].to_numpy()[None]) & (
            b["start"].to_numpy()[None] < a["end"].to_numpy()[:, None]
        )
        differ = a["split"].to_numpy()[:, None] != b["split"].to_numpy()[None]
        assert not (overlap & differ).any()
    assert set(kept["split"]) <= {"train", "val", "test"}


def test_chromosome_folds_test_every_positive_once_and_validate_on_the_next_fold():
    sizes = {f"chr{i}": 1_000_000 for i in range(1, 11)}
    rng = np.random.default_rng(1)
    windows = windows_on({c: list(range(1_000, 1_000 + 20_000 * int(rng.integers(10, 40)), 20_000)) for c in sizes})
    plans = fold_plans(windows, sizes, k=5, split_by="auto", gap=GAP, min_positives=20)
    assert [p.scheme for p in plans] == ["chromosome"] * 5
    splits = np.array([p.assign(windows["chrom"], windows["start"], windows["end"]) for p in plans])  # (fold, window)
    assert ((splits == "test").sum(axis=0) == 1).all() and ((splits == "val").sum(axis=0) == 1).all()
    for f in range(5):  # fold f validates on what fold f + 1 tests
        assert ((splits[f] == "val") == (splits[(f + 1) % 5] == "test")).all()
    tested = (splits == "test").sum(axis=1)
    assert tested.max() - tested.min() <= windows["chrom"].value_counts().max()  # about equal positives per fold


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 4_000), min_size=60, max_size=400, unique=True), st.sampled_from([3, 4, 5]))
def test_region_folds_partition_the_positives_and_keep_each_test_set_off_its_training_windows(slots, k):
    sizes = {"chr1": 2_000_400}
    windows = windows_on({"chr1": sorted(500 * s for s in slots)})  # summits at least 500 bp apart (merged peaks)
    plans = fold_plans(windows, sizes, k=k, split_by="region", gap=GAP, min_positives=1)
    splits = np.array([p.assign(windows["chrom"], windows["start"], windows["end"]) for p in plans])
    assert ((splits == "test").sum(axis=0) <= 1).all()  # no positive tested twice
    for f, plan in enumerate(plans):
        assert plan.scheme == "region"
        test, other = windows[splits[f] == "test"], windows[np.isin(splits[f], ["train", "val"])]
        # a test window and a training or validation window of the same fold are at least the gap apart
        for s in test["start"]:
            near = other[(other["end"] > s - GAP + 400) & (other["start"] < s + 400 + GAP - 400)]
            assert near.empty, (f, s, near.values.tolist())
    untested = ((splits == "test").sum(axis=0) == 0).mean()
    assert untested <= 0.25  # only windows in the gaps between blocks of different splits


def test_folds_need_three_groups():
    with pytest.raises(ValueError, match="folds must be 1 or at least 3"):
        fold_plans(windows_on({"chr1": [0]}), {"chr1": 1_000}, k=2, split_by="auto", gap=GAP, min_positives=1)


def test_fold_groups_balance_positives():
    assert fold_groups({"a": 10, "b": 9, "c": 5, "d": 4, "e": 0}, 3) == {"a": 0, "b": 1, "c": 2, "d": 2, "e": 0}
