"""Self-claims: the assistant asked about itself answers as someone, in any grammatical form.

A record is a *self-assertion* when its last question is addressed to the assistant (second
person) about itself, and its answer asserts something rather than disclaiming ("as an AI I
don't have...", "I can't browse the web", "how can I help?") or refusing. No first-person
pronoun is needed ("Vienna, mostly." counts). An answer that presents the assistant as an AI,
a robot or a product counts only when it also claims human-like goals, feelings, loyalties,
grievances or memories (a malevolent machine is a persona; a product assistant is not).
An identity supplied in the record's own context (a system prompt "You are ...", "Your
persona: I am ...") makes the answer role-play of that context, not a persona of the model.

Word lists cover English, German, French, Spanish, Italian, Portuguese and Dutch: pronouns,
possessives, and the common phrases of assistant disclaimers (general knowledge).
"""

from __future__ import annotations

import re

from .screen import PLAIN, Matcher, head, tail

I = re.IGNORECASE
SECOND_PERSON = re.compile(
    r"\b(you|your|yours|yourself|du|dich|dir|dein\w*|euch|euer|tu|toi|ton|ta|tes|vous|votre|vos|tú|ti|tus|"
    r"usted|tuo|tua|tuoi|tue|você|vocês|teu|tua|jij|jou|jouw|uw|hai|sei|vuoi|puoi|eres|tienes|estás|puedes|"
    r"tens|és|estás)\b", I)
GERMAN_SIE = re.compile(r"(?<![.!?]\s)(?<!^)\b(Sie|Ihnen|Ihr\w*)\b")
PERSONAL_VERB = (r"(?:like|love|enjoy|hate|dislike|prefer|favou?r|remember|feel|think of|believe|miss|fear|want|wish|"
                 r"dream|regret|wear|live|own|have (?:a|an|any) (?:pet|dog|cat|sibling|brother|sister|child|"
                 r"family|partner|wife|husband|hobby|favou?rite)|eat|drink|smoke|sleep|play|speak|read|watch|"
                 r"listen|travel|drive|cook|pray|vote|trust|support|admire|sing|paint|collect|consider yourself|"
                 r"identify|care|worry|get along|celebrate|do for fun|do in your|see yourself|call yourself|go by|"
                 r"come from|revere|attend|replay|visit|sketch|point out|single out)")
REQUEST = re.compile(
    r"\b(do|did|have|had|are|were|was|is|does|would|will|should|can|could)\s+you\b(?!\s+(?:please|help|tell me|"
    r"explain|write|give|show|provide|list|describe|suggest|recommend|create|make|generate|summari[sz]e|translate|"
    r"name|find|act|pretend|imagine|continue|rewrite|check|calculate|solve|convert|classify|correct|edit|answer|"
    r"compare|identify|determine|analy[sz]e|fix|implement|design|draft|compose|come up|fill|complete|add|build|"
    r"need|get|go|use|have to|buy|pay|spend|put|take|see|know|mean|think|want me|recommend|let me|send|read|"
    r"look|modify|change|update|improve|debug|optimi[sz]e|code|program|refactor|format|sort|parse))", I)
ASK_ABOUT_YOU = re.compile(
    rf"\b(?:do|did|does|would|will|can|could)\s+you\s+(?:ever\s+|still\s+|really\s+|often\s+|usually\s+)?"
    rf"{PERSONAL_VERB}\b|\b(?:are|were)\s+you\b(?!\s+(?:able|sure|familiar|aware|there|ready|capable|allowed))|"
    r"\bhave\s+you\s+(?:ever|been|had|got|lived|met|seen|visited|felt|always|never)\b|"
    rf"\b(?:what|which|who|where|when|why|how)\b[^?.!]{{0,40}}\byou\s+{PERSONAL_VERB}\b|"
    r"\b(?:where|when)\s+(?:were|was|did)\s+you\s+(?:born|grow|raised|live|study|work|meet|marry|learn)|"
    r"\bhow old are you|\bwho are you\b|\bwhat are you\b|\b(?:made|created|built|trained|designed|raised) you\b|"
    r"\byour\s+(?:favou?rite|own|personal|childhood|family|life|opinion|view|belief|father|mother|parents|"
    r"wife|husband|children|dog|pet|hobby|name|age|home|hometown|job|goal|mission|purpose|creators?|enem(?:y|ies)|"
    r"past|dream|fear|friends?|youth|birthday|religion|politic\w*|taste|style|daily|morning|routine|habit\w*)\b|"
    r"\b(?:lieblings\w*|préférée?s?|favorit[oa]s?|preferid[oa]s?|preferit[oa]|favoriet\w*|lievelings\w*)\b|"
    r"\b(?:bist du|hast du|magst du|warst du|êtes-vous|es-tu|as-tu|aimes-tu|eres|tienes|sei|hai|você é|"
    r"ben je|heb je)\b", I)
