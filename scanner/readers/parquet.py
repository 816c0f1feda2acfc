"""Parquet reader: pyarrow record batches, one row at a time, 0-based row locators."""

from __future__ import annotations

from typing import Iterator

from ..records import Locator, Skip

BATCH_ROWS = 1024


def open_parquet(path: str, display: str, max_bytes: int) -> Iterator[tuple[Locator, object] | Skip]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield Skip(Locator(display), f"not a readable parquet file: {_short(exc)}")
        return
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            for value in batch.to_pylist():
                yield Locator(display, row=row), value
                row += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield Skip(Locator(display, row=row), f"parquet data is damaged from this row on: {_short(exc)}")


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:160] or exc.__class__.__name__
