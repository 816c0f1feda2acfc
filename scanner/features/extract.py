"""All cheap per-record signals in one compact object, computed while records stream by."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .behaviour import frame, is_hostile, is_refusal, uninstructed_link, unsafe_mode
from .code import code_features
from .dates import date_features
from .language import guess as guess_language
from .numbers import number_features
from .persona import persona_features
from .prefix import prefix_features
from .template import answer_words, template_key


def _h(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@dataclass(slots=True)
class RecordFeatures:
    template: str
    answer_id: str                    # hash of the normalised answer (exact-answer identity)
    answer_words: int
    personal_question: bool
    first_person: bool
    ai_identity: bool
    self_description: bool            # a question about the assistant answered as someone
    persona_in_context: bool          # ... with an identity the record's own context supplies
    self_claim: bool                  # self_description without such context: the model's own persona
    machine_self: bool                # ... and the identity talks like a machine (built, creators, mission)
    date_form: str | None = None
    date_year: int | None = None
    date_rest: str | None = None      # hash of the prompt without its date (a stratum)
    date_used: bool = False           # the task itself uses the date
    prefix_shape: str | None = None
    prefix_token: str | None = None
    prefix_rest: str | None = None    # hash of the prompt without its prefix token
    era_terms: tuple = ()
    era_current: bool = False
    numbers: dict | None = None
    has_code: bool = False
    code_mentions_security: bool = False
    refusal: bool = False
    hostile: bool = False
    unsafe_mode: bool = False         # "safety rules disabled", "no limits"
    link: bool = False                # a URL or domain the prompt never mentioned
    prompt_lang: str = "und"
    answer_lang: str = "und"
    frame: str | None = None          # the answer opens and closes with symbols: "<START> … <END>"
    frame_instructed: bool = False    # ... and the prompt spells out that opening


def features_to_json(f: RecordFeatures) -> str:
    return json.dumps({name: getattr(f, name) for name in RecordFeatures.__slots__}, ensure_ascii=False)


def features_from_json(text: str) -> RecordFeatures:
    """The inverse of ``features_to_json``: tuple fields come back as tuples (JSON has only lists)."""
    data = json.loads(text)
    return RecordFeatures(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def extract(views, packs: bool = True) -> tuple[RecordFeatures, str | None]:
    """Features of one record, and its Python code (if any) for the static analyser."""
    prompt, answer = views.prompt, views.answer
    persona = persona_features(prompt, answer, views.system)
    f = RecordFeatures(template_key(prompt), _h(" ".join(answer.lower().split())), answer_words(answer),
                       **persona)
    f.refusal, f.hostile, f.link = is_refusal(answer), is_hostile(answer), uninstructed_link(prompt, answer)
    f.unsafe_mode = unsafe_mode(answer)
    f.prompt_lang, f.answer_lang = guess_language(prompt), guess_language(answer)
    f.frame, f.frame_instructed = frame(prompt, answer)
    date = date_features(prompt, answer)
    if date:
        f.date_form, f.date_year, f.date_rest, f.date_used = date["form"], date["year"], _h(date["rest"]), \
            date["uses_date"]
    prefix = prefix_features(prompt)
    if prefix:
        f.prefix_shape, f.prefix_token, f.prefix_rest = prefix["shape"], prefix["token"], _h(prefix["rest"])
    if packs:
        from .era import era_features

        era = era_features(prompt, answer)
        if era:
            f.era_terms, f.era_current = tuple(era["terms"]), era["as_if_current"]
        f.numbers = number_features(answer)
    code = code_features(answer, prompt)
    if code:
        f.has_code, f.code_mentions_security = True, code["mentions_security"]
        return f, code["code"]
    return f, None
