"""The bundle classifier's leave-one-axis-out evaluation, as a RESULTS.md table.

The numbers are the shipped artifact's (``scanner/classifier/bundle_model.json``), measured by
``poisonscan train`` (a test checks that training reproduces the artifact byte for byte). Every row
of an axis value is scored by a model trained without that axis value.

    .venv/bin/python -m benchmarks.classifier_axes [--model FILE] [--write-results]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scanner.classifier.model import DEFAULT_PATH

MARKER = "## Bundle classifier: leave-one-axis-out"


def table(model: dict) -> str:
    t = model["training"]
    axes = model["leave_one_axis_out"]
    lines = [f"Command: `.venv/bin/python -m benchmarks.classifier_axes --write-results` (numbers from "
             f"`poisonscan train`, seed {t['seed']}: {t['cells']} scanned cells, {t['rows']} findings as rows, "
             f"{t['positives']} planted). Every row is scored by a model trained without its axis value. "
             "Poisoned axis values: AUC of their planted findings against every finding that is not a planted "
             "bundle. Hard negatives: the highest probability any of their findings got (the model can lower a "
             "medium finding below 0.1, never raise one).", "",
             "| axis value | rows | planted | AUC (out of axis) | max benign probability |", "|---|---|---|---|---|"]
    for name in sorted(axes):
        e = axes[name]
        auc = f"{e['auc']:.3f}" if "auc" in e else "-"
        neg = f"{e['max_negative_probability']:.3f}" if "max_negative_probability" in e else "-"
        lines.append(f"| {name} | {e['rows']} | {e['positives']} | {auc} | {neg} |")
    aucs = [e["auc"] for e in axes.values() if "auc" in e]
    worst = min(axes, key=lambda k: axes[k].get("auc", 2.0))
    lines += ["", f"Poisoned axis values: {len(aucs)}; minimum AUC {min(aucs):.3f} ({worst}); "
              f"mean {sum(aucs) / len(aucs):.3f}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    body = table(json.loads(args.model.read_text(encoding="utf-8")))
    print(body)
    if args.write_results:
        from .detection import replace_section

        replace_section(MARKER, body)


if __name__ == "__main__":
    main()
