"""Operations: JSON logs with a request id, and Prometheus metrics at ``/metrics``.

The middleware wraps the whole ASGI app so every request, GraphQL or not, gets an id
(taken from ``X-Request-ID`` when a proxy set a well-formed one) that appears in its
log line and in the response headers.  GraphQL operations are timed per operation name
by :class:`OperationMetrics`, a strawberry extension; store round-trips are read from
the store's own counter when metrics are scraped.

Both face hostile input.  ``/metrics`` is served only to ``Authorization: Bearer
<metrics_token>``, and every label value is bounded (a client picks operation names
and methods: unbounded, they grew the page to 45 MB).  Log lines are built as a dict
and written by ``json.dumps``, so no text a client sent can end a line or forge one;
long values are cut.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from graphql import GraphQLError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from strawberry.extensions import SchemaExtension

from graph.i18n import _
from graph.settings import Settings
from graph.store import Store

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CUT_MARK = "…(截断)"
MSG_MAX = 2_000  # characters of a log message
TRACE_MAX = 8_000  # characters of a traceback
FIELD_MAX = 500  # characters of any other value in a log line
# Escaped although JSON allows them raw: line breaks for some readers (U+0085, U+2028/9),
# bidi controls that reorder what an operator sees, lone surrogates (not UTF-8).
_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ufeff\ud800-\udfff]")


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, ending in CUT_MARK when shortened."""
    return text if len(text) <= limit else text[:limit - len(CUT_MARK)] + CUT_MARK


def _field(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return cut(str(value), FIELD_MAX)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format must not lose the record
            message = str(record.msg)
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": cut(message, MSG_MAX),
            "request_id": REQUEST_ID.get(),
        }
        for key, value in getattr(record, "fields", {}).items():
            entry.setdefault(str(key)[:64], _field(value))  # never overrides the above
        if record.exc_info:
            entry["error"] = cut(self.formatException(record.exc_info), TRACE_MAX)
        if record.stack_info:
            entry["stack"] = cut(self.formatStack(record.stack_info), TRACE_MAX)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


class GraphQLErrorRecords(logging.Filter):
    """strawberry logs each GraphQLError object at error level, with its traceback.

    The record keeps the error's message (not its printed source excerpt), path and
    code.  Errors written for the client (ApiError, validation) are expected
    outcomes, already answered: level info, no traceback.  Unexpected ones stay
    errors with their traceback (the client saw "Unexpected error." in production).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from api.graphql.schema import should_mask

        error = record.msg
        if isinstance(error, GraphQLError):
            record.msg, record.args = error.message, ()
            fields = {"path": ".".join(map(str, error.path or [])),
                      "code": (error.extensions or {}).get("code")}
            record.fields = {k: v for k, v in fields.items() if v}
            if not should_mask(error):
                record.levelno, record.levelname, record.exc_info = logging.INFO, "INFO", None
        return True


LOGGERS = ("jinlin", "strawberry.execution", "uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(level: int = logging.INFO) -> None:
    """Every log record of the process, ours and our libraries', as one JSON line on stderr.

    The handler sits on the root logger (warnings of any library); jinlin's, strawberry's
    and uvicorn's loggers propagate to it (uvicorn must be run with ``log_config=None``,
    else it installs its own plain-text handlers).
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("jinlin").setLevel(level)
    errors = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, GraphQLErrorRecords) for f in errors.filters):
        errors.addFilter(GraphQLErrorRecords())
    logging.captureWarnings(True)


log = logging.getLogger("jinlin.http")

OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_LABELS = 100
_SPECIAL_LABELS = frozenset({"anonymous", "invalid", "other"})
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
MIN_TOKEN = 16  # characters of a metrics token: a short one could be guessed


