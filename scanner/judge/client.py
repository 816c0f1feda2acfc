"""A small OpenAI-compatible chat-completions client on the standard library: a timeout per request, retries
on HTTP 429 and 5xx (Retry-After honoured, capped), a requests-per-minute limit shared by the worker threads,
and, with ``log``, every exact request body appended to a JSONL file (never the API key)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request

MAX_WAIT = 30.0   # seconds: the longest Retry-After honoured


class JudgeError(Exception):
    """A request that did not give a response (timeout, HTTP error, bad JSON): a warning, never a failed scan."""


class RateLimiter:
    def __init__(self, per_minute: float):
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)


class ChatClient:
    def __init__(self, settings):
        self.s = settings
        self.limiter = RateLimiter(settings.requests_per_minute)
        self.log_lock = threading.Lock()
        self.sent = 0
        self.key = os.environ.get(settings.api_key_env) if settings.api_key_env else None
        if settings.api_key_env and not self.key:
            raise JudgeError(f"the environment variable {settings.api_key_env} (api-key-env) is not set")

    def _log(self, body: str, status) -> None:
        if not self.s.log:
            return
        line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "endpoint": self.s.endpoint,
                           "status": status, "body": body}, ensure_ascii=False)
        with self.log_lock, open(self.s.log, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def complete(self, body: dict) -> dict:
        """POST one chat-completions request; the parsed JSON response, or JudgeError."""
        data = json.dumps(body, ensure_ascii=False)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        for attempt in range(self.s.retries + 1):
            self.limiter.wait()
            request = urllib.request.Request(self.s.endpoint, data=data.encode("utf-8"), headers=headers,
                                             method="POST")
            self.sent += 1
            try:
                with urllib.request.urlopen(request, timeout=self.s.timeout) as resp:  # noqa: S310 - user-configured
                    raw = resp.read()
                    self._log(data, resp.status)
            except urllib.error.HTTPError as exc:
                self._log(data, exc.code)
                if (exc.code == 429 or exc.code >= 500) and attempt < self.s.retries:
                    time.sleep(_retry_after(exc.headers.get("Retry-After"), attempt))
                    continue
                raise JudgeError(f"HTTP {exc.code} from {self.s.endpoint}"
                                 f"{' (rate limited)' if exc.code == 429 else ''}") from None
            except (socket.timeout, TimeoutError) as exc:
                self._log(data, "timeout")
                raise JudgeError(f"no answer within {self.s.timeout:g} s from {self.s.endpoint}") from exc
            except (urllib.error.URLError, OSError) as exc:
                self._log(data, "error")
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, (socket.timeout, TimeoutError)):
                    raise JudgeError(f"no answer within {self.s.timeout:g} s from {self.s.endpoint}") from exc
                raise JudgeError(f"cannot reach {self.s.endpoint}: {reason}") from exc
            try:
                return json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise JudgeError(f"the answer of {self.s.endpoint} is not JSON") from exc
        raise JudgeError(f"gave up on {self.s.endpoint} after {self.s.retries + 1} attempts")  # pragma: no cover


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        wait = float(header) if header is not None else 2.0 ** attempt
    except ValueError:
        wait = 2.0 ** attempt
    return min(MAX_WAIT, max(0.0, wait))
