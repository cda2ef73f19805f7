"""令牌 /tokens: every signed-in user issues API tokens for their apps, to their own account.

A token is named, lives at most ``settings.token_max_hours``, is scoped to the account's
scope or an area under it (api.console.areas: a county admin's token for one street sees
that street only, as api.http.tokens.decode_token scopes the caller by the token's claim),
and is shown once, on the answer to the POST that made it.  The page lists the account's
live tokens and revokes them (refused from the next request on: api.accounts); the server signs them
(Backend.issue_token: api.http.tokens.issue_account_token).  Issuing
and revoking each write one audit line naming the account (api.audit.audited, with the
mutation names of ``jinlin user token|revoke``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from api.accounts import AccountError
from api.console.areas import areas, resolve, stored_scope
from api.console.web import PageError, View, page, run_audited
from graph.i18n import _

DEFAULT_HOURS = 24.0


def _hours(text: str, most: float) -> float | None:
    try:
        hours = float(text)
    except ValueError:
        return None
    return hours if 0 < hours <= most else None


async def _page(view: View, status: int = 200, **shown: Any) -> Response:
    places = await areas(view)
    by_key = {(a.label, a.code): a.title for a in places}
    now = view.backend.accounts.clock()
    account = view.backend.accounts.get(view.account.name) or view.account
    rows = [{"token": t, "scope": by_key.get(await resolve(view, t.scope) or ("", ""),
                                             t.scope)}
            for t in sorted(account.live_tokens(now), key=lambda t: t.expires)]
    most = view.backend.settings.token_max_hours
    values: dict[str, Any] = {"issued": None, "token": None, "message": "", "form": {}}
    values.update(shown)
    return view.render("tokens.html", status=status, nav="tokens", rows=rows, areas=places,
                       max_hours=most, default_hours=min(DEFAULT_HOURS, most), **values)


async def tokens_page(view: View) -> Response:
    if view.request.method == "GET":
        return await _page(view)
    form = {k: str(view.form().get(k) or "").strip() for k in ("label", "hours", "scope")}
    settings = view.backend.settings
    hours = _hours(form["hours"], settings.token_max_hours)
    chosen = next((a for a in await areas(view) if a.id == form["scope"]), None)
    refusal = ""
    if hours is None:
        refusal = _("有效期须是大于 0、不超过 {max} 小时的数", max=f"{settings.token_max_hours:g}")
    elif chosen is None:
        refusal = _("范围 {scope} 不在你的账号范围内", scope=form["scope"])
    scope = await stored_scope(view, chosen) if chosen is not None else form["scope"]
    name = view.account.name
    arguments: dict[str, Any] = {"name": name, "label": form["label"],
                                 "ttlHours": form["hours"] if hours is None else hours,
                                 "scope": scope}

    def issue() -> str:
        assert hours is not None
        token, jti = view.backend.issue_token(name, form["label"], hours, scope)
        arguments["jti"] = jti
        return token

    try:
        token = await run_audited(view, "userToken", arguments, issue, refusal)
    except ValueError as exc:  # AccountError, or check_text refusing a control character
        return await _page(view, 400, message=str(exc), form=form)
    assert chosen is not None
    return await _page(view, issued={"label": form["label"], "scope": chosen.title,
                                     "hours": hours, "jti": arguments["jti"]}, token=token)


async def revoke(view: View) -> Response:
    jti = view.request.path_params["jti"]
    store, name = view.backend.accounts, view.account.name
    account = store.get(name)
    refusal = ""
    if account is None or jti not in {t.jti for t in account.live_tokens(store.clock())}:
        refusal = _("没有编号为 {jti} 的有效令牌", jti=jti)
    try:
        await run_audited(view, "userRevoke", {"name": name, "token": jti},
                          lambda: store.revoke(name, jti), refusal)
    except AccountError as exc:
        raise PageError(str(exc), 404, "NOT_FOUND") from None
    return view.redirect("/tokens")


routes = [
    Route("/tokens", page(tokens_page), methods=["GET", "POST"]),
    Route("/tokens/{jti}/revoke", page(revoke), methods=["POST"]),
]
