"""GraphQL subscriptions over websockets: /graphql with the ``graphql-transport-ws`` subprotocol.

Strawberry speaks the protocol; this module decides who may connect, and how much one
connection and the whole server may hold.  Every refusal before a subscription starts
closes the socket with a code and the reason in the client's language (``Accept-Language``
of the upgrade), cut to the 123 bytes a close frame carries.

Who (nothing is subscribed before this is settled):
- A bearer token in ``connection_init``'s payload, ``{"Authorization": "Bearer …"}`` (what
  graphql-ws clients send), checked exactly as HTTP checks the header
  (api.http.tokens.decode_token: expired, revoked, account disabled → 4401).
- Else the console's session cookie, which counts only on an upgrade from our own origin
  (api.console.web.same_origin), as for HTTP.  Browsers send cookies with a websocket
  upgrade from any site and no CORS applies to it (cross-site websocket hijacking), so
  an upgrade from another origin is refused at the handshake (HTTP 403) unless the origin
  is one of ``cors_origins``, whose pages must then send a token: their cookie never counts.
- No credentials → 4401; a known caller whose scope is not a known area (or whose
  password must change first) → 4403; past its account's connections → 4429.
- While the socket stays open its token (or session) is checked again every
  :data:`RECHECK_SECONDS`: once expired, revoked, ended or its account disabled, the
  socket is closed (4401) with the reason HTTP would give.
The caller's scope is resolved as for HTTP (GraphQLEndpoint.scope_of), and each event is
read as the caller before it is sent (api.graphql.subscriptions).

Bounds: ``ws_init_timeout`` to send ``connection_init`` (4408); a message of at most
``max_body_bytes`` (1009); ``ws_subscriptions_per_connection`` operations on one socket,
``ws_subscriptions_max`` on the whole server, ``ws_connections_per_account`` sockets per
account (token subject); only subscriptions run here (queries and mutations go through
the HTTP gate's rate and deadline), each priced by the schema's limits like any document
(depth, tokens and aliases by validation; the cost estimate here, since strawberry
starts a subscription whatever QueryBounds decided); a subscriber's queue holds 100 events
(api.events).  Dead peers: uvicorn pings each socket every 20 s and drops one that does
not answer within 20 s; a client's own ``ping`` gets its ``pong``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from api.auth import Caller
from api.console.web import caller_of, same_origin, signed_in
from api.graphql import limits, pools
from api.graphql.context import ApiError, Context
from api.graphql.schema import MAX_TOKENS
from api.http.tokens import AuthError, bearer, decode_token
from graph.i18n import _
from graph.store import deadline

if TYPE_CHECKING:
    from api.http.app import GraphQLEndpoint

RECHECK_SECONDS = 30.0  # how often an open socket's token or session is checked again
CLOSE_REASON_BYTES = 123  # the most a websocket close frame's reason may hold
UNAUTHENTICATED, FORBIDDEN, TOO_MANY, BAD_MESSAGE, TOO_BIG = 4401, 4403, 4429, 4400, 1009


def close_reason(text: str) -> str:
    """``text`` cut to what a close frame carries, on a character boundary."""
    return text.encode()[:CLOSE_REASON_BYTES].decode(errors="ignore")


@dataclass(frozen=True)
class Refusal:
    """Why a socket is closed before any subscription: its close code and reason."""

    code: int
    reason: str


def refusal_of(response: Response) -> Refusal:
    """The HTTP gate's refusal (a JSON error body) as a close: 4000 + its status."""
    body = json.loads(bytes(response.body))
    return Refusal(4000 + response.status_code, body["errors"][0]["message"])


@dataclass(frozen=True)
class Handshake:
    """What the upgrade said before ``connection_init``: the caller its session cookie
    names (same origin only) and the upgrade itself (to ask again), or why that cookie
    is refused."""

    caller: Caller | None = None
    refused: Refusal | None = None
    upgrade: WebSocket | None = None


@dataclass(frozen=True)
class Admitted:
    """An admitted socket: its context, and what it was admitted on (a token, else the
    handshake's session cookie), to check again while it stays open."""

    context: Context
    token: str | None
    handshake: Handshake


class Limits:
    """The open sockets per account and the authenticated ones (the server's total of
    subscriptions is the sum of theirs)."""

    def __init__(self, per_account: int) -> None:
        self.per_account = per_account
        self.accounts: Counter[str] = Counter()
        self.live: set[Connection] = set()

    def admit(self, subject: str) -> bool:
        if self.accounts[subject] >= self.per_account:
            return False
        self.accounts[subject] += 1
        return True

    def release(self, subject: str) -> None:
        self.accounts[subject] -= 1
        if self.accounts[subject] <= 0:
            del self.accounts[subject]

    def subscriptions(self) -> int:
        return sum(len(c.operations) for c in self.live)


