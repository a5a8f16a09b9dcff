"""The sample sheet: one row per TF, checked before any job runs."""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from bindscope.errors import InputError
from bindscope.motif_database import KINGDOMS

REQUIRED = ("tf", "peaks", "genome")
OPTIONAL = ("blacklist", "motif", "taxon")
FILE_COLUMNS = ("peaks", "genome", "blacklist")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: A motif: a matrix ID (MA0139.2) or a TF name as JASPAR writes them (NR2F1::RXRA, Ahr::Arnt, EWSR1-FLI1, ZNF384(var.2)).
MOTIF_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:()+-]*$")
#: What a sheet's taxon may be: a taxonomic group of JASPAR, "all" (every taxon) or "auto" (the expected motif's).
TAXA = ("auto", "all", *KINGDOMS)
#: What Snakemake reads as a wildcard in a file name ({name} or {name,constraint}); such a path cannot be an input.
WILDCARD = re.compile(r"\{\s*[.\w]+\s*(,[^{}]*)?\}")


def wildcard_problem(value: str) -> str | None:
    """Why a path cannot be a Snakemake input (it holds a {name} wildcard), or None."""
    found = WILDCARD.search(value)
    if found is None:
        return None
    return f"{value!r} holds {found.group(0)!r}, which Snakemake reads as a wildcard: rename the file or folder (other braces are fine)"


def read_sheet(path: str | os.PathLike, produced: Collection[str] = ()) -> pd.DataFrame:
    """Read and check a sample sheet (TSV), indexed by ``tf``.

    Parameters
    ----------
    path : str or os.PathLike
        The sheet.
    produced : collection of str
        Files a workflow rule will create (the demo data): not required to exist yet.

    Raises
    ------
    InputError
        Naming the sheet and row: missing or unknown columns, an empty or unsafe or duplicate
        TF name, a motif that cannot be a matrix ID or name, a path starting with '-', or a listed
        file that does not exist, or a path holding ``{name}`` (a Snakemake wildcard). Paths may hold
        any other character (spaces, quotes, $, non-ASCII letters): every rule shell-quotes them.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such sample sheet")
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment="#")
    except pd.errors.EmptyDataError:
        raise InputError(path, None, "empty: expected a tab-separated header line (tf, peaks, genome, ...) and rows") from None
    except pd.errors.ParserError as err:
        raise InputError(path, None, f"not a tab-separated table with one value per column: {str(err).strip()}") from None
    except UnicodeDecodeError as err:
        raise InputError(path, None, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(path, "header", f"missing required columns {missing} (columns: {list(df.columns)})")
    unknown = [c for c in df.columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(path, "header", f"unknown columns {unknown}; allowed: {list(REQUIRED + OPTIONAL)}")
    if df.empty:
        raise InputError(path, None, "no rows")
    for col in OPTIONAL:
        if col not in df.columns:
            df[col] = ""
    seen: dict[str, int] = {}
    for i, row in enumerate(df.itertuples(index=False), start=2):  # line 1 is the header
        record = f"row {i} (tf={row.tf})"
        if not SAFE_NAME.match(row.tf):
            raise InputError(
                path, record, "tf must start with a letter or digit and hold only letters, digits, '.', '_' or '-' (it names a folder)"
            )
        if row.tf in seen:
            raise InputError(path, record, f"duplicate tf {row.tf!r} (first on row {seen[row.tf]})")
        seen[row.tf] = i
        for col in REQUIRED:
            if not getattr(row, col):
                raise InputError(path, record, f"{col}: empty")
        if row.motif and not MOTIF_NAME.match(row.motif):
            raise InputError(
                path,
                record,
                f"motif: {row.motif!r} is not a matrix ID or motif name (letters, digits and . _ - : ( ) +, e.g. MA0139.2 or CTCF)",
            )
        if row.taxon and row.taxon not in TAXA:
            raise InputError(path, record, f"taxon: {row.taxon!r} is not one of {', '.join(TAXA)}")
        for col in FILE_COLUMNS:
            value = getattr(row, col)
            if value.startswith("-"):
                raise InputError(path, record, f"{col}: a path may not start with '-' ({value!r}; write ./{value})")
            if problem := wildcard_problem(value):
                raise InputError(path, record, f"{col}: {problem}")
            if value and value not in produced and not Path(value).is_file():
                raise InputError(path, record, f"{col}: no such file {value!r}")
    return df.set_index("tf", drop=False)
