"""网络: the co-operation network's weak points as ranked tables, and a picture of one
community's network.

Both through the API as the signed-in account: ``networkStructure`` for the tables
(single points of failure, isolated organisations, overloaded people, bridges, with
names; what the user may not see is 范围外 or left out, as the API answers), and
``networkGraph`` for the picture (drawn in the browser by ECharts from the page's JSON;
the browser filters nothing).  The communities to choose from are the scope's, read
through the ``communities`` list.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from api.console.cache import kept
from api.console.web import View, page
from api.policy import Cap
from graph.model import NODE_BY_LABEL

STRUCTURE = """
query Structure($scope: String) {
  networkStructure(scope: $scope) {
    scope nodes edges componentSizes
    articulationPeople { id label name }
    isolatedOrgs { id label name }
    overloaded { node { id label name } value }
    bridges { id label name }
  }
}
"""
COMMUNITIES = """
query Communities($within: ID, $after: String) {
  communities(within: $within, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { code name } }
  }
}
"""
GRAPH = """
query Graph($scope: String) {
  networkGraph(scope: $scope) {
    scope
    nodes { id label name }
    edges { source target type role }
  }
}
"""
MAX_PAGES = 20  # of communities for the select (pages of the API's page size)


async def _communities(view: View, scope: str) -> list[tuple[str, str]]:
    """(code, name) of the communities in ``scope`` (``Label:code``)."""
    label, _sep, code = scope.partition(":")
    if label == "Community":
        return [(code, code)]
    found: list[tuple[str, str]] = []
    after = None
    for _page in range(MAX_PAGES):
        data = (await view.gql(COMMUNITIES, within=scope, after=after))["communities"]
        found += [(e["node"]["code"], e["node"]["name"]) for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    return found


def _picture(graph: dict[str, Any]) -> dict[str, Any]:
    """The ECharts series data: nodes with their label kind as category, sized by
    degree; links with the relationship type."""
    labels = sorted({n["label"] for n in graph["nodes"]})
    degree: dict[str, int] = {}
    for e in graph["edges"]:
        degree[e["source"]] = degree.get(e["source"], 0) + 1
        degree[e["target"]] = degree.get(e["target"], 0) + 1
    kinds = [NODE_BY_LABEL[lab].zh if lab in NODE_BY_LABEL else lab for lab in labels]
    return {
        "categories": kinds,
        "nodes": [{"id": n["id"], "name": n["name"] or n["id"], "value": n["id"],
                   "category": labels.index(n["label"]), "degree": degree.get(n["id"], 0)}
                  for n in graph["nodes"]],
        "links": [{"source": e["source"], "target": e["target"], "type": e["type"],
                   "role": e["role"]} for e in graph["edges"]],
    }


async def network(view: View) -> Response:
    params = view.request.query_params
    asked, community = params.get("scope") or None, params.get("community") or ""
    values = await kept(view, "network", (asked, community),
                        lambda: _read(view, asked, community))
    return view.render("network.html", nav="network", scope_asked=asked or "", **values)


async def _read(view: View, asked: str | None, community: str) -> dict[str, Any]:
    """What the page shows (kept until the store is written: api.console.cache)."""
    structure = (await view.gql(STRUCTURE, scope=asked))["networkStructure"]
    communities = await _communities(view, structure["scope"])
    chosen = community or (communities[0][0] if communities else "")
    picture = None
    if chosen:
        graph = (await view.gql(GRAPH, scope=f"Community:{chosen}"))["networkGraph"]
        picture = _picture(graph)
    return {"s": structure, "communities": communities, "chosen": chosen,
            "chosen_name": dict(communities).get(chosen, chosen), "picture": picture,
            "has_picture": bool(picture and picture["nodes"]),
            "cut_people": [n["id"] for n in structure["articulationPeople"]]}


routes = [Route("/network", page(network, cap=Cap.RUN_ANALYSES), methods=["GET"])]
