"""Report writers: text (people), concise (one line per finding: hooks, CI logs), JSON (tools), SARIF 2.1.0
(code scanning), HTML (one self-contained page)."""

from __future__ import annotations

FORMATS = ("text", "concise", "json", "sarif", "html")
HUMAN = ("text", "concise")   # formats that honour --show and carry their own summary line


def render(result, fmt: str, fail_on: str = "medium", show: str = "info", include_suppressed: bool = False) -> str:
    if fmt == "json":
        from .json import render_json
        return render_json(result)
    if fmt == "html":
        from .html import render_html
        return render_html(result, fail_on)
    if fmt == "sarif":
        from .sarif import render_sarif
        return render_sarif(result, include_suppressed)
    if fmt == "concise":
        from .concise import render_concise
        return render_concise(result, fail_on, show)
    from .text import render_text
    return render_text(result, fail_on, show)
