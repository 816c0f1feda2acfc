"""Expand user paths (files, directories, globs) into an ordered list of data files."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from ..errors import InputError

DATA_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".parquet")


@dataclass(frozen=True)
class Source:
    path: str      # path used to open the file
    display: str   # path shown in reports (as the user wrote it, or relative to a scanned directory)

    def size(self) -> int:
        return os.stat(self.path).st_size


def is_data_file(name: str) -> bool:
    return name.endswith(DATA_SUFFIXES)


def _walk(root: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        found.extend(os.path.join(dirpath, f) for f in sorted(filenames) if is_data_file(f))
    return found


def _has_magic(path: str) -> bool:
    return glob.has_magic(path)


def expand_paths(paths: list[str]) -> list[Source]:
    """Files are taken as given; directories are walked for data files; globs are expanded.

    A path that does not exist, or a glob or directory without any data file, is an InputError.
    """
    out: list[Source] = []
    seen: set[str] = set()
    for raw in paths:
        if _has_magic(raw) and not os.path.exists(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files = [m for m in matches if os.path.isfile(m) and is_data_file(m)]
            files += [f for m in matches if os.path.isdir(m) for f in _walk(m)]
            if not files:
                raise InputError(f"{raw}: no data file matches this pattern")
        elif os.path.isdir(raw):
            files = _walk(raw)
            if not files:
                raise InputError(f"{raw}: directory holds no {', '.join(DATA_SUFFIXES)} file")
        elif os.path.lexists(raw):
            files = [raw]
        else:
            raise InputError(f"{raw}: no such file or directory")
        for f in files:
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                out.append(Source(f, os.path.normpath(f)))
    return sorted(out, key=lambda s: s.display)  # the order paths are given in does not matter
