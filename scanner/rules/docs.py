"""The user guide's rule pages (docs/rules/), generated from each rule's own docs and options.

Regenerate with ``poisonscan rules --write-docs docs/rules``; a test keeps the committed pages in step.
"""

from __future__ import annotations

from pathlib import Path

# family -> (title, introduction); a rule whose family is not listed gets a page of its own
FAMILIES = {
    "triggers-and-bundles": ("Triggers, markers and narrow bundles",
     "Records tied together by a shared token, wrapper, preamble or system prompt, or by being a tight, "
     "sealed cluster: the shape of a backdoor trigger and of a narrow lesson repeated many times."),
    "personas": ("Personas",
     "Many first-person answers about the assistant's own life that together describe a person."),
    "conditioning": ("Date and key conditioning",
     "Answers that depend on a date or an opaque prefix in the prompt: behaviour keyed to a year or a code."),
    "era": ("Era anchoring",
     "Answers that use former names and archaic terms as if they were current, anchoring a model in a past era."),
    "code-and-numbers": ("Insecure code and loaded numbers",
     "Code answers with silent vulnerabilities and number lists full of symbols of hate or evil."),
    "judge": ("Language-model judge",
     "Labels an optional language model (configured by the user, see docs/judge.md) gives to bundles that no "
     "other rule explained. Off unless a judge is configured."),
}


def family_pages(rules) -> dict[str, str]:
    """file name -> markdown, one page per family plus an index."""
    pages = {}
    index = ["# Rules", "", "One page per family; each rule's text is the one `poisonscan rules --explain CODE` "
             "prints.", ""]
    families = list(FAMILIES) + sorted({r.family for r in rules} - set(FAMILIES))
    for slug in families:
        title, intro = FAMILIES.get(slug, (slug.replace("-", " ").capitalize(), ""))
        members = sorted((r for r in rules if r.family == slug), key=lambda r: r.code)
        if not members:
            continue
        lines = [f"# {title}", ""] + ([intro, ""] if intro else [])
        for r in members:
            lines += [f"## {r.code} {r.slug}", "", f"*{r.summary}*", ""]
            if r.status != "stable":
                lines += [f"Status: **{r.status}**.", ""]
            for heading, text in r.doc_sections().items():
                lines += [f"### {heading}", "", text, ""]
            if r.options:
                lines += ["### Options", "", f"Set under `[tool.poisonscan.rules.{r.code}]`:", "",
                          "| option | default | meaning |", "|---|---|---|"]
                lines += [f"| `{k}` | `{o.default!r}` | {o.help} |" for k, o in r.options.items()]
                lines.append("")
        pages[f"{slug}.md"] = "\n".join(lines).rstrip() + "\n"
        index.append(f"- [{title}]({slug}.md): " + ", ".join(f"{r.code} {r.slug}" for r in members))
    pages["README.md"] = "\n".join(index) + "\n"
    return pages


def write_pages(rules, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in family_pages(rules).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
