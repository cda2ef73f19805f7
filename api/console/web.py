"""What every console page goes through before its own code runs, in one place.

:func:`page` turns a page function into an ASGI endpoint that (in this order) finds the
session behind the cookie (none: to the sign-in page), refuses a disabled account, sends a
user who must change the password to ``/password``, checks the CSRF token of every
unsafe request, puts the request under its deadline and the app's thread pools (as
/graphql does), resolves the user's scope node and checks the page's capability.  The page
then gets a :class:`View` whose :meth:`View.gql` runs GraphQL documents through the same
schema, scope rules, masking and audit as ``/graphql`` with the signed-in account as the
caller: the console never reads the store by another road, so it can show nothing the API
would not.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.schema.base import BaseSchema

from api.accounts import Account, AccountError, AccountStore
from api.audit import AuditLog, AuditWriteFailed, audited
from api.auth import Caller
from api.console.render import render
from api.console.sessions import COOKIE, Session, Sessions
from api.events import Bus
from api.graphql import pools
from api.graphql.alerts import Background
from api.graphql.auditing import AuditFailed
from api.graphql.context import Context
from api.kept import Seen
from api.policy import Cap, refusal
from graph.i18n import _
from graph.settings import Settings
from graph.store import Store, StoreTimeout, StoreUnavailable, deadline, time_left

T = TypeVar("T")
SAFE = frozenset({"GET", "HEAD"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
# Every console answer: no inline script may run, nothing loads from elsewhere, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data: {tiles}; "
                                "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                                "base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ScopeOf = Callable[[Caller], Awaitable["tuple[str, str] | Response"]]
# (account, token name, hours, scope) → the signed token and its jti (api.http.tokens)
IssueToken = Callable[[str, str, float, str], tuple[str, str]]


@dataclass
class Backend:
    """What the console shares with the HTTP app (built by api.http.app)."""

    settings: Settings
    store: Store
    audit: AuditLog
    accounts: AccountStore
    sessions: Sessions
    schema: BaseSchema
    pools: pools.Pools
    scope_of: ScopeOf
    issue_token: IssueToken  # signs with the server's secret: the token page's one use of it
    events: Bus | None = None  # the app's change events (api.events)
    # the alert evaluations after imports, off their answers (api.graphql.alerts)
    alerting: Background = field(init=False)

    def __post_init__(self) -> None:
        self.alerting = Background(self.store, self.audit, self.events)

    def headers(self) -> dict[str, str]:
        tiles = self.settings.map_tile_url
        origin = "/".join(tiles.split("/")[:3]) if tiles.startswith("http") else ""
        csp = SECURITY_HEADERS["Content-Security-Policy"].format(tiles=origin).replace(
            "  ", " ")
        return {**SECURITY_HEADERS, "Content-Security-Policy": csp}


class PageError(Exception):
    """A refusal or failure the page shows the user (in Chinese), with its HTTP status."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status, self.code = status, code


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a GraphQL connection's page, in order."""
    return [edge["node"] for edge in connection["edges"]]


@dataclass
class View:
    """One page request of a signed-in user."""

    request: Request
    backend: Backend
    session: Session
    account: Account
    caller: Caller
    scope: tuple[str, str]  # label and code of the user's scope node
    form_data: FormData | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    # the write generation, read once for the whole page (api.kept), not once per query
    seen: Seen = field(default_factory=Seen)

    def context(self) -> Context:
        label, code = self.scope
        return Context(store=self.backend.store, settings=self.backend.settings,
                       caller=self.caller, scope_label=label, scope_code=code,
                       audit=self.backend.audit, events=self.backend.events, seen=self.seen)

    async def gql(self, document: str, **variables: Any) -> dict[str, Any]:
        """``data`` of ``document`` run as the signed-in user; the first error (already
        in the request's language) becomes a :class:`PageError`."""
        result = await self.backend.schema.execute(document, variable_values=variables,
                                                   context_value=self.context())
        if result.errors:
            error = result.errors[0]
            code = (error.extensions or {}).get("code", "BAD_REQUEST")
            status = {"FORBIDDEN": 403, "NOT_FOUND": 404, "BUSY": 503,
                      "TIMEOUT": 503}.get(code, 400)
            raise PageError(error.message, status, code)
        return result.data or {}

    def may(self, cap: Cap) -> bool:
        return self.caller.may(cap)

    def form(self) -> FormData:
        """The posted form (read and CSRF-checked before the page ran)."""
        assert self.form_data is not None, "only unsafe requests have a form"
        return self.form_data

    def field(self, name: str) -> str:
        """The posted field ``name``, stripped ("" when not sent, or sent as a file)."""
        value = self.form().get(name)
        return value.strip() if isinstance(value, str) else ""

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = render(template, view=self, user=self.account, csrf=self.session.csrf,
                      scope=self.scope, may=self.may, Cap=Cap, **values)
        return HTMLResponse(html, status_code=status,
                            headers={**self.backend.headers(), **self.extra_headers})

    def redirect(self, url: str) -> Response:
        return RedirectResponse(url, status_code=303)


Handler = Callable[[View], Awaitable[Response]]


def error_page(backend: Backend, message: str, status: int, view: View | None = None) -> Response:
    if view is not None:
        return view.render("error.html", status=status, message=message)
    return HTMLResponse(render("error.html", view=None, user=None, csrf="", scope=None,
                               may=lambda cap: False, Cap=Cap, message=message),
                        status_code=status, headers=backend.headers())


class BodyTooLarge(Exception):
    """The request body went past ``upload_max_bytes`` (nothing more of it was read)."""


def bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises BodyTooLarge once more than ``limit`` body bytes came in:
    a chunked upload without Content-Length is bounded while it streams, not after."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise BodyTooLarge
        return message

    return counted


