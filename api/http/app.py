"""The HTTP app: GraphQL at /graphql behind bearer tokens, lists as files at
/export/<what>.xlsx|.csv behind the same tokens (api.http.export), and /health;
subscriptions over websockets at /graphql too (api.http.sockets).

Authentication happens before GraphQL sees the request: an anonymous or forged
request gets a plain 401 and never reaches a resolver.  The caller's scope node is
resolved once (and cached) so every Cypher can name its label.

Every request is answered in its language (``Accept-Language``, else the server's:
api.http.language), and bounded (issue 9): the gate refuses a large or deeply nested body and
a token over its rate (api.http.gate) before reading further, puts the request under its
deadline (``request_timeout``: store statements get the time left as their timeout,
see graph.store.deadline) and on the app's thread pools (api.graphql.pools); the schema prices
the document before it runs (api.graphql.limits); past the deadline the client gets TIMEOUT
and the worker is free.  A browser opening /graphql is sent to the console's GraphiQL
(/graphiql, from vendored files: strawberry's own page loads from a CDN and is off).
While it serves, the app evaluates the early-warning rules every ``alert_interval_minutes``
(api.http.schedule).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.accounts import AccountStore
from api.audit import AuditLog
from api.auth import Caller
from api.console.routes import console_routes
from api.console.sessions import Sessions
from api.console.web import CSRF_HEADER, SAFE, Backend, caller_of, same_origin, signed_in
from api.events import Bus
from api.graphql import pools, queries
from api.graphql.context import Context
from api.graphql.introspection import introspection_allowed
from api.graphql.limits import client_error, timed_out
from api.graphql.schema import build_schema
from api.http import gate, schedule, sockets
from api.http.export import Export
from api.http.language import Language
from api.http.tokens import (
    AuthError,
    bearer,
    check_secret,
    decode_token,
    issue_account_token,
)
from graph import embedded
from graph.i18n import _
from graph.settings import Settings
from graph.spine import SCOPE_LABELS
from graph.store import Store, StoreTimeout, StoreUnavailable, deadline, time_left

SCOPE_CACHE = 4096


class ScopeResolver:
    """Scope code → label of its County/Street/Community node (cached, bounded)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[str, str] | None] = {}

    def __call__(self, scope: str) -> tuple[str, str] | None:
        if scope in self._cache:
            return self._cache[scope]
        label, sep, code = scope.partition(":")
        candidates = (label,) if sep and label in SCOPE_LABELS else SCOPE_LABELS
        code = code if sep else scope
        found = None
        for lab in candidates:
            if self.store.read(queries.scope_node(lab), code=code):
                found = (lab, code)
                break
        if found is not None:  # unknown scopes are not cached: they may be loaded later
            if len(self._cache) >= SCOPE_CACHE:
                self._cache.clear()
            self._cache[scope] = found
        return found


