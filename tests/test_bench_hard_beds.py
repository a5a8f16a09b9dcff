"""bench/hard_beds/run.py: a Reb1 subsample blacklists the peaks it leaves out, so no negative is a bound site."""

import importlib.util

import pandas as pd
import pytest

from conftest import REB1_DATA, REPO, reb1_data_available


@pytest.fixture(scope="module")
def bench():
    """bench/hard_beds/run.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("hard_beds", REPO / "bench" / "hard_beds" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _intervals(path) -> set[tuple]:
    """(chrom, start, end) of each line of a BED-like file."""
    return {tuple(row) for row in pd.read_csv(path, sep="\t", header=None, usecols=[0, 1, 2]).itertuples(index=False)}


@pytest.mark.skipif(not reb1_data_available(), reason=f"the Reb1 data are not at {REB1_DATA} (../shared/data beside the repository)")
def test_a_reb1_subsample_blacklists_the_peaks_it_leaves_out(tmp_path, bench):
    peaks, _, blacklist, test_chroms, _ = bench.bed_inputs("reb1_600", 0, tmp_path)
    kept, left_out, full = (_intervals(path) for path in (peaks, blacklist, bench.REB1))
    assert len(kept) == 600 and len(kept) + len(left_out) == len(full)
    assert kept | left_out == full and not kept & left_out
    assert test_chroms == ["chrII", "chrIV"]


@pytest.mark.skipif(not reb1_data_available(), reason=f"the Reb1 data are not at {REB1_DATA} (../shared/data beside the repository)")
def test_all_of_reb1_and_the_demo_beds_have_no_blacklist(tmp_path, bench):
    assert bench.bed_inputs("reb1", 0, tmp_path)[2] is None
    assert bench.bed_inputs("weak", 0, tmp_path / "weak")[2] is None
