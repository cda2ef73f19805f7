"""预警: the scope's alerts, newest first, with the counts per status; the county's rules.

``/alerts`` lists the alerts of the signed-in user's scope through the ``alerts``
connection (filtered by status and rule on the server), the counts per status beside
them, and, for whoever may change rules (Cap.MANAGE_RULES: county admins), the rules
table with their threshold and whether they are on.  ``/alerts/step`` runs
``acknowledgeAlert`` / ``resolveAlert`` and ``/alerts/rule`` runs ``updateAlertRule``
as the signed-in account: the API's scope rules, refusals and audit line.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from analysis import alerts
from api.console.web import PageError, View, nodes, page
from api.policy import Cap
from graph.i18n import _
from graph.model import ALERT_STATUSES

PAGE_SIZE = 50
_COUNT = '{code}: alerts(first: 1, filter: {{status: ["{code}"], rule: $rule}}) {{ totalCount }}'
LIST = ("query Alerts($filter: AlertFilter, $rule: String, $first: Int, $limit: Int) { "
        "list: alerts(first: $first, filter: $filter, orderBy: FIRST_SEEN, descending: true) "
        "{ totalCount edges { node { code status statusLabel message firstSeen lastSeen "
        "clearedAt note history raisedByRule(first: 1) { code name } } } } "
        + " ".join(_COUNT.format(code=s.code) for s in ALERT_STATUSES)
        + " alertRules(first: $limit) { edges { node { code name kind kindLabel indicator "
        "level levelLabel comparison comparisonLabel threshold days enabled } } } }")
_NOTE = {"resolve": ("$note: String", ", note: $note")}  # the steps that take a note
STEP = {name: (f"mutation Step($code: String!{', ' if name in _NOTE else ''}"
               f"{_NOTE.get(name, ('', ''))[0]}) {{ {name}Alert(code: $code"
               f"{_NOTE.get(name, ('', ''))[1]}) {{ errors {{ field message }} }} }}")
        for name in alerts.STEPS}
RULE = ("mutation Rule($code: String!, $input: AlertRuleInput!) { "
        "updateAlertRule(code: $code, input: $input) { errors { field message } } }")
FILTERS = ("status", "rule")


async def board(view: View) -> Response:
    query = view.request.query_params
    chosen = {name: query.get(name) or "" for name in FILTERS}
    if chosen["status"] and chosen["status"] not in {s.code for s in ALERT_STATUSES}:
        raise PageError(_("状态须是 {codes} 之一", codes="、".join(
            s.code for s in ALERT_STATUSES)))
    flt = {"status": [chosen["status"]] if chosen["status"] else None,
           "rule": chosen["rule"] or None}
    limit = view.backend.settings.page_size_max
    data = await view.gql(LIST, filter=flt, rule=flt["rule"], first=min(PAGE_SIZE, limit),
                          limit=limit)
    items = [{**n, "steps": alerts.history(n["history"])} for n in nodes(data["list"])]
    counts = [{"code": s.code, "zh": s.zh, "total": data[s.code]["totalCount"]}
              for s in ALERT_STATUSES]
    return view.render("alerts.html", nav="alerts", chosen=chosen, items=items,
                       total=data["list"]["totalCount"], counts=counts,
                       rules=nodes(data["alertRules"]), page_size=min(PAGE_SIZE, limit))


def _back(form: Any) -> str:
    """The list the form came from (its filters as posted; the path is always ours)."""
    kept = {k: str(form.get(k)) for k in FILTERS if form.get(k)}
    return "/alerts" + (f"?{urlencode(kept)}" if kept else "")


def _refused(errors: list[dict[str, str]]) -> PageError:
    status = 404 if any(e["field"] == "code" for e in errors) else 400
    return PageError("；".join(e["message"] for e in errors), status)


async def step(view: View) -> Response:
    form = view.form()
    name, code = str(form.get("step") or ""), str(form.get("code") or "")
    if name not in STEP or not code:
        raise PageError(_("缺少预警编码或操作"))
    note = {"note": str(form.get("note") or "") or None} if name in _NOTE else {}
    data = await view.gql(STEP[name], code=code, **note)
    errors = data[f"{name}Alert"]["errors"]
    if errors:  # an alert outside the scope is "not found", as the API says
        raise _refused(errors)
    return view.redirect(_back(form))


def _threshold(text: str) -> float | None:
    """The threshold typed in the rules table ("" clears it)."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise PageError(_("阈值须是数字，填的是 {value}", value=repr(text)))
    return value


async def rule(view: View) -> Response:
    form = view.form()
    code = str(form.get("code") or "")
    if not code:
        raise PageError(_("缺少规则编码"))
    values = {"threshold": _threshold(str(form.get("threshold") or "")),
              "enabled": form.get("enabled") == "on"}
    errors = (await view.gql(RULE, code=code, input=values))["updateAlertRule"]["errors"]
    if errors:
        raise _refused(errors)
    return view.redirect(_back(form))


routes = [
    Route("/alerts", page(board, cap=Cap.READ_ALL), methods=["GET"]),
    Route("/alerts/step", page(step, cap=Cap.HANDLE_ALERTS), methods=["POST"]),
    Route("/alerts/rule", page(rule, cap=Cap.MANAGE_RULES), methods=["POST"]),
]
