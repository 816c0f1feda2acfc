"""SARIF 2.1.0: rule metadata from the registry, members as relatedLocations, content fingerprints; with
``--include-suppressed``, findings a baseline or per-path ignore hid as results carrying ``suppressions`` (kind
``external``, the baseline entry's reason as justification), so code scanning shows them as dismissed."""

from __future__ import annotations

import json

from ..version import __version__

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return path.replace("\\", "/")


def _physical(loc) -> dict:
    out: dict = {"artifactLocation": {"uri": _uri(loc.path)}}
    if loc.line is not None:
        out["region"] = {"startLine": loc.line}
    if loc.row is not None:
        out["properties"] = {"row": loc.row}
    return out


def rule_descriptor(rule) -> dict:
    sections = rule.doc_sections()
    markdown = "\n\n".join(f"**{title}**\n\n{text}" for title, text in sections.items())
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections.get("What it does", rule.summary)},
        "help": {"text": "\n\n".join(f"{t}: {x}" for t, x in sections.items()), "markdown": markdown},
        "properties": {"slug": rule.slug, "tags": ["security", "data-poisoning"],
                       **({} if rule.status == "stable" else {"status": rule.status})},
    }


def _result(result, f, rule_index: dict) -> dict:
    locs = result.member_locators(f)
    related = [{"id": n, "physicalLocation": _physical(loc),
                "message": {"text": f"member {n + 1} of {len(locs)}"}} for n, loc in enumerate(locs)]
    out = {
        "ruleId": f.rule,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": _physical(locs[0])}],
        "relatedLocations": related,
        "partialFingerprints": {"poisonscan/bundle/v1": f.fingerprint},
        "properties": {"severity": f.severity, "score": round(f.score, 4), "records": len(locs),
                       "evidence": f.evidence},
    }
    if f.rule in rule_index:
        out["ruleIndex"] = rule_index[f.rule]
    return out


def _suppressed(result, f, why: str, rule_index: dict) -> dict:
    out = _result(result, f, rule_index)
    out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": why}]
    return out


def render_sarif(result, include_suppressed: bool = False) -> str:
    rules = sorted(result.rules, key=lambda r: r.code)
    rule_index = {r.code: i for i, r in enumerate(rules)}
    notifications = [{"level": "warning", "message": {"text": f"skipped: {s.reason}"},
                      "locations": [{"physicalLocation": _physical(s.locator)}]} for s in result.skipped]
    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "poisonscan", "version": __version__, "semanticVersion": __version__,
                                "rules": [rule_descriptor(r) for r in rules]}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": [_result(result, f, rule_index) for f in result.findings] +
                       ([_suppressed(result, f, why, rule_index) for f, why in result.suppressed_findings]
                        if include_suppressed else []),
            "properties": {"records": result.records, "skipped": result.skipped_count, "files": result.files},
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