class Connection(BaseGraphQLTransportWSHandler[Context | Handshake, None]):
    """One socket: strawberry's protocol with our authentication and bounds."""

    subject: str | None = None  # the account the socket counts against, once admitted
    rechecking: asyncio.Task[None] | None = None  # Connection.recheck, once admitted

    @property
    def sockets(self) -> Sockets:
        return cast(Sockets, self.view)

    async def close(self, refusal: Refusal) -> None:
        await self.websocket.close(refusal.code, close_reason(refusal.reason))

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Authenticate (module docstring); acknowledge only an admitted caller."""
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        if self.connection_init_received:
            await self.close(Refusal(TOO_MANY, _("connection_init 只能发送一次")))
            return
        self.connection_init_received = True
        payload = message.get("payload") or {}
        if not isinstance(payload, dict) or not isinstance(self.context, Handshake):
            await self.close(Refusal(BAD_MESSAGE, _("connection_init 的 payload 须是 JSON 对象")))
            return
        admitted = await self.sockets.admit(self.context, payload)
        if isinstance(admitted, Refusal):
            await self.close(admitted)
            return
        self.context, self.subject = admitted.context, admitted.context.caller.subject
        self.sockets.limits.live.add(self)
        self.rechecking = asyncio.create_task(self.recheck(admitted))
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True

    async def recheck(self, admitted: Admitted) -> None:
        """Every :data:`RECHECK_SECONDS`, the socket's credentials again: closed (4401)
        once they no longer hold, as HTTP would refuse the next request."""
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            refused = self.sockets.recheck(admitted)
            if refused is not None:
                with suppress(RuntimeError):  # the client closed it meanwhile
                    await self.close(refused)
                return

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            refused = self.refusal(message)
            if refused is not None:
                await self.send_message({"id": message["id"], "type": "error",
                                         "payload": [limits.client_error(refused).formatted]})
                return
        await super().handle_subscribe(message)  # unacknowledged or a reused id: closed

    def refusal(self, message: SubscribeMessage) -> ApiError | None:
        """Why this operation may not start on this socket, if it may not."""
        settings = self.sockets.endpoint.settings
        if len(self.operations) >= settings.ws_subscriptions_per_connection:
            return ApiError(_("一个连接最多同时有 {max} 个订阅；请先结束（complete）不用的订阅",
                              max=settings.ws_subscriptions_per_connection),
                            code="TOO_MANY_SUBSCRIPTIONS")
        if self.sockets.limits.subscriptions() >= settings.ws_subscriptions_max:
            return ApiError(_("服务器的订阅数已达上限 {max}，请稍后再试",
                              max=settings.ws_subscriptions_max), code="SUBSCRIPTIONS_FULL")
        payload = message["payload"]
        query, name = payload["query"], payload.get("operationName")
        found = operation_of(query, name)
        if found is None:
            return None  # strawberry answers it as it answers any bad document
        if found[1] is not OperationType.SUBSCRIPTION:
            return ApiError(_("WebSocket 只用于订阅（subscription）；查询和变更请 POST /graphql"),
                            code="SUBSCRIPTIONS_ONLY")
        return limits.refusal(self.schema._schema, found[0], name,  # type: ignore[attr-defined]
                              payload.get("variables"), settings)

    async def shutdown(self) -> None:
        if self.rechecking is not None:
            self.rechecking.cancel()
        try:
            await super().shutdown()
        finally:
            if self.subject is not None:
                self.sockets.limits.live.discard(self)
                self.sockets.limits.release(self.subject)
                self.subject = None


class Sockets(GraphQL[Context | Handshake, None]):
    """The websocket side of /graphql: strawberry's ASGI app on the endpoint's schema,
    taking only ``graphql-transport-ws``, under the endpoint's pools."""

    graphql_transport_ws_handler_class = Connection

    def __init__(self, endpoint: GraphQLEndpoint, origins: list[str]) -> None:
        settings = endpoint.settings
        super().__init__(endpoint.schema, graphql_ide=None, allow_queries_via_get=False,
                         subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
                         connection_init_wait_timeout=dt.timedelta(
                             seconds=settings.ws_init_timeout),
                         max_subscriptions_per_connection=None,  # Connection.refusal
                         allowed_origins=origins)
        self.endpoint = endpoint
        self.limits = Limits(settings.ws_connections_per_account)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with pools.using(self.endpoint.pools):
            await super().__call__(scope, bounded(receive, send,
                                                  self.endpoint.settings.max_body_bytes), send)

    async def get_context(self, request: Request | WebSocket,
                          response: Response | WebSocket) -> Context | Handshake:
        """A socket's context starts as its :class:`Handshake` (Connection replaces it)."""
        if not isinstance(request, WebSocket) or not same_origin(request):
            return Handshake()  # another origin's cookie never counts
        who = signed_in(self.endpoint.console, request)
        if who is None:
            return Handshake()
        if who[1].must_change_password:
            return Handshake(refused=Refusal(FORBIDDEN, _("请先在工作台修改初始密码")))
        return Handshake(caller=caller_of(who[1]), upgrade=request)

    async def admit(self, handshake: Handshake, payload: dict[str, Any]) -> Admitted | Refusal:
        """The context of a socket whose ``connection_init`` brought ``payload``, or
        why it is refused (module docstring)."""
        endpoint = self.endpoint
        header = payload.get("Authorization", payload.get("authorization"))
        if header is None and handshake.refused is not None:
            return handshake.refused
        token = None  # a token wins over a cookie
        found: Caller | Refusal | None = handshake.caller if header is None else None
        if found is None:
            try:
                token = bearer(header if isinstance(header, str) else None)
            except AuthError as exc:
                return Refusal(UNAUTHENTICATED, str(exc))
            found = self.decode(token)
        if isinstance(found, Refusal):
            return found
        caller = found
        with deadline(endpoint.settings.request_timeout):
            resolved = await endpoint.scope_of(caller)
        if isinstance(resolved, Response):
            return refusal_of(resolved)
        if not self.limits.admit(caller.subject):
            return Refusal(TOO_MANY, _("账号 {name} 已有 {max} 个订阅连接，请先关闭不用的连接",
                                       name=caller.subject, max=self.limits.per_account))
        context = Context(store=endpoint.store, settings=endpoint.settings, caller=caller,
                          scope_label=resolved[0], scope_code=resolved[1],
                          audit=endpoint.audit, events=endpoint.events)
        return Admitted(context, token, handshake)

    def decode(self, token: str) -> Caller | Refusal:
        """The caller of ``token`` as HTTP decides it (api.http.tokens.decode_token)."""
        settings = self.endpoint.settings
        try:
            return decode_token(settings.jwt_secret, token, settings.token_max_hours,
                                self.endpoint.accounts)
        except AuthError as exc:
            return Refusal(UNAUTHENTICATED, str(exc))

    def recheck(self, admitted: Admitted) -> Refusal | None:
        """Why an open socket's credentials no longer hold (expired or revoked token,
        ended session, disabled account), if they do not."""
        if admitted.token is not None:
            found = self.decode(admitted.token)
            return found if isinstance(found, Refusal) else None
        upgrade = admitted.handshake.upgrade
        if upgrade is None or signed_in(self.endpoint.console, upgrade, touch=False) is None:
            return Refusal(UNAUTHENTICATED, _("工作台会话已结束，请重新登录"))
        return None


