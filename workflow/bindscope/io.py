"""File formats shared between stages: peaks, regions, encoded arrays, JSON, atomic writes."""

from __future__ import annotations

import contextlib
import glob
import gzip
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bindscope.errors import InputError

#: Columns of results/{tf}/regions/regions.tsv.gz, in order (ARCHITECTURE.md; peak_* appended).
REGION_COLUMNS = ["chrom", "start", "end", "label", "kind", "split", "peak_start", "peak_end"]
#: Columns of a parsed peak table.
PEAK_COLUMNS = ["chrom", "start", "end", "summit", "line"]
SPLITS = ("train", "val", "test")


#: Marks every temporary file the package makes beside an output: ``.{output name}.bindscope-tmp.*``.
TEMP_MARK = ".bindscope-tmp."
#: Marks scratch folders: ``.{output name}.bindscope-tmpdir.*`` (apart, so that writing an output
#: inside its own scratch folder's lifetime never removes that folder).
TEMP_DIR_MARK = ".bindscope-tmpdir."


def remove_stale_temporaries(target: str | os.PathLike, mark: str = TEMP_MARK) -> int:
    """Remove temporaries (``mark``) of ``target`` left by an earlier run that was killed; return how many.

    Safe because one output is written by one job at a time (Snakemake never runs two jobs
    for the same output).
    """
    target = Path(target)
    stale = list(target.parent.glob(f".{glob.escape(target.name)}{mark}*")) if target.parent.is_dir() else []
    for path in stale:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    return len(stale)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` (same suffix); rename it onto target on success.

    On any error the temporary file is removed, so no half-written output looks finished; one
    left by a killed run is removed the next time ``target`` is written.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    suffix = "".join(target.suffixes) or ".tmp"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{TEMP_MARK}", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def temporary_dir(target: str | os.PathLike) -> Iterator[Path]:
    """A scratch folder beside ``target`` (same file system, so renames are atomic), removed on exit.

    One left by a killed run is removed the next time a scratch folder for ``target`` is made.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target, TEMP_DIR_MARK)
    path = Path(tempfile.mkdtemp(prefix=f".{target.name}{TEMP_DIR_MARK}", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o777 & ~umask)  # mkdtemp makes it private; a folder renamed into place keeps the usual mode
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def replace_folder(new: str | os.PathLike, old: str | os.PathLike) -> None:
    """Move the finished folder ``new`` (a :func:`temporary_dir`) into place as ``old``, replacing an earlier one."""
    if Path(old).exists():
        shutil.rmtree(old)
    os.replace(new, old)


def remove_partial_outputs(paths: list[str | os.PathLike], since: float) -> list[Path]:
    """After a failure: remove the files among ``paths`` (or inside those that are folders) written since ``since``.

    Files that were there before the step started are kept, so a failed rerun never deletes
    an earlier complete result it did not touch. Returns what was removed.
    """
    removed = []
    for p in map(Path, paths):
        candidates = [f for f in p.rglob("*") if f.is_file()] if p.is_dir() else [p] if p.is_file() else []
        for f in candidates:
            if f.stat().st_mtime >= since:
                f.unlink()
                removed.append(f)
    return removed


def write_json(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text())


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a tab-separated table (gzipped, reproducibly, when the name ends in .gz), atomically."""
    text = df.to_csv(sep="\t", index=False, na_rep="")
    with atomic_path(path) as tmp:
        if str(path).endswith(".gz"):  # no time stamp or file name in the header: same table, same bytes
            tmp.write_bytes(gzip.compress(text.encode(), mtime=0))
        else:
            tmp.write_text(text)


def is_gzipped(path: str | os.PathLike) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def text_lines(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its end) of a plain or gzipped text file, gzip told by content.

    CRLF is accepted. Bytes that are not UTF-8 text, a NUL byte (a binary file) and truncated or
    corrupt gzip data raise InputError naming the file and the line where reading stopped.
    """
    path = Path(path)
    n = 0
    try:
        with gzip.open(path, "rb") if is_gzipped(path) else open(path, "rb") as fh:
            for n, raw in enumerate(fh, start=1):
                if b"\0" in raw:
                    raise InputError(path, f"line {n}", "holds a NUL byte: a binary file, not text")
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise InputError(path, f"line {n}", f"not UTF-8 text ({err.reason} at byte {err.start} of the line)") from None
                yield n, line.rstrip("\r\n")
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise InputError(path, f"line {n + 1}", f"truncated or corrupt gzip data ({err})") from None


def read_peaks(path: str | os.PathLike) -> pd.DataFrame:
    """Read a narrowPeak or BED file (plain or gzipped) into chrom, start, end, summit, line.

    The summit is start + column 10 when that column exists and is >= 0 (narrowPeak), else
    the interval midpoint. ``line`` is the 1-based line number, for messages.

    Raises
    ------
    InputError
        Naming the file and line: too few columns, non-integer or negative coordinates,
        start >= end, a summit offset outside its interval, or no peaks at all.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    rows, n = [], 0
    for n, line in text_lines(path):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        rows.append(_parse_peak(path, n, fields))
    if not rows:
        raise InputError(path, f"lines 1-{n}" if n else "0 lines", "no peaks: the file is empty or holds only header/comment lines")
    return pd.DataFrame(rows, columns=PEAK_COLUMNS)


def _parse_peak(path: Path, n: int, fields: list[str]) -> tuple[str, int, int, int, int]:
    record = f"line {n}"
    if len(fields) < 3:
        raise InputError(path, record, f"expected at least 3 tab-separated columns (chrom start end), got {len(fields)}")
    try:
        start, end = int(fields[1]), int(fields[2])
    except ValueError:
        raise InputError(path, record, f"start and end must be integers, got {fields[1]!r} {fields[2]!r}") from None
    if start < 0:
        raise InputError(path, record, f"negative start {start}")
    if start >= end:
        raise InputError(path, record, f"start {start} is not less than end {end}")
    summit = (start + end) // 2
    if len(fields) >= 10:
        try:
            offset = int(fields[9])
        except ValueError:
            raise InputError(path, record, f"summit offset (column 10) must be an integer, got {fields[9]!r}") from None
        if offset >= 0:
            if offset >= end - start:
                raise InputError(path, record, f"summit offset {offset} lies outside the {end - start} bp interval")
            summit = start + offset
    return fields[0], start, end, summit, n


def read_regions(path: str | os.PathLike) -> pd.DataFrame:
    """Read regions.tsv.gz written by the regions stage."""
    df = pd.read_csv(path, sep="\t", dtype={"chrom": str})
    missing = [c for c in REGION_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, None, f"missing columns {missing}")
    return df


def save_encoded(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    """Save the arrays of one split (x, y, y_base, ...) as a compressed npz, atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load every array of an npz file into memory."""
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def check_writable(folder: str | os.PathLike) -> None:
    """Raise InputError unless a file can be created in ``folder`` (or, if absent, in its nearest existing parent).

    Probes by creating and removing a file, so it also holds for root and read-only file systems,
    where permission bits say nothing; creates no folder.
    """
    folder = Path(folder)
    probe_dir = folder
    while not probe_dir.exists() and probe_dir != probe_dir.parent:
        probe_dir = probe_dir.parent
    if not probe_dir.is_dir():
        raise InputError(folder, None, f"cannot hold output files: {str(probe_dir)!r} exists and is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".bindscope-write-test.", dir=probe_dir)
    except OSError as err:
        raise InputError(
            folder,
            None,
            f"cannot write output files here ({err.strerror} in {str(probe_dir.resolve())!r}): "
            "run from a folder you can write, or pass --directory",
        ) from None
    os.close(fd)
    os.unlink(probe)
