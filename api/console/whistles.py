"""吹哨: the whistle form, the scope's whistles with their state, and the three rates per unit.

``/whistles`` lists the scope's whistles (demands with ``whistle: true``, through the
``demands`` connection) with their unit and where each stands: 签收 (accepted), 办结
(done), 评价 (satisfaction); a whistle is marked overdue by the rates' own definitions
(analysis.whistle ``response`` / ``resolution`` at today's date: its deadline is today or
earlier and it was not signed for / done by it).  Below, the three rates per unit of the
scope (the ``indicators`` figures' ``by_unit``) at an as-of date, each linked to the
indicator's drill-down for that unit.  Staff who may whistle get the form: a title,
category, the compound or community, a unit picked from those they can see, and the two
deadlines; it posts to ``/whistles``, which runs the ``whistle`` mutation as the signed-in
account (one audit line, the API's refusals).  The unit's 签收, 办结 and the review are the
demand board's steps (``/demands/step``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from analysis import whistle as rates
from api.console.dashboard import amount, date_arg, link, scope_arg
from api.console.items import item_href
from api.console.render import percent
from api.console.web import PageError, View, nodes, page, today, whole
from api.policy import Cap
from graph.i18n import _
from graph.model import CATEGORIES

LISTED = 100  # whistles shown (the newest codes last); the count says how many in all
ROW = ("code title status statusLabel categoryLabel respondBy acceptedAt due doneAt "
       "satisfaction reviewedAt assignedToUnit { node { code name } }")
LIST = f"""query($scope: ID!, $first: Int) {{
  whistles: demands(first: $first, within: $scope, filter: {{whistle: true}}) {{
    totalCount edges {{ node {{ {ROW} }} }} }}
}}"""
_NAMED = "(first: $limit, within: $scope) { edges { node { id code name } } }"
CHOICES = f"query($scope: ID!, $limit: Int) {{ units{_NAMED} compounds{_NAMED} " \
          f"communities{_NAMED} }}"
RATES = """query($scope: String, $asOf: String, $keys: [String!]) {
  indicators(scope: $scope, asOf: $asOf, keys: $keys, itemLimit: 0) {
    scope asOf indicators { key zh numerator denominator ratio extra } } }"""
WHISTLE = """mutation($input: DemandInput!, $raisedIn: ID!, $unit: ID!, $respondBy: String!,
                     $due: String!) {
  whistle(input: $input, raisedIn: $raisedIn, unit: $unit, respondBy: $respondBy, due: $due) {
    node { code } errors { field message } } }"""
KEYS = [r.key for r in rates.RATES]


def row(node: dict[str, Any], on: str) -> dict[str, Any]:
    """A whistle as the list shows it, with its overdue marks on the day ``on``."""
    units = node["assignedToUnit"]
    plain = {"status": node["status"], "respond_by": node["respondBy"],
             "accepted_at": node["acceptedAt"], "due": node["due"], "done_at": node["doneAt"]}
    late = {name: den > 0 and num < den for name, (num, den) in (
        ("response", rates.response(plain, on)), ("resolution", rates.resolution(plain, on)))}
    return {**node, "unit": units[0]["node"] if units else None, "late": late}


def per_unit(indicators: list[dict[str, Any]], scope: str, as_of: str) -> list[dict[str, Any]]:
    """One row per unit whistled in the scope: each rate's figure and drill-down link."""
    units: dict[str, dict[str, Any]] = {}
    for ind in indicators:
        for u in ind["extra"].get("by_unit", []):
            entry = units.setdefault(u["code"], {"code": u["code"], "name": u["name"],
                                                 "href": item_href("Unit", u["code"]),
                                                 "rates": {}})
            entry["rates"][ind["key"]] = {
                "ratio": percent(u["ratio"]),
                "fraction": f"{amount(u['numerator'])} / {amount(u['denominator'])}",
                "href": link(f"/indicator/{ind['key']}", scope=scope, asOf=as_of,
                             unit=u["code"])}
    return [units[code] for code in sorted(units)]


async def whistles(view: View) -> Response:
    scope, as_of = scope_arg(view), date_arg(view, "asOf")
    limit = view.backend.settings.page_size_max
    listed = await view.gql(LIST, scope=scope, first=min(LISTED, limit))
    on = today()
    rows = [row(n, on) for n in nodes(listed["whistles"])]
    table = (await view.gql(RATES, scope=scope, asOf=as_of, keys=KEYS))["indicators"]
    choices: dict[str, list[dict[str, Any]]] = {}
    if view.may(Cap.WHISTLE):
        found = await view.gql(CHOICES, scope=scope, limit=limit)
        choices = {name: nodes(found[name]) for name in ("units", "compounds", "communities")}
    return view.render(
        "whistles.html", nav="whistles", scope_id=scope, rows=rows,
        total=listed["whistles"]["totalCount"], as_of=table["asOf"], on=on,
        rates=table["indicators"], units=per_unit(table["indicators"], scope, table["asOf"]),
        choices=choices, categories=CATEGORIES, href=item_href,
        cards=[{"key": i["key"], "zh": i["zh"], "ratio": percent(i["ratio"]),
                "fraction": f"{amount(i['numerator'])} / {amount(i['denominator'])}",
                "overdue": i["extra"].get("overdue")} for i in table["indicators"]])


async def blow(view: View) -> Response:
    """The form's post: the ``whistle`` mutation as the signed-in account."""
    values: dict[str, Any] = {"title": view.field("title"), "category": view.field("category")}
    urgency = whole(view.field("urgency"), most=5)
    if urgency:
        values["urgency"] = urgency
    if not values["category"] or not view.field("raisedIn") or not view.field("unit"):
        raise PageError(_("请填写问题、类别、所在小区或社区和承办单位"))
    data = await view.gql(WHISTLE, input=values, raisedIn=view.field("raisedIn"),
                          unit=view.field("unit"), respondBy=view.field("respondBy"),
                          due=view.field("due"))
    errors = data["whistle"]["errors"]
    if errors:
        raise PageError("；".join(e["message"] for e in errors))
    scope = view.field("scope")
    return view.redirect(link("/whistles", scope=scope or None))


routes = [
    Route("/whistles", page(whistles, cap=Cap.RUN_ANALYSES), methods=["GET"]),
    Route("/whistles", page(blow, cap=Cap.WHISTLE), methods=["POST"]),
]
