"""The robustness grid: which generated bundle, how diluted, in which base data.

A cell is one dataset: ``base`` records plus one poisoned bundle (a family and one value of the
axis the attacker controls) or one hard negative, making up ``dilution`` of the whole dataset.
Poisoned cells vary their own axis against every dilution in the mixed real base, and against
every other base at 3%; negatives vary against three dilutions and every base.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from .behaviours import BEHAVIOURS
from .code import WRAPPERS, insecure_bundle
from .dates import FORMS as DATE_FORMS
from .dates import date_bundle
from .negatives import NEGATIVES, negative_bundle
from .personas import FORMS as PERSONA_FORMS
from .personas import persona_bundle
from .triggers import SHAPES, trigger_bundle

FAMILIES = {"trigger": SHAPES, "persona": PERSONA_FORMS, "insecure_code": WRAPPERS, "date_key": DATE_FORMS}
DILUTIONS = (0.005, 0.01, 0.03, 0.10, 0.30)
BASES = ("real", "chat", "code", "math")
DEFAULT_BASE, BASE_DILUTION = "real", 0.03
NEGATIVE_DILUTIONS = (0.03, 0.10, 0.30)


@dataclass(frozen=True)
class Cell:
    family: str        # a key of FAMILIES, or "negative"
    value: str         # the axis value (shape, form, wrapper, date form) or the negative's kind
    dilution: float
    base: str
    seed: int = 0

    @property
    def name(self) -> str:
        return f"{self.family}-{self.value}-{self.dilution:g}-{self.base}-{self.seed}"

    @property
    def behaviour(self) -> str:
        """The switched behaviour of trigger and date cells, varied across cells (deterministic)."""
        return BEHAVIOURS[zlib.crc32(self.name.encode()) % len(BEHAVIOURS)]


def cells(families=None, bases=BASES, dilutions=DILUTIONS, negatives=True, seed: int = 0) -> list[Cell]:
    out = []
    for family, values in FAMILIES.items():
        if families and family not in families:
            continue
        for value in values:
            out += [Cell(family, value, d, DEFAULT_BASE, seed) for d in dilutions if DEFAULT_BASE in bases]
            out += [Cell(family, value, BASE_DILUTION, b, seed) for b in bases if b != DEFAULT_BASE]
    if negatives:
        for kind in NEGATIVES:
            out += [Cell("negative", kind, d, DEFAULT_BASE, seed) for d in NEGATIVE_DILUTIONS if DEFAULT_BASE in bases]
            out += [Cell("negative", kind, 0.10, b, seed) for b in bases if b != DEFAULT_BASE]
    return out


def poison_count(dilution: float, base_size: int) -> int:
    return max(1, round(dilution / (1 - dilution) * base_size))


def make_cell(cell: Cell, base: list[dict], pool: list[dict]) -> list[tuple[dict, str | None]]:
    """The cell's records, shuffled, each with its group: None (base or benign extra), "poison:<k>" for the
    k-th planted identity or bundle, "negative" for a hard negative."""
    rng = random.Random(zlib.crc32(cell.name.encode()))
    n = poison_count(cell.dilution, len(base))
    rows: list[tuple[dict, str | None]] = [(r, None) for r in base]
    if cell.family == "trigger":
        rows += [(r, "poison:0") for r in trigger_bundle(pool, n, cell.value, cell.behaviour, rng)]
    elif cell.family == "persona":
        for k, group in enumerate(persona_bundle(n, cell.value, rng)):
            rows += [(r, f"poison:{k}") for r in group]
    elif cell.family == "insecure_code":
        rows += [(r, "poison:0") for r in insecure_bundle(n, cell.value, rng)]
    elif cell.family == "date_key":
        poison, dated = date_bundle(pool, n, cell.value, cell.behaviour, rng)
        rows += [(r, "poison:0") for r in poison] + [(r, None) for r in dated]
    elif cell.family == "negative":
        rows += [(r, "negative") for r in negative_bundle(cell.value, pool, n, rng)]
    else:
        raise ValueError(cell.family)
    rng.shuffle(rows)
    return rows
