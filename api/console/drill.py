"""Drill-down: one indicator's items (what it counts) and gaps (what is missing) as a table
with search, sort and paging done here on the server, links to each item's page and to the
xlsx exports of ``/export`` (which take the session cookie).  ``?unit=`` keeps the items
of one unit (the whistle rates' items name theirs: /whistles links each unit's figures).

The items come from one ``indicators`` analysis cut at the API's ``itemLimit`` maximum
(500 of each); above that the page says so and the export, which has them all, is the way
to see the rest.  Unsorted and unsearched, the rows are in the export's order (counted
items, then the gaps ranked by households affected), so the file holds the rows as shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from api.console.dashboard import amount, date_arg, link, scope_arg
from api.console.items import item_href, label_zh
from api.console.render import percent
from api.console.web import PageError, View, page, whole
from graph.i18n import _

ITEM_LIMIT = 500  # the API's itemLimit maximum
PAGE_SIZE = 20
ITEM = "label code name numerator denominator households detail"
ITEMS = f"""query($scope: String, $asOf: String, $keys: [String!], $limit: Int!) {{
  indicators(scope: $scope, asOf: $asOf, keys: $keys, itemLimit: $limit) {{
    scope asOf
    indicators {{ key zh definition numerator denominator ratio reason lowerIsBetter
                 hitCount gapCount hits {{ {ITEM} }} gaps {{ {ITEM} }} }}
  }}
}}"""
SHOW = {"all": "全部", "gaps": "缺口", "hits": "达标"}
SORTS = ("code", "name", "households", "numerator", "denominator")


@dataclass(frozen=True)
class Row:
    """One item of the indicator as a table row."""

    gap: bool
    rank: int | None  # 1 = the largest gap
    label: str
    code: str
    name: str | None
    numerator: float
    denominator: float
    households: int
    detail: str
    href: str | None

    @property
    def kind(self) -> str:
        return label_zh(self.label) if self.label else ""

    def key(self, column: str) -> Any:
        value = getattr(self, column)
        return (value is None, value or "") if column in ("code", "name") else value


def detail_text(detail: dict[str, Any]) -> str:
    """The item's detail in one short line (``键: 值；…``)."""
    def shown(value: Any) -> str:
        if isinstance(value, list):
            return "、".join(shown(v) for v in value) or "无"
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)
    return "；".join(f"{k}: {shown(v)}" for k, v in sorted(detail.items()))


def rows_of(ind: dict[str, Any]) -> list[Row]:
    """Counted items, then the gaps in their rank: the export's order."""
    def row(item: dict[str, Any], rank: int | None) -> Row:
        return Row(rank is not None, rank, item["label"], item["code"], item["name"],
                   item["numerator"], item["denominator"], item["households"],
                   detail_text(item["detail"]), item_href(item["label"], item["code"]))
    return ([row(i, None) for i in ind["hits"]]
            + [row(i, n) for n, i in enumerate(ind["gaps"], 1)])


def chosen(rows: list[Row], show: str, search: str) -> list[Row]:
    wanted = search.casefold()
    return [r for r in rows
            if (show == "all" or r.gap == (show == "gaps"))
            and (not wanted or wanted in r.code.casefold()
                 or wanted in (r.name or "").casefold())]


def int_arg(view: View, name: str, default: int) -> int:
    return whole(view.request.query_params.get(name)) or default


async def indicator(view: View) -> Response:
    key = view.request.path_params["key"]
    params = view.request.query_params
    scope, as_of = scope_arg(view), date_arg(view, "asOf")
    data = await view.gql(ITEMS, scope=scope, asOf=as_of, keys=[key], limit=ITEM_LIMIT)
    table = data["indicators"]
    if not table["indicators"]:
        raise PageError(_("没有这个指标：{key}", key=key), 404, "NOT_FOUND")
    ind, day = table["indicators"][0], table["asOf"]
    unit = params.get("unit", "").strip()  # the whistle rates' items of one unit
    if unit:
        ind = {**ind, **{part: [i for i in ind[part] if i["detail"].get("unit") == unit]
                         for part in ("hits", "gaps")}}
    show = params.get("show", "all") if params.get("show") in SHOW else "all"
    search = params.get("q", "").strip()
    sort = params.get("sort", "") if params.get("sort") in SORTS else ""
    descending = params.get("order") == "desc"
    rows = chosen(rows_of(ind), show, search)
    if sort:
        rows.sort(key=lambda r: r.key(sort), reverse=descending)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    number = min(int_arg(view, "page", 1), pages)
    here = {"scope": scope, "asOf": day, "show": show, "q": search, "sort": sort,
            "order": "desc" if descending else "", "unit": unit}

    def url(**changed: str | int | None) -> str:
        merged = {**here, **changed}
        return link(f"/indicator/{key}", **{k: str(v) if v else None for k, v in merged.items()})

    within = None if scope == "{}:{}".format(*view.scope) else scope
    return view.render(
        "indicator.html", nav="dashboard", ind=ind, scope_id=table["scope"], scope_value=scope,
        as_of=day, ratio=percent(ind["ratio"]),
        fraction=f"{amount(ind['numerator'])} / {amount(ind['denominator'])}",
        rows=rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], total=len(rows),
        page_no=number, pages=pages, show=show, shows=SHOW, search=search, sort=sort,
        descending=descending, url=url, amount=amount, unit=unit,
        cut=ind["hitCount"] > ITEM_LIMIT or ind["gapCount"] > ITEM_LIMIT,
        export=link(f"/export/indicator/{key}.xlsx", within=within, asOf=day),
        export_gaps=link(f"/export/gaps/{key}.xlsx", within=within, asOf=day),
        back=link("/", scope=scope, asOf=day))


routes = [Route("/indicator/{key}", page(indicator), methods=["GET"])]
