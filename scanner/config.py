"""``[tool.poisonscan]`` in pyproject.toml (or a poisonscan.toml), validated at load."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import ConfigError

KEYS = {
    "select": list, "ignore": list, "fail-on": str, "schema": str, "text-field": str,
    "model": str, "embedder": str, "engine": str, "ray-address": str, "ray-actors": int, "precision": str,
    "batch-size": int, "cache-dir": str, "plugins": list,
    "rules": dict, "per-path-ignores": dict, "baseline": str,
    "strict": bool, "packs": bool, "classifier": bool, "redact": bool, "show": str, "split": str, "judge": dict,
}


def find_config(start: Path | None = None) -> Path | None:
    """poisonscan.toml, or a pyproject.toml with a [tool.poisonscan] table, in the cwd or a parent."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        own = folder / "poisonscan.toml"
        if own.is_file():
            return own
        py = folder / "pyproject.toml"
        if py.is_file() and "[tool.poisonscan" in py.read_text(encoding="utf-8", errors="replace"):
            return py
    return None


def load_config(path: Path | None) -> dict:
    """Return validated settings as ScanOptions keyword arguments."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc
    table = data.get("tool", {}).get("poisonscan", {}) if path.name == "pyproject.toml" else data
    where = f"{path}: [tool.poisonscan]" if path.name == "pyproject.toml" else str(path)
    out = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(KEYS))})")
        if not isinstance(value, KEYS[key]) or (KEYS[key] is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: '{key}' must be a {KEYS[key].__name__}, got {type(value).__name__}")
        if KEYS[key] is list and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
        if key in ("baseline", "cache-dir") and not Path(value).expanduser().is_absolute():
            value = str(path.parent / Path(value).expanduser())  # relative to the config file, not the cwd
        out["rule_options" if key == "rules" else key.replace("-", "_")] = value
    return out
