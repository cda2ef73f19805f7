"""HTTP-level bounds, applied before strawberry sees a request.

- The body is read here, counting bytes as they stream in (chunked bodies too: the
  64 KiB limit used to be checked on Content-Length only, and a 50 MB chunked body went
  through); past ``max_body_bytes`` the request is refused with 413 and nothing more is
  read.  The body is then replayed to strawberry.
- JSON nested deeper than :data:`MAX_JSON_DEPTH` is refused with 400 before ``json.loads``
  (30,000 nested brackets in ``variables`` gave a RecursionError and a 500).
- :class:`RateLimiter`: a token bucket per bearer token.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive

from graph.i18n import _

MAX_JSON_DEPTH = 64  # a GraphQL request nests a few levels; variables rarely ten
RATE_KEYS = 10_000  # buckets kept; the least recently used goes first


class BodyTooLarge(Exception):
    """The body went past the limit (nothing more of it was read)."""


def refusal(status: int, message: str, code: str,
            headers: dict[str, str] | None = None) -> Response:
    """A refusal in GraphQL's error shape, with the stable code clients branch on."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status, headers=headers)


def too_large(limit: int) -> Response:
    return refusal(413, _("请求体过大：超过 {limit} 字节的上限（也适用于分块传输的请求）",
                          limit=limit), "BODY_TOO_LARGE")


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when the client went away; BodyTooLarge past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the body already read, then waits on the client."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


_JSON_SPECIAL = re.compile(rb'[\[\]{}"\\]')


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (one linear pass over
    the bytes that matter, so malformed input costs no more than well-formed)."""
    depth, in_string, skip = 0, False, -1
    for match in _JSON_SPECIAL.finditer(body):
        at = match.start()
        if at == skip:  # the character after a backslash in a string
            continue
        char = body[at]
        if in_string:
            if char == 0x5C:  # backslash
                skip = at + 1
            elif char == 0x22:  # quote
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in b"[{":
            depth += 1
            if depth > limit:
                return True
        elif char in b"]}":
            depth -= 1
    return False


def too_deep() -> Response:
    return refusal(400, _("请求 JSON 嵌套过深：超过 {limit} 层的上限", limit=MAX_JSON_DEPTH),
                   "JSON_TOO_DEEP")


class RateLimiter:
    """Token buckets keyed by a hash of the bearer token: ``rate`` requests a second,
    ``burst`` at once.  Only valid tokens reach it (the gate checks them first), and at
    most ``keys`` buckets are kept, so forged tokens cannot grow memory.  A rate of 0
    or less turns it off."""

    def __init__(self, rate: float, burst: int, keys: int = RATE_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.keys, self.clock = rate, max(1, burst), keys, clock
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()

    def wait(self, token: str) -> float:
        """0 when a request with ``token`` may go now (and counts it), else the seconds
        until it may."""
        if self.rate <= 0:
            return 0.0
        key = hashlib.sha256(token.encode()).digest()
        now = self.clock()
        level, then = self._buckets.pop(key, (float(self.burst), now))
        level = min(float(self.burst), level + (now - then) * self.rate)
        allowed = level >= 1.0
        self._buckets[key] = (level - 1.0 if allowed else level, now)
        while len(self._buckets) > self.keys:
            self._buckets.popitem(last=False)
        return 0.0 if allowed else (1.0 - level) / self.rate

    def refusal(self, wait: float) -> Response:
        seconds = max(1, math.ceil(wait))
        return refusal(429, _("请求过于频繁：每个令牌每秒最多 {rate} 个请求（可突发 {burst} 个），"
                              "请 {seconds} 秒后再试", rate=f"{self.rate:g}", burst=self.burst,
                              seconds=seconds), "RATE_LIMITED", {"Retry-After": str(seconds)})
