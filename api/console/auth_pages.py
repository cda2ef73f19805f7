"""Signing in and out, and changing one's password.

The sign-in form has no session yet to hold its CSRF token, so it uses a double-submit
cookie: ``GET /login`` sets a random ``jinlin_login`` cookie and puts the same value in
the form; a POST whose two differ (another site posting a login form) is refused.  Failed
attempts count towards the account's lockout (api.accounts); an unknown name and a wrong
password get the same answer.  A successful sign-in always starts a new session (no
fixation), and a password change ends every other session of the account.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api import invitations
from api.accounts import MIN_PASSWORD, Account, AccountError
from api.audit import AuditWriteFailed, audited
from api.auth import Caller
from api.console.render import render
from api.console.sessions import COOKIE, Session
from api.console.web import (
    Backend,
    BodyTooLarge,
    View,
    bounded,
    error_page,
    page,
    run_audited,
    same_origin,
)
from api.graphql.auditing import AuditFailed
from api.policy import Cap
from graph.i18n import _
from graph.store import deadline

LOGIN_COOKIE = "jinlin_login"
LOGIN_MAX_BYTES = 8 * 1024


def _safe_next(target: str | None) -> str:
    """Only a path of this site: a login link must not send the user elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _public_page(backend: Backend, template: str, path: str, status: int,
                 **values: Any) -> Response:
    """A page without a session (``path``: /login, /join), its form carrying a fresh
    double-submit token that the cookie for ``path`` repeats."""
    token = secrets.token_urlsafe(24)
    html = render(template, view=None, user=None, csrf="", scope=None,
                  may=lambda cap: False, Cap=Cap, login_csrf=token, **values)
    response = HTMLResponse(html, status_code=status, headers=backend.headers())
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=backend.settings.secure_cookies, path=path)
    return response


def _login_page(backend: Backend, message: str = "", name: str = "", target: str = "/",
                status: int = 200) -> Response:
    return _public_page(backend, "login.html", "/login", status, message=message, name=name,
                        next=target)


def _urlencoded(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    return kind == "application/x-www-form-urlencoded"


async def _small_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=10, max_part_size=LOGIN_MAX_BYTES)


def _double_submitted(request: Request, form: FormData) -> bool:
    """Whether the form of a page without a session repeats its cookie's token and
    comes from this site (another site posting a form cannot read the cookie)."""
    cookie, sent = request.cookies.get(LOGIN_COOKIE, ""), str(form.get("csrf") or "")
    return bool(cookie) and hmac.compare_digest(cookie, sent) and same_origin(request)


def _cookie(response: Response, backend: Backend, session: Session) -> Response:
    response.set_cookie(COOKIE, session.key, httponly=True, samesite="lax",
                        secure=backend.settings.secure_cookies, path="/")
    return response


class Login:
    """``/login`` (and ``/join``, given ``join``): no session bounds it yet, so it bounds
    itself: a small urlencoded form only (no files: nothing spooled to disk), read within
    ``LOGIN_MAX_BYTES``, under the request deadline."""

    def __init__(self, handler: Callable[[Request, Backend], Awaitable[Response]] | None = None
                 ) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        backend: Backend = Request(scope).app.state.console
        request = Request(scope, bounded(receive, LOGIN_MAX_BYTES))
        with deadline(backend.settings.request_timeout):
            try:
                response = await (self.handler or login)(request, backend)
            except BodyTooLarge:
                response = error_page(backend, _("登录表单过大"), 413)
        await response(scope, receive, send)


async def login(request: Request, backend: Backend) -> Response:
    if request.method == "GET":
        return _login_page(backend, target=_safe_next(request.query_params.get("next")))
    if not _urlencoded(request):
        return error_page(backend, _("登录表单格式不对"), 415)
    form = await _small_form(request)
    target = _safe_next(str(form.get("next") or "/"))
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    if not _double_submitted(request, form):
        return _login_page(backend, _("登录表单已过期，请重新输入"), name, target, 403)
    outcome = await backend.pools.read(backend.accounts.authenticate, name, password)
    if not isinstance(outcome, Account):
        return _login_page(backend, outcome.message, name, target, 401)
    session = backend.sessions.start(outcome.name)
    goto = "/password" if outcome.must_change_password else target
    response = _cookie(RedirectResponse(goto, status_code=303), backend, session)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _join_page(backend: Backend, message: str = "", form: dict[str, str] | None = None,
               status: int = 200) -> Response:
    return _public_page(backend, "join.html", "/join", status, message=message,
                        form=form or {}, min_length=MIN_PASSWORD)


