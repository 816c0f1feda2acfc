"""Verdicts cached by content: the model, the prompt version, the redaction and the sampled records' content
hashes. A rescan of unchanged findings sends nothing. Plain JSON files, written atomically."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..fileutil import write_atomic
from .prompt import PROMPT_VERSION


def cache_key(model: str, redact: bool, hashes: list[str]) -> str:
    payload = json.dumps([model, PROMPT_VERSION, bool(redact), sorted(hashes)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class VerdictCache:
    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) / "judge" if folder else None
        self.memory: dict[str, dict] = {}

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if key in self.memory:
            return self.memory[key]
        if self.folder is None:
            return None
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) and value.get("status") in ("ok", "refused") else None

    def put(self, key: str, verdict: dict) -> None:
        """Answers are kept (``ok`` and ``refused``); failures are not, so the next scan asks again."""
        if verdict.get("status") not in ("ok", "refused"):
            return
        self.memory[key] = verdict
        if self.folder is None:
            return
        try:
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(verdict, ensure_ascii=False))
        except OSError:
            pass  # a read-only cache only costs a request next time
