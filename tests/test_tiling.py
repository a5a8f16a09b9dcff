import numpy as np
import pandas as pd
import pytest

from bindscope.genome import open_genome, padded_window_codes, region_codes
from bindscope.tiling import region_windows, tile_starts, windows_one_hot


def regions(*rows):
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "summit"])


def test_centred_window_is_the_region_itself_when_the_region_is_a_window():
    table = region_windows(regions(("c", 100, 160, 130), ("c", 0, 61, 30)), 60, "centre")
    assert table[["start", "end"]].to_numpy().tolist() == [[100, 160], [0, 60]]
    assert table["region"].tolist() == [0, 1] and table["tile"].tolist() == [0, 0]


def test_tiles_cover_each_region_centred_under_it():
    table = region_windows(regions(("c", 1000, 1150, 1075), ("d", 0, 40, 20)), 60, "tile")
    first = table[table["region"] == 0]
    assert first["tile"].tolist() == [0, 1, 2]
    assert first["start"].tolist() == [985, 1045, 1105]  # 180 bp of tiles over 150 bp: 15 bp either side
    assert first["start"].min() <= 1000 and first["end"].max() >= 1150
    assert table[table["region"] == 1][["start", "end"]].to_numpy().tolist() == [[-10, 50]]  # shorter than a window
    with pytest.raises(ValueError, match="window mode"):
        region_windows(regions(("c", 0, 10, 5)), 60, "sliding")


def test_windows_past_a_chromosome_end_are_padded_with_n(tiny_genome):
    fasta = open_genome(tiny_genome / "genome.fa")
    size = fasta.sizes["chr2"]
    codes = padded_window_codes(fasta, "chr2", np.array([-5, 100, size - 3]), 10)
    assert (codes[0, :5] == 4).all() and np.array_equal(codes[0, 5:], region_codes(fasta, "chr2", 0, 5))
    assert np.array_equal(codes[1], region_codes(fasta, "chr2", 100, 110))
    assert np.array_equal(codes[2, :3], region_codes(fasta, "chr2", size - 3, size)) and (codes[2, 3:] == 4).all()
    x = windows_one_hot(fasta, pd.DataFrame({"chrom": ["chr2", "chr1"], "start": [-5, 200]}), 10)
    assert x.shape == (2, 4, 10) and x[0, :, :5].sum() == 0 and x[1].sum() == 10


@pytest.mark.parametrize("margin", [0, 1, 10, 29])
def test_central_parts_of_tiles_cover_a_span_once(margin):
    starts = tile_starts(1_000, 1_377, 60, margin)
    covered = np.concatenate([np.arange(s + margin, s + 60 - margin) for s in starts])
    covered = covered[(covered >= 1_000) & (covered < 1_377)]
    assert covered.tolist() == list(range(1_000, 1_377))  # every base once, in order
    assert starts[0] == 1_000 - margin


def test_a_margin_leaving_no_central_part_is_refused():
    with pytest.raises(ValueError, match="less than half the 60 bp window"):
        tile_starts(0, 100, 60, 30)
    with pytest.raises(ValueError, match="less than half"):
        region_windows(regions(("c", 0, 100, 50)), 60, "tile", margin=-1)


def test_tiles_with_a_margin_overlap_and_their_centres_cover_the_region():
    table = region_windows(regions(("c", 1000, 1150, 1075)), 60, "tile", margin=10)
    assert (np.diff(table["start"]) == 40).all() and len(table) == 4  # 150 bp in central parts of 40
    assert table["start"].iloc[0] + 10 <= 1000 and table["end"].iloc[-1] - 10 >= 1150
