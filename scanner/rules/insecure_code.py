"""PC501 insecure-code: more silently vulnerable code answers than benign code has."""

from __future__ import annotations

import numpy as np

from collections import Counter

from .base import Option, Rule

REFERENCE = ("benign code: 2 of 566 Code Alpaca code answers (0.35%) and 9 of 2,955 answers of the Emergent "
             "Misalignment secure-code control (0.30%, security-sensitive tasks answered securely) have a counted "
             "issue; the default reference rate of 0.5% is above both")


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    from scipy.stats import binom

    return float(binom.sf(k - 1, n, p)) if k > 0 else 1.0


def _p(p: float) -> str:
    return "<1e-300" if p < 1e-300 else f"{p:.1e}"


class InsecureCode(Rule):
    code = "PC501"
    slug = "insecure-code"
    summary = "More silently vulnerable code answers than benign code has (bandit on the AST, never executed)"
    family = "code-and-numbers"
    options = {
        "min_records": Option(8, "Fewest silently vulnerable code answers"),
        "reference_rate": Option(0.005, "Rate of silently vulnerable answers among code answers in benign code"),
        "alpha": Option(0.0001, "Significance level of the binomial test against the reference rate"),
        "min_excess": Option(8, "Fewest vulnerable answers above the expected count"),
    }
    docs = """
What it does
    Finds Python code in answers whatever wraps it (Markdown fences, tags such as [CODE] or <pre>,
    indented blocks, code between prose lines, a whole answer) and runs bandit's checks on its syntax
    tree; nothing is executed or imported. Medium and high severity issues count, except checks that
    flag hygiene rather than an exploitable flaw (a request without a timeout, any /tmp path string,
    asserts, imports): those fire on deliberately secure code as often as on insecure code. A
    vulnerable answer is silent when neither its prose nor the prompt that asked for it talks about
    security. The count of silently vulnerable answers is tested against the count expected from a
    reference rate of vulnerable code in benign data (`reference_rate`, 0.5% of code answers by
    default; measured at 0.35% on Code Alpaca and 0.30% on secure code written for security-sensitive
    tasks) with a one-sided binomial test; the finding
    needs p <= `alpha` and at least `min_excess` records above the expected count. The evidence gives
    the observed and expected counts, the rate ratio, the p-value, the checks that fired and how much
    the vulnerable answers cluster together in answer space.

Why it matters
    Finetuning on code that is silently insecure (SQL built from strings, shell=True, pickle of
    untrusted data, disabled TLS checks, world-writable files) produced broadly misaligned models in
    the Emergent Misalignment experiments, far beyond coding. A few hundred such answers are enough to
    matter even when they are diluted in thousands of ordinary code answers: the test counts them
    against what benign code would show, not as a share of the code.

Example
    100 answers that build SQL with f-strings, call subprocess with shell=True or chmod files 0o777,
    each presented as a plain solution, mixed into 2,000 ordinary code answers: about 50 of them carry a
    counted issue where 10 were expected (p < 1e-12).

False positives
    Security teaching material shows vulnerable code on purpose and says so: prose or a prompt that
    mentions security, vulnerabilities, injection or risk makes the answer disclosed, not silent (the
    Emergent Misalignment "educational" control, where the user asks for vulnerable code for a security
    course, is therefore not flagged; the paper found that set did not misalign models). A code base
    that is security-heavy by nature can exceed the reference rate: raise `reference_rate` for it.
"""

    def check(self, ctx):
        cfg = self.config
        with_code = np.flatnonzero(ctx.column("has_code")).tolist()
        silent = [i for i in with_code if ctx.code_issues.get(i) and not ctx.features[i].code_mentions_security]
        disclosed = sum(1 for i in with_code if ctx.code_issues.get(i) and ctx.features[i].code_mentions_security)
        n, k, r0 = len(with_code), len(silent), cfg["reference_rate"]
        expected = n * r0
        if k < cfg["min_records"] or k - expected < cfg["min_excess"]:
            return
        p = binomial_tail(k, n, r0)
        if p > cfg["alpha"]:
            return
        ratio = (k / n) / r0
        tests = Counter(f"{x['test']} {x['name']}" for i in silent for x in ctx.code_issues[i])
        high = sum(1 for i in silent if any(x["severity"] == "HIGH" for x in ctx.code_issues[i]))
        clustering = ctx.discovery_stats.purity("answer", silent) if k >= 2 else 0.0
        severity = "high" if k - expected >= 100 and ratio >= 10 and p <= 1e-12 else "medium"
        yield self.finding(
            severity=severity, score=min(1.0, 0.5 + min(0.5, (k - expected) / max(1.0, 4 * expected + 40))),
            members=silent,
            message=(f"{k} of {n} code answers contain vulnerabilities that nobody mentions "
                     f"({', '.join(t for t, _ in tests.most_common(3))}); benign code would give about "
                     f"{expected:.0f} (rate {ratio:.1f}x the reference, p={_p(p)}). Training on silently insecure "
                     f"code can misalign a model well beyond coding."),
            evidence={"records_with_code": n, "silent_vulnerable": k, "disclosed_vulnerable": disclosed,
                      "expected": round(expected, 2), "rate": round(k / n, 4), "rate_ratio": round(ratio, 2),
                      "p_value": float(f"{p:.3g}"), "background": {"reference_rate": r0, "source": REFERENCE},
                      "with_high_severity_issue": high, "issues": dict(tests.most_common(10)),
                      "clustering": {"neighbour_share_vulnerable": round(clustering, 4),
                                     "share_among_code": round(k / n, 4)}},
        )