async def join(request: Request, backend: Backend) -> Response:
    """``/join``: sign up with an invitation code (api.invitations), then signed in.
    The audit line names the new account (the person it acts as is an argument)."""
    if request.method == "GET":
        return _join_page(backend, form={"code": request.query_params.get("code", "")})
    if not _urlencoded(request):
        return error_page(backend, _("登录表单格式不对"), 415)
    posted = await _small_form(request)
    form = {k: str(posted.get(k) or "").strip()
            for k in ("code", "name", "display_name")}
    password, again = str(posted.get("password") or ""), str(posted.get("again") or "")
    if not _double_submitted(request, posted):
        return _join_page(backend, _("登录表单已过期，请重新输入"), form, 403)
    if password != again:
        return _join_page(backend, _("两次输入的新密码不一致"), form, 400)
    arguments: dict[str, Any] = {"name": form["name"],
                                 "displayName": form["display_name"] or form["name"]}

    def work() -> Account:
        account = invitations.join(backend.accounts, form["code"], form["name"], password,
                                   form["display_name"])
        arguments.update(role=account.role, scope=account.scope, person=account.person)
        return account

    # not signed in yet: "guest"; the line's arguments say the role and scope it got
    caller = Caller(role="guest", scope="", subject=form["name"])
    try:
        account = await backend.pools.read(audited, backend.audit, caller, "userJoin",
                                           arguments, work)
    except AuditWriteFailed:
        return error_page(backend, str(AuditFailed()), 500)
    except ValueError as exc:  # AccountError, or check_text refusing a control character
        return _join_page(backend, str(exc), form, 400)
    session = backend.sessions.start(account.name)
    response = _cookie(RedirectResponse("/me", status_code=303), backend, session)
    response.delete_cookie(LOGIN_COOKIE, path="/join")
    return response


async def logout(view: View) -> Response:
    view.backend.sessions.end(view.session.key)
    response = view.redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


async def password(view: View) -> Response:
    if view.request.method == "GET":
        return view.render("password.html", min_length=MIN_PASSWORD, message="")
    form = view.form()
    current, new, again = (str(form.get(k) or "") for k in ("current", "new", "again"))
    accounts = view.backend.accounts
    message = ""
    if new != again:
        message = _("两次输入的新密码不一致")
    elif len(new) < MIN_PASSWORD:
        message = _("新密码至少 {n} 个字符", n=MIN_PASSWORD)
    elif new == current or new == view.account.name:
        message = _("新密码不能与当前密码或用户名相同")
    else:
        checked = await view.backend.pools.read(accounts.authenticate, view.account.name,
                                                current)
        if not isinstance(checked, Account):
            message = _("当前密码不正确") if checked.code == "BAD_CREDENTIALS" else checked.message
    if message:
        return view.render("password.html", status=400, min_length=MIN_PASSWORD,
                           message=message)
    try:
        await run_audited(view, "userPassword", {"name": view.account.name},
                          lambda: accounts.change_password(view.account.name, new))
    except AccountError as exc:
        return error_page(view.backend, str(exc), 400, view)
    view.backend.sessions.end_all(view.account.name, keep=view.session.key)
    return view.redirect("/")


routes = [
    Route("/login", Login(), methods=["GET", "POST"]),
    Route("/join", Login(join), methods=["GET", "POST"]),
    # a user who must change the password may still sign out
    Route("/logout", page(logout, password_page=True), methods=["POST"]),
    Route("/password", page(password, password_page=True), methods=["GET", "POST"]),
]
