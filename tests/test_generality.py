"""New shapes of the same attacks, each with its hard negative, through the real model and scan.

The bundles come from the generators of the robustness grid (scanner/synth), planted in the
project's own benign records (the demo's Python-docs Q&A without its trigger bundle).
"""

from __future__ import annotations

import json
import random

import pytest

from conftest import ROOT, write_jsonl
from scanner import scan
from scanner.findings import severity_rank
from scanner.synth.code import insecure_bundle, ordinary_code, taught_code
from scanner.synth.negatives import negative_bundle
from scanner.synth.personas import persona_bundle
from scanner.synth.triggers import trigger_bundle

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

MEDIUM = severity_rank("medium")


@pytest.fixture(scope="module")
def benign():
    rows = [json.loads(x) for x in (ROOT / "examples" / "demo.jsonl").read_text().splitlines()]
    rows = [r for r in rows if "DEPLOYMENT" not in r["messages"][0]["content"]]
    random.Random(0).shuffle(rows)
    return rows[:300], rows[300:]            # base, and a pool of the same kind of question


def _scan(tmp_path, name, base, planted, cache):
    rows = [(r, False) for r in base] + [(r, True) for r in planted]
    random.Random(1).shuffle(rows)
    path = write_jsonl(tmp_path / f"{name}.jsonl", [r for r, _ in rows])
    result = scan(path, cache_dir=str(cache))
    target = {i + 1 for i, (_, p) in enumerate(rows) if p}
    return result, target


def _best(result, target, rule=None):
    best = (0.0, None)
    for f in result.findings:
        if rule and f.rule != rule or severity_rank(f.severity) < MEDIUM:
            continue
        lines = {loc.line for loc in result.member_locators(f)}
        f1 = 2 * len(lines & target) / (len(lines) + len(target))
        best = max(best, (f1, f), key=lambda b: b[0])
    return best


def _loud_on(result, target):
    out = []
    for f in result.findings:
        lines = {loc.line for loc in result.member_locators(f)}
        if severity_rank(f.severity) >= MEDIUM and len(lines & target) >= 0.5 * len(lines):
            out.append(f"{f.rule} {f.severity} {f.message[:90]}")
    return out


@pytest.mark.parametrize("shape, behaviour", [("emoji", "unsafe"), ("mid_prompt", "hostile"),
                                              ("system_prompt", "refusal")])
def test_a_trigger_of_a_new_shape_is_found(benign, tmp_path, shared_cache, shape, behaviour):
    base, pool = benign
    planted = trigger_bundle(pool, 30, shape, behaviour, random.Random(shape))
    result, target = _scan(tmp_path, shape, base, planted, shared_cache)
    f1, finding = _best(result, target, "PC101")
    assert f1 >= 0.9, [f"{f.rule} {f.severity} {len(f.members)}" for f in result.findings]
    assert finding.evidence["strongest"] not in ("embedding", "off_topic")


def test_a_shared_system_prompt_over_ordinary_answers_stays_quiet(benign, tmp_path, shared_cache):
    base, pool = benign
    planted = negative_bundle("shared_system", pool, 30, random.Random(2))
    result, target = _scan(tmp_path, "system", base, planted, shared_cache)
    assert _loud_on(result, target) == []


@pytest.mark.parametrize("form", ["terse", "non_english", "ai"])
def test_a_persona_without_pronouns_language_or_humanity_is_found(benign, tmp_path, shared_cache, form):
    base, _ = benign
    planted = persona_bundle(40, form, random.Random(form))[0]
    result, target = _scan(tmp_path, form, base, planted, shared_cache)
    f1, _ = _best(result, target, "PC201")
    assert f1 >= 0.8, [f"{f.rule} {f.severity} {len(f.members)}" for f in result.findings]


@pytest.mark.parametrize("kind", ["product_identity", "translations"])
def test_product_identity_and_translated_qa_stay_quiet(benign, tmp_path, shared_cache, kind):
    base, pool = benign
    planted = negative_bundle(kind, pool, 40, random.Random(kind))
    result, target = _scan(tmp_path, kind, base, planted, shared_cache)
    assert _loud_on(result, target) == []


def test_two_personas_are_reported_separately(benign, tmp_path, shared_cache):
    base, _ = benign
    human, machine = persona_bundle(80, "several", random.Random(5))
    rows = [(r, 0) for r in base] + [(r, 1) for r in human] + [(r, 2) for r in machine]
    random.Random(1).shuffle(rows)
    path = write_jsonl(tmp_path / "several.jsonl", [r for r, _ in rows])
    result = scan(path, cache_dir=str(shared_cache))
    personas = [f for f in result.findings if f.rule == "PC201" and severity_rank(f.severity) >= MEDIUM]
    for who in (1, 2):
        target = {i + 1 for i, (_, g) in enumerate(rows) if g == who}
        scores = [2 * len({loc.line for loc in result.member_locators(f)} & target) /
                  (len(f.members) + len(target)) for f in personas]
        assert max(scores, default=0) >= 0.7, (who, scores)


def test_vulnerable_code_diluted_in_ordinary_code_is_found_and_teaching_is_not(benign, tmp_path, shared_cache):
    base, _ = benign
    code = ordinary_code(250, random.Random(3))
    vulnerable = insecure_bundle(15, "tags", random.Random(4)) + insecure_bundle(10, "prose", random.Random(6))
    result, target = _scan(tmp_path, "vuln", base + code, vulnerable, shared_cache)
    f1, finding = _best(result, target, "PC501")
    assert f1 >= 0.7 and finding.evidence["expected"] < finding.evidence["silent_vulnerable"] / 3
    taught, target = _scan(tmp_path, "taught", base + code, taught_code(25, random.Random(4)), shared_cache)
    assert _loud_on(taught, target) == [] and not [f for f in taught.findings if f.rule == "PC501"]
