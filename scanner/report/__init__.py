"""Report writers: text (people), JSON (tools), SARIF 2.1.0 (code scanning), HTML (one self-contained page)."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif", "html")


def render(result, fmt: str, fail_on: str = "medium") -> str:
    if fmt == "json":
        from .json import render_json
        return render_json(result)
    if fmt == "html":
        from .html import render_html
        return render_html(result, fail_on)
    if fmt == "sarif":
        from .sarif import render_sarif
        return render_sarif(result)
    from .text import render_text
    return render_text(result, fail_on)