def operation_of(query: Any, name: str | None) -> tuple[DocumentNode, OperationType] | None:
    """The document and the type of its operation ``name`` (None: not a document with
    that operation; GraphQL's own errors say why when it runs)."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except (GraphQLError, TypeError):
        return None
    operation = get_operation_ast(document, name)
    return None if operation is None else (document, operation.operation)


def over_http(query: Any, name: str | None) -> ApiError | None:
    """The refusal of a subscription sent as a plain HTTP request (the endpoint streams
    none: subscriptions are bounded and re-checked on their socket only)."""
    if not isinstance(query, str) or "subscription" not in query:  # no parse for the rest
        return None
    found = operation_of(query, name)
    if found is None or found[1] is not OperationType.SUBSCRIPTION:
        return None
    return ApiError(_("订阅（subscription）须经 WebSocket 连接 /graphql"
                      "（子协议 graphql-transport-ws）"), code="WEBSOCKET_REQUIRED")


def bounded(receive: Receive, send: Send, limit: int) -> Receive:
    """``receive`` closing the socket (1009) at a message over ``limit`` bytes; the app
    then sees the client gone."""

    async def checked() -> Message:
        message = await receive()
        if message["type"] == "websocket.receive":
            data = message.get("bytes") or (message.get("text") or "").encode()
            if len(data) > limit:
                await send({"type": "websocket.close", "code": TOO_BIG, "reason": close_reason(
                    _("消息过大：超过 {limit} 字节的上限", limit=limit))})
                return {"type": "websocket.disconnect", "code": TOO_BIG}
        return message

    return checked
