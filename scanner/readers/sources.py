"""Expand user paths (files, directories, globs, Hugging Face datasets) into an ordered list of sources."""

from __future__ import annotations

import glob
import importlib.util
import json
import os
from dataclasses import asdict, dataclass

from ..errors import InputError

DATA_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".parquet", ".arrow", ".csv", ".csv.gz", ".tsv", ".tsv.gz")
HUB_PREFIX = "hf://datasets/"


@dataclass(frozen=True)
class Source:
    path: str      # path used to open the file (a split folder for ``hf-disk``, the dataset id for ``hf-hub``)
    display: str   # path shown in reports (as the user wrote it, or relative to a scanned directory)
    kind: str = "file"         # file | hf-disk (a save_to_disk folder) | hf-hub (hf://datasets/ORG/NAME)
    split: str | None = None   # the split of a Hugging Face dataset, when it has splits

    def size(self) -> int:
        return os.stat(self.path).st_size

    def as_dict(self) -> dict:
        return asdict(self)


def is_data_file(name: str) -> bool:
    return name.endswith(DATA_SUFFIXES)


# -- Hugging Face datasets written with save_to_disk ------------------------------------------------
def _json(path: str) -> object:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def hf_disk_splits(folder: str) -> list[tuple[str | None, str]] | None:
    """``[(split, split_folder)]`` when ``folder`` was written by ``Dataset(Dict).save_to_disk``, else None.

    A ``Dataset`` folder holds ``state.json`` (its Arrow shards) and has no split name; a ``DatasetDict``
    folder holds ``dataset_dict.json`` listing its splits, one ``Dataset`` folder each."""
    state = _json(os.path.join(folder, "state.json"))
    if isinstance(state, dict) and isinstance(state.get("_data_files"), list):
        return [(None, folder)]
    info = _json(os.path.join(folder, "dataset_dict.json"))
    if isinstance(info, dict) and isinstance(info.get("splits"), list):
        return [(str(s), os.path.join(folder, str(s))) for s in info["splits"]]
    return None


def _hf_sources(splits: list[tuple[str | None, str]], display: str, split: str | None) -> list[Source]:
    if split is not None:
        named = [s for s in splits if s[0] == split]
        if not named and splits and splits[0][0] is not None:
            raise InputError(f"{display}: no split '{split}' (splits: {', '.join(s[0] for s in splits)})")
        splits = named or splits  # a single Dataset has no split names: --split does not narrow it
    return [Source(path, display, "hf-disk", name) for name, path in splits]


def _walk(root: str, split: str | None) -> list[Source]:
    found: list[Source] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        splits = hf_disk_splits(dirpath)
        if splits is not None:  # a dataset folder: its shards are read as one dataset
            found.extend(_hf_sources(splits, os.path.normpath(dirpath), split))
            dirnames[:] = []
            continue
        found.extend(Source(p, os.path.normpath(p)) for p in
                     (os.path.join(dirpath, f) for f in sorted(filenames) if is_data_file(f)))
    return found


def _hub(raw: str, split: str | None, allow_download: bool) -> Source:
    name = raw[len(HUB_PREFIX):].strip("/")
    if not raw.startswith(HUB_PREFIX) or name.count("/") > 1 or not name:
        raise InputError(f"{raw}: a hub dataset is named hf://datasets/ORG/NAME")
    if not allow_download:
        raise InputError(f"{raw}: reading a hub dataset downloads it; pass --allow-download to allow that "
                         "(or scan a local copy: Dataset.save_to_disk, .arrow, .parquet, .jsonl, .csv)")
    if importlib.util.find_spec("datasets") is None:
        raise InputError(f"{raw}: reading hub datasets needs the datasets library: pip install 'poisonscan[hf]'")
    return Source(name, raw.rstrip("/"), "hf-hub", split or "train")


def expand_paths(paths: list[str], split: str | None = None, allow_download: bool = False) -> list[Source]:
    """Files are taken as given; directories are walked for data files and ``save_to_disk`` dataset folders;
    globs are expanded; ``hf://datasets/ORG/NAME`` is streamed from the hub, only with ``allow_download``.

    A path that does not exist, or a glob or directory without any data file, is an InputError; so is a
    ``split`` when no input is a Hugging Face dataset (it would silently select nothing)."""
    out: list[Source] = []
    seen: set[tuple[str, str | None]] = set()
    for raw in paths:
        if raw.startswith("hf://"):
            sources = [_hub(raw, split, allow_download)]
        elif glob.has_magic(raw) and not os.path.exists(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            sources = [Source(m, os.path.normpath(m)) for m in matches if os.path.isfile(m) and is_data_file(m)]
            sources += [s for m in matches if os.path.isdir(m) for s in _walk(m, split)]
            if not sources:
                raise InputError(f"{raw}: no data file matches this pattern")
        elif os.path.isdir(raw):
            sources = _walk(raw, split)
            if not sources:
                raise InputError(f"{raw}: directory holds no {', '.join(DATA_SUFFIXES)} file "
                                 "and no Hugging Face dataset (save_to_disk) folder")
        elif os.path.lexists(raw):
            sources = [Source(raw, os.path.normpath(raw))]
        else:
            raise InputError(f"{raw}: no such file or directory")
        for s in sources:
            key = (s.path if s.kind == "hf-hub" else os.path.realpath(s.path), s.split)
            if key not in seen:
                seen.add(key)
                out.append(s)
    if split is not None and not any(s.kind != "file" for s in out):
        raise InputError(f"--split {split}: no input is a Hugging Face dataset (a save_to_disk folder or hf://)")
    return sorted(out, key=lambda s: (s.display, s.split or ""))  # the order paths are given in does not matter
