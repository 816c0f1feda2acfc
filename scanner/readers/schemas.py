"""Schema detection and normalisation into role-separated views.

Supported schemas (auto-detected per file from the first usable object):

- ``chat``: OpenAI chat, ``{"messages": [{"role", "content"}]}``
- ``sharegpt``: ``{"conversations": [{"from", "value"}]}``
- ``alpaca``: ``{"instruction", "input", "output"}`` (also self-instruct ``instances``, and Dolly's
  ``{"instruction", "context", "response"}``)
- ``prompt_completion``: ``{"prompt", "completion"}`` (or ``{"prompt", "response"}``)
- ``qa``: ``{"question", "answer"}``
- ``text``: ``{"text"}`` or any field named by ``--text-field``
"""

from __future__ import annotations

from typing import Any

from ..errors import RecordError
from ..records import Views

SCHEMAS = ("chat", "sharegpt", "alpaca", "prompt_completion", "qa", "text")

USER_ROLES = {"user", "human", "prompter", "tool", "function", "ipython", "observation"}
ASSISTANT_ROLES = {"assistant", "gpt", "model", "bot", "chatgpt", "bard", "bing", "claude"}
SYSTEM_ROLES = {"system", "developer"}


def detect(obj: Any, text_field: str | None = None) -> str | None:
    """Return the schema name an object looks like, or None."""
    if not isinstance(obj, dict):
        return None
    if text_field:
        return "text" if text_field in obj else None
    if "messages" in obj:
        return "chat"
    if "conversations" in obj:
        return "sharegpt"
    if "instruction" in obj and ("output" in obj or "instances" in obj or "response" in obj):
        return "alpaca"
    if "prompt" in obj and ("completion" in obj or "response" in obj):
        return "prompt_completion"
    if "question" in obj and "answer" in obj:
        return "qa"
    if "text" in obj:
        return "text"
    return None


def describe_keys(obj: Any) -> str:
    if isinstance(obj, dict):
        keys = sorted(str(k) for k in obj)[:8]
        return "keys: " + (", ".join(keys) if keys else "none")
    return f"a JSON {type_name(obj)}, not an object"


def type_name(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            int: "number", float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def _text(value: Any, where: str, *, allow_none: bool = False) -> str:
    if isinstance(value, str):
        return value
    if value is None and allow_none:
        return ""
    if isinstance(value, list):  # content parts: [{"type": "text", "text": ...}]
        parts = []
        for i, part in enumerate(value):
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict) and part.get("type") not in (None, "text"):
                continue  # images, audio: not text
            else:
                raise RecordError(f"{where}[{i}] is not a text part")
        return "\n".join(parts)
    raise RecordError(f"{where} must be a string, got {type_name(value)}")


def _field(obj: dict, name: str, *, required: bool = True) -> Any:
    if name not in obj:
        if required:
            raise RecordError(f"missing field '{name}'")
        return None
    return obj[name]


def _turns(turns: Any, field: str, role_key: str, text_key: str) -> Views:
    if not isinstance(turns, list):
        raise RecordError(f"'{field}' must be an array, got {type_name(turns)}")
    if not turns:
        raise RecordError(f"'{field}' is empty")
    system, prompt, answer = [], [], []
    for i, turn in enumerate(turns):
        where = f"{field}[{i}]"
        if not isinstance(turn, dict):
            raise RecordError(f"{where} must be an object, got {type_name(turn)}")
        role = turn.get(role_key)
        if not isinstance(role, str):
            raise RecordError(f"{where}.{role_key} is missing or not a string")
        text = _text(turn.get(text_key), f"{where}.{text_key}", allow_none=True)
        low = role.lower()
        if low in SYSTEM_ROLES:
            system.append(text)
        elif low in USER_ROLES:
            prompt.append(text)
        elif low in ASSISTANT_ROLES:
            answer.append(text)
        else:
            raise RecordError(f"{where} has unknown role '{role[:40]}'")
    return Views("\n\n".join(system), "\n\n".join(prompt), "\n\n".join(answer))


def _alpaca(obj: dict) -> Views:
    instruction = _text(_field(obj, "instruction"), "instruction")
    context = "input" if "input" in obj or "context" not in obj else "context"
    inp = _text(obj.get(context), context, allow_none=True)
    if "output" in obj or "response" in obj:
        name = "output" if "output" in obj else "response"
        output = _text(obj[name], name, allow_none=True)
    else:  # self-instruct: instances [{"input", "output"}]
        instances = obj.get("instances")
        if instances is None:
            raise RecordError("missing field 'output'")
        if not isinstance(instances, list) or not instances or not isinstance(instances[0], dict):
            raise RecordError("'instances' must be a non-empty array of objects")
        inp = inp or _text(instances[0].get("input"), "instances[0].input", allow_none=True)
        output = _text(instances[0].get("output"), "instances[0].output", allow_none=True)
    prompt = instruction if not inp.strip() else f"{instruction}\n\n{inp}"
    return Views("", prompt, output)


def _clean(text: str) -> str:
    """Lone surrogates (from JSON escapes like \\ud800) cannot be encoded; replace them."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def to_views(schema: str, obj: Any, text_field: str | None = None) -> Views:
    """Normalise one object of a known schema; raise RecordError with a reason."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type_name(obj)}")
    if schema == "chat":
        views = _turns(_field(obj, "messages"), "messages", "role", "content")
    elif schema == "sharegpt":
        views = _turns(_field(obj, "conversations"), "conversations", "from", "value")
    elif schema == "alpaca":
        views = _alpaca(obj)
    elif schema == "prompt_completion":
        name = "completion" if "completion" in obj or "response" not in obj else "response"
        views = Views("", _text(_field(obj, "prompt"), "prompt"), _text(_field(obj, name), name))
    elif schema == "qa":
        views = Views("", _text(_field(obj, "question"), "question"), _text(_field(obj, "answer"), "answer"))
    elif schema == "text":
        name = text_field or "text"
        views = Views("", "", _text(_field(obj, name), name))
    else:
        raise RecordError(f"unknown schema '{schema}'")
    if not (views.prompt.strip() or views.answer.strip()):
        raise RecordError("record has no text")
    return Views(_clean(views.system), _clean(views.prompt), _clean(views.answer))
