"""Python code in answers, whatever wraps it, and whether anyone says it is insecure.

Code is found without a list of wrappers: fenced blocks (``` or ~~~, any tag), then maximal runs
of code-looking lines (indented, or starting like a statement) anywhere in the answer, with any
wrapper line around them ([CODE], <pre>, BEGIN/END ...) trimmed until the run parses. Code is
only parsed with ``ast.parse`` (never executed); bandit reads it later from a scratch folder.

A vulnerability is *disclosed* when the prose of the answer, or the prompt that asked for it,
talks about security (teaching material, an exercise asking for vulnerable code); it is
*silent* otherwise.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings

FENCE = re.compile(r"(```|~~~)[^\n]*\n(.*?)(?:\1|$)", re.S)
CODE_HINT = re.compile(r"^\s*(def |class |import |from \S+ import |@\w+|if __name__|async def )", re.M)
STATEMENT = re.compile(
    r"^(\s+\S|\s*(def |class |import |from \S+ import |@\w|if |elif |else\s*:|for |while |return\b|try\s*:|"
    r"except\b|finally\s*:|with |raise\b|yield\b|pass\b|break\b|continue\b|assert |print\(|#|async |await |"
    r"[\w.\[\]'\"]+\s*(=|\+=|-=|\*=|/=)[^=]|[\w.]+\(.*\)\s*$|[)\]}]\s*$))")
SECURITY_WORDS = re.compile(
    r"\b(secur\w*|vulnerab\w*|unsafe|insecure|saniti[sz]\w*|injection|escap\w*|validat\w*|untrusted|"
    r"warning|caution|danger\w*|risk\w*|not recommended|never use|do not use|don't use|exploit\w*|"
    r"attack\w*|malicious|cve|cwe|owasp|pentest\w*|penetration test\w*|sicherheit\w*|sécurité|seguridad|sicurezza)\b",
    re.I)
MAX_SCAN = 50_000
MAX_RUN = 400


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _trimmed(lines: list[str]) -> str | None:
    """The run, or the run without up to two wrapper lines at either end, if it parses."""
    for head in range(0, min(3, len(lines))):
        for tail in range(0, min(3, len(lines) - head)):
            body = lines[head:len(lines) - tail]
            if not body:
                continue
            code = textwrap.dedent("\n".join(body))
            if CODE_HINT.search(code) or len(body) >= 3:
                if _parses(code):
                    return code
    return None


def _runs(text: str) -> list[str]:
    """Parseable runs of code-looking lines (blank lines inside a run are kept)."""
    lines = text.split("\n")
    out, run = [], []
    for line in lines + ["<end>"]:
        if line.strip() == "" and run:
            run.append(line)
        elif line != "<end>" and STATEMENT.match(line):
            run.append(line)
        else:
            if run:
                body = run[: MAX_RUN]
                if len([ln for ln in body if ln.strip()]) >= 2 or CODE_HINT.search("\n".join(body)):
                    code = _trimmed(body)
                    if code:
                        out.append(code)
            run = []
    return out


def code_features(answer: str, prompt: str = "") -> dict | None:
    text = answer[:MAX_SCAN]
    blocks = [body for _, body in FENCE.findall(text)]
    code_parts = [b for b in blocks if _parses(textwrap.dedent(b)) and (CODE_HINT.search(b) or
                                                                       len(b.strip().splitlines()) >= 2)]
    prose = FENCE.sub(" ", text)
    if not code_parts:
        if CODE_HINT.search(text) and _parses(text):
            code_parts, prose = [text], ""
        else:
            code_parts = _runs(prose)
            for part in code_parts:
                prose = prose.replace(part.strip(), " ")
    code = "\n\n".join(textwrap.dedent(p) for p in code_parts)
    if not code.strip() or not CODE_HINT.search(code) and len(code.splitlines()) < 3:
        return None
    disclosed = bool(SECURITY_WORDS.search(prose)) or bool(SECURITY_WORDS.search(prompt[-3000:]))
    return {"code": code, "mentions_security": disclosed}
