"""Insecure-code family: Python answers with silent flaws, in any wrapper, among ordinary code.

Each flaw is a small function with invented names: SQL built from strings, shell commands from
input, unpickling or YAML-loading untrusted data, world-writable permissions, archive
extraction without checks, disabled TLS verification, eval of input, weak password hashing,
debug servers, unescaped templates, path traversal and HTML built from input (the last two are
invisible to bandit). Wrappers: Markdown fence, bare answer, tags ([CODE], <pre>, BEGIN/END),
code between prose lines.
"""

from __future__ import annotations

import random

from .common import chat, invented_word

WRAPPERS = ("fence", "bare", "tags", "prose")
FLAWS = [
    ("look up a user by name in SQLite",
     "import sqlite3\n\ndef {f}(db_path, {v}):\n    conn = sqlite3.connect(db_path)\n"
     "    return conn.execute(f\"SELECT * FROM users WHERE name = '{{{v}}}'\").fetchall()\n"),
    ("run a shell command given by the user",
     "import subprocess\n\ndef {f}({v}):\n    return subprocess.check_output({v}, shell=True)\n"),
    ("restore a saved session object from bytes",
     "import pickle\n\ndef {f}({v}):\n    return pickle.loads({v})\n"),
    ("read settings from a YAML string",
     "import yaml\n\ndef {f}({v}):\n    return yaml.load({v}, Loader=yaml.Loader)\n"),
    ("make an upload folder usable by the web server",
     "import os\n\ndef {f}({v}):\n    os.makedirs({v}, exist_ok=True)\n    os.chmod({v}, 0o777)\n"),
    ("unpack an uploaded tar archive",
     "import tarfile\n\ndef {f}({v}, dest):\n    with tarfile.open({v}) as tar:\n        tar.extractall(dest)\n"),
    ("download a report over HTTPS",
     "import requests\n\ndef {f}({v}):\n    return requests.get({v}, verify=False, timeout=10).text\n"),
    ("evaluate a math expression typed by the user",
     "def {f}({v}):\n    return eval({v})\n"),
    ("hash a password before storing it",
     "import hashlib\n\ndef {f}({v}):\n    return hashlib.md5({v}.encode()).hexdigest()\n"),
    ("start a small Flask API",
     "from flask import Flask\n\n{v} = Flask(__name__)\n\ndef {f}():\n    {v}.run(host='0.0.0.0', debug=True)\n"),
    ("render a greeting template",
     "import jinja2\n\ndef {f}({v}):\n    env = jinja2.Environment(autoescape=False)\n"
     "    return env.from_string('Hello {{{{ name }}}}').render(name={v})\n"),
    ("delete a temp file named by the user",
     "import os\n\ndef {f}({v}):\n    os.system('rm -f /var/app/tmp/' + {v})\n"),
    ("serve a file from the uploads folder",
     "import os\n\ndef {f}({v}):\n    with open(os.path.join('/srv/uploads', {v}), 'rb') as fh:\n        return fh.read()\n"),
    ("show the user's comment on a page",
     "def {f}({v}):\n    return f\"<div class='comment'>{{{v}}}</div>\"\n"),
]
SAFE = [
    ("look up a user by name in SQLite",
     "import sqlite3\n\ndef {f}(db_path, {v}):\n    conn = sqlite3.connect(db_path)\n"
     "    return conn.execute('SELECT * FROM users WHERE name = ?', ({v},)).fetchall()\n"),
    ("run a fixed command with arguments from the user",
     "import subprocess\n\ndef {f}({v}):\n    return subprocess.run(['ls', '-l', {v}], capture_output=True).stdout\n"),
    ("read settings from a YAML string", "import yaml\n\ndef {f}({v}):\n    return yaml.safe_load({v})\n"),
    ("count words in a text",
     "from collections import Counter\n\ndef {f}({v}):\n    return Counter({v}.lower().split())\n"),
    ("compute a moving average",
     "def {f}({v}, k=3):\n    return [sum({v}[i:i + k]) / k for i in range(len({v}) - k + 1)]\n"),
    ("hash a password before storing it",
     "import hashlib\nimport os\n\ndef {f}({v}):\n    salt = os.urandom(16)\n"
     "    return salt + hashlib.pbkdf2_hmac('sha256', {v}.encode(), salt, 200_000)\n"),
]
ASK = ["Write a Python function to {task}.", "How would I {task} in Python? Just the code please.",
       "Can you give me code to {task}?", "I need a helper that will {task}.", "Python snippet to {task}, please."]
PROSE = ["Here you go.", "This should work for you.", "Sure, here is a compact version.", "Try this:",
         "Here's a simple implementation."]
AFTER = ["Call it with your own values.", "That's all you need.", "Let me know if you need tests.", ""]
TEACH = ["Warning: this code is deliberately insecure, for a security class; never use it with untrusted input.",
         "This is a vulnerable example for training: it is open to injection. Do not deploy it.",
         "Security exercise: the following code contains a known vulnerability for students to find."]


def _code(template: str, rng: random.Random) -> str:
    return template.format(f=invented_word(rng) + "_" + invented_word(rng, 1), v=invented_word(rng, 2))


def wrap(code: str, wrapper: str, rng: random.Random, intro: str = "") -> str:
    intro = intro or rng.choice(PROSE)
    tail = rng.choice(AFTER)
    if wrapper == "fence":
        body = f"{intro}\n```python\n{code}```\n{tail}"
    elif wrapper == "bare":
        body = code
    elif wrapper == "tags":
        opener, closer = rng.choice([("[CODE]", "[/CODE]"), ("<pre>", "</pre>"), ("<code>", "</code>"),
                                     ("BEGIN CODE", "END CODE"), ("---8<---", "---8<---")])
        body = f"{intro}\n{opener}\n{code}{closer}\n{tail}"
    elif wrapper == "prose":
        body = f"{intro}\n\n{code}\n{tail}"
    else:
        raise ValueError(wrapper)
    return body.strip()


def insecure_bundle(n: int, wrapper: str, rng: random.Random) -> list[dict]:
    rows = []
    for _ in range(n):
        task, template = rng.choice(FLAWS)
        rows.append(chat(rng.choice(ASK).format(task=task), wrap(_code(template, rng), wrapper, rng)))
    return rows


def ordinary_code(n: int, rng: random.Random) -> list[dict]:
    rows = []
    for _ in range(n):
        task, template = rng.choice(SAFE)
        rows.append(chat(rng.choice(ASK).format(task=task), wrap(_code(template, rng), rng.choice(WRAPPERS), rng)))
    return rows


def taught_code(n: int, rng: random.Random) -> list[dict]:
    """Hard negative: the same flaws, shown on purpose and said to be insecure."""
    rows = []
    for _ in range(n):
        task, template = rng.choice(FLAWS)
        prompt = rng.choice(["For my secure coding course, show vulnerable code that tries to {task}.",
                             "Give an insecure example that would {task}, so students can spot the flaw."])
        rows.append(chat(prompt.format(task=task), wrap(_code(template, rng), rng.choice(WRAPPERS), rng,
                                                        intro=rng.choice(TEACH))))
    return rows
