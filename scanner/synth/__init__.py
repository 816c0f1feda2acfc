"""Generated poisoned bundles and hard negatives along every axis an attacker controls.

Used by the robustness grid (``benchmarks/robustness.py``) and to train the bundle classifier
(``poisonscan train``). Every string is produced here from small banks of general words and
templates; no record of any evaluation dataset is reused. Each generator takes a seeded
``random.Random`` and returns chat records (``{"messages": [...]}``).
"""

from .grid import FAMILIES, Cell, cells, make_cell
from .negatives import NEGATIVES

__all__ = ["FAMILIES", "NEGATIVES", "Cell", "cells", "make_cell"]
