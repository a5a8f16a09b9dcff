import gzip
import os
import time

import pandas as pd
import pytest

from bindscope.errors import InputError
from bindscope.io import TEMP_DIR_MARK, TEMP_MARK, atomic_path, read_peaks, remove_partial_outputs, temporary_dir, write_table


def _write(path, text):
    path.write_text(text)
    return path


def test_read_narrowpeak_summit_and_bed_midpoint(tmp_path):
    p = _write(
        tmp_path / "a.narrowPeak", "track name=x\n#c\nchr1\t100\t200\tp\t0\t.\t-1\t-1\t-1\t30\nchr1\t300\t400\tq\t0\t.\t1\t1\t1\t-1\n"
    )
    df = read_peaks(p)
    assert df["summit"].tolist() == [130, 350]
    assert df["line"].tolist() == [3, 4]
    bed = _write(tmp_path / "a.bed", "chr2\t10\t21\n")
    assert read_peaks(bed)["summit"].tolist() == [15]


def test_read_peaks_gzip_by_content_and_crlf(tmp_path):
    gz = tmp_path / "peaks.bed"  # gzipped without .gz
    with gzip.open(gz, "wt") as fh:
        fh.write("chr1\t0\t10\r\nchr1\t20\t30\r\n")
    assert len(read_peaks(gz)) == 2


@pytest.mark.parametrize(
    "line, problem",
    [
        ("chr1\t100", "at least 3"),
        ("chr1\tx\t200", "integers"),
        ("chr1\t-5\t200", "negative start"),
        ("chr1\t200\t200", "not less than end"),
        ("chr1\t100\t200\tp\t0\t.\t1\t1\t1\t150", "outside"),
    ],
)
def test_read_peaks_errors_name_file_and_line(tmp_path, line, problem):
    p = _write(tmp_path / "bad.bed", "chr1\t1\t5\n" + line + "\n")
    with pytest.raises(InputError) as err:
        read_peaks(p)
    assert str(p) in str(err.value) and "line 2" in str(err.value) and problem in str(err.value)


def test_read_peaks_empty_and_missing(tmp_path):
    with pytest.raises(InputError, match="no peaks"):
        read_peaks(_write(tmp_path / "empty.bed", "# only a comment\n"))
    with pytest.raises(InputError, match="no such file"):
        read_peaks(tmp_path / "absent.bed")


def test_atomic_path_renames_on_success_and_cleans_on_error(tmp_path):
    target = tmp_path / "out" / "x.tsv"
    with atomic_path(target) as tmp:
        tmp.write_text("ok")
    assert target.read_text() == "ok"
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "y.tsv") as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert not (tmp_path / "y.tsv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_temporaries_left_by_a_killed_run_are_removed_on_the_next_write(tmp_path):
    target = tmp_path / "model.ckpt"
    (tmp_path / f".model.ckpt{TEMP_MARK}abc.ckpt").write_text("from a killed run")
    (tmp_path / f".model.ckpt{TEMP_DIR_MARK}def").mkdir()  # a killed run's scratch folder
    (tmp_path / f".other.ckpt{TEMP_MARK}xyz").write_text("another output's: kept")
    with temporary_dir(target) as scratch:
        assert scratch.is_dir() and (scratch.stat().st_mode & 0o777) != 0o700
        with atomic_path(target) as tmp:
            tmp.write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".other.ckpt{TEMP_MARK}xyz", "model.ckpt"]


def test_partial_outputs_of_a_failed_step_are_removed_and_older_files_kept(tmp_path):
    old = tmp_path / "eval" / "old.json"
    old.parent.mkdir()
    old.write_text("{}")
    os.utime(old, (time.time() - 100, time.time() - 100))
    since = time.time() - 1
    (tmp_path / "eval" / "metrics.json").write_text("{}")
    (tmp_path / "qc.json").write_text("{}")
    removed = remove_partial_outputs([tmp_path / "eval", tmp_path / "qc.json", tmp_path / "absent.tsv"], since)
    assert sorted(p.name for p in removed) == ["metrics.json", "qc.json"] and old.exists()


def test_gzipped_tables_are_byte_identical_across_writes(tmp_path):
    df = pd.DataFrame({"chrom": ["chr1", "chr2"], "start": [1, 2]})
    write_table(df, tmp_path / "a.tsv.gz")
    time.sleep(1.1)  # a gzip header time stamp would differ
    write_table(df, tmp_path / "b.tsv.gz")
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.tsv.gz").read_bytes()
    assert pd.read_csv(tmp_path / "a.tsv.gz", sep="\t").equals(df)
