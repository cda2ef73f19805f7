"""概览: the 22 indicators of a scope as cards, their change since a comparison date, one
indicator per child scope as a chart, and the indicators furthest from their goal.

Everything comes from one ``indicators`` analysis (its ``children`` already carry each
indicator per child scope: a county's streets, a street's communities), so the chart costs
nothing more than the cards; asking each child scope in turn would run ten analyses for a
county, one at a time on the analysis pool.  A comparison date runs a second, smaller
analysis (``itemLimit: 0``).  It is off by default: the first view of a county must render
within a second, and a comparison doubles the work; one click asks for the year before.

``scope_arg`` (the ``?scope=Label:CODE`` every analysis page takes) lives here; the other
pages import it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from api.console.cache import kept
from api.console.items import item_href
from api.console.render import percent
from api.console.web import PageError, View, page, today
from graph.i18n import _

GAP_PREVIEW = 3  # the largest gaps named under each indicator in the worst-first list
WORST_SHOWN = 8
DASHBOARD = """query($scope: String, $asOf: String, $id: ID!) {
  place: node(id: $id) { id ...Named }
  indicators(scope: $scope, asOf: $asOf, itemLimit: 3) {
    scope asOf
    indicators { key zh definition numerator denominator ratio reason lowerIsBetter gapCount
                 gaps { label code name households }
                 children { label code name numerator denominator ratio } }
  }
}
fragment Named on Node {
  ... on County { name } ... on Street { name } ... on Community { name }
  ... on Grid { name } ... on Compound { name }
}"""
COMPARE = """query($scope: String, $asOf: String) {
  indicators(scope: $scope, asOf: $asOf, itemLimit: 0) { asOf indicators { key ratio } }
}"""


def scope_arg(view: View) -> str:
    """The analysed scope as ``Label:CODE``: ``?scope=`` when given (the API refuses one
    outside the user's), else the user's own."""
    given = view.request.query_params.get("scope", "").strip()
    return given or "{}:{}".format(*view.scope)


def date_arg(view: View, name: str) -> str | None:
    """A ``YYYY-MM-DD`` query parameter as given (the API checks it), or None."""
    value = view.request.query_params.get(name, "").strip()
    return value or None


def amount(value: float) -> str:
    """A numerator or denominator: whole counts without decimals, household shares with one."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def link(path: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class Card:
    """One indicator as its card shows it."""

    key: str
    zh: str
    definition: str
    ratio: str
    fraction: str
    reason: str | None
    change: str | None  # "+5.0" percentage points, None without a comparison
    tone: str  # good / bad / "" (no change or nothing to compare)
    href: str


def change(now: float | None, before: float | None, lower_is_better: bool) -> tuple[str, str]:
    """The change in percentage points and whether it is for the better."""
    if now is None or before is None:
        return "—", ""
    points = round((now - before) * 100, 1)
    if points == 0:
        return "±0.0", ""
    better = (points > 0) != lower_is_better
    return f"{points:+.1f}", "good" if better else "bad"


def worst_first(children: list[dict[str, Any]], lower_is_better: bool) -> list[dict[str, Any]]:
    """Child figures, the furthest from the goal first; those without a ratio last."""
    rated = [c for c in children if c["ratio"] is not None]
    rated.sort(key=lambda c: (-c["ratio"] if lower_is_better else c["ratio"], c["code"]))
    return rated + [c for c in children if c["ratio"] is None]


def shortfall(ind: dict[str, Any]) -> float:
    """How far an indicator is from its goal (0 none … 1 all), for the worst-first list."""
    ratio: float = ind["ratio"]
    return ratio if ind["lowerIsBetter"] else 1 - ratio


def _chart(indicators: list[dict[str, Any]], as_of: str) -> dict[str, Any]:
    """What static/dashboard.js draws: per indicator its children, worst first."""
    series = []
    for ind in indicators:
        kids = worst_first(ind["children"], ind["lowerIsBetter"])
        series.append({"key": ind["key"], "zh": ind["zh"], "lower": ind["lowerIsBetter"],
                       "children": [{
                           "name": c["name"] or c["code"], "code": c["code"],
                           "ratio": None if c["ratio"] is None else round(c["ratio"] * 100, 1),
                           "fraction": f"{amount(c['numerator'])} / {amount(c['denominator'])}",
                           "href": link("/", scope=f"{c['label']}:{c['code']}", asOf=as_of),
                       } for c in kids]})
    return {"series": series}


def _worst(indicators: list[dict[str, Any]], scope: str, as_of: str) -> list[dict[str, Any]]:
    rows = [i for i in indicators if i["ratio"] is not None and i["gapCount"] > 0]
    rows.sort(key=lambda i: (-shortfall(i), -i["gapCount"], i["key"]))
    return [{"zh": i["zh"], "ratio": percent(i["ratio"]), "gaps": i["gapCount"],
             "href": link(f"/indicator/{i['key']}", scope=scope, asOf=as_of, show="gaps"),
             "top": [{"name": g["name"] or g["code"], "households": g["households"],
                        "href": item_href(g["label"], g["code"])}
                       for g in i["gaps"][:GAP_PREVIEW]]}
            for i in rows[:WORST_SHOWN]]


def a_year_before(day: str) -> str:
    date = dt.date.fromisoformat(day)
    try:
        return date.replace(year=date.year - 1).isoformat()
    except ValueError:  # 29 February
        return date.replace(year=date.year - 1, day=28).isoformat()


async def dashboard(view: View) -> Response:
    scope = scope_arg(view)
    as_of, compare = date_arg(view, "asOf"), date_arg(view, "compare")
    data = await kept(view, "dashboard", (scope, as_of),
                      lambda: view.gql(DASHBOARD, scope=scope, asOf=as_of, id=scope))
    table = data["indicators"]
    indicators: list[dict[str, Any]] = table["indicators"]
    day = table["asOf"]
    place = data["place"] or {}
    if not place:
        raise PageError(_("未找到范围 {scope}", scope=scope), 404, "NOT_FOUND")
    before: dict[str, float | None] = {}
    if compare:
        earlier = await kept(view, "dashboard-compare", (scope, compare),
                             lambda: view.gql(COMPARE, scope=scope, asOf=compare))
        before = {i["key"]: i["ratio"] for i in earlier["indicators"]["indicators"]}
    cards = []
    for ind in indicators:
        moved, tone = change(ind["ratio"], before.get(ind["key"]), ind["lowerIsBetter"])
        cards.append(Card(ind["key"], ind["zh"], ind["definition"], percent(ind["ratio"]),
                          f"{amount(ind['numerator'])} / {amount(ind['denominator'])}",
                          ind["reason"], moved if compare else None, tone,
                          link(f"/indicator/{ind['key']}", scope=scope, asOf=day)))
    return view.render(
        "dashboard.html", nav="dashboard", scope_id=table["scope"],
        scope_name=place.get("name") or table["scope"], as_of=day, compare=compare or "",
        today=today(), year_before=link("/", scope=scope, asOf=day,
                                        compare=a_year_before(day)),
        cards=cards, worst=_worst(indicators, scope, day),
        chart=_chart(indicators, day),
        has_children=any(i["children"] for i in indicators))


routes = [Route("/", page(dashboard), methods=["GET"])]