def _unauthorised(message: str, status: int = 401) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"errors": [{"message": message}]}, status_code=status,
                        headers=headers)


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context; the gate has put the caller on state."""

    def __init__(self, settings: Settings, store: Store, audit: AuditLog,
                 extensions: Sequence[Any] = ()) -> None:
        super().__init__(build_schema(settings.production, extensions,
                                      introspection=introspection_allowed(settings)),
                         graphql_ide=None,  # its page loads from a CDN: /graphiql instead
                         allow_queries_via_get=False)
        self.settings, self.store, self.audit = settings, store, audit
        self.scopes = ScopeResolver(store)
        self.pools = pools.Pools.from_settings(settings)
        self.rate = gate.RateLimiter(settings.rate_limit, settings.rate_burst)
        self.accounts = AccountStore.in_data_dir(settings.data_dir)
        self.sessions = Sessions(dt.timedelta(minutes=settings.session_idle_minutes),
                                 dt.timedelta(hours=settings.session_max_hours))
        self.events = Bus()  # change events for subscriptions (api.events)
        self.console = Backend(settings, store, audit, self.accounts, self.sessions,
                               self.schema, self.pools, self.scope_of, self.issue_token,
                               self.events)

    def issue_token(self, name: str, label: str, hours: float, scope: str) -> tuple[str, str]:
        """A token for account ``name`` (api.http.tokens.issue_account_token) signed with
        this server's secret and lifetime limit: the console's token page issues it."""
        return issue_account_token(self.settings.jwt_secret, self.accounts, name, label,
                                   hours, self.settings.token_max_hours, scope=scope)

    async def get_context(self, request: Any, response: Any) -> Context:
        caller, (label, code) = request.state.caller, request.state.scope
        return Context(store=self.store, settings=self.settings, caller=caller,
                       scope_label=label, scope_code=code, audit=self.audit,
                       events=self.events)

    async def execute_single(self, request: Request, request_adapter: Any,
                             sub_response: Response, context: Context, root_value: None,
                             request_data: GraphQLRequestData) -> ExecutionResult:
        """The operation, given up at the request's deadline: the client gets TIMEOUT,
        the worker is free, and the store work left behind ends at the same deadline.
        A subscription is refused: it runs on a websocket (api.http.sockets)."""
        refused = sockets.over_http(request_data.query, request_data.operation_name)
        if refused is not None:
            return ExecutionResult(data=None, errors=[client_error(refused)])
        try:
            async with asyncio.timeout(time_left()):
                return await super().execute_single(request, request_adapter, sub_response,
                                                    context, root_value, request_data)
        except TimeoutError:
            return ExecutionResult(data=None,
                                   errors=[client_error(timed_out(self.settings))])

    async def gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            # a browser opening /graphql: the console's offline GraphiQL (api.console.graphiql)
            await RedirectResponse("/graphiql", status_code=303)(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await gate.too_large(limit)(scope, receive, send)
            return
        caller = self.caller(request)
        if isinstance(caller, Response):
            await caller(scope, receive, send)
            return
        with deadline(self.settings.request_timeout), pools.using(self.pools):
            await self._bounded(scope, receive, send, caller)

    def caller(self, request: Request) -> Caller | Response:
        """Who sent ``request`` (its bearer token, else the console's session cookie), or
        the refusal to send: 401 without a valid token (revoked, or its account disabled:
        api.accounts), 403 for a cookie-authenticated POST without the session's CSRF token
        (GraphiQL and the console's scripts send it), 429 over the token's rate.  The
        cookie counts only for the console's own pages: a request a browser says comes
        from another origin (CORS apps) must bring a token."""
        if "authorization" not in request.headers and same_origin(request):
            who = signed_in(self.console, request)
            if who is not None:
                session, account = who
                if account.must_change_password:
                    return _unauthorised(_("请先在工作台修改初始密码"), 403)
                if request.method not in SAFE and not session.csrf_ok(
                        request.headers.get(CSRF_HEADER)):
                    return _unauthorised(_("请求来源校验失败（CSRF）：请刷新页面后重试"), 403)
                wait = self.rate.wait(session.key)
                return self.rate.refusal(wait) if wait else caller_of(account)
        try:
            token = bearer(request.headers.get("authorization"))
            caller = decode_token(self.settings.jwt_secret, token,
                                  self.settings.token_max_hours, self.accounts)
        except AuthError as exc:
            return _unauthorised(str(exc))
        wait = self.rate.wait(token)
        return self.rate.refusal(wait) if wait else caller

    async def scope_of(self, caller: Caller) -> tuple[str, str] | Response:
        """The label and code of the caller's scope node, or the refusal to send (under
        the request's deadline and pools)."""
        try:
            resolved = await self.pools.read(self.scopes, caller.scope)
        except StoreTimeout:
            late = timed_out(self.settings)
            return gate.refusal(503, str(late), late.code)
        except StoreUnavailable as exc:
            return _unauthorised(str(exc), 503)
        if resolved is None:
            return _unauthorised(_("范围 {scope} 不是已知的县(区)、街道或社区",
                                   scope=caller.scope), 403)
        return resolved

    async def _bounded(self, scope: Scope, receive: Receive, send: Send,
                       caller: Caller) -> None:
        """The rest of the gate, under the request's deadline and pools."""
        try:
            async with asyncio.timeout(time_left()):
                body = await gate.read_body(receive, self.settings.max_body_bytes)
        except gate.BodyTooLarge:
            await gate.too_large(self.settings.max_body_bytes)(scope, receive, send)
            return
        except TimeoutError:
            await gate.refusal(408, _("请求体接收超时：客户端发送过慢"), "TIMEOUT")(
                scope, receive, send)
            return
        if body is None:  # the client went away
            return
        if gate.json_depth_exceeds(body):
            await gate.too_deep()(scope, receive, send)
            return
        resolved = await self.scope_of(caller)
        if isinstance(resolved, Response):
            await resolved(scope, receive, send)
            return
        scope.setdefault("state", {}).update(caller=caller, scope=resolved)
        await self(scope, gate.replay(body, receive), send)


class _Gate:
    """An ASGI callable (Starlette would treat a bound method as a request handler)."""

    def __init__(self, endpoint: GraphQLEndpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.endpoint.gate(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None,
               audit_path: str | Path | None = None,
               extensions: Sequence[Any] = ()) -> Starlette:
    """The ASGI app; opens (and on shutdown closes) the store unless one is given.

    ``extensions`` are added to the schema's (e.g. api.http.observability's operation metrics).
    """
    check_secret(settings.jwt_secret)
    owned = store is None
    if store is None:
        from graph.open import open_store

        store = open_store(settings)
    audit = AuditLog(audit_path) if audit_path else AuditLog.in_data_dir(settings.data_dir)
    endpoint = GraphQLEndpoint(settings, store, audit, extensions)
    live_store = store

    async def health(request: Request) -> Response:
        ok = await asyncio.to_thread(live_store.ping)
        return JSONResponse({"status": "ok" if ok else "unavailable",
                             "store": live_store.backend}, status_code=200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # ArcadeDB ignores the driver's transaction timeout: bound its statements itself
        previous = embedded.limit_statements(settings.request_timeout)
        minutes = settings.alert_interval_minutes
        alerting = asyncio.create_task(schedule.every(minutes, live_store, audit,
                                                      endpoint.events)) if minutes > 0 else None
        try:
            yield
        finally:
            if alerting is not None:
                alerting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await alerting
            await asyncio.to_thread(endpoint.console.alerting.wait)  # an import's run
            endpoint.pools.close()
            if previous is not None:
                embedded.limit_statements(previous)
            if owned:
                live_store.close()

    middleware = [Middleware(Language)]  # the request's language, for everything below
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # browser apps on these origins call the API with tokens (never cookies)
        middleware.append(Middleware(CORSMiddleware, allow_origins=origins,
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["Authorization", "Content-Type",
                                                    "Accept-Language"],
                                     allow_credentials=False, max_age=600))
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/graphql", _Gate(endpoint), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", sockets.Sockets(endpoint, origins)),  # subscriptions
            Route("/export/{what:path}", Export(endpoint), methods=["GET"]),
            *console_routes(),
        ],
        lifespan=lifespan,
        middleware=middleware,
    )
    app.state.console = endpoint.console
    return app
