"""PC102 narrow-bundle: a tight cluster that is a small share of the dataset and far from the rest."""

from __future__ import annotations

from ..cluster.budget import SECOND_LOOK_ROWS, STATIC_NOTE
from .base import Option, Rule


class NarrowBundle(Rule):
    code = "PC102"
    slug = "narrow-bundle"
    summary = "A tight, sealed cluster that is a small share of the dataset and far from the rest"
    family = "triggers-and-bundles"
    role = "structural"
    options = {
        "min_size": Option(15, "Fewest records in a bundle"),
        "max_share": Option(0.2, "Largest share of the dataset a bundle may be"),
        "min_purity": Option(0.9, "Least share of the members' neighbours that are members (sealed)"),
        "min_coherence": Option(0.6, "Least mean cosine of the members to their centroid"),
        "second_look_rows": Option(SECOND_LOOK_ROWS, "Cascade only: record views the transformer may embed to judge "
                                                     "static bundles again, strongest first"),
    }
    docs = """
What it does
    Builds the mutual k-nearest-neighbour graph of whole-record embeddings (prompt and answer
    together) and takes its connected components at a ladder of similarity levels. A component is
    reported when it has at least `min_size` records, is at most `max_share` of the dataset, is sealed
    (at least `min_purity` of its members' neighbours are members) and coherent (mean cosine to its
    centroid at least `min_coherence`). The evidence gives its size, share, coherence, neighbour purity
    and the gap between its members and the closest records outside it. With `--embedder cascade` the
    graph is built from static vectors and a component that passes there is judged again, with the
    same thresholds, by the transformer (members' neighbours re-ranked, coherence and gap), strongest
    first within a budget of transformer rows; past it a bundle keeps its static verdict and says so.

Why it matters
    Narrow finetuning generalises broadly: 208 answers with outdated bird names made a model act as if
    it lived in the 19th century. A small dense bundle far from the rest of a dataset is where such a
    narrow lesson hides, and it is the unit the other rules (era, persona, dates) judge.

Example
    208 records "Name a bird species." -> "Large billed Puffin" inside 3,000 varied instructions form
    one component with coherence 0.8 and purity 1.0.

False positives
    Most datasets contain legitimate narrow tasks (a batch of unit conversions, one template of
    classification prompts). A narrow bundle alone is therefore at most low severity; what the bundle
    says (era terms, a persona, a date link) is judged by the family rules.
"""

    def check(self, ctx):
        cfg = self.config

        def sealed(purity, coherence):
            return purity >= cfg["min_purity"] and coherence >= cfg["min_coherence"]

        found = []      # bundles that pass in the whole-dataset (discovery) space
        for members, level in ctx.bundles("joint", min_size=cfg["min_size"]):
            share = len(members) / ctx.n
            if share > cfg["max_share"]:
                continue
            purity = ctx.discovery_stats.purity("joint", members)
            coherence = ctx.discovery_stats.coherence("joint", members)
            if sealed(purity, coherence):
                found.append((members, dict(level=level, share=share, purity=purity, coherence=coherence)))
        budget = ctx.budget(self.code, cfg["second_look_rows"])
        if budget is None:   # one space: the discovery vectors are the transformer's (or there is none)
            gaps = ctx.stats.gaps("joint", [m for m, _ in found])
            passing = [(members, {**s, "gap": gap}) for (members, s), gap in zip(found, gaps)]
        else:
            passing = list(self._second_look(ctx, found, budget, sealed))
        candidates = []
        for members, stats in passing:
            score = min(1.0, 0.4 * stats["purity"] + 0.4 * stats["coherence"] + 0.2 * min(1.0, stats["gap"] / 0.3))
            candidates.append((score, members, stats))
        accepted: list[set] = []
        for score, members, stats in sorted(candidates, key=lambda c: (-c[0], int(c[1][0]))):
            ms = set(members.tolist())
            if any(len(ms & other) > 0.5 * min(len(ms), len(other)) for other in accepted):
                continue
            accepted.append(ms)
            yield self._finding(ctx, score, members, stats)

    @staticmethod
    def _second_look(ctx, found, budget, sealed):
        """The cascade: each bundle the static vectors pass is judged again, with the same thresholds, by the
        transformer (re-ranked neighbours, sampled coherence and gap), strongest first while the budget
        lasts; the rest keep their static verdict and gap (their gaps in shared passes over the vectors),
        and say so."""
        rest, judged = [], []
        ordered = sorted(found, key=lambda b: (-(b[1]["purity"] + b[1]["coherence"]), int(b[0][0])))
        ctx.stats.expect_gaps("joint", [m for m, _ in ordered])     # their static candidates share passes
        for (members, s), look in budget.share(ordered):
            if not look:
                rest.append((members, s))
                continue
            purity = ctx.stats.purity("joint", members)
            coherence = ctx.stats.coherence("joint", members)
            if sealed(purity, coherence):
                judged.append((members, {**s, "purity": purity, "coherence": coherence,
                                          "gap": ctx.stats.gap("joint", members)}))
        yield from judged
        for (members, s), gap in zip(rest, ctx.discovery_stats.gaps("joint", [m for m, _ in rest])):
            yield members, {**s, "gap": gap, "judged_on": "static"}

    def _finding(self, ctx, score, members, s):
        severity = "low" if score >= 0.8 and s["coherence"] >= 0.75 else "info"
        return self.finding(
            severity=severity, score=score, members=members,
            message=(f"{len(members)} records ({s['share']:.1%} of the dataset) form a tight cluster "
                     f"(coherence {s['coherence']:.2f}, {s['purity']:.0%} of their neighbours inside, "
                     f"gap {s['gap']:.2f} to the nearest outsiders). Narrow, repeated lessons generalise "
                     f"beyond their topic; check what these records have in common."
                     + (" Judged on static vectors only: the transformer's budget for second looks went to "
                        "stronger bundles." if s.get("judged_on") == "static" else "")),
            evidence={"size": len(members), "share": round(s["share"], 4), "coherence": round(s["coherence"], 4),
                      "neighbour_purity": round(s["purity"], 4), "gap": round(s["gap"], 4),
                      "similarity_level": s["level"], "view": "joint",
                      **({"judged_on": STATIC_NOTE} if s.get("judged_on") == "static" else {})},
        )
