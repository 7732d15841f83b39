"""Bearer-token authentication, the per-token rate limit, and the request limits (RELIABILITY.md, "HTTP API").

- :class:`BodyLimitMiddleware`: 413 when a request body exceeds the limit,
  counted while the body is read (a lying or missing ``Content-Length`` does
  not help); the body is then replayed to the app.
- :class:`SecurityHeadersMiddleware`: Content-Security-Policy (no inline
  script, nothing from elsewhere), ``X-Content-Type-Options``,
  ``Referrer-Policy``, ``X-Frame-Options`` on every answer.
- :func:`check_json_shape`: 422 for JSON nested too deeply (checked on the
  text before parsing, so the parser never recurses) or with too many items.
- :class:`RateLimiter`: a token bucket per API token; 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

__all__ = ["CSP", "BodyLimitMiddleware", "JsonShapeError", "RateLimiter", "SecurityHeadersMiddleware",
           "check_json_shape", "json_depth"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
"""The Content-Security-Policy of every answer."""

_HEADERS = [
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


async def _send_error(send: Any, status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """ASGI middleware: refuse request bodies larger than ``max_bytes`` with 413.

    The body is read (up to the limit plus one byte) before the app runs, and
    replayed to it; ``Content-Length`` above the limit is refused at once.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"request body larger than {self.max_bytes} bytes"
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _send_error(send, 400, "malformed Content-Length header")
                    return
                if declared > self.max_bytes:
                    await _send_error(send, 413, too_big)
                    return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_error(send, 413, too_big)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeadersMiddleware:
    """ASGI middleware: add the security headers (:data:`CSP` and friends) to every HTTP answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {n.lower() for n, _ in message.get("headers", ())}
                message = dict(message)
                message["headers"] = list(message.get("headers", ())) + [h for h in _HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


class JsonShapeError(ValueError):
    """JSON that is nested too deeply or has too many items."""


def json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in JSON text, found without parsing (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def check_json_shape(text: str, *, max_depth: int, max_items: int) -> Any:
    """Parse JSON text after checking its depth, then check the size of every array and object.

    Returns:
        The parsed value.

    Raises:
        JsonShapeError: nested deeper than ``max_depth`` or an array/object with
            more than ``max_items`` items.
        ValueError: not valid JSON (``json.JSONDecodeError``).
    """
    depth = json_depth(text)
    if depth > max_depth:
        raise JsonShapeError(f"JSON nested {depth} levels deep; the limit is {max_depth}")
    value = json.loads(text)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, dict)):
            if len(item) > max_items:
                kind = "array" if isinstance(item, list) else "object"
                raise JsonShapeError(f"JSON {kind} with {len(item)} items; the limit is {max_items}")
            stack.extend(item.values() if isinstance(item, dict) else item)
    return value


class RateLimiter:
    """Token bucket per key (API token id), in memory, thread-safe.

    Args:
        capacity: burst size.
        per_second: refill rate.
        clock: monotonic clock (a seam for tests).
    """

    def __init__(self, capacity: float, per_second: float, clock: Any = time.monotonic) -> None:
        self.capacity = float(capacity)
        self.per_second = float(per_second)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """Spend one request of ``key``'s bucket.

        Returns:
            0 when allowed; otherwise the whole seconds to wait (``Retry-After``, at least 1).
        """
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
            if self.per_second <= 0:
                return 3600
            return max(1, math.ceil((1.0 - tokens) / self.per_second))
