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
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api.accounts import MIN_PASSWORD, Account, AccountError
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


def _login_page(backend: Backend, message: str = "", name: str = "", target: str = "/",
                status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    html = render("login.html", view=None, user=None, csrf="", scope=None,
                  may=lambda cap: False, Cap=Cap, login_csrf=token, message=message,
                  name=name, next=target)
    response = HTMLResponse(html, status_code=status, headers=backend.headers())
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=backend.settings.secure_cookies, path="/login")
    return response


def _cookie(response: Response, backend: Backend, session: Session) -> Response:
    response.set_cookie(COOKIE, session.key, httponly=True, samesite="lax",
                        secure=backend.settings.secure_cookies, path="/")
    return response


class Login:
    """``/login``: no session bounds it yet, so it bounds itself: a small urlencoded form
    only (no files: nothing spooled to disk), read within ``LOGIN_MAX_BYTES``, under the
    request deadline."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        backend: Backend = Request(scope).app.state.console
        request = Request(scope, bounded(receive, LOGIN_MAX_BYTES))
        with deadline(backend.settings.request_timeout):
            try:
                response = await login(request, backend)
            except BodyTooLarge:
                response = error_page(backend, _("登录表单过大"), 413)
        await response(scope, receive, send)


async def login(request: Request, backend: Backend) -> Response:
    if request.method == "GET":
        return _login_page(backend, target=_safe_next(request.query_params.get("next")))
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        return error_page(backend, _("登录表单格式不对"), 415)
    form = await request.form(max_files=0, max_fields=10, max_part_size=LOGIN_MAX_BYTES)
    target = _safe_next(str(form.get("next") or "/"))
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    sent = str(form.get("csrf") or "")
    if not cookie or not hmac.compare_digest(cookie, sent) or not same_origin(request):
        return _login_page(backend, _("登录表单已过期，请重新输入"), name, target, 403)
    outcome = await backend.pools.read(backend.accounts.authenticate, name, password)
    if not isinstance(outcome, Account):
        return _login_page(backend, outcome.message, name, target, 401)
    session = backend.sessions.start(outcome.name)
    goto = "/password" if outcome.must_change_password else target
    response = _cookie(RedirectResponse(goto, status_code=303), backend, session)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
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
    # a user who must change the password may still sign out
    Route("/logout", page(logout, password_page=True), methods=["POST"]),
    Route("/password", page(password, password_page=True), methods=["GET", "POST"]),
]
