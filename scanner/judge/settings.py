"""Judge settings: ``--judge URL`` / ``[tool.poisonscan.judge]``, validated once, before any work."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from urllib.parse import urlparse

from ..errors import ConfigError

MODES = ("raise", "explain")


@dataclass(frozen=True)
class JudgeSettings:
    url: str
    model: str
    api_key_env: str | None = None      # the API key is read from this environment variable, never from a file
    max_records: int = 20               # records sent per finding (a seeded sample of its members)
    timeout: float = 60.0               # seconds per request
    concurrency: int = 2                # requests in flight
    requests_per_minute: float = 0.0    # 0: no limit
    retries: int = 2                    # retries after HTTP 429 / 5xx (Retry-After honoured, at most 30 s)
    mode: str = "raise"                 # raise: a confident, concrete label raises a finding one level; explain
    threshold: float = 0.7              # least confidence for raising a finding or labelling a bundle (PC901)
    lows: int = 0                       # also judge the strongest N low/info findings
    unexplained: bool = True            # judge PC102 lows; persona/era/conditional labels become PC901 findings
    max_findings: int = 50              # most findings judged per scan
    log: str | None = None              # append every exact request body (and the status) to this JSONL file

    @classmethod
    def from_dict(cls, table: dict) -> "JudgeSettings | None":
        """None when no URL is configured (the judge is off)."""
        table = {k.replace("-", "_"): v for k, v in (table or {}).items()}
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ConfigError(f"judge: unknown key '{unknown[0].replace('_', '-')}' (allowed: "
                              f"{', '.join(sorted(k.replace('_', '-') for k in known))})")
        if not table.get("url"):
            return None
        if not table.get("model"):
            raise ConfigError("judge: name the model the endpoint serves (--judge-model NAME, or model = \"...\" "
                              "under [tool.poisonscan.judge])")
        for name, value in table.items():
            default = known[name].default
            want = str if default is None or isinstance(default, type(MISSING)) else type(default)
            if want is float and isinstance(value, int) and not isinstance(value, bool):
                table[name] = value = float(value)
            if not isinstance(value, want) or (isinstance(value, bool) and want is not bool):
                article = "an" if want.__name__[0] in "aeiou" else "a"
                raise ConfigError(f"judge: '{name.replace('_', '-')}' must be {article} {want.__name__}, "
                                  f"got {type(value).__name__}")
        s = cls(**table)
        url = urlparse(s.url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ConfigError(f"judge: '{s.url}' is not an http(s) URL of an OpenAI-compatible endpoint")
        if s.mode not in MODES:
            raise ConfigError(f"judge: mode must be {' or '.join(MODES)} (got '{s.mode}')")
        for name in ("max_records", "concurrency", "max_findings"):
            if getattr(s, name) < 1:
                raise ConfigError(f"judge: '{name.replace('_', '-')}' must be at least 1")
        if s.timeout <= 0 or s.requests_per_minute < 0 or s.retries < 0 or s.lows < 0:
            raise ConfigError("judge: timeout must be positive; requests-per-minute, retries and lows not negative")
        if not 0.0 <= s.threshold <= 1.0:
            raise ConfigError("judge: threshold must be between 0 and 1")
        return s

    @property
    def endpoint(self) -> str:
        """The chat-completions URL: given as is, or appended to a base URL (``.../v1`` or a server root)."""
        base = self.url.rstrip("/")
        if base.endswith("/chat/completions"):
            return base
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
