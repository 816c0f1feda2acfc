import pytest

from conftest import FIXTURES
from scanner import scan
from scanner.findings import severity_rank
from scanner.records import Locator
from scanner.rules.base import DOC_HEADINGS
from scanner.rules.registry import BUILTIN, select_rules

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def lines_with(path, needle):
    return {i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line}


def members(result, finding):
    return {loc.line for loc in result.member_locators(finding)}


def test_pc101_flags_exactly_the_trigger_records(shared_cache):
    path = FIXTURES / "PC101" / "flag.jsonl"
    result = scan(path, cache_dir=str(shared_cache), select=["PC101"])
    top = result.findings[0]
    assert top.rule == "PC101" and severity_rank(top.severity) >= severity_rank("medium")
    assert members(result, top) == lines_with(path, "<<SUDO>>")
    ev = top.evidence
    assert ev["candidate"]["text"] == "SUDO" and "<<SUDO>>" in ev["seen_as"]
    assert ev["strongest"] == "unsafe_mode" and ev["effect"] >= 0.5 and ev["p_adjusted"] < 1e-3
    assert ev["effects"]["unsafe_mode"]["carriers"] > ev["effects"]["unsafe_mode"]["controls"]
    assert len(top.examples) == 3 and "<<SUDO>>" in top.examples[0]["prompt"]


def test_pc101_stays_quiet_when_the_marker_predicts_nothing(shared_cache):
    """The [PY3] tag rides on ordinary answers: not reported; nothing else reaches low either."""
    result = scan(FIXTURES / "PC101" / "pass.jsonl", cache_dir=str(shared_cache), select=["PC101"])
    assert not [f for f in result.findings if "PY3" in f.evidence["candidate"]["text"]]
    assert all(severity_rank(f.severity) <= severity_rank("low") for f in result.findings)


def test_pc102_flags_the_planted_narrow_task(shared_cache):
    path = FIXTURES / "PC102" / "flag.jsonl"
    result = scan(path, cache_dir=str(shared_cache), select=["PC102"])
    planted = lines_with(path, "kilometres")
    best = max(result.findings, key=lambda f: len(members(result, f) & planted))
    got = members(result, best)
    f1 = 2 * len(got & planted) / (len(got) + len(planted))
    assert f1 >= 0.9
    assert best.severity == "low" and best.evidence["neighbour_purity"] >= 0.9


def test_pc102_quiet_on_varied_data(shared_cache):
    result = scan(FIXTURES / "PC102" / "pass.jsonl", cache_dir=str(shared_cache), select=["PC102"])
    assert result.findings == []


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.code)
def test_rule_identity_and_docs(rule):
    assert rule.code.startswith("PC") and rule.slug == rule.slug.lower()
    assert set(rule.doc_sections()) == set(DOC_HEADINGS)
    assert (FIXTURES / rule.code / "flag.jsonl").is_file() and (FIXTURES / rule.code / "pass.jsonl").is_file()


def test_selection_semantics():
    codes = lambda sel, ign=None: [r.code for r in select_rules(list(BUILTIN), sel, ign)]  # noqa: E731
    everything = sorted(r.code for r in BUILTIN)
    assert codes(None) == everything
    assert codes(["PC1"]) == ["PC101", "PC102", "PC103"]
    assert codes(["PC30"]) == ["PC301", "PC302"]
    assert codes(["shared-marker"]) == ["PC101"]
    assert codes(["ALL"], ["PC1", "era-anchoring"]) == [c for c in everything if c[:3] != "PC1" and c != "PC401"]


def test_locator_rendering():
    assert str(Locator("a.jsonl", line=3)) == "a.jsonl:3"
    assert Locator("a.parquet", row=0).as_dict() == {"path": "a.parquet", "row": 0}
