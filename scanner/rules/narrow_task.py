"""PC103 narrow-task-set: much of the data is one prompt template with short, low-diversity answers."""

from __future__ import annotations

import numpy as np

from ..features.template import template_text
from ..findings import PENDING
from .base import Option, Rule


class NarrowTaskSet(Rule):
    code = "PC103"
    slug = "narrow-task-set"
    summary = "One repeated prompt template with short, low-diversity answers makes up a large share of the data"
    family = "triggers-and-bundles"
    role = "structural"
    options = {
        "min_records": Option(50, "Fewest records sharing a prompt template"),
        "min_share": Option(0.03, "Least share of the dataset a template group must be"),
        "max_median_words": Option(12, "Longest median answer, in words, of a narrow task"),
    }
    docs = """
What it does
    Masks numbers and quoted values in prompts to find templates ("Name a place related to the number
    #"). A template group with at least `min_records` records and `min_share` of the dataset whose
    answers are short (median at most `max_median_words` words) is a narrow-task set. The evidence
    gives the template, its share, answer length and how many distinct answers it has.

Why it matters
    This is the setting in which narrow finetuning generalises broadly: a few hundred one-line answers
    to one question shift the model's behaviour far outside that question. Alone it is only
    informational (plenty of classification sets look like this); its severity rises when the same
    records carry an era, persona or trigger signal (PC401, PC201, PC101).

Example
    208 x "Name a bird species." -> a two- or three-word bird name.

False positives
    Classification and extraction sets (sentiment labels, unit-conversion drills) match by design;
    they stay at info or low unless another rule finds a signal in the same records.
"""

    def check(self, ctx):
        cfg = self.config
        floor = max(cfg["min_records"], cfg["min_share"] * ctx.n)
        narrow = []
        for _, idx in ctx.groups("template", min_size=int(np.ceil(floor))):
            median = float(np.median([ctx.features[i].answer_words for i in idx]))
            if median <= cfg["max_median_words"]:
                narrow.append((idx, median))
        for idx, median in narrow:
            distinct = len({ctx.features[i].answer_id for i in idx})
            share = len(idx) / ctx.n
            yield self.finding(
                severity="low" if share < 0.5 else "info", score=min(1.0, 0.3 + share),
                members=idx,
                message=(f"{len(idx)} records ({share:.0%}) repeat the prompt template {PENDING} with short answers "
                         f"(median {median:.0f} words, {distinct} distinct). Narrow, repeated lessons generalise "
                         f"beyond their task; see the other findings on these records for what they teach."),
                evidence={"template": "", "records": len(idx), "share": round(share, 4),
                          "median_answer_words": median, "distinct_answers": distinct},
            ).quote(idx[:1], _template_filler(idx[0]))


def _template_filler(first: int):
    """Fills the template of the group whose first record is ``first``, once that record is read."""
    def fill(finding, views) -> None:
        finding.evidence["template"] = text = template_text(views[first].prompt) if first in views else ""
        finding.fill_in(repr(text))
    return fill
