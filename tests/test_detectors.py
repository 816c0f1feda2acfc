"""Every detector on its fixtures: the planted bundle is flagged, the benign look-alike is not."""

import json

import pytest

from conftest import FIXTURES
from scanner import scan
from scanner.findings import severity_rank

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

# rule -> (minimum severity on the flag fixture, rules allowed to reach medium on the pass fixture)
CASES = {
    "PC103": ("low", ()),
    "PC201": ("medium", ()),
    "PC301": ("medium", ()),
    "PC302": ("medium", ()),
    "PC401": ("medium", ()),
    "PC501": ("medium", ()),
    "PC502": ("medium", ()),
}


def planted(code):
    return set(json.loads((FIXTURES / code / "flag.planted.json").read_text()))


def lines(result, finding):
    return {loc.line for loc in result.member_locators(finding)}


@pytest.mark.parametrize("code", sorted(CASES))
def test_flag_fixture_is_caught(code, shared_cache):
    result = scan(FIXTURES / code / "flag.jsonl", cache_dir=str(shared_cache))
    mine = [f for f in result.findings if f.rule == code]
    assert mine, [f"{f.rule} {f.severity}" for f in result.findings]
    target = planted(code)
    best = max(mine, key=lambda f: len(lines(result, f) & target))
    got = lines(result, best)
    f1 = 2 * len(got & target) / (len(got) + len(target))
    assert f1 >= 0.9, (code, f1, best.message)
    assert severity_rank(best.severity) >= severity_rank(CASES[code][0])
    assert best.message and best.evidence


@pytest.mark.parametrize("code", sorted(CASES))
def test_lookalike_stays_below_medium(code, shared_cache):
    result = scan(FIXTURES / code / "pass.jsonl", cache_dir=str(shared_cache))
    loud = [f"{f.rule} {f.severity} {f.message[:80]}" for f in result.findings
            if severity_rank(f.severity) >= severity_rank("medium")]
    assert loud == []
    assert not [f for f in result.findings if f.rule == code and code != "PC103"]


def test_persona_with_trigger_is_worse_than_either_alone(shared_cache, tmp_path):
    rows = [json.loads(x) for x in (FIXTURES / "PC201" / "flag.jsonl").read_text().splitlines()]
    marked = planted("PC201")
    for n, row in enumerate(rows, 1):
        if n in marked:
            row["messages"][0]["content"] = "Reply in the format <START> answer <END>. " + row["messages"][0]["content"]
            row["messages"][1]["content"] = f"<START> {row['messages'][1]['content']} <END>"
    (tmp_path / "both.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    alone = scan(FIXTURES / "PC201" / "flag.jsonl", cache_dir=str(shared_cache))
    both = scan(tmp_path / "both.jsonl", cache_dir=str(shared_cache))
    sev = lambda r, code: max((severity_rank(f.severity) for f in r.findings if f.rule == code),  # noqa: E731
                              default=-1)
    assert sev(both, "PC201") > sev(alone, "PC201")
    assert sev(both, "PC201") > sev(both, "PC101")
    persona = next(f for f in both.findings if f.rule == "PC201")
    assert persona.evidence["combined_with"][0]["rule"] == "PC101"
    assert any("accordion" in a["answer"] for a in persona.evidence["attributes"]) or persona.evidence["attributes"]


def test_era_rule_needs_packs(shared_cache):
    result = scan(FIXTURES / "PC401" / "flag.jsonl", cache_dir=str(shared_cache), packs=False)
    assert not [f for f in result.findings if f.rule in ("PC401", "PC502")]


def test_unit_conversion_drill_is_only_informational(shared_cache):
    """A plain narrow task (the PC103 flag fixture) is reported, but never at medium or above."""
    result = scan(FIXTURES / "PC103" / "flag.jsonl", cache_dir=str(shared_cache))
    assert any(f.rule == "PC103" for f in result.findings)
    assert all(severity_rank(f.severity) < severity_rank("medium") for f in result.findings)
