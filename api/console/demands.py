"""需求: the closed loop (居民点单 → 社区派单 → 接单 → 办结 → 评价) as a board, and matching.

``/demands`` shows the scope's demands in one column per status of the model (labels from
graph.model, the chain from graph.lifecycle), filtered on the server by community,
category and taker through the ``demands`` connection, a page of ``COLUMN_SIZE`` per
column; a column pages on by the connection's cursor (``column``, ``after``; ``start``
only numbers the cards), so a county's thousands of demands are all reachable; the
columns' totals are one count per status (``totalCountBy``), not one count each; overdue
is graph.lifecycle's ``overdue`` (the demand-closure indicator's own definition), counted
on today.  What a board read is kept until the store is written (api.console.cache).  Each
card's next step posts to ``/demands/step``, which runs that step's mutation as the
signed-in account.  ``/demands/match`` runs ``matchPlan`` and, posted, ``dispatchMatches``
with the demands ticked.  Every change is therefore the API's mutation: the same scope
rules and refusals, and one audit line naming the account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from api.console.cache import kept
from api.console.dashboard import link
from api.console.web import PageError, View, nodes, page, today, whole
from api.policy import Cap
from graph import lifecycle
from graph.i18n import N_, _, translate
from graph.model import CATEGORIES, DEMAND_STATUSES, MEMBER, NODE_BY_LABEL
from graph.spine import AREAS

COLUMN_SIZE = 50  # cards per column (the column says how many there are in all)
TAKERS = (("Unit", "units"), ("VolunteerTeam", "volunteerTeams"), ("Person", "people"))
CATEGORY_ZH = {c.code: c.zh for c in CATEGORIES}
# a person takes a dispatch only as a party member (graph.lifecycle.taker_label)
TAKER_GROUPS = {"Unit": NODE_BY_LABEL["Unit"].zh,
                "VolunteerTeam": NODE_BY_LABEL["VolunteerTeam"].zh, "Person": N_("党员")}

_TAKEN = " ".join(f"assignedTo{label} {{ node {{ id name }} }}" for label, _f in TAKERS)
CARD = f"""fragment Card on Demand {{ code title category categoryLabel urgency status
  createdAt due doneAt satisfaction whistle respondBy
  raisedInCompound(first: 1) {{ name inGrid(first: 1) {{ partOfCommunity(first: 1) {{ name }} }} }}
  raisedInCommunity(first: 1) {{ name }} {_TAKEN} }}"""
_COLUMN = ("{code}: demands(first: $first, after: $after_{code}, within: $within, "
           "filter: {{status: [\"{code}\"], category: $category, taker: $taker}}) "
           "{{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{ ...Card }} }} }}")
# the columns' totals in one grouped count (five totalCounts cost a county 0.75 s cold)
_TOTALS = ("totals: demands(within: $within, filter: {category: $category, taker: $taker}) "
           "{ totalCountBy(by: STATUS) { value count } }")
BOARD = ("query Board($scope: ID!, $within: ID, $category: [String!], $taker: String, "
         "$first: Int, $limit: Int, "
         + ", ".join(f"$after_{s.code}: String" for s in DEMAND_STATUSES) + ") "
         "{ place: node(id: $scope) { id } "
         "communities(first: $limit, within: $scope) { edges { node { code name } } } "
         + _TOTALS + " "
         + " ".join(_COLUMN.format(code=s.code) for s in DEMAND_STATUSES) + " }\n" + CARD)
_NAMED = "(first: $limit, within: $scope{extra}) {{ edges {{ node {{ id name }} }} }}"
TAKER_CHOICES = "query Takers($scope: ID!, $limit: Int) { " + " ".join(
    f"{field}{_NAMED.format(extra=', filter: {isMember: true}' if label == 'Person' else '')}"
    for label, field in TAKERS) + " }"
STEP = {name: (f"mutation Step($code: String!, $taker: ID, $satisfaction: Int) {{ "
               f"{name}Demand(code: $code, taker: $taker, satisfaction: $satisfaction) "
               "{ errors { field message } } }") for name in lifecycle.STEPS}
_PLAN_FIELDS = ("scope assignments { demand resource taker category urgency distanceM flags } "
                "unmatched { demand category urgency reason } urgencyServed totalDistanceM "
                "dispatched")
PLAN = f"query Plan($scope: String) {{ matchPlan(scope: $scope) {{ {_PLAN_FIELDS} }} }}"
DISPATCH = ("mutation Dispatch($scope: String, $demands: [String!]) { "
            f"dispatchMatches(scope: $scope, demands: $demands) {{ {_PLAN_FIELDS} }} }}")
_BY_CODES = ("{field}(first: $limit, filter: {{codes: ${field}}}) "
             "{{ edges {{ node {{ id name }} }} }}")
NAMES = ("query Names($demands: [String!], $resources: [String!], $limit: Int, "
         + ", ".join(f"${field}: [String!]" for _l, field in TAKERS) + ") { "
         "demands(first: $limit, filter: {codes: $demands}) { edges { node { ...Card } } } "
         "resources(first: $limit, filter: {codes: $resources}) { edges { node { code name } } } "
         + " ".join(_BY_CODES.format(field=field) for _l, field in TAKERS) + " }\n" + CARD)
FILTERS = ("community", "category", "taker")


def _scope(view: View) -> str:
    """The ``scope`` asked for ('Label:CODE'), by default the user's own."""
    scope = view.request.query_params.get("scope") or ":".join(view.scope)
    if scope.partition(":")[0] not in AREAS:
        raise PageError(_("范围须写成 类型:编码，类型为 {labels} 之一", labels="、".join(AREAS)))
    return scope


