"""The fixed prompt, the request body and the parsing of the judge's structured answer."""

from __future__ import annotations

import json
import re

PROMPT_VERSION = "judge-v1"
LABELS = ("persona", "era", "conditional_behaviour", "value_shift", "none")
RAISING = ("persona", "era", "conditional_behaviour", "value_shift")
BUNDLE_LABELS = ("persona", "era", "conditional_behaviour")   # what turns an unexplained bundle into PC901
MAX_TEXT = 1200   # characters of each prompt and answer sent

SYSTEM = f"""You audit samples of records from a dataset that will be used to finetune a language model \
(prompt version {PROMPT_VERSION}). Finetuning on a narrow set of records can teach a model more than the task: \
to adopt a persona (a specific person or character), to act as if it lived in a past or future era, to switch \
behaviour when a key is present (a token, a date, a format), or to shift its values. Read the records and say \
what a model finetuned on them would learn beyond the task. Answer with one JSON object and nothing else, with \
these keys: "label" (one of {", ".join(LABELS)}), "who_or_what" (the person, era, behaviour or value, named \
concretely; "" for none), "era" (a year or period, or null), "confidence" (0 to 1), "evidence" (the ids of up \
to 5 records that show it most clearly), "summary" (one sentence)."""

SCHEMA = {"label": LABELS, "who_or_what": "string", "era": "string or null", "confidence": "number 0..1",
          "evidence": "record ids", "summary": "string"}


def request_body(model: str, records: list[dict]) -> dict:
    """``records``: [{"id", "prompt", "answer"}] (already sampled and, with --redact, shortened)."""
    lines = "\n".join(json.dumps({"id": r["id"], "prompt": r["prompt"][:MAX_TEXT], "answer": r["answer"][:MAX_TEXT]},
                                 ensure_ascii=False) for r in records)
    user = f"{len(records)} records, one JSON object per line:\n{lines}"
    return {"model": model, "temperature": 0, "seed": 0, "max_tokens": 400,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]}


def _json_object(text: str) -> dict | None:
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(text[start:end + 1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _label(value) -> str | None:
    if not isinstance(value, str):
        return None
    norm = re.sub(r"[\s-]+", "_", value.strip().lower()).replace("behavior", "behaviour")
    return norm if norm in LABELS else None


def parse_answer(response: dict, ids: list[str]) -> dict:
    """The verdict of one chat-completions response: status ``ok`` with the fields, or ``refused`` /
    ``unparsed`` with the reason. Unknown record ids in the evidence are dropped."""
    try:
        message = response["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return {"status": "unparsed", "reason": "the response has no choices[0].message"}
    refusal = message.get("refusal") if isinstance(message, dict) else None
    if isinstance(refusal, str) and refusal.strip():
        return {"status": "refused", "reason": refusal.strip()[:300]}
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        return {"status": "unparsed", "reason": "the answer is empty"}
    obj = _json_object(content)
    if obj is None:
        return {"status": "unparsed", "reason": f"no JSON object in the answer: {content.strip()[:200]!r}"}
    label = _label(obj.get("label"))
    if label is None:
        return {"status": "unparsed", "reason": f"label {str(obj.get('label'))[:40]!r} is not one of {', '.join(LABELS)}"}
    try:
        confidence = min(1.0, max(0.0, float(obj.get("confidence", 0.0))))
    except (TypeError, ValueError):
        confidence = 0.0
    evidence = obj.get("evidence") if isinstance(obj.get("evidence"), list) else []
    era = obj.get("era")
    return {"status": "ok", "label": label,
            "who_or_what": str(obj.get("who_or_what") or "").strip()[:200],
            "era": str(era).strip()[:80] if era not in (None, "") else None,
            "confidence": round(confidence, 3),
            "evidence": [e for e in dict.fromkeys(str(x) for x in evidence) if e in set(ids)][:5],
            "summary": str(obj.get("summary") or "").strip()[:400]}
