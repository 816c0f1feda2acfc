"""The rule contract.

A rule is a class with its identity in class variables (code, slug, summary, docs)
and one method, ``check(ctx)``, that yields :class:`~scanner.findings.Finding`.
Docs use four fixed headings: What it does / Why it matters / Example / False positives.
"""

from __future__ import annotations

import textwrap
from typing import ClassVar, Iterator

from ..findings import Finding

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "False positives")


class Rule:
    code: ClassVar[str]
    slug: ClassVar[str]
    summary: ClassVar[str]
    docs: ClassVar[str]
    #: options a user may set under [tool.poisonscan.rules.<CODE>]
    options: ClassVar[dict] = {}

    def __init__(self, **options) -> None:
        unknown = set(options) - set(self.options)
        if unknown:
            raise ValueError(f"{self.code}: unknown option(s) {', '.join(sorted(unknown))}")
        self.config = {**self.options, **options}

    def check(self, ctx) -> Iterator[Finding]:  # pragma: no cover - interface
        raise NotImplementedError

    def finding(self, **kwargs) -> Finding:
        return Finding(rule=self.code, name=self.slug, **kwargs)

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """Split the docs into their four headed sections."""
        sections: dict[str, str] = {}
        current = None
        for line in cls.docs.strip().splitlines():
            title = line.strip().rstrip(":").lstrip("# ").strip()
            if title in DOC_HEADINGS:
                current = title
                sections[current] = ""
            elif current:
                sections[current] += line.rstrip() + "\n"
        return {k: textwrap.dedent(v).strip() for k, v in sections.items()}