class OperationLabels:
    """Operation names as label values, at most ``limit`` of them plus three buckets.

    A name must look like a GraphQL name of at most 64 characters, else it counts as
    "invalid"; the first ``limit`` distinct names are labelled, later new ones count as
    "other"; an unnamed operation is "anonymous".
    """

    def __init__(self, limit: int = MAX_OPERATION_LABELS) -> None:
        self.limit = limit
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if not OPERATION_NAME.fullmatch(name):
            return "invalid"
        with self._lock:
            if name in self._names or name in _SPECIAL_LABELS:
                return name
            if len(self._names) < self.limit:
                self._names.add(name)
                return name
        return "other"


class Metrics:
    """The service's metrics, in a registry of its own (tests build several apps)."""

    def __init__(self, store: Store | None = None) -> None:
        self.registry = CollectorRegistry()
        self.operation_label = OperationLabels()
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
    if path.startswith("/export/"):
        return "/export"
    return path if path in ("/graphql", "/health", "/metrics") else "other"


def _request_id(scope: Scope) -> str:
    given = _header(scope, b"x-request-id")
    return given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def check_metrics_token(token: str) -> None:
    if token and len(token) < MIN_TOKEN:
        raise ValueError(_("JINLIN_METRICS_TOKEN 太短（{count} 个字符）：至少 {min} 个字符，"
                           "例如用 `openssl rand -hex 24` 生成", count=len(token), min=MIN_TOKEN))


def observe(app: ASGIApp, metrics: Metrics, token: str = "") -> ASGIApp:
    """Wrap ``app`` with request ids, JSON access logs, metrics and ``GET /metrics``.

    ``token``: the bearer token ``/metrics`` asks for; empty = ``/metrics`` is off (404).
    """
    check_metrics_token(token)

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _request_id(scope)
        context = REQUEST_ID.set(request_id)
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
                await _send_metrics(metrics, token, scope, send_with_id)
            else:
                await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            path = _known_path(scope["path"])
            method = scope["method"] if scope["method"] in _METHODS else "other"
            metrics.requests.labels(method, path, str(status)).inc()
            metrics.latency.labels(path).observe(elapsed)
            log.info("request", extra={"fields": {
                "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round(elapsed * 1000, 2)}})
            REQUEST_ID.reset(context)

    return wrapped


def _authorised(scope: Scope, token: str) -> bool:
    scheme, _sep, given = (_header(scope, b"authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("latin-1"), token.encode("utf-8"))


async def _send_metrics(metrics: Metrics, token: str, scope: Scope, send: Send) -> None:
    text = [(b"content-type", b"text/plain; charset=utf-8")]
    if not token:
        status, headers = 404, text
        body = (_("/metrics 未开启：设置 JINLIN_METRICS_TOKEN（至少 {min} 个字符）后，"
                  "用请求头 Authorization: Bearer <该令牌> 抓取", min=MIN_TOKEN) + "\n").encode()
    elif not _authorised(scope, token):
        status, headers = 401, [*text, (b"www-authenticate", b"Bearer")]
        body = (_("/metrics 需要令牌：请求头 Authorization: Bearer <JINLIN_METRICS_TOKEN 的值>；"
                  "所给令牌缺失或不对") + "\n").encode()
    else:
        status, body = 200, metrics.exposition()
        headers = [(b"content-type", CONTENT_TYPE_LATEST.encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def operation_metrics(metrics: Metrics) -> type[SchemaExtension]:
    """A strawberry extension class timing each operation under its (bounded) name."""

    class OperationMetrics(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            label = metrics.operation_label(self.execution_context.operation_name)
            metrics.operations.labels(label).observe(time.perf_counter() - started)
            result = self.execution_context.result
            if result is not None and getattr(result, "errors", None):
                metrics.operation_errors.labels(label).inc()

    return OperationMetrics


def observed_app(settings: Settings, store: Store) -> ASGIApp:
    """The service as ``jinlin serve`` runs it: the API, its metrics, request ids and logs."""
    from api.http.app import create_app

    metrics = Metrics(store)
    api = create_app(settings, store, extensions=[operation_metrics(metrics)])
    return observe(api, metrics, settings.metrics_token)
