"""党员自助 /me and 红色积分 /points: the members' and the staff's pages of issue 12.

``/me`` (CLAIM: a member's account, bound to its person): my points this year and my
rank in my community, my tasks (claimed or dispatched to me, with 办结 for the accepted
ones), the open needs of my community with a 领办 button, and online 双报到.  ``/points``
(CONFIRM_REPORTS: staff): the ranking (红榜) of a community or street for a year or
month, and the reports waiting for confirmation.  Every form posts a GraphQL mutation
(View.gql), so it is refused, scoped and audited as the API's; a refusal shows on the
page it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from api.console.areas import areas
from api.console.web import View, page
from api.policy import Cap

ME = """query Me($year: String) {
  myPoints(period: $year) { points rank entries { code points reason at } }
  myTasks { code status title category due }
  myDuties(year: $year) { duty label date }
  openNeeds { code status title category urgency due }
}"""
RANKING = """query Ranking($within: ID, $period: String) {
  pointsRanking(within: $within, period: $period) { rank member name points }
}"""
PENDING = "{ pendingReports { member name community date } }"
ERRORS = "{ errors { field message } }"
CLAIM = f"mutation Claim($code: String!) {{ claimDemand(code: $code) {ERRORS} }}"
COMPLETE = f"mutation Complete($code: String!) {{ completeDemand(code: $code) {ERRORS} }}"
REPORT = f"mutation Report($community: ID!) {{ reportToCommunity(community: $community) {ERRORS} }}"
CONFIRM = (f"mutation Confirm($member: ID!, $community: ID!) {{ confirmReport(member: $member, "
           f"community: $community) {ERRORS} }}")


def _year() -> str:
    return str(dt.date.today().year)


async def _send(view: View, document: str, **variables: Any) -> str:
    """Run a mutation of a form; its first refusal ("" when none)."""
    data = await view.gql(document, **variables)
    errors = next(iter(data.values()))["errors"]
    return str(errors[0]["message"]) if errors else ""


async def me(view: View, message: str = "", status: int = 200) -> Response:
    data = await view.gql(ME, year=_year())
    return view.render("me.html", status=status, nav="me", year=_year(), message=message,
                       community=f"{view.scope[0]}:{view.scope[1]}", **data)


def _me_form(document: str, field: str) -> Any:
    """The handler of one /me form: ``document`` given the posted ``field``; back to
    /me, with the refusal if there was one."""
    async def handler(view: View) -> Response:
        refusal = await _send(view, document, **{field: view.field(field)})
        return await me(view, refusal, 400) if refusal else view.redirect("/me")

    return handler


async def points(view: View, message: str = "", status: int = 200) -> Response:
    places = [a for a in await areas(view) if a.label in ("Street", "Community")]
    query = view.request.query_params
    within = query.get("within") or (places[0].id if places else None)
    period = query.get("period") or _year()
    ranking = (await view.gql(RANKING, within=within, period=period))["pointsRanking"]
    pending = (await view.gql(PENDING))["pendingReports"]
    return view.render("points.html", status=status, nav="points", places=places,
                       within=within, period=period, ranking=ranking, pending=pending,
                       message=message)


async def confirm(view: View) -> Response:
    refusal = await _send(view, CONFIRM, member=view.field("member"),
                          community=view.field("community"))
    return await points(view, refusal, 400) if refusal else view.redirect("/points")


routes = [
    Route("/me", page(me, cap=Cap.CLAIM)),
    Route("/me/claim", page(_me_form(CLAIM, "code"), cap=Cap.CLAIM), methods=["POST"]),
    Route("/me/complete", page(_me_form(COMPLETE, "code"), cap=Cap.CLAIM), methods=["POST"]),
    Route("/me/report", page(_me_form(REPORT, "community"), cap=Cap.CLAIM), methods=["POST"]),
    Route("/points", page(points, cap=Cap.CONFIRM_REPORTS)),
    Route("/points/confirm", page(confirm, cap=Cap.CONFIRM_REPORTS), methods=["POST"]),
]
