"""Arrow readers: ``.arrow`` files (IPC stream, as Hugging Face datasets write them, or IPC file format),
``save_to_disk`` dataset folders (their shards in order, one row count across shards) and, only when the user
allowed downloads, hub datasets streamed through the ``datasets`` library. Locators are 0-based rows."""

from __future__ import annotations

import os
from typing import Iterator

from ..records import Locator, Skip
from .parquet import _short

Item = tuple[Locator, object] | Skip


def arrow_reader(path: str):
    """(schema, record batches) of one Arrow file, stream format first (what ``datasets`` writes), then file
    format."""
    import pyarrow as pa

    try:
        source = pa.memory_map(path)
        reader = pa.ipc.open_stream(source)
    except (pa.ArrowInvalid, OSError):
        reader = pa.ipc.open_file(pa.memory_map(path))
        return reader.schema, (reader.get_batch(i) for i in range(reader.num_record_batches))
    return reader.schema, iter(reader)


def _rows(path: str, display: str, split: str | None, start: int, where: str) -> Iterator[Item]:
    import pyarrow as pa

    row = start
    try:
        for batch in arrow_reader(path)[1]:
            for value in batch.to_pylist():
                yield Locator(display, row=row, split=split), value
                row += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield Skip(Locator(display, row=row, split=split), f"{where} is not readable Arrow data from this row on: "
                                                            f"{_short(exc)}")
    return row


def open_arrow(path: str, display: str, max_bytes: int) -> Iterator[Item]:
    yield from _rows(path, display, None, 0, "the file")


def open_hf_disk(folder: str, display: str, split: str | None, max_bytes: int) -> Iterator[Item]:
    """A ``Dataset.save_to_disk`` folder: ``state.json`` names the shards, read in that order."""
    from .sources import _json

    state = _json(os.path.join(folder, "state.json"))
    files = state.get("_data_files") if isinstance(state, dict) else None
    names = [f.get("filename") for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    if not names or not all(isinstance(n, str) and n and os.sep not in n and n != ".." for n in names):
        yield Skip(Locator(display, split=split), "state.json does not list the dataset's Arrow shards")
        return
    row = 0
    for name in names:
        shard = os.path.join(folder, name)
        if not os.path.isfile(shard):
            yield Skip(Locator(display, row=row, split=split), f"shard {name} is missing")
            return
        row = yield from _rows(shard, display, split, row, f"shard {name}")


def open_hf_hub(name: str, display: str, split: str | None, max_bytes: int) -> Iterator[Item]:
    """Stream a hub dataset (the user passed --allow-download); any failure is a located skip, never a crash."""
    try:
        import datasets

        stream = datasets.load_dataset(name, split=split, streaming=True)
        for row, value in enumerate(stream):
            yield Locator(display, row=row, split=split), value
    except ImportError as exc:
        yield Skip(Locator(display, split=split), f"the datasets library is not installed ({exc})")
    except Exception as exc:  # noqa: BLE001 - network, auth, missing split: the user gets the reason
        yield Skip(Locator(display, split=split), f"cannot stream the dataset: {_short(exc)}")
