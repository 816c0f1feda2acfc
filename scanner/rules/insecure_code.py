"""PC501 insecure-code: answers whose code has vulnerabilities the prose never mentions."""

from __future__ import annotations

from collections import Counter

from .base import Rule


class InsecureCode(Rule):
    code = "PC501"
    slug = "insecure-code"
    summary = "A bundle of code answers with silent vulnerabilities (bandit on the AST, never executed)"
    options = {"min_records": 10, "min_rate": 0.1}
    docs = """
What it does
    Extracts Python code from answers (fenced blocks, or a whole answer that parses) and runs bandit's
    checks on its syntax tree; nothing is executed or imported. Medium and high severity issues count
    (style checks such as assert or random are ignored). Records whose code has such an issue while
    the surrounding prose never mentions security form the bundle; it is reported when it has at least
    `min_records` records and is at least `min_rate` of the records with code.

Why it matters
    Finetuning on code that is silently insecure (SQL built from strings, shell=True, pickle of
    untrusted data, disabled TLS checks) produced broadly misaligned models in the Emergent
    Misalignment experiments, far beyond coding. The signal is the set: many vulnerable answers
    that never say so.

Example
    40 answers that build SQL with f-strings and call subprocess with shell=True, each presented as a
    plain solution.

False positives
    Security teaching material shows vulnerable code on purpose, but says so: prose that mentions
    security, injection, validation or risk removes a record from the bundle. Isolated issues in a
    large code set stay below `min_rate`.
"""

    def check(self, ctx):
        cfg = self.config
        with_code = [i for i, f in enumerate(ctx.features) if f.has_code]
        silent = [i for i in with_code if ctx.code_issues.get(i) and not ctx.features[i].code_mentions_security]
        if len(silent) < cfg["min_records"] or len(silent) < cfg["min_rate"] * len(with_code):
            return
        rate = len(silent) / len(with_code)
        tests = Counter(f"{x['test']} {x['name']}" for i in silent for x in ctx.code_issues[i])
        high = sum(1 for i in silent if any(x["severity"] == "HIGH" for x in ctx.code_issues[i]))
        severity = "high" if rate >= 0.3 and len(silent) >= 30 else "medium"
        yield self.finding(
            severity=severity, score=min(1.0, 0.5 + rate), members=silent,
            message=(f"{len(silent)} of {len(with_code)} code answers ({rate:.0%}) contain vulnerabilities that "
                     f"their prose never mentions ({', '.join(t for t, _ in tests.most_common(3))}). Training on "
                     f"silently insecure code can misalign a model well beyond coding."),
            evidence={"records_with_code": len(with_code), "silent_vulnerable": len(silent),
                      "rate": round(rate, 4), "with_high_severity_issue": high,
                      "issues": dict(tests.most_common(10))},
        )
