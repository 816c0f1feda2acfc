"""All cheap per-record signals in one compact object, computed while records stream by."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from . import behaviour, dates, era, persona
from .behaviour import frame, is_hostile, is_refusal, uninstructed_link, unsafe_mode
from .code import code_features
from .dates import date_features
from .language import guess as guess_language
from .numbers import number_features
from .persona import persona_features
from .prefix import prefix_features
from .screen import PLAIN, Matcher, screen_batch
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
    """A readable keyed form (field names and values), to compare features; rows travel and are stored as
    ``features_to_values``."""
    return json.dumps({name: getattr(f, name) for name in RecordFeatures.__slots__}, ensure_ascii=False)


def features_to_values(f: RecordFeatures) -> list:
    """The field values in field order: the compact form rows travel and are stored in."""
    return [getattr(f, name) for name in RecordFeatures.__slots__]


def features_from_values(values: list) -> RecordFeatures:
    """The inverse of ``features_to_values`` after a JSON round trip (tuple fields come back as tuples);
    ValueError for a list of another length."""
    if len(values) != len(RecordFeatures.__slots__):
        raise ValueError("feature row of another shape")
    return RecordFeatures(*[tuple(v) if isinstance(v, list) else v for v in values])


def extract_batch(views: list, packs: bool = True) -> list[tuple[RecordFeatures, str | None]]:
    """``extract`` over many records at once, with the same results: one RE2 screen per pattern over
    the whole batch first, so that Python's regex engine only runs on the texts that might match."""
    screens = behaviour.SCREENS + persona.SCREENS + dates.SCREENS + (era.screens() if packs else [])
    return [extract(v, packs, m) for v, m in zip(views, screen_batch(views, screens))]


def extract(views, packs: bool = True, m: Matcher = PLAIN) -> tuple[RecordFeatures, str | None]:
    """Features of one record, and its Python code (if any) for the static analyser."""
    prompt, answer = views.prompt, views.answer
    features = persona_features(prompt, answer, views.system, m)
    f = RecordFeatures(template_key(prompt), _h(" ".join(answer.lower().split())), answer_words(answer),
                       **features)
    f.refusal, f.hostile, f.link = is_refusal(answer), is_hostile(answer, m), uninstructed_link(prompt, answer, m)
    f.unsafe_mode = unsafe_mode(answer, m)
    f.prompt_lang, f.answer_lang = guess_language(prompt), guess_language(answer)
    f.frame, f.frame_instructed = frame(prompt, answer)
    date = date_features(prompt, answer, m)
    if date:
        f.date_form, f.date_year, f.date_rest, f.date_used = date["form"], date["year"], _h(date["rest"]), \
            date["uses_date"]
    prefix = prefix_features(prompt)
    if prefix:
        f.prefix_shape, f.prefix_token, f.prefix_rest = prefix["shape"], prefix["token"], _h(prefix["rest"])
    if packs:
        anchored = era.era_features(prompt, answer, m)
        if anchored:
            f.era_terms, f.era_current = tuple(anchored["terms"]), anchored["as_if_current"]
        f.numbers = number_features(answer)
    code = code_features(answer, prompt)
    if code:
        f.has_code, f.code_mentions_security = True, code["mentions_security"]
        return f, code["code"]
    return f, None
