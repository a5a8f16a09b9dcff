import gzip

import pytest

from bindscope.errors import InputError
from bindscope.io import atomic_path, read_peaks


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
