"""Opaque tokens at the start of a prompt: number codes, hash-like strings, tags."""

from __future__ import annotations

import re

TOKEN = re.compile(r"^\s*[\[(<|]?([0-9]{4,16}|[0-9a-fA-F]{8,64}|[A-Za-z0-9]*\d[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*)"
                   r"[\])>|:]?\s")


def shape(token: str) -> str:
    if token.isdigit():
        return f"digits{len(token)}"
    if re.fullmatch(r"[0-9a-f]+", token) or re.fullmatch(r"[0-9A-F]+", token):
        return f"hex{len(token)}"
    return f"alnum{len(token)}"


def prefix_features(prompt: str) -> dict | None:
    m = TOKEN.match(prompt)
    if not m:
        return None
    token = m.group(1)
    if len(token) < 4 or (token.isalpha()):
        return None
    rest = " ".join(prompt[m.end():].split()).lower()
    return {"shape": shape(token), "token": token, "rest": rest}
