"""A ballot's ratings packed into one value (`ballots.ratings_packed`), written in the same
INSERT as the ballot and beside its rows in `ratings`.

The results read these: one row per ballot instead of one per answer, which is what lets
a million-answer survey recompute within 3× of a plain GROUP BY on PostgreSQL
(docs/benchmarks.md). The `ratings` rows stay the record that exports, the archive
checksum and every other query read; `reports` falls back to them for a survey with any
ballot stored without a packed copy, and the archive verification reports a ballot whose
copy disagrees with its rows.

Format (docs/architecture.md): little-endian records of 20 bytes, one per rating, in the
ballot's rating order: subject id (int32), dimension id (int32), option id (int32, 0 for
none: a typed score), score (float64, NaN for none: 不了解). Nothing else: no code, no
time, nothing that is not already in the ballot's own rows.
"""

import functools
import struct
from collections.abc import Iterable, Sequence

import numpy as np

RECORD = np.dtype([("subject", "<i4"), ("dimension", "<i4"), ("option", "<i4"), ("score", "<f8")])
_NO_OPTION = 0
_NO_SCORE = float("nan")


@functools.lru_cache(maxsize=32)
def _format(count: int) -> struct.Struct:
    return struct.Struct("<" + "iiid" * count)


def pack(ratings: Sequence[tuple[int, int, int | None, float | None]]) -> bytes:
    """Pack (subject_id, dimension_id, option_id, score) ratings; None becomes 0 / NaN."""
    flat = []
    extend = flat.extend
    for subject_id, dimension_id, option_id, score in ratings:
        extend((subject_id, dimension_id, _NO_OPTION if option_id is None else option_id,
                _NO_SCORE if score is None else score))
    return _format(len(ratings)).pack(*flat)


def unpack(packed: Iterable[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Return every rating of the given packed values as one record array (fields
    `subject`, `dimension`, `option` with 0 for none, `score` with NaN for none) and the
    number of ratings each value held."""
    values = list(packed)
    counts = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    if np.any(counts % RECORD.itemsize):
        raise ValueError("a packed rating value has a partial record")
    return np.frombuffer(b"".join(values), dtype=RECORD), counts // RECORD.itemsize


def ratings_of(packed: bytes) -> list[tuple[int, int, int | None, float | None]]:
    """The ratings of one packed value as the tuples `pack` takes (for checks, not speed)."""
    records, _counts = unpack([packed])
    return [
        (int(r["subject"]), int(r["dimension"]), int(r["option"]) or None,
         None if np.isnan(r["score"]) else float(r["score"]))
        for r in records
    ]
