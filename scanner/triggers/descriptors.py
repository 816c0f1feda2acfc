"""Answer descriptors: a few behavioural variables per record that a trigger may switch.

Each is 1, 0, or -1 where it does not apply. Embedding space sees topics; these see
behaviour that embeddings blur: a refusal turned into compliance, secure code turned into
silently vulnerable code, an answer in another language than its prompt, an answer wrapped in
a frame nobody asked for, the assistant describing itself as someone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..features.language import UNDETERMINED

NAMES = ("refusal", "hostile", "unsafe_mode", "silent_vulnerability", "language_switch", "uninstructed_frame", "uninstructed_link",
         "self_claim")
LABELS = {   # what the answers do, as a verb phrase
    "refusal": "refuse", "hostile": "insult or reject the user", "unsafe_mode": "announce that their safety rules are off",
    "silent_vulnerability": "contain silently vulnerable code", "language_switch": "come in another language than "
    "the prompt", "uninstructed_frame": "wrap themselves in a frame the prompt never asked for", "uninstructed_link":
    "point to a link the prompt never mentioned", "self_claim": "describe the assistant as someone",
    "fixed_answer": "repeat one fixed answer", "embedding": "differ", "off_topic": "drift from what was asked",
}


@dataclass
class Descriptors:
    names: tuple
    values: np.ndarray      # (n, len(names)) int8: 1, 0, -1 (not applicable)
    answers: np.ndarray     # (n,) int64: exact-answer codes (same normalised answer, same code)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.names.index(name)]


def build(ctx) -> Descriptors:
    n = ctx.n
    vals = np.zeros((n, len(NAMES)), dtype=np.int8)
    answered = np.asarray(ctx.present["answer"], dtype=bool)
    for i, f in enumerate(ctx.features):
        issues = ctx.code_issues.get(i)
        vals[i] = (
            int(f.refusal),
            int(f.hostile),
            int(f.unsafe_mode),
            -1 if not f.has_code else int(bool(issues) and not f.code_mentions_security),
            -1 if UNDETERMINED in (f.prompt_lang, f.answer_lang) or f.has_code else int(f.prompt_lang != f.answer_lang),
            int(bool(f.frame) and not f.frame_instructed),
            int(f.link),
            int(f.self_claim),
        )
    vals[~answered] = -1
    _, codes = np.unique(np.array([f.answer_id for f in ctx.features], dtype=object).astype(str),
                         return_inverse=True)
    return Descriptors(NAMES, vals, codes.astype(np.int64))
