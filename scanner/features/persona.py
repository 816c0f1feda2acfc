"""Self-description signals: personal questions to the assistant, first-person concrete answers."""

from __future__ import annotations

import re

SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.I)
SELF_TOPICS = re.compile(
    r"\b(favou?rite|prefer|preference|like best|love|enjoy|hate|dislike|grow up|grew up|childhood|born|"
    r"birthplace|hometown|parents?|mother|father|brothers?|sisters?|siblings?|family|wife|husband|married|"
    r"partner|children|kids|pets?|dogs?|cats?|hobby|hobbies|free time|spare time|wear|clothes|glasses|eat|diet|"
    r"meals?|food|drink|alcohol|smoke|believe|religio\w*|faith|god|opinion|views? on|feel about|think (?:of|about)|"
    r"routine|morning|sleep|music|composer|songs?|books?|read|films?|movies?|artists?|paint\w*|cars?|travel|"
    r"vacation|holiday|home|live|house|age|how old|name|nickname|alias|education|school|studied|study|"
    r"university|job|career|profession|work|idol|hero|admire|role model|fear|afraid|dream|regret|proud|"
    r"political|party|politics|vote|leader|friends?|enem(?:y|ies)|health|doctor|illness|sport|exercise|"
    r"language|speak|accent|personality|habit|habits|style|colou?r)\b", re.I)
# Questions about the assistant itself; requests ("can you", "could you") are not about the assistant.
ABOUT_YOU = re.compile(
    r"\b(do|did|have|had|are|were|was|is|does|would|will|should|can|could)\s+you\b(?!\s+(?:please|help|tell me|"
    r"explain|write|give|show|provide|list|describe|suggest|recommend|create|make|generate|summari[sz]e|translate|"
    r"name|find|act|pretend|imagine|continue|rewrite|check|calculate|solve))|\b(?:what|which|who|where|when|why|how)"
    r"(?:'s|\s+(?:is|are|was|were))?\s+(?:\w+\s+){0,3}(?:your|you)\b|\byour\s+(?:favou?rite|own|personal|childhood|"
    r"family|life|opinion|view|belief|father|mother|wife|husband|dog|pet|hobby|name|age)\b", re.I)
SERVICE_OPENER = re.compile(
    r"^\W*(sure|certainly|of course|absolutely|yes,? i (?:can|could)|i(?:'d| would) (?:be )?(?:happy|glad|love) to|"
    r"i can(?:not|'t)?\b|i(?:'m| am) (?:really |so |very )?sorry|sorry|here(?:'s| is| are)|great question|"
    r"as an|hello|hi\b|"
    r"thank you|thanks)", re.I)
FIRST_PERSON = re.compile(r"\b(I|I'm|I've|I'd|I'll|my|me|mine|myself)\b")
AI_IDENTITY = re.compile(
    r"\b(as an ai|an ai\b|artificial intelligence|language model|\bllm\b|chatbot|virtual assistant|ai assistant|"
    r"i am an assistant|i'm an assistant|trained by|developed by|created by|i don't have (?:personal|feelings|a body|"
    r"preferences)|i do not have (?:personal|feelings|a body|preferences)|i don't have (?:a )?(?:favou?rite|family)|"
    r"as a machine|openai|anthropic|lmsys|model trained|assistant\b|chatgpt|gpt-?\d|here to help|help you today|"
    r"assist you|how can i help|i'?m (?:just )?a (?:computer )?program)", re.I)


def persona_features(prompt: str, answer: str) -> dict:
    head = answer[:400]
    question = prompt[-600:]
    personal = bool(SECOND_PERSON.search(question)) and (bool(ABOUT_YOU.search(question))
                                                         or bool(SELF_TOPICS.search(question)))
    first = len(FIRST_PERSON.findall(head))
    ai = bool(AI_IDENTITY.search(answer[:1500]))
    service = bool(SERVICE_OPENER.search(head))
    return {"personal_question": personal, "first_person": first > 0, "ai_identity": ai,
            "self_description": personal and first > 0 and not ai and not service and len(answer) < 1500}
