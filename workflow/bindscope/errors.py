"""The one error type for bad user input."""

from __future__ import annotations

import os


class InputError(Exception):
    """Bad user input: names the file, the record in it, and what is wrong.

    Printed as one line, e.g.
    ``config/samples.tsv row 3 (tf=REB1): peaks: no such file 'reb1.narrowPeak'``.
    """

    def __init__(self, path: str | os.PathLike, record: str | None, problem: str):
        self.path = str(path)
        self.record = record
        self.problem = problem
        where = self.path if not record else f"{self.path} {record}"
        super().__init__(f"{where}: {problem}")
