"""Operations: JSON logs with a request id, and Prometheus metrics at ``/metrics``.

The middleware wraps the whole ASGI app so every request, GraphQL or not, gets an id
(taken from ``X-Request-ID`` when a proxy set one) that appears in its log line and in
the response headers.  GraphQL operations are timed per operation name by
:class:`OperationMetrics`, a strawberry extension; store round-trips are read from the
store's own counter when metrics are scraped.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from strawberry.extensions import SchemaExtension

from graph.store import Store

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("jinlin")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


log = logging.getLogger("jinlin.http")


class Metrics:
    """The service's metrics, in a registry of its own (tests build several apps)."""

    def __init__(self, store: Store | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("jinlin_http_requests", "HTTP requests",
                                ["method", "path", "status"], registry=self.registry)
        self.latency = Histogram("jinlin_http_request_seconds", "HTTP request latency",
                                 ["path"], registry=self.registry)
        self.operations = Histogram("jinlin_graphql_operation_seconds",
                                    "GraphQL operation latency", ["operation"],
                                    registry=self.registry)
        self.operation_errors = Counter("jinlin_graphql_operation_errors",
                                        "GraphQL operations answered with errors",
                                        ["operation"], registry=self.registry)
        round_trips = Gauge("jinlin_store_round_trips", "Queries sent to the store",
                            registry=self.registry)
        if store is not None:
            round_trips.set_function(lambda: float(store.round_trips))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _known_path(path: str) -> str:
    """Keep metric labels bounded: unknown paths are counted together."""
    return path if path in ("/graphql", "/health", "/metrics") else "other"


def observe(app: ASGIApp, metrics: Metrics) -> ASGIApp:
    """Wrap ``app`` with request ids, JSON access logs, metrics and ``GET /metrics``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = (_header(scope, b"x-request-id") or uuid.uuid4().hex)[:64]
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            if scope["path"] == "/metrics" and scope["method"] == "GET":
                await _send_metrics(metrics, send_with_id)
            else:
                await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            path = _known_path(scope["path"])
            metrics.requests.labels(scope["method"], path, str(status)).inc()
            metrics.latency.labels(path).observe(elapsed)
            log.info("request", extra={"fields": {
                "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round(elapsed * 1000, 2)}})
            REQUEST_ID.reset(token)

    return wrapped


async def _send_metrics(metrics: Metrics, send: Send) -> None:
    body = metrics.exposition()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", CONTENT_TYPE_LATEST.encode())]})
    await send({"type": "http.response.body", "body": body})


def operation_metrics(metrics: Metrics) -> type[SchemaExtension]:
    """A strawberry extension class timing each operation under its name."""

    class OperationMetrics(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            name = self.execution_context.operation_name or "anonymous"
            metrics.operations.labels(name[:64]).observe(time.perf_counter() - started)
            result = self.execution_context.result
            if result is not None and getattr(result, "errors", None):
                metrics.operation_errors.labels(name[:64]).inc()

    return OperationMetrics
