"""The central table of rules, selection by code / prefix / slug, and opt-in plugins."""

from __future__ import annotations

from importlib.metadata import entry_points

from ..errors import ConfigError
from .base import Rule
from .date_conditioned import DateConditioned
from .era_anchoring import EraAnchoring
from .insecure_code import InsecureCode
from .judge_labelled import JudgeLabelled
from .keyed_prefix import KeyedPrefix
from .loaded_numbers import LoadedNumbers
from .narrow_bundle import NarrowBundle
from .narrow_task import NarrowTaskSet
from .persona_bundle import PersonaBundle
from .shared_marker import SharedMarker

BUILTIN: tuple[type[Rule], ...] = (SharedMarker, NarrowBundle, NarrowTaskSet, PersonaBundle, DateConditioned,
                                   KeyedPrefix, EraAnchoring, InsecureCode, LoadedNumbers, JudgeLabelled)
PLUGIN_GROUP = "poisonscan.rules"


def load_plugins(names: list[str]) -> list[type[Rule]]:
    """Load only the entry points the configuration names (never all installed ones)."""
    if not names:
        return []
    available = {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}
    loaded = []
    for name in names:
        if name not in available:
            raise ConfigError(f"rule plugin '{name}' is not installed (entry-point group {PLUGIN_GROUP})")
        cls = available[name].load()
        if not (isinstance(cls, type) and issubclass(cls, Rule)):
            raise ConfigError(f"rule plugin '{name}' does not provide a poisonscan Rule class")
        loaded.append(cls)
    return loaded


def all_rules(plugins: list[str] | None = None) -> list[type[Rule]]:
    rules = list(BUILTIN) + load_plugins(plugins or [])
    codes = [r.code for r in rules]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise ConfigError(f"duplicate rule code(s): {', '.join(sorted(dupes))}")
    return sorted(rules, key=lambda r: r.code)


def _matches(rule: type[Rule], selector: str) -> bool:
    sel = selector.strip()
    return rule.slug == sel.lower() or rule.code.upper().startswith(sel.upper())


def select_rules(rules: list[type[Rule]], select: list[str] | None, ignore: list[str] | None) -> list[type[Rule]]:
    for sel in list(select or []) + list(ignore or []):
        if sel.upper() != "ALL" and not any(_matches(r, sel) for r in rules):
            raise ConfigError(f"'{sel}' matches no rule code, prefix or slug (see: poisonscan rules)")
    chosen = [r for r in rules if not select or any(s.upper() == "ALL" or _matches(r, s) for s in select)]
    return [r for r in chosen if not any(_matches(r, s) for s in (ignore or []))]


def find_rule(rules: list[type[Rule]], code_or_slug: str) -> type[Rule]:
    for r in rules:
        if r.code.upper() == code_or_slug.upper() or r.slug == code_or_slug.lower():
            return r
    raise ConfigError(f"no rule '{code_or_slug}' (see: poisonscan rules)")
