"""The rule contract: everything about a rule lives on its class, checked when the class is defined.

A rule is a class with its identity and metadata in class variables and one method,
``check(ctx)``, that yields :class:`~scanner.findings.Finding`. The registry, ``poisonscan rules``,
``--explain``, the rule docs, SARIF and the severity combination all read the metadata from the
class, so a rule (built-in or plugin) is written in one file:

* ``code`` (two or three capitals and three digits), ``slug`` (kebab-case), ``summary``, ``docs``
  (four fixed headings: What it does / Why it matters / Example / False positives);
* ``family``: the docs page it belongs to (see ``rules/docs.py``; a new name gets its own page);
* ``role``: ``"content"`` (its findings say what the records teach) or ``"structural"`` (a shape,
  such as a tight cluster, that only matters through the content found on the same records: it
  adopts their severity, never more);
* ``key``: ``""``, or what its findings' records share that can switch content on (``"trigger"``,
  ``"date"``, ``"prefix"``); ``amplified_by_key``: a content finding (a persona, an era) that a key
  on the same records raises one level;
* ``status``: ``"stable"`` or ``"preview"``;
* ``options``: name -> :class:`Option` (default and a one-line description), settable under
  ``[tool.poisonscan.rules.<CODE>]``, type-checked when the rule is configured.

A rule reads only the scan state it is given. It never opens the input files: record text it
wants to show is asked for with ``Finding.quote`` and filled in after all rules ran, in one pass
over the files (see :mod:`scanner.engine.examples`).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import ClassVar, Iterator

from ..errors import ConfigError
from ..findings import Finding

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "False positives")
ROLES = ("content", "structural")
STATUSES = ("stable", "preview")
KEYS = ("", "trigger", "date", "prefix")
_CODE = re.compile(r"^[A-Z]{2,3}\d{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    default: object
    help: str

    def check(self, rule: str, name: str, value):
        """``value`` if it has the default's type (an int passes for a float), else a ConfigError."""
        want = type(self.default)
        ok = isinstance(value, want) and not (isinstance(value, bool) and want is not bool)
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            raise ConfigError(f"{rule}: option '{name}' must be a {want.__name__}, got {type(value).__name__}")
        return value


class Rule:
    code: ClassVar[str]
    slug: ClassVar[str]
    summary: ClassVar[str]
    docs: ClassVar[str]
    family: ClassVar[str] = "other"
    role: ClassVar[str] = "content"
    key: ClassVar[str] = ""
    amplified_by_key: ClassVar[bool] = False
    status: ClassVar[str] = "stable"
    options: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        problems = _definition_problems(cls)
        if problems:
            raise TypeError(f"rule {cls.__module__}.{cls.__qualname__}: " + "; ".join(problems))

    def __init__(self, **options) -> None:
        unknown = set(options) - set(self.options)
        if unknown:
            raise ConfigError(f"{self.code}: unknown option(s) {', '.join(sorted(unknown))} "
                              f"(allowed: {', '.join(self.options) or 'none'})")
        self.config = {name: opt.default for name, opt in self.options.items()}
        self.config.update({k: self.options[k].check(self.code, k, v) for k, v in options.items()})

    def check(self, ctx) -> Iterator[Finding]:  # pragma: no cover - interface
        raise NotImplementedError

    def finding(self, **kwargs) -> Finding:
        return Finding(rule=self.code, slug=self.slug, **kwargs)

    @classmethod
    def side_effect_of(cls, finding: Finding, host: Finding, host_rule: type["Rule"]) -> str | None:
        """Is ``finding`` part of what ``host`` (a finding of another rule) already reports? If so, say what it is
        there (a phrase for the host's evidence): it is folded into the host instead of standing on its own.
        Default: never (None)."""
        return None

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


def _definition_problems(cls) -> list[str]:
    out = []
    for attr in ("code", "slug", "summary", "docs"):
        if not isinstance(getattr(cls, attr, None), str) or not getattr(cls, attr).strip():
            out.append(f"'{attr}' must be a non-empty string")
    if out:
        return out
    if not _CODE.match(cls.code):
        out.append(f"code '{cls.code}' must be two or three capitals and three digits (e.g. PC101)")
    if not _SLUG.match(cls.slug):
        out.append(f"slug '{cls.slug}' must be kebab-case")
    missing = [h for h in DOC_HEADINGS if h not in cls.doc_sections()]
    if missing:
        out.append(f"docs lack the heading(s) {', '.join(missing)}")
    if cls.role not in ROLES:
        out.append(f"role must be one of {', '.join(ROLES)}")
    if cls.status not in STATUSES:
        out.append(f"status must be one of {', '.join(STATUSES)}")
    if cls.key not in KEYS:
        out.append(f"key must be one of {', '.join(map(repr, KEYS))}")
    if not isinstance(cls.family, str) or not _SLUG.match(cls.family):
        out.append("family must be a kebab-case name")
    for name, opt in cls.options.items():
        if not isinstance(opt, Option) or not opt.help.strip():
            out.append(f"option '{name}' must be an Option(default, help) with a description")
    return out
