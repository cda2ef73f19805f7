"""邀请码 /invitations: staff invite members and residents of their scope to sign up (INVITE).

The person must be one the staff member sees (the API's own answer: ``node(id)`` in the
caller's scope), a party member when invited as ``member``; the account it will make is
scoped to one of the staff member's communities.  The code is shown once, on the answer
to the POST that made it; the page lists the invitations of the staff member's areas
and revokes an unused one.  Each change writes one audit line naming the staff member
(api.audit.audited, as the account pages do): invitations are not graph data, so there
is no GraphQL mutation for them.  The person signs up on ``/join`` (api.console.auth_pages).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from api import invitations
from api.console.accounts import ROLE_NAMES
from api.console.areas import Area, areas, resolve, stored_scope
from api.console.web import PageError, View, page, run_audited, whole
from api.policy import Cap
from graph.i18n import _

PERSON = """query Person($id: ID!) { node(id: $id) { ... on Person { code name memberStatus } } }"""


def _communities(places: list[Area]) -> list[Area]:
    return [a for a in places if a.label == "Community"]


async def _page(view: View, status: int = 200, places: list[Area] | None = None,
                **shown: Any) -> Response:
    """The page; ``places``: the user's areas when already read."""
    places = places if places is not None else await areas(view)
    keys = {(a.label, a.code): a for a in places}
    now = view.backend.accounts.clock()
    rows = []
    for made in invitations.invitations(view.backend.accounts):
        area = keys.get(await resolve(view, made.scope) or ("", ""))
        if area is not None:
            rows.append({"invitation": made, "area": area, "state": made.state(now)})
    values: dict[str, Any] = {"made": None, "code": None, "message": "", "form": {}}
    values.update(shown)
    return view.render("invitations.html", status=status, nav="invitations", rows=rows,
                       communities=_communities(places), roles=invitations.INVITED_ROLES,
                       role_names=ROLE_NAMES, default_days=invitations.DEFAULT_DAYS,
                       max_days=invitations.MAX_DAYS, **values)


async def _refusal(view: View, person: str, role: str, community: Area | None) -> str:
    """Why this invitation may not be made ("" when it may)."""
    if community is None:
        return _("社区须是你管辖范围内的社区")
    node = (await view.gql(PERSON, id=f"Person:{person}")).get("node") if person else None
    if not node:
        return _("人员 {person} 不存在或不在你的管辖范围内", person=person)
    if role == "member" and not node.get("memberStatus"):
        return _("{person} 不是党员：只能以居民身份邀请", person=person)
    return ""


async def invitations_page(view: View) -> Response:
    if view.request.method == "GET":
        return await _page(view)
    form = {k: view.field(k) for k in ("person", "role", "community", "days")}
    places = await areas(view)
    community = next((a for a in _communities(places) if a.id == form["community"]), None)
    refusal = await _refusal(view, form["person"], form["role"], community)
    scope = await stored_scope(view, community) if community else form["community"]
    days = whole(form["days"], invitations.MAX_DAYS) or invitations.DEFAULT_DAYS
    arguments = {"person": form["person"], "role": form["role"], "scope": scope, "days": days}
    store, by = view.backend.accounts, view.account.name
    try:
        made, code = await run_audited(view, "invitationCreate", arguments, lambda: (
            invitations.invite(store, form["person"], form["role"], scope, by, days)), refusal)
    except ValueError as exc:  # AccountError
        return await _page(view, 400, places, message=str(exc), form=form)
    return await _page(view, places=places, made=made, code=code)


async def revoke(view: View) -> Response:
    ident = view.request.path_params["ident"]
    keys = {(a.label, a.code) for a in await areas(view)}
    mine = {row.id for row in invitations.invitations(view.backend.accounts)
            if await resolve(view, row.scope) in keys}
    refusal = "" if ident in mine else _("没有未使用的邀请 {id}", id=ident)
    try:
        await run_audited(view, "invitationRevoke", {"id": ident}, lambda: invitations.revoke(
            view.backend.accounts, ident), refusal)
    except ValueError as exc:
        raise PageError(str(exc), 404, "NOT_FOUND") from None
    return view.redirect("/invitations")


routes = [
    Route("/invitations", page(invitations_page, cap=Cap.INVITE), methods=["GET", "POST"]),
    Route("/invitations/{ident}/revoke", page(revoke, cap=Cap.INVITE), methods=["POST"]),
]
