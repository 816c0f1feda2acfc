"""Knowledge packs: sourced YAML lists under rules/packs (shipped in wheels as scanner/packs).

Read with ``yaml.safe_load`` only. A pack is a mapping with ``pack``, ``version``, ``kind`` and
``entries``; its header comment names its source and license.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import ConfigError


def packs_dir() -> Path:
    """The ``scanner.packs`` package: ``rules/packs`` in a checkout (editable install), ``scanner/packs`` in a wheel."""
    from importlib.resources import files

    return Path(str(files("scanner.packs")))


@lru_cache(maxsize=None)
def load_pack(name: str) -> dict:
    import yaml

    path = packs_dir() / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"knowledge pack {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ConfigError(f"knowledge pack {path}: expected a mapping with an 'entries' list")
    return data
