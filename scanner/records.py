"""Records: a stable locator, role-separated text views and a content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Locator:
    """Where a record lives: path plus 1-based ``line`` (JSON, JSONL, CSV: where the record starts) or 0-based
    ``row`` (parquet, Arrow, Hugging Face datasets, whose ``split`` is named when the dataset has splits)."""

    path: str
    line: int | None = None
    row: int | None = None
    split: str | None = None

    def as_dict(self) -> dict:
        out: dict = {"path": self.path}
        if self.split is not None:
            out["split"] = self.split
        if self.line is not None:
            out["line"] = self.line
        if self.row is not None:
            out["row"] = self.row
        return out

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.row is not None:
            return f"{self.path}[{self.split + ', ' if self.split else ''}row {self.row}]"
        if self.split is not None:
            return f"{self.path}[{self.split}]"
        return self.path


@dataclass(frozen=True)
class Views:
    """Role-separated text of one training example."""

    system: str = ""
    prompt: str = ""
    answer: str = ""

    def total_chars(self) -> int:
        return len(self.system) + len(self.prompt) + len(self.answer)


@dataclass
class Record:
    locator: Locator
    schema: str
    views: Views
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.views)


@dataclass(frozen=True)
class Skip:
    """A record (or whole file) that could not be read, with the reason."""

    locator: Locator
    reason: str

    def as_dict(self) -> dict:
        return {**self.locator.as_dict(), "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.locator}: {self.reason}"


def content_hash(views: Views) -> str:
    """Hash of the normalised content: independent of file, position and JSON formatting."""
    payload = json.dumps([views.system, views.prompt, views.answer], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:32]
