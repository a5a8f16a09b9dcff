"""A minimal UCSC .2bit writer for tests (the format of https://genome.ucsc.edu/FAQ/FAQformat.html#format7).

No maintained PyPI package writes .2bit (faToTwoBit is a UCSC binary), so the tests write their own
genomes in it; the workflow reads them with py2bit.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

_CODE = np.zeros(256, dtype=np.uint8)  # T=0, C=1, A=2, G=3; N and other symbols are stored as T inside an N block
for base, code in zip(b"TCAG", range(4), strict=True):
    _CODE[base] = _CODE[base | 0x20] = code


def _blocks(seq: bytes, pattern: bytes) -> tuple[list[int], list[int]]:
    spans = [m.span() for m in re.finditer(pattern, seq)]
    return [s for s, _ in spans], [e - s for s, e in spans]


def write_twobit(path: Path, records: dict[str, bytes]) -> None:
    """Write ``records`` (name -> sequence, any case; not ACGT -> N; lower case -> mask blocks) as .2bit."""
    bodies = []
    for seq in records.values():
        n_starts, n_sizes = _blocks(seq, rb"[^ACGTacgt]+")
        m_starts, m_sizes = _blocks(seq, rb"[a-z]+")
        codes = _CODE[np.frombuffer(seq, dtype=np.uint8)]
        codes = np.concatenate([codes, np.zeros(-len(codes) % 4, np.uint8)]).reshape(-1, 4)
        packed = (codes[:, 0] << 6 | codes[:, 1] << 4 | codes[:, 2] << 2 | codes[:, 3]).astype(np.uint8).tobytes()
        head = struct.pack(f"<II{len(n_starts)}I{len(n_sizes)}I", len(seq), len(n_starts), *n_starts, *n_sizes)
        mask = struct.pack(f"<I{len(m_starts)}I{len(m_sizes)}I", len(m_starts), *m_starts, *m_sizes)
        bodies.append(head + mask + struct.pack("<I", 0) + packed)
    index_size = sum(1 + len(name.encode()) + 4 for name in records)
    offset = 16 + index_size
    out = [struct.pack("<IIII", 0x1A412743, 0, len(records), 0)]
    for name, body in zip(records, bodies, strict=True):
        out.append(struct.pack("<B", len(name.encode())) + name.encode() + struct.pack("<I", offset))
        offset += len(body)
    Path(path).write_bytes(b"".join(out + bodies))