def too_large(backend: Backend) -> Response:
    limit = backend.settings.upload_max_bytes
    return error_page(backend, _("上传内容过大：最多 {mb} MB", mb=limit // (1024 * 1024)), 413)


def signed_in(backend: Backend, request: HTTPConnection,
              touch: bool = True) -> tuple[Session, Account] | None:
    """The live session of ``request`` and its account (None: not signed in, or the
    account is gone or disabled — then the session ends too); ``touch``: as Sessions.get."""
    session = backend.sessions.get(request.cookies.get(COOKIE), touch)
    if session is None:
        return None
    account = backend.accounts.get(session.account)
    if account is None or account.disabled:
        backend.sessions.end(session.key)
        return None
    return session, account


def caller_of(account: Account) -> Caller:
    """The caller a signed-in account acts as: audit lines name the account, or the
    person an invited member's or resident's account is bound to (api.invitations): it
    acts as that person, as a resident's token names its person."""
    return Caller(role=account.role, scope=account.scope,
                  subject=account.person or account.name)


def csrf_sent(request: Request, form: FormData | None) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    value = form.get(CSRF_FIELD) if form is not None else None
    return value if isinstance(value, str) else None


def same_origin(request: HTTPConnection) -> bool:
    """A browser names the page a POST comes from; it must be ours (a second line behind
    the CSRF token)."""
    origin = request.headers.get("origin")
    if origin is None:  # not sent (older browsers, scripts): the CSRF token decides
        return True
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def page(handler: Handler, cap: Cap | None = None, password_page: bool = False) -> Page:
    """The endpoint of a page: ``handler`` for a signed-in user holding ``cap``
    (``password_page``: the one page a user who must change the password may see)."""
    return Page(handler, cap, password_page)


class Page:
    """An ASGI endpoint running ``handler`` for a signed-in user (module docstring)."""

    def __init__(self, handler: Handler, cap: Cap | None = None,
                 password_page: bool = False) -> None:
        self.handler, self.cap, self.password_page = handler, cap, password_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        backend: Backend = Request(scope).app.state.console
        request = Request(scope, bounded(receive, backend.settings.upload_max_bytes))
        try:
            response = await self.answer(request, backend)
        except BodyTooLarge:
            response = too_large(backend)
        await response(scope, receive, send)

    async def answer(self, request: Request, backend: Backend) -> Response:
        who = signed_in(backend, request)
        if who is None:
            if request.method in SAFE:
                return to_login(request)
            return error_page(backend, _("未登录或会话已过期，请重新登录"), 401)
        session, account = who
        if account.must_change_password and not self.password_page:
            return RedirectResponse("/password", status_code=303)
        form = None
        if request.method not in SAFE:
            length = request.headers.get("content-length")
            limit = backend.settings.upload_max_bytes
            if length is not None and (whole(length, most=10**12) or 0) > limit:
                return too_large(backend)
            form = await request.form(max_part_size=limit)
            if not same_origin(request) or not session.csrf_ok(csrf_sent(request, form)):
                return error_page(backend, _("请求来源校验失败（CSRF）：请刷新页面后重试"), 403)
        caller = caller_of(account)
        if self.cap is not None and not caller.may(self.cap):
            return error_page(backend, refusal(caller.role, self.cap), 403)
        with deadline(backend.settings.request_timeout), pools.using(backend.pools):
            return await self._run(request, backend, session, account, caller, form)

    async def _run(self, request: Request, backend: Backend, session: Session,
                   account: Account, caller: Caller, form: FormData | None) -> Response:
        resolved = await backend.scope_of(caller)
        if isinstance(resolved, Response):
            return resolved
        view = View(request, backend, session, account, caller, resolved, form)
        try:
            async with asyncio.timeout(time_left()):
                return await self.handler(view)
        except PageError as exc:
            return error_page(backend, str(exc), exc.status, view)
        except (TimeoutError, StoreTimeout):
            return error_page(backend, _("请求超时：请缩小范围后重试"), 503, view)
        except StoreUnavailable:
            return error_page(backend, _("数据库暂时不可用，请稍后重试"), 503, view)


async def run_audited(view: View, mutation: str, arguments: dict[str, Any],
                      work: Callable[[], T], refusal: str = "") -> T:
    """``work`` on the read pool (argon2 and fsync take a while), audited as the signed-in
    user; with a ``refusal`` it is not run, and the line says ``refused`` (as the API's
    refusals get theirs).  (Account pages, tokens, the password.)"""
    def checked() -> T:
        if refusal:
            raise AccountError(refusal)
        return work()

    try:
        return await view.backend.pools.read(audited, view.backend.audit, view.caller,
                                             mutation, arguments, checked)
    except AuditWriteFailed:
        raise PageError(str(AuditFailed()), 500, AuditFailed.code) from None


def whole(text: str | None, most: int = 1_000_000) -> int | None:
    """A positive whole number typed in a form or URL (ASCII digits, at most ``most``),
    else None: ``"²".isdigit()`` is true and ``int("²")`` fails."""
    if text is None or not re.fullmatch(r"[0-9]{1,9}", text):
        return None
    value = int(text)
    return value if 0 < value <= most else None


def disposition(filename: str, fallback: str) -> str:
    """An attachment named ``filename`` (UTF-8, RFC 5987) with an ASCII ``fallback`` for
    clients that do not read ``filename*``."""
    ascii_name = fallback.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def json_for_script(value: Any) -> str:
    """``value`` as JSON safe inside ``<script type="application/json">`` (the page's
    scripts read their data there: no inline script runs under the CSP)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")


def today() -> str:
    return dt.date.today().isoformat()
