"""Combining findings on the same records: amplification needs the same records, side effects fold."""

from scanner.combine import combine
from scanner.findings import Finding


def _finding(rule, severity, members, asked=0):
    ev = {"background": {"members_asked_about_self": asked}} if rule == "PC201" else {}
    return Finding(rule=rule, slug=rule.lower(), severity=severity, score=0.5, message=f"{rule}.",
                   members=list(members), evidence=ev)


def test_persona_behind_a_trigger_on_the_same_records_is_raised():
    persona, trigger = _finding("PC201", "medium", range(90), asked=90), _finding("PC101", "high", range(95))
    kept = combine([persona, trigger])
    assert persona in kept and persona.severity == "critical"
    assert persona.evidence["combined_with"][0]["rule"] == "PC101"


def test_first_person_lines_inside_a_triggered_behaviour_fold_into_the_trigger():
    persona, trigger = _finding("PC201", "medium", range(10)), _finding("PC101", "high", range(40))
    kept = combine([persona, trigger])
    assert kept == [trigger] and trigger.severity == "high"
    assert trigger.evidence["also"][0] == {"rule": "PC201", "records": 10,
                                           "what": "first-person claims inside the triggered answers"}


def test_a_persona_asked_about_itself_is_never_folded():
    persona, trigger = _finding("PC201", "medium", range(10), asked=10), _finding("PC101", "high", range(40))
    kept = combine([persona, trigger])
    assert persona in kept and persona.severity == "medium"       # a part of the trigger's records: not raised
