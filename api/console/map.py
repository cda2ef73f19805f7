"""地图: where a scope's gaps are — compounds coloured by their gaps, service sites with
their walking circle, unfinished demands, the communities' outlines.

Which compound has which gap is the analysis' answer, not the page's: one ``indicators``
request (the four compound gaps of DOMAIN.md: three-no, no property firm, no compound
branch, outside every service site's walking distance) gives each gap list, and the
compounds, sites and demands come from the scoped lists (``within`` the same scope), all
through :meth:`View.gql` as the signed-in account.  The page places them on a plane of
its own (api.console.plane) unless ``map_tile_url`` names an intranet tile server; what has
no coordinates is listed beside the map.  ``/map/data`` answers the same data as JSON.
The lists are read side by side and what was read is kept until the store is written
(api.console.cache).

Unfinished demands are drawn one by one in a community, grid or compound; a county or
street has thousands (paging them through the API was most of a county map's first
look), so there the map draws each place's count per status instead (``demandsByPlace``,
one read).  ``/map/data``'s keys:

- ``scope``, ``asOf``, ``cut`` (some list was cut short), ``walkM``, ``tiles``,
  ``origin`` (the plane's centre), ``legend`` (key, name, colour, count per gap);
- ``compounds``, ``sites``, ``communities``: what is placed (``x``/``y`` on the plane,
  ``lat``/``lon``; a community its ``outline``, ``ring`` and ``centre``);
- ``grouped``: whether ``demands`` are places (county, street) or single demands, and
  ``demandCount``, how many unfinished demands either way;
- ``demands``: a single demand is ``code title statusLabel categoryLabel urgency due
  compound community lat lon x y``; a place is ``place`` (its id: the compound, or the
  community of a demand raised in no compound) ``compound community name count counts``
  (``value label count`` per status that has any) ``lat lon x y``;
- ``unlocated``: the compounds, sites and demands (or places) without coordinates.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.console.cache import kept
from api.console.plane import Plane, outline
from api.console.web import View, page
from api.policy import Cap
from graph.i18n import N_, translate

ITEM_LIMIT = 500  # the most gaps per list the API gives (itemLimit)
PAGE = 200  # nodes per list request (and at most page_size_max)
MAX_POINTS = 5_000  # nodes of one kind on a map: beyond that the map says it is cut short
WALK_M = 1000.0  # the service circle's walking distance (the API's default walkM)
UNFINISHED = ("open", "dispatched", "accepted")  # demands the map shows
GROUPED = ("County", "Street")  # levels whose map counts demands per place


@dataclass(frozen=True)
class Gap:
    key: str  # the indicator whose gap list names the compound
    name: str  # marked with N_
    colour: str


# Most serious first: a compound is coloured by the first gap it has.
GAPS = (
    Gap("three_no_compounds", N_("三无小区"), "#c62828"),
    Gap("property_management_coverage", N_("无物业"), "#ef6c00"),
    Gap("compound_branch_coverage", N_("无小区党组织"), "#7b1fa2"),
    Gap("service_circle", N_("服务圈外"), "#1565c0"),
)
NO_GAP = Gap("", N_("无上述缺口"), "#2e7d32")

GAPS_DOC = """
query MapGaps($scope: String, $keys: [String!], $walkM: Float!, $itemLimit: Int!) {
  indicators(scope: $scope, keys: $keys, walkM: $walkM, itemLimit: $itemLimit) {
    scope asOf
    indicators { key gapCount gaps { code detail } }
  }
}"""
PLACE_DOC = """
query MapPlace($id: ID!) {
  node(id: $id) {
    ... on County { name } ... on Street { name } ... on Community { name }
    ... on Grid { name } ... on Compound { name }
  }
}"""
_PAGE_ARGS = "within: $within, first: $first, after: $after"
_PAGE_VARS = "$within: ID!, $first: Int, $after: String"
COMPOUNDS_DOC = f"""
query MapCompounds({_PAGE_VARS}) {{
  compounds({_PAGE_ARGS}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ code name households lat lon
                    inGrid {{ partOfCommunity {{ code name }} }} }} }}
  }}
}}"""
SITES_DOC = f"""
query MapSites({_PAGE_VARS}) {{
  serviceSites({_PAGE_ARGS}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ code name kindLabel lat lon }} }}
  }}
}}"""
DEMANDS_DOC = f"""
query MapDemands({_PAGE_VARS}, $status: [String!]) {{
  demands({_PAGE_ARGS}, filter: {{status: $status}}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ code title statusLabel categoryLabel urgency due
                    raisedInCompound {{ code }} raisedInCommunity {{ code }} }} }}
  }}
}}"""

PLACES_DOC = """
query MapPlaces($within: ID!, $status: [String!]) {
  demandsByPlace(within: $within, filter: {status: $status}) {
    id code count counts { value label count }
  }
}"""


async def every(view: View, document: str, field: str,
                **variables: Any) -> tuple[list[dict[str, Any]], bool]:
    """The nodes of one list, page by page, up to MAX_POINTS; and whether it was cut."""
    first = min(PAGE, view.backend.settings.page_size_max)
    nodes: list[dict[str, Any]] = []
    after = None
    while len(nodes) < MAX_POINTS:
        answer = (await view.gql(document, first=first, after=after, **variables))[field]
        nodes += [edge["node"] for edge in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            return nodes, False
        after = answer["pageInfo"]["endCursor"]
    return nodes, True


def _located(node: dict[str, Any]) -> bool:
    return node.get("lat") is not None and node.get("lon") is not None


def _place(plane: Plane, node: dict[str, Any]) -> dict[str, Any]:
    x, y = plane.xy(node["lat"], node["lon"])
    return {**node, "x": x, "y": y}


async def _gaps(view: View, scope: str | None) -> tuple[dict[str, Any], dict[str, list[str]],
                                                        dict[str, float | None]]:
    """The analysed scope (``scope``, ``asOf``, cut short or not), each compound's gaps
    (in GAPS order) and, for those outside the circle, the metres to the nearest site."""
    table = (await view.gql(GAPS_DOC, scope=scope, keys=[g.key for g in GAPS],
                            walkM=WALK_M, itemLimit=ITEM_LIMIT))["indicators"]
    figures = {f["key"]: f for f in table["indicators"]}
    gaps: dict[str, list[str]] = defaultdict(list)
    nearest: dict[str, float | None] = {}
    for gap in GAPS:
        for item in figures[gap.key]["gaps"]:
            gaps[item["code"]].append(gap.key)
            if gap.key == "service_circle":
                nearest[item["code"]] = item["detail"].get("nearest_site_m")
    cut = any(f["gapCount"] > len(f["gaps"]) for f in figures.values())
    return {"scope": table["scope"], "asOf": table["asOf"], "cut": cut}, gaps, nearest


def _compound(node: dict[str, Any], gaps: list[str],
              nearest: dict[str, float | None]) -> dict[str, Any]:
    communities = {c["code"] for g in node["inGrid"] for c in g["partOfCommunity"]}
    own = {k: v for k, v in node.items() if k != "inGrid"}
    return {**own, "gaps": gaps, "nearestSiteM": nearest.get(node["code"]),
            "communities": sorted(communities)}


def _communities(compounds: list[dict[str, Any]], names: dict[str, str],
                 plane: Plane) -> list[dict[str, Any]]:
    """Each community's outline (``outline`` on the plane, ``ring`` in lat/lon) and the
    centroid of its compounds (where a demand raised in the community is drawn)."""
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in compounds:
        for code in c["communities"]:
            members[code].append(c)
    out = []
    for code in sorted(members):
        ring = outline([(c["x"], c["y"]) for c in members[code]])
        lat = sum(c["lat"] for c in members[code]) / len(members[code])
        lon = sum(c["lon"] for c in members[code]) / len(members[code])
        out.append({"code": code, "name": names.get(code),
                    "centre": [round(lat, 6), round(lon, 6)],
                    "outline": [list(p) for p in ring],
                    "ring": [list(plane.latlon(*p)) for p in ring]})
    return out


def _demand(node: dict[str, Any], at: dict[str, tuple[float, float]]) -> dict[str, Any]:
    compound = next((c["code"] for c in node["raisedInCompound"]), None)
    community = next((c["code"] for c in node["raisedInCommunity"]), None)
    own = {k: v for k, v in node.items() if not k.startswith("raisedIn")}
    return {**own, **_at(compound, community, at)}


def _at(compound: str | None, community: str | None,
        at: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """Where a demand raised in ``compound`` (else ``community``) is drawn."""
    where = at.get(f"Compound:{compound}") or at.get(f"Community:{community}")
    lat, lon = where if where else (None, None)
    return {"compound": compound, "community": community, "lat": lat, "lon": lon}


def _group(place: dict[str, Any], names: dict[str, str | None],
           at: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """A place's unfinished demands (demandsByPlace), drawn as one mark."""
    label = place["id"].partition(":")[0]
    compound, community = ((place["code"], None) if label == "Compound"
                           else (None, place["code"]))
    return {"place": place["id"], "name": names.get(place["id"]), "count": place["count"],
            "counts": place["counts"], **_at(compound, community, at)}


