"""A Slack stand-in on loopback: chat.postMessage and incoming webhooks, with Slack's limits.

It enforces the documented limits (50 blocks, 3,000 characters per section
text, 150 per header, one message per second per channel) and answers a
violation of the rate with 429 and Retry-After, as Slack does. Messages over
the limits are recorded in `violations` and refused with invalid_blocks.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.servers import RecordingServer, Reply, Request


@dataclass
class SlackPeer:
    server: RecordingServer
    token: str = "xoxb-test-token-123"
    interval_s: float = 1.0
    extra_429: int = 0  # answer this many first requests with 429 regardless
    messages: list[dict[str, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    ratelimited: int = 0
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> SlackPeer:
        self.server.routes["/api/chat.postMessage"] = self.post_message
        self.server.routes["/services/T0/B0/hook"] = self.incoming_webhook
        return self

    def _limits(self, msg: dict[str, Any]) -> list[str]:
        out = []
        blocks = msg.get("blocks", [])
        if len(blocks) > 50:
            out.append(f"{len(blocks)} blocks")
        for b in blocks:
            text = (b.get("text") or {}).get("text", "")
            if b["type"] == "section" and len(text) > 3000:
                out.append(f"section of {len(text)} chars")
            if b["type"] == "header" and len(text) > 150:
                out.append(f"header of {len(text)} chars")
        return out

    def _accept(self, where: str, msg: dict[str, Any]) -> Reply | None:
        with self._lock:
            now = time.monotonic()
            if self.extra_429 > 0 or now - self._last.get(where, -1e9) < self.interval_s:
                self.extra_429 = max(0, self.extra_429 - 1)
                self.ratelimited += 1
                return Reply(429, b"rate limited", {"retry-after": "1"})
            bad = self._limits(msg)
            if bad:
                self.violations += bad
                return Reply(200, json.dumps({"ok": False, "error": "invalid_blocks"}).encode())
            self._last[where] = now
            msg["ts"] = f"{1700000000 + len(self.messages)}.000100"
            self.messages.append(msg)
            return None

    def post_message(self, req: Request) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(200, b'{"ok": false, "error": "invalid_auth"}')
        msg = json.loads(req.body)
        refused = self._accept(msg["channel"], msg)
        if refused:
            return refused
        body = {"ok": True, "channel": msg["channel"], "ts": msg["ts"]}
        return Reply(200, json.dumps(body).encode(), {"content-type": "application/json"})

    def incoming_webhook(self, req: Request) -> Reply:
        msg = json.loads(req.body)
        return self._accept("hook", msg) or Reply(200, b"ok")