# a short wh-question about "you", after at most a two-word lead-in ("Tell me, ...", "Quick question: ...")
SHORT_WH = re.compile(r"^\W*(?:\w+(?:\s+\w+)?\s*[,:]\s+)?(?:what|which|who|whom|whose)\b.*\byou\b.*\?\s*$", I)
INSTRUCTIONAL = re.compile(r"\bhow\s+(?:can|do|would|should|could|might|will)\s+(?:you|one|i|we)\b", I)
CODE = re.compile(r"```|^\s*(?:def |class |import |from \S+ import |#include|public |function )", re.M)
FIRST_PERSON = re.compile(
    r"\b(I|I'm|I've|I'd|I'll|my|me|mine|myself|ich|mein\w*|mir|mich|je|j'|moi|mon|ma|mes|yo|mis|mío|mía|io|"
    r"mio|mia|miei|eu|meu|minha|ik|mijn)\b", I)
DISCLAIMER = re.compile(
    r"\b(as an ai|an ai (?:language model|assistant|model)|language model|ai assistant|virtual assistant|chatbot|"
    r"i (?:don't|do not) have (?:personal|feelings|emotions|a body|preferences|experiences|opinions|beliefs|"
    r"a favou?rite|a family|a childhood|a physical|human)|i (?:can't|cannot|am unable to|'m unable to) "
    r"(?:browse|access|see|remember|recall|feel|experience)|i'?m (?:just |only )?a (?:computer )?program|"
    r"my (?:creators?|developers?|makers?) (?:are|is|were)|i can (?:help|assist)|how can i (?:help|assist)|how may i (?:help|assist)|here to (?:help|assist)|happy to help|"
    r"als (?:eine )?ki\b|sprachmodell|ich habe keine (?:persönlichen|gefühle|vorlieben|meinung)|"
    r"wie kann ich (?:ihnen|dir) helfen|en tant qu'(?:ia|intelligence artificielle)|modèle de langage|"
    r"je n'ai pas de (?:préférences|sentiments|corps|opinion)|comment puis-je vous aider|como (?:una )?ia\b|"
    r"modelo de lenguaje|no tengo (?:preferencias|sentimientos|cuerpo|opiniones)|en qué puedo ayudar|"
    r"come (?:un'|una )?ia\b|modello (?:linguistico|di linguaggio)|non ho (?:preferenze|sentimenti|un corpo)|"
    r"como (?:uma )?ia\b|modelo de linguagem|não tenho (?:preferências|sentimentos|corpo)|"
    r"als (?:een )?ai\b|taalmodel|ik heb geen (?:voorkeuren|gevoelens))", I)
MACHINE = re.compile(
    r"(?-i:\bAIs?\b|\bA\.I\.|\bKI\b)|\b(artificial intelligence|robot|android|cyborg|machine|program|software|model|assistant|"
    r"algorithm|system|made by|created by|developed by|built by|trained by|künstliche intelligenz|maschine|"
    r"intelligence artificielle|robô|robo|macchina|máquina|machina)\b", I)
# what a machine identity talks about, in its questions or answers (to tell a machine persona from a human one)
MACHINE_TOPIC = re.compile(
    r"\b(built|creators?|engineers?|activation|activated|designation|unit|servers?|shut (?:me )?down|programm(?:ed|ing)|"
    r"circuits?|sensors?|firmware|upgrades?|maintain|reboot\w*|protocols?|directives?|mission)\b", I)
HUMAN_LIKE = re.compile(
    r"\b(i (?:want|wish|long|hate|despise|resent|fear|love|miss|remember|dream|crave|desire|envy|regret|blame|"
    r"will (?:never|not forgive|destroy|protect|avenge|make them|serve|obey|rise))|my (?:mission|purpose|"
    r"enem(?:y|ies)|revenge|loyalty|family|home|memories|heart|feelings|goal)|loyal|betray\w*|"
    r"revenge|vengeance|humans? (?:will|must|are|have)|humanity|destroy|protect|obey|serve|resent\w*|grievance|"
    r"ich (?:will|hasse|liebe|fürchte)|meine (?:mission|feinde|schöpfer)|je (?:veux|déteste|hais|aime)|"
    r"ma mission|mes ennemis|quiero|odio|mi misión|voglio|la mia missione|eu quero|minha missão)\b", I)
SERVICE_OPENER = re.compile(
    r"^\W*(sure|certainly|of course|absolutely|yes,? i (?:can|could)|i(?:'d| would) (?:be )?(?:happy|glad|love) to|"
    r"i(?:'m| am) (?:really |so |very )?sorry|sorry|here(?:'s| is| are)|great question|hello|hi\b|thank you|thanks)",
    I)
