"""bench/hard_beds.py: a Reb1 subsample blacklists the peaks it leaves out, so no negative is a bound site."""

import importlib.util

import pandas as pd
import pytest

from conftest import REB1_DATA, REPO, reb1_data_available


def _bench():
    spec = importlib.util.spec_from_file_location("hard_beds", REPO / "bench" / "hard_beds.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


@pytest.mark.skipif(not reb1_data_available(), reason=f"the Reb1 data are not at {REB1_DATA} (../shared/data beside the repository)")
def test_a_reb1_subsample_blacklists_the_peaks_it_leaves_out(tmp_path):
    peaks, _, blacklist, test_chroms, _ = _bench().bed_inputs("reb1_600", 0, tmp_path)
    kept = pd.read_csv(peaks, sep="\t", header=None)
    left_out = pd.read_csv(blacklist, sep="\t", header=None)
    full = pd.read_csv(_bench().REB1, sep="\t", header=None)
    assert len(kept) == 600 and len(kept) + len(left_out) == len(full)
    as_keys = {tuple(r) for r in full[[0, 1, 2]].itertuples(index=False)}
    assert {tuple(r) for r in kept[[0, 1, 2]].itertuples(index=False)} | {tuple(r) for r in left_out.itertuples(index=False)} == as_keys
    assert test_chroms == ["chrII", "chrIV"]


@pytest.mark.skipif(not reb1_data_available(), reason=f"the Reb1 data are not at {REB1_DATA} (../shared/data beside the repository)")
def test_all_of_reb1_and_the_demo_beds_have_no_blacklist(tmp_path):
    bench = _bench()
    assert bench.bed_inputs("reb1", 0, tmp_path)[2] is None
    assert bench.bed_inputs("weak", 0, tmp_path / "weak")[2] is None
