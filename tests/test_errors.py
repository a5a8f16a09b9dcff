"""bindscope.errors: bad input as one line naming the file, the record and the problem."""

from pathlib import Path

from bindscope.errors import InputError


def test_the_message_names_the_file_then_the_record_then_the_problem():
    err = InputError(Path("config/samples.tsv"), "row 3 (tf=REB1)", "peaks: no such file 'reb1.narrowPeak'")
    assert str(err) == "config/samples.tsv row 3 (tf=REB1): peaks: no such file 'reb1.narrowPeak'"
    assert (err.path, err.record, err.problem) == ("config/samples.tsv", "row 3 (tf=REB1)", "peaks: no such file 'reb1.narrowPeak'")


def test_without_a_record_the_file_alone_is_named():
    assert str(InputError("genome.fa", None, "no such file")) == "genome.fa: no such file"
    assert "\n" not in str(InputError("a.bed", "line 2", "expected at least 3 tab-separated columns"))