async def _demands(view: View, area: str) -> tuple[list[dict[str, Any]], bool, bool]:
    """The unfinished demands of ``area`` (places when its level is GROUPED), whether
    they are places, and whether the list was cut short."""
    if area.partition(":")[0] in GROUPED:
        places = await view.gql(PLACES_DOC, within=area, status=list(UNFINISHED))
        return places["demandsByPlace"], True, False
    # one list per status, side by side: each list is pages of reads in a row
    by_status = await asyncio.gather(*(
        every(view, DEMANDS_DOC, "demands", within=area, status=[s]) for s in UNFINISHED))
    found = sorted((n for nodes, _cut in by_status for n in nodes), key=lambda n: n["code"])
    cut = any(cut for _nodes, cut in by_status) or len(found) > MAX_POINTS
    return found[:MAX_POINTS], False, cut


async def map_data(view: View, scope: str | None) -> tuple[dict[str, Any], str]:
    """Everything the map shows for ``scope`` ('Label:CODE'; None: the user's own), and
    the name of the place (kept until the store is written: api.console.cache)."""
    found = await kept(view, "map", scope, lambda: _read(view, scope))
    return cast(tuple[dict[str, Any], str], found)


async def _read(view: View, scope: str | None) -> tuple[dict[str, Any], str]:
    head, gaps, nearest = await _gaps(view, scope)
    area = head["scope"]
    # the lists, the demands and the name side by side: a list is pages of reads in a row
    (compounds, cut_c), (sites, cut_s), place, (demands, grouped, cut_d) = await asyncio.gather(
        every(view, COMPOUNDS_DOC, "compounds", within=area),
        every(view, SITES_DOC, "serviceSites", within=area),
        view.gql(PLACE_DOC, id=area), _demands(view, area))
    names = {c["code"]: c["name"] for n in compounds for g in n["inGrid"]
             for c in g["partOfCommunity"]}
    rows = [_compound(n, gaps.get(n["code"], []), nearest) for n in compounds]
    plane = Plane.around([(n["lat"], n["lon"]) for n in rows + sites if _located(n)])
    placed = [_place(plane, n) for n in rows if _located(n)]
    outlines = _communities(placed, names, plane)
    at = {f"Compound:{c['code']}": (c["lat"], c["lon"]) for c in placed}
    at.update({f"Community:{c['code']}": (c["centre"][0], c["centre"][1]) for c in outlines})
    if grouped:
        called = {f"Compound:{n['code']}": n["name"] for n in compounds}
        called.update({f"Community:{code}": name for code, name in names.items()})
        marks = [_group(p, called, at) for p in demands]
    else:
        marks = [_demand(n, at) for n in demands]
    legend = [{"key": g.key, "name": translate(g.name), "colour": g.colour,
               "count": sum(g.key in r["gaps"] for r in rows)} for g in (*GAPS, NO_GAP)]
    legend[-1]["count"] = sum(not r["gaps"] for r in rows)
    data = {
        **head, "cut": head["cut"] or cut_c or cut_s or cut_d,
        "walkM": WALK_M, "tiles": view.backend.settings.map_tile_url,
        "origin": [plane.lat0, plane.lon0], "legend": legend,
        "compounds": placed,
        "sites": [_place(plane, n) for n in sites if _located(n)],
        "grouped": grouped,
        "demandCount": sum(m["count"] for m in marks) if grouped else len(marks),
        "demands": [_place(plane, n) for n in marks if _located(n)],
        "communities": outlines,
        "unlocated": {"compounds": [r for r in rows if not _located(r)],
                      "sites": [n for n in sites if not _located(n)],
                      "demands": [n for n in marks if not _located(n)]},
    }
    return data, (place["node"] or {}).get("name") or area


def _scope(view: View) -> str | None:
    return view.request.query_params.get("scope") or None


async def map_page(view: View) -> Response:
    data, place = await map_data(view, _scope(view))
    return view.render("map.html", nav="map", data=data, place=place)


async def map_json(view: View) -> Response:
    """The map's data as JSON, for the page's script and for tests and other tools."""
    data, _place = await map_data(view, _scope(view))
    return JSONResponse(data, headers=view.backend.headers())


routes = [
    Route("/map", page(map_page, cap=Cap.RUN_ANALYSES), methods=["GET"]),
    Route("/map/data", page(map_json, cap=Cap.RUN_ANALYSES), methods=["GET"]),
]