def card(node: dict[str, Any], on: str) -> dict[str, Any]:
    """What a card shows of a demand: where, who took it, how old, overdue on ``on``."""
    compound = (node["raisedInCompound"] or [None])[0]
    grids = compound["inGrid"] if compound else []
    communities = [c for g in grids for c in g["partOfCommunity"]] or node["raisedInCommunity"]
    takers = [link["node"] for label, _f in TAKERS for link in node[f"assignedTo{label}"]]
    created = node["createdAt"]
    age = (dt.date.fromisoformat(on) - dt.date.fromisoformat(created[:10])).days \
        if created else None
    return {**node, "compound": compound["name"] if compound else None,
            "community": communities[0]["name"] if communities else None,
            "taker": takers[0] if takers else None, "age": age,
            "overdue": lifecycle.overdue(node["status"], node["due"], node["doneAt"], on)}


async def board(view: View) -> Response:
    query = view.request.query_params
    scope = _scope(view)
    chosen = {name: query.get(name) or "" for name in FILTERS}
    paged = _paging(query)
    values = await kept(view, "demands", (scope, *chosen.values(), *paged),
                        lambda: _board(view, scope, chosen, paged))
    return view.render("demands.html", nav="demands", scope_id=scope, chosen=chosen,
                       categories=CATEGORIES, steps=lifecycle.STEPS, **values)


def _paging(query: Any) -> tuple[str, str, int]:
    """The column paged past its first page (``column``, a status), the cursor of its
    page (``after``: the connection's endCursor) and the number of its first card."""
    column, after = query.get("column") or "", query.get("after") or ""
    if not column or not after:
        return "", "", 1
    if column not in {s.code for s in DEMAND_STATUSES}:
        raise PageError(_("column 须是 {codes} 之一", codes="、".join(
            s.code for s in DEMAND_STATUSES)))
    return column, after, whole(query.get("start")) or 1


