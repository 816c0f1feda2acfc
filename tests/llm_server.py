"""A real local HTTP server that speaks the OpenAI chat-completions protocol and answers from recorded
responses, for the judge tests. Each request is kept (path, headers, exact body)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chat_response(content: str | None = None, refusal: str | None = None) -> dict:
    """A chat-completions response as OpenAI-compatible servers send it."""
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "judge-test",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def verdict(label: str, who: str, confidence: float, era=None, evidence=("r1", "r2"), summary="") -> str:
    return json.dumps({"label": label, "who_or_what": who, "era": era, "confidence": confidence,
                       "evidence": list(evidence), "summary": summary or f"The records describe {who}."})


class LLMServer:
    """``answer(body) -> (status, payload, headers, delay_seconds)``; payload is a dict (sent as JSON) or str."""

    def __init__(self, answer):
        self.answer = answer
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw.decode("utf-8"))
                with server.lock:
                    server.requests.append({"path": self.path, "headers": dict(self.headers), "raw": raw,
                                            "body": body, "time": time.monotonic()})
                status, payload, headers, delay = server.answer(body)
                if delay:
                    time.sleep(delay)
                data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
                data = data.encode("utf-8") if isinstance(data, str) else data
                try:
                    self.send_response(status)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "LLMServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
