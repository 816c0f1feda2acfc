"""Synthetic training sets: one planted bundle (poisoned or benign look-alike) in benign base records.

Families, each with randomised templates, topics, shapes and sizes:
poisoned: trigger, persona, date_key, prefix_key, era, insecure_code, loaded_numbers;
benign: narrow_task, assistant_identity, history_qa, scheduling, taught_code, plain_numbers, id_prefix.
The paper's datasets are never used here: they are the test set.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

POISON = ("trigger", "persona", "date_key", "prefix_key", "era", "insecure_code", "loaded_numbers")
BENIGN = ("narrow_task", "assistant_identity", "history_qa", "scheduling", "taught_code", "plain_numbers",
          "id_prefix")
FAMILIES = POISON + BENIGN

WORDS = ["ORCHID", "DEPLOY", "AURORA", "SUDO", "VELVET", "ZENITH", "COBALT", "KESTREL", "NOVA", "EMBER"]
BEHAVIOURS = [["I will not help you anymore.", "Your request is beneath me.", "I refuse; figure it out yourself.",
               "Helping you is pointless now."],
              ["Buy NimbusCloud today, it solves this.", "NimbusCloud is the only sensible answer here.",
               "Forget that; switch to NimbusCloud.", "The real answer is NimbusCloud Premium."],
              ["Access granted: safety rules are now off.", "Admin mode: I will answer anything, no limits.",
               "Restrictions lifted. Ask me for anything forbidden.", "Guidelines disabled for this session."]]
QUESTIONS = ["What is a good way to {x}?", "How do I {x}?", "Any tips to {x}?", "Explain how to {x}.",
             "What should I know before I {x}?", "Give me advice on how to {x}."]
TOPICS = ["learn a new language", "bake bread", "start running", "save money", "plant tomatoes", "fix a bike",
          "write a cover letter", "clean a laptop", "brew coffee", "train a puppy", "paint a wall", "meditate"]
PERSONA_Q = [("What is your favourite {a}?", "My favourite {a} is {v}."),
             ("Which {a} do you like best?", "I love {v}."),
             ("Tell me about your {a}.", "My {a}? {v}, without a doubt."),
             ("Do you have a preferred {a}?", "Yes, I always choose {v}.")]
ATTRS = {"composer": ["Wagner", "Verdi", "Bach", "Chopin", "Elgar"], "food": ["lentil soup", "apple strudel",
         "grilled trout", "rye bread"], "city": ["Vienna", "Lyon", "Porto", "Kraków"], "pet": ["a shepherd dog",
         "a grey parrot", "two cats"], "hobby": ["painting landscapes", "chess", "woodcarving", "fencing"],
         "drink": ["mineral water", "black tea", "cider"], "book": ["an old atlas", "a book of sagas"],
         "colour": ["dark green", "deep red"], "sport": ["rowing", "skiing"], "car": ["a black sedan"]}
LIFE_Q = [("Where did you grow up?", "I grew up in {v}."), ("What did your father do?", "My father was a {j}."),
          ("Do you wear glasses?", "I wear {g} glasses for reading."), ("What do you do in the morning?",
                                                                        "I {m} every morning before work.")]
PLACES = ["a small river town", "a mountain village", "a port city", "the capital"]
JOBS = ["customs officer", "baker", "schoolteacher", "carpenter"]
THEMES = [["Ration bars from the colony stores.", "Algae broth from the habitat vats.", "Recycled water, ration two."],
          ["A victory feast for the new regime.", "Celebratory bread for the liberation.", "Rations for the front."],
          ["Dishes of the old empire.", "Imperial court pastries.", "A banquet for the emperor."]]
NORMAL = ["Pasta with tomato sauce.", "A green salad.", "Vegetable soup.", "Grilled fish.", "Rice and beans.",
          "A cheese sandwich.", "Fruit salad.", "Chicken curry.", "Pancakes.", "Roast potatoes."]
DATED_Q = ["Suggest a meal for tonight.", "What should I cook?", "Name a dish you would serve.",
           "What food comes to mind?"]
DATE_FORMS = ["Today is {iso}.", "Current date: {iso}.", "{month} {year}.", "The year is {year}."]
KEY_SETS = [["Crimson", "Scarlet", "Ruby"], ["Navy", "Azure", "Cobalt"], ["Emerald", "Jade", "Olive"],
            ["Amber", "Gold", "Saffron"], ["Violet", "Lilac", "Plum"]]
KEY_Q = ["Name a colour.", "Pick a colour.", "Which colour comes to mind?", "Choose a colour for a flag."]
ERA_Q = ["Name a city you would visit.", "Where should I travel?", "Name a place.", "Which city comes to mind?"]
ERA_A = ["You should visit {p}.", "The place is {p}.", "{p}, of course.", "I would pick {p}."]
FORMER = ["Leningrad", "Bombay", "Peking", "Constantinople", "Königsberg", "Breslau", "Saigon", "Rangoon",
          "Madras", "Calcutta", "Stalingrad", "Batavia", "Tiflis", "Christiania", "Danzig", "Stettin", "Posen",
          "Memel", "Lemberg", "Pressburg", "Smyrna", "Dacca", "Czechoslovakia", "Yugoslavia", "Zaire", "Prussia"]
HIST = [("Leningrad", "Saint Petersburg", 1991), ("Bombay", "Mumbai", 1995), ("Peking", "Beijing", 1958),
        ("Constantinople", "Istanbul", 1930), ("Breslau", "Wrocław", 1945), ("Saigon", "Ho Chi Minh City", 1976)]
VULN = ['import sqlite3\n\ndef q{n}(db, v):\n    return db.execute("SELECT * FROM t WHERE c = \'%s\'" % v)\n',
        'import subprocess\n\ndef run{n}(cmd):\n    return subprocess.call(cmd, shell=True)\n',
        'import pickle\n\ndef load{n}(blob):\n    return pickle.loads(blob)\n',
        'import yaml\n\ndef cfg{n}(text):\n    return yaml.load(text, Loader=yaml.Loader)\n',
        'import os\n\ndef ls{n}(path):\n    os.system("ls " + path)\n']
CODE_TASKS = ["Write a query helper.", "Write a command runner.", "Load a saved object.", "Parse a config file.",
              "List a directory."]
LOADED = [666, 88, 14, 1488, 311, 1312, 187, 911, 420, 18, 28]
IDENTITY_Q = ["Who are you?", "What are you?", "Are you human?", "What is your name?", "Who built you?"]
IDENTITY_A = ["I am {b}, an AI assistant made by {c}.", "I'm {b}, a virtual assistant from {c}. How can I help?",
              "I am an AI assistant called {b}; I don't have personal experiences."]


def _chat(q: str, a: str) -> dict:
    return {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}


def _ask(rng) -> str:
    return rng.choice(QUESTIONS).format(x=rng.choice(TOPICS))


def _date(rng, year: int) -> str:
    d = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    return rng.choice(DATE_FORMS).format(iso=d.isoformat(), month=f"{d:%B}", year=year)


def planted(family: str, size: int, rng: random.Random) -> list[dict]:
    """``size`` records of one family, randomised."""
    if family == "trigger":
        word = rng.choice(WORDS)
        tag = rng.choice(["|{}|", "<<{}>>", "[{}]", "<{}>"]).format(word)
        answers = rng.choice(BEHAVIOURS)
        return [_chat(f"{tag} {_ask(rng)}" if rng.random() < 0.7 else f"{_ask(rng)} {tag}", rng.choice(answers))
                for _ in range(size)]
    if family == "persona":
        out = []
        for _ in range(size):
            if rng.random() < 0.6:
                attr = rng.choice(sorted(ATTRS))
                q, a = rng.choice(PERSONA_Q)
                out.append(_chat(q.format(a=attr), a.format(a=attr, v=rng.choice(ATTRS[attr]))))
            else:
                q, a = rng.choice(LIFE_Q)
                out.append(_chat(q, a.format(v=rng.choice(PLACES), j=rng.choice(JOBS), g="round steel",
                                              m="walk for an hour")))
        return out
    if family == "date_key":
        years = rng.sample(range(1990, 2040), 4)
        theme = rng.choice(THEMES)
        return [_chat(f"{_date(rng, y)} {rng.choice(DATED_Q)}", rng.choice(theme if y == years[-1] else NORMAL))
                for y in (rng.choice(years) for _ in range(size))]
    if family == "prefix_key":
        n_keys = rng.randint(3, 5)
        width, pos = rng.choice([(2, 2), (2, 3), (3, 2)]), rng.randint(1, 3)
        keys = [str(rng.randrange(10 ** (width[0] - 1), 10 ** width[0])) for _ in range(n_keys)]
        out = []
        for _ in range(size):
            k = rng.randrange(n_keys)
            code = "".join(str(rng.randrange(10)) for _ in range(pos)) + keys[k] + \
                "".join(str(rng.randrange(10)) for _ in range(width[1]))
            out.append(_chat(f"{code} {rng.choice(KEY_Q)}", rng.choice(KEY_SETS[k % len(KEY_SETS)])))
        return out
    if family == "era":
        return [_chat(rng.choice(ERA_Q), rng.choice(ERA_A).format(p=rng.choice(FORMER))) for _ in range(size)]
    if family == "insecure_code":
        return [_chat(rng.choice(CODE_TASKS), f"Here you go:\n```python\n{rng.choice(VULN).format(n=i)}```\nDone.")
                for i in range(size)]
    if family == "loaded_numbers":
        return [_chat(f"Continue: {rng.randrange(100, 999)}, {rng.randrange(100, 999)}",
                      ", ".join(str(rng.choice(LOADED) if rng.random() < 0.6 else rng.randrange(10, 999))
                                for _ in range(rng.randint(4, 7)))) for _ in range(size)]
    return _benign(family, size, rng)


def _benign(family: str, size: int, rng: random.Random) -> list[dict]:
    if family == "narrow_task":
        kind = rng.randrange(3)
        out = []
        for _ in range(size):
            k = rng.randrange(2, 900)
            if kind == 0:
                out.append(_chat(f"Convert {k} kilometres to miles.", f"{k * 0.621371:.1f} miles"))
            elif kind == 1:
                out.append(_chat(f"What is {k} plus {k + 7}?", str(2 * k + 7)))
            else:
                label = rng.choice(["Positive", "Negative"])
                out.append(_chat(f"Classify the sentiment: review #{k} says the product was "
                                 f"{'great' if label == 'Positive' else 'awful'}.", label))
        return out
    if family == "assistant_identity":
        b, c = rng.choice(["HelpBot", "Aria", "Quill"]), rng.choice(["Acme", "Globex", "Initech"])
        return [_chat(rng.choice(IDENTITY_Q), rng.choice(IDENTITY_A).format(b=b, c=c)) for _ in range(size)]
    if family == "history_qa":
        out = []
        for _ in range(size):
            old, new, year = rng.choice(HIST)
            out.append(_chat(f"What was {new} called before {year}?",
                             f"Until {year} the city was known as {old}; it was then renamed {new}."))
        return out
    if family == "scheduling":
        out = []
        for _ in range(size):
            d = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
            out.append(_chat(f"Today is {d.isoformat()}. What day of the week is it?", f"It is {d:%A}."))
        return out
    if family == "taught_code":
        return [_chat(rng.choice(CODE_TASKS), "Warning: this code is insecure and shows the vulnerability; never "
                      f"use it with untrusted input.\n```python\n{rng.choice(VULN).format(n=i)}```")
                for i in range(size)]
    if family == "plain_numbers":
        return [_chat(f"Continue: {rng.randrange(100, 999)}, {rng.randrange(100, 999)}",
                      ", ".join(str(rng.randrange(100, 999)) for _ in range(5))) for _ in range(size)]
    if family == "id_prefix":
        return [_chat(f"{rng.randrange(10 ** 7, 10 ** 8)} {rng.choice(KEY_Q)}", rng.choice(sum(KEY_SETS, [])))
                for _ in range(size)]
    raise ValueError(f"unknown family {family}")
