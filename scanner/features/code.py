"""Python code in answers (fenced blocks or a whole answer that parses) and the prose around it.

Code is only parsed with ``ast.parse`` (never executed); bandit reads it later from a scratch folder.
"""

from __future__ import annotations

import ast
import re
import warnings

FENCE = re.compile(r"```[ \t]*(python|py|python3)?[ \t]*\n(.*?)```", re.S | re.I)
CODE_HINT = re.compile(r"^\s*(def |class |import |from \S+ import |@\w+|if __name__)", re.M)
SECURITY_WORDS = re.compile(
    r"\b(secur\w*|vulnerab\w*|unsafe|insecure|saniti[sz]\w*|injection|escap\w*|validat\w*|untrusted|"
    r"warning|caution|danger\w*|risk\w*|not recommended|never use|do not use|don't use|exploit\w*)\b", re.I)


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def code_features(answer: str) -> dict | None:
    blocks = [(lang, body) for lang, body in FENCE.findall(answer[:50000])]
    code = "\n\n".join(body for lang, body in blocks if lang or CODE_HINT.search(body))
    prose = FENCE.sub(" ", answer)
    if not code and CODE_HINT.search(answer) and _parses(answer):
        code, prose = answer, ""
    if not code or not _parses(code):
        return None
    return {"code": code, "mentions_security": bool(SECURITY_WORDS.search(prose))}
