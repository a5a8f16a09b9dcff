import numpy as np
import pyBigWig

from bindscope.bigwig import chromosome_tracks, consecutive_runs, read_bigwig, segment_intervals, window_bases, write_bigwig


def test_overlapping_windows_average_and_bases_outside_the_chromosome_are_dropped():
    positions, values = window_bases(np.array([-2, 2, 3]), np.array([[1.0] * 5, [3.0] * 5, [5.0] * 5]), size=7)
    assert positions.tolist() == [0, 1, 2, 3, 4, 5, 6]
    # bases 0-1: window 0 only; base 2: windows 0 and 1; bases 3-6: windows 1 and 2 (window 2's base 7 is past the end)
    assert values.tolist() == [1.0, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


def test_bigwig_holds_the_values_at_their_positions(tmp_path):
    sizes = {"chrA": 1000, "chrB": 500, "chrC": 300}
    values = np.arange(20, dtype=float).reshape(2, 10)
    tracks = list(chromosome_tracks(np.array(["chrB", "chrA"]), np.array([100, 490]), values, sizes))
    assert [chrom for chrom, _ in tracks] == ["chrA", "chrB"]  # the header's order
    path = tmp_path / "t.bw"
    assert write_bigwig(path, sizes, tracks) == 20
    assert np.array_equal(read_bigwig(path, "chrB", 100, 110), values[0])
    assert np.array_equal(read_bigwig(path, "chrA", 490, 500), values[1])
    assert np.isnan(read_bigwig(path, "chrA", 0, 490)).all()
    bw = pyBigWig.open(str(path))
    assert bw.chroms() == sizes and bw.header()["nBasesCovered"] == 20
    bw.close()
    assert list(tmp_path.iterdir()) == [path]  # no temporary left


def test_runs_with_gaps_are_written_where_they_are(tmp_path):
    positions = np.array([5, 6, 7, 50, 51, 200])
    assert consecutive_runs(positions) == [(0, 3), (3, 5), (5, 6)] and consecutive_runs(np.array([], dtype=int)) == []
    path = tmp_path / "gaps.bw"
    assert write_bigwig(path, {"c": 300}, [("c", (positions, np.arange(6.0)))]) == 6
    got = read_bigwig(path, "c", 0, 300)
    assert np.array_equal(got[positions], np.arange(6.0)) and np.isnan(np.delete(got, positions)).all()


def test_segment_intervals_are_runs_of_consecutive_positions():
    calls = (np.array([3, 4, 5, 9, 20, 21]), np.ones(6))
    assert segment_intervals("c", calls) == [("c", 3, 6), ("c", 9, 10), ("c", 20, 22)]
    assert segment_intervals("c", (np.array([], dtype=int), np.array([]))) == []