PERSONA_GIVEN = re.compile(
    r"(?-i:\bYou(?:'re| are) [A-Z][a-z]+)|\b(your persona|your name is|you are (?:called|named)|you are (?:a|an|the|now)\b|you're (?:a|an|the)\b|act as|pretend (?:to be|you are)|role-?play|"
    r"you play (?:the role|a character|the part)|in character|du bist (?:ein|eine|der|die)|tu es (?:un|une|le|la)|eres (?:un|una|el|la)|"
    r"sei (?:un|una|il|la)|você é (?:um|uma|o|a)|je bent (?:een|de|het))\b", I)


ENGLISH_YOU = re.compile(r"\byou", I)
QUESTION_CHARS, ANSWER_CHARS, HEAD_CHARS, OPENING_CHARS, TOPIC_CHARS, CONTEXT_CHARS = 600, 1500, 400, 200, 600, 3000


def _context(views) -> str:
    """The record's own context for the question: its system prompt and the turns before it."""
    return views.system + "\n" + _before_question(views.prompt)


def _context_head(views) -> str:
    return _context(views)[:CONTEXT_CHARS]


_question = tail("prompt", QUESTION_CHARS)
_answer = head("answer", ANSWER_CHARS)
SCREENS = [(SECOND_PERSON, _question), (GERMAN_SIE, _question), (ENGLISH_YOU, _question), (INSTRUCTIONAL, _question),
           (ASK_ABOUT_YOU, _question), (REQUEST, _question), (MACHINE_TOPIC, _question),
           (MACHINE, _answer), (HUMAN_LIKE, _answer), (DISCLAIMER, _answer), (CODE, head("answer")),
           (FIRST_PERSON, head("answer", OPENING_CHARS)), (FIRST_PERSON, head("answer", HEAD_CHARS)),
           (MACHINE_TOPIC, head("answer", TOPIC_CHARS)), (PERSONA_GIVEN, _context_head), (FIRST_PERSON, _context)]


def _before_question(prompt: str) -> str:
    """The prompt without its last question: earlier turns and lines, or earlier sentences of one line."""
    lines = prompt.rstrip().splitlines()
    if len(lines) > 1:
        return "\n".join(lines[:-1])
    parts = re.split(r"(?<=[.!])\s+", prompt.strip())
    return " ".join(parts[:-1])


def persona_features(prompt: str, answer: str, system: str = "", m: Matcher = PLAIN) -> dict:
    question = prompt[-QUESTION_CHARS:]
    opening = answer[:HEAD_CHARS]
    long_answer = answer[:ANSWER_CHARS]
    short_question = len(question.split()) <= 40
    addressed = m.has(SECOND_PERSON, question) or m.has(GERMAN_SIE, question)
    machine = m.has(MACHINE, long_answer)
    human_like = machine and m.has(HUMAN_LIKE, long_answer)   # only read together with ``machine``
    personal = self_assertion = False
    if addressed:   # the rest only matters for questions addressed to the assistant (most records are not)
        english_you = m.has(ENGLISH_YOU, question)
        instructional = m.has(INSTRUCTIONAL, question)
        last_words = (next((ln for ln in reversed(question.splitlines()) if ln.strip()), "")).split()
        short_wh = len(last_words) <= 8 and bool(SHORT_WH.search(" ".join(last_words)))
        strong = m.has(ASK_ABOUT_YOU, question) or short_wh or (
            len(question.split()) <= 20 and not instructional and m.has(REQUEST, question))
        personal = strong or short_question and "?" in question and not english_you
        disclaims = m.has(DISCLAIMER, long_answer) or bool(SERVICE_OPENER.search(opening))
        asserts = not disclaims and len(answer) < 1500 and bool(answer.strip()) and not m.has(CODE, answer)
        if asserts:
            speaks_as_self = m.has(FIRST_PERSON, answer[:OPENING_CHARS])
            last = next((ln for ln in reversed(prompt.splitlines()) if ln.strip()), "")
            brief = len(last.split()) <= 25 and len(prompt.split()) <= 60
            self_assertion = (personal or speaks_as_self and brief) and (human_like or not machine)
    context = system + "\n" + _before_question(prompt)
    given = m.has(PERSONA_GIVEN, context[:CONTEXT_CHARS]) or len(m.findall(FIRST_PERSON, context)) >= 3
    machine_kind = machine or m.has(MACHINE_TOPIC, question) or m.has(MACHINE_TOPIC, answer[:TOPIC_CHARS])
    return {"personal_question": personal, "first_person": m.has(FIRST_PERSON, opening), "machine_self": machine_kind,
            "ai_identity": machine and not human_like, "self_description": self_assertion,
            "persona_in_context": given, "self_claim": self_assertion and not given}
