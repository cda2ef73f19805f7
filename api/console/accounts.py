"""账号 /accounts: a county admin manages the accounts of their county (MANAGE_ACCOUNTS).

Listed are the accounts whose scope lies in the admin's (api.console.areas: the API's
own answer, not a code prefix).  An admin adds one (scope one of those areas, a role
whose capabilities are all the admin's own: never a role above theirs), disables one
(its sessions end at once and its tokens are refused) or resets its password; the new
one-time password is shown once, on the answer to that POST, and must be changed at the
first sign-in.  Each change writes one audit line naming the admin (api.audit.audited,
the mechanism and mutation names of ``jinlin user …``).  Accounts are not graph data,
so there is no GraphQL mutation for them: the page uses the account store, like the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.responses import Response
from starlette.routing import Route

from api.accounts import Account
from api.console.areas import Area, areas, resolve, stored_scope
from api.console.web import PageError, View, page, run_audited
from api.policy import POLICY, ROLES, Cap
from graph.i18n import _

ROLE_NAMES = {"county_admin": "县级管理员", "street_staff": "街道工作人员",
              "community_staff": "社区工作人员", "analyst": "分析人员", "resident": "居民",
              "member": "党员"}
assert set(ROLE_NAMES) == set(ROLES), "every role needs its Chinese name"
T = TypeVar("T")


def grantable(role: str) -> list[str]:
    """The roles an admin of ``role`` may give: none with a capability it lacks."""
    return [r for r in ROLES if POLICY[r] <= POLICY[role]]


async def _managed(view: View, places: list[Area]) -> list[tuple[Account, Area]]:
    """The accounts whose scope is one of ``places`` (the admin's areas), by name."""
    by_key = {(a.label, a.code): a for a in places}
    found = []
    for account in sorted(view.backend.accounts.accounts().values(), key=lambda a: a.name):
        resolved = await resolve(view, account.scope)
        if resolved in by_key:
            found.append((account, by_key[resolved]))
    return found


async def _managed_names(view: View) -> set[str]:
    return {account.name for account, _area in await _managed(view, await areas(view))}


async def _page(view: View, status: int = 200, **shown: Any) -> Response:
    places = await areas(view)
    now = view.backend.accounts.clock()
    rows = [{"account": a, "area": area, "state": a.state(now),
             "tokens": len(a.live_tokens(now))} for a, area in await _managed(view, places)]
    values: dict[str, Any] = {"created": None, "password": None, "reset": False,
                              "message": "", "form": {}}
    values.update(shown)
    return view.render("accounts.html", status=status, nav="accounts", rows=rows,
                       areas=places, roles=grantable(view.account.role),
                       role_names=ROLE_NAMES, **values)


async def accounts_page(view: View) -> Response:
    if view.request.method == "GET":
        return await _page(view)
    form = {k: view.field(k) for k in ("name", "display_name", "role", "scope")}
    chosen = next((a for a in await areas(view) if a.id == form["scope"]), None)
    refusal = ""
    if form["role"] not in grantable(view.account.role):
        refusal = _("不能授予角色 {role}：新账号的权限不能超出你自己的", role=form["role"])
    elif chosen is None:
        refusal = _("范围 {scope} 不在你的管辖范围内", scope=form["scope"])
    scope = await stored_scope(view, chosen) if chosen is not None else form["scope"]
    store = view.backend.accounts
    arguments = {"name": form["name"], "displayName": form["display_name"] or form["name"],
                 "role": form["role"], "scope": scope}
    try:
        account, password = await run_audited(view, "userAdd", arguments, lambda: store.add(
            form["name"], form["display_name"], form["role"], scope,
            lambda s: s == scope), refusal)
    except ValueError as exc:  # AccountError, or check_text refusing a control character
        return await _page(view, 400, message=str(exc), form=form)
    return await _page(view, created=account, password=password)


async def _change(view: View, mutation: str, work: Callable[[str], T]) -> T:
    """``work`` on the account named in the path, if the admin manages it (else "not
    found", as for a node outside scope; ``refused`` in the audit log)."""
    name = view.request.path_params["name"]
    refusal, status = "", 404
    if name not in await _managed_names(view):
        refusal = _("账号 {name} 不存在或不在你的管辖范围内", name=name)
    elif name == view.account.name:
        refusal, status = _("不能在这里停用或重置自己的账号（修改密码请到“修改密码”）"), 400
    elif _admin(view, name):
        refusal, status = _("账号 {name} 也是管理员：管理员之间不能互相停用或重置，请在服务器上用 "
                            "jinlin user disable/reset 处理", name=name), 403
    try:
        result = await run_audited(view, mutation, {"name": name}, lambda: work(name), refusal)
    except ValueError as exc:
        raise PageError(str(exc), status, "NOT_FOUND" if status == 404 else "BAD_REQUEST"
                        ) from None
    view.backend.sessions.end_all(name, keep=view.session.key)
    return result


def _admin(view: View, name: str) -> bool:
    """Whether ``name`` may manage accounts itself: one admin resetting another could then
    sign in as them, and the audit log would name the wrong person."""
    account = view.backend.accounts.get(name)
    return account is not None and Cap.MANAGE_ACCOUNTS in POLICY.get(account.role, frozenset())


async def disable(view: View) -> Response:
    await _change(view, "userDisable", view.backend.accounts.disable)
    return view.redirect("/accounts")


async def reset(view: View) -> Response:
    account, password = await _change(view, "userReset", view.backend.accounts.reset)
    return await _page(view, created=account, password=password, reset=True)


routes = [
    Route("/accounts", page(accounts_page, cap=Cap.MANAGE_ACCOUNTS), methods=["GET", "POST"]),
    Route("/accounts/{name}/disable", page(disable, cap=Cap.MANAGE_ACCOUNTS),
          methods=["POST"]),
    Route("/accounts/{name}/reset", page(reset, cap=Cap.MANAGE_ACCOUNTS), methods=["POST"]),
]
