"""The analyst's DataFrames (analysis.session) equal the GraphQL answers for the same
scope and date: the entry point is the API's analyses, not a second implementation.

On apihelp's town, with a located compound, a resource and two demands added so the
match plan has one assignment (D1 → RX) and one unmatched demand (D2: no legal
resource).  A county admin sees every node, so nothing is redacted on either side.
"""

from __future__ import annotations

from typing import Any

import pytest
from apihelp import Api, N, R

from analysis.session import Analysis
from graph.writer import write_graph

AS_OF = "2025-01-01"
INDICATORS = """{ indicators(scope: "County:K1", asOf: "2025-01-01", itemLimit: 500) {
  scope asOf indicators { key zh title numerator denominator ratio reason hitCount gapCount }
} }"""
GAPS = """{ coverageGaps(scope: "County:K1", asOf: "2025-01-01", itemLimit: 500) {
  key zh total items { label code name numerator denominator households } } }"""
PLAN = """{ matchPlan(scope: "County:K1", asOf: "2025-01-01") {
  assignments { demand resource taker category urgency distanceM }
  unmatched { demand category urgency reason } } }"""
NETWORK = """{ networkStructure(scope: "County:K1", asOf: "2025-01-01") {
  nodes edges componentSizes articulationPeople { id label name } } }"""


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows with pandas' NaN read back as None (the API's null)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@pytest.fixture
def matched_town(town_api: Api) -> Api:
    write_graph(town_api.store, [
        N("Compound", "C1", {"name": "阳光小区", "households": 300, "lat": 30.0, "lon": 120.0}),
        N("Resource", "RX", {"name": "维修队", "category": "repair", "capacity": 1,
                             "lat": 30.0, "lon": 120.001, "radius_m": 500.0}),
        N("Demand", "D1", {"title": "修水管", "category": "repair", "urgency": 2,
                           "status": "open", "created_at": "2024-12-01T09:00:00"}),
        N("Demand", "D2", {"title": "法律咨询", "category": "legal", "urgency": 1,
                           "status": "open", "created_at": "2024-12-01T09:00:00"}),
    ], [
        R("OFFERS", "Unit", "U1", "Resource", "RX"),
        R("RAISED_IN", "Demand", "D1", "Compound", "C1"),
        R("RAISED_IN", "Demand", "D2", "Compound", "C1"),
    ])
    return town_api


def test_frames_equal_the_graphql_answers(matched_town: Api) -> None:
    api = matched_town
    county = Analysis(api.store).scope("County:K1", as_of=AS_OF)

    table = api.gql(INDICATORS)["indicators"]
    assert (table["scope"], table["asOf"]) == ("County:K1", AS_OF)
    figures = [{"key": i["key"], "zh": i["zh"], "title": i["title"],
                "numerator": i["numerator"], "denominator": i["denominator"],
                "ratio": i["ratio"], "reason": i["reason"], "hit_count": i["hitCount"],
                "gap_count": i["gapCount"]} for i in table["indicators"]]
    assert _records(county.indicators().to_frame()) == figures

    gaps = [{"key": g["key"], "zh": g["zh"], "rank": n, **item}
            for g in api.gql(GAPS)["coverageGaps"]
            for n, item in enumerate(g["items"], start=1)]
    assert _records(county.gaps().to_frame()) == gaps
    assert [g["code"] for g in gaps if g["key"] == "three_no_compounds"] == ["C2"]

    plan = api.gql(PLAN)["matchPlan"]
    assert [a["demand"] for a in plan["assignments"]] == ["D1"]
    rows = sorted([{"demand": a["demand"], "category": a["category"], "urgency": a["urgency"],
                    "resource": a["resource"], "taker": a["taker"],
                    "distance_m": a["distanceM"], "reason": None}
                   for a in plan["assignments"]]
                  + [{"demand": u["demand"], "category": u["category"],
                      "urgency": u["urgency"], "resource": None, "taker": None,
                      "distance_m": None, "reason": u["reason"]} for u in plan["unmatched"]],
                  key=lambda r: r["demand"])
    assert _records(county.match_plan().to_frame()) == rows

    structure = api.gql(NETWORK)["networkStructure"]
    nodes = county.network().to_frame()
    assert len(nodes) == structure["nodes"]
    assert county.network().measured.number_of_edges() == structure["edges"]
    assert nodes.groupby("component").size().sort_values(ascending=False).tolist() == \
        structure["componentSizes"]
    people = nodes[(nodes["label"] == "Person") & nodes["articulation"]]
    assert sorted(people["id"]) == sorted(n["id"] for n in structure["articulationPeople"])