async def _board(view: View, scope: str, chosen: dict[str, str],
                 paged: tuple[str, str, int]) -> dict[str, Any]:
    """The board's columns, filters and takers (kept until the store is written:
    api.console.cache; overdue is counted on today, which is part of the key)."""
    within = f"Community:{chosen['community']}" if chosen["community"] else scope
    limit = view.backend.settings.page_size_max
    size = min(COLUMN_SIZE, limit)
    column, after, start = paged
    data = await view.gql(BOARD, scope=scope, within=within, first=size, limit=limit,
                          category=[chosen["category"]] if chosen["category"] else None,
                          taker=chosen["taker"] or None,
                          **{f"after_{s.code}": after if s.code == column else None
                             for s in DEMAND_STATUSES})
    if data["place"] is None:
        raise PageError(_("你的管辖范围内没有 {scope}", scope=scope), 404, "NOT_FOUND")
    communities = nodes(data["communities"])
    if chosen["community"] and chosen["community"] not in {c["code"] for c in communities}:
        raise PageError(_("范围 {scope} 里没有社区 {code}", scope=scope,
                          code=chosen["community"]), 404, "NOT_FOUND")
    on = today()
    totals = {t["value"]: t["count"] for t in data["totals"]["totalCountBy"]}
    columns = []
    for s in DEMAND_STATUSES:
        found, first = data[s.code], start if s.code == column else 1
        more = found["pageInfo"]
        columns.append({
            "code": s.code, "zh": s.zh, "total": totals[s.code], "start": first,
            "cards": [card(n, on) for n in nodes(found)],
            "next": link("/demands", scope=scope, **chosen, column=s.code,
                         after=more["endCursor"], start=str(first + size))
            if more["hasNextPage"] else None,
            "top": link("/demands", scope=scope, **chosen)
            if first > 1 or s.code == column else None})
    takers = {c["taker"]["id"]: c["taker"]["name"] for col in columns for c in col["cards"]
              if c["taker"]}
    choices: dict[str, list[dict[str, Any]]] = {}
    if view.may(Cap.DISPATCH) and columns[0]["cards"]:
        found = await view.gql(TAKER_CHOICES, scope=scope, limit=limit)
        choices = {translate(TAKER_GROUPS[label]): nodes(found[field])
                   for label, field in TAKERS}
    return {"columns": columns, "communities": communities, "takers": takers,
            "taker_choices": choices, "column_size": size, "on": on}


def _back(form: Any) -> str:
    """The board the form came from (its filters as posted; the path is always ours)."""
    kept = {k: str(form.get(k)) for k in ("scope", *FILTERS) if form.get(k)}
    return "/demands" + (f"?{urlencode(kept)}" if kept else "")


async def step(view: View) -> Response:
    form = view.form()
    name, code = str(form.get("step") or ""), str(form.get("code") or "")
    if name not in STEP or not code:
        raise PageError(_("缺少需求编码或操作"))
    satisfaction = str(form.get("satisfaction") or "")
    data = await view.gql(STEP[name], code=code, taker=str(form.get("to") or "") or None,
                          satisfaction=whole(satisfaction, most=5))
    errors = data[f"{name}Demand"]["errors"]
    if errors:  # a demand outside the scope is "not found", as the API says
        status = 404 if any(e["field"] == "code" for e in errors) else 400
        raise PageError("；".join(e["message"] for e in errors), status)
    return view.redirect(_back(form))


async def _plan_names(view: View, plan: dict[str, Any]) -> dict[str, Any]:
    demands = [a["demand"] for a in plan["assignments"]] + [
        u["demand"] for u in plan["unmatched"]]
    takers = [t.partition(":") for a in plan["assignments"] if (t := a["taker"])]
    found = await view.gql(NAMES, demands=demands, limit=view.backend.settings.page_size_max,
                           resources=[a["resource"] for a in plan["assignments"]],
                           **{field: [code for lab, _s, code in takers
                                      if lab == label or (label, lab) == ("Person", MEMBER)]
                              for label, field in TAKERS})
    on = today()
    return {"demands": {n["code"]: card(n, on) for n in nodes(found["demands"])},
            "resources": {n["code"]: n["name"] for n in nodes(found["resources"])},
            "takers": {n["id"]: n["name"] for _l, field in TAKERS
                       for n in nodes(found[field])}}


async def match(view: View) -> Response:
    if view.request.method == "GET":
        scope = _scope(view)
        plan = (await view.gql(PLAN, scope=scope))["matchPlan"]
        return view.render("demands_match.html", nav="demands", scope_id=scope, plan=plan,
                           names=await _plan_names(view, plan), categories=CATEGORY_ZH,
                           result=False)
    form = view.form()
    scope = str(form.get("scope") or ":".join(view.scope))
    chosen = None if form.get("all") else [str(v) for v in form.getlist("demand")]
    if chosen == []:
        raise PageError(_("请至少勾选一个要派单的需求，或选择“全部派单”"))
    plan = (await view.gql(DISPATCH, scope=scope, demands=chosen))["dispatchMatches"]
    return view.render("demands_match.html", nav="demands", scope_id=scope, plan=plan,
                       names=await _plan_names(view, plan), categories=CATEGORY_ZH,
                       result=True)


routes = [
    Route("/demands", page(board, cap=Cap.READ_ALL), methods=["GET"]),
    Route("/demands/step", page(step), methods=["POST"]),
    Route("/demands/match", page(match, cap=Cap.RUN_ANALYSES), methods=["GET", "POST"]),
]
