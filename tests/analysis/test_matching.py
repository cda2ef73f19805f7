"""Matching: a case greedy gets wrong, urgency before distance, capacity, range."""

from __future__ import annotations

from analysis_builder import G

from analysis.geo import haversine_m
from analysis.matching import (
    EXHAUSTED,
    NO_LOCATION,
    NO_RESOURCE,
    match_demands,
    reach_box,
    write_plan,
)
from graph.store import BoltStore, Query

# On the equator 0.001° of longitude is 111.19 m.
M = 111.19


def city() -> G:
    """Compounds on the equator at longitudes (×0.001°): CA 0, CB 8, CC 30, CD 30.3,
    CF 100 (far), CN no location.  Resources (repair unless stated):
      R1 at 4, cap 1, radius 500   (CA 445 m, CB 445 m)
      R2 at -5, cap 1, radius 600  (CA 556 m, CB 1,445 m: out of range)
      R3 at 30.1, cap 1, radius 300 (CC 11 m, CD 22 m)   -- category elder_care
    """
    g = G().spine("K", {"S": {"M": {"G": ["CA", "CB", "CC", "CD", "CF", "CN"]}}},
                  CA={"lat": 0.0, "lon": 0.0}, CB={"lat": 0.0, "lon": 0.008},
                  CC={"lat": 0.0, "lon": 0.030}, CD={"lat": 0.0, "lon": 0.0303},
                  CF={"lat": 0.0, "lon": 0.1})
    g.node("Member", "P1").node("Unit", "U1").node("VolunteerTeam", "V1")
    g.node("Resource", "R1", category="repair", capacity=1, lat=0.0, lon=0.004, radius_m=500)
    g.node("Resource", "R2", category="repair", capacity=1, lat=0.0, lon=-0.005, radius_m=600)
    g.node("Resource", "R3", category="elder_care", capacity=1, lat=0.0, lon=0.0301,
           radius_m=300)
    g.rel("P1", "OFFERS", "R1").rel("U1", "OFFERS", "R2").rel("V1", "OFFERS", "R3")

    def demand(code: str, compound: str, category: str = "repair", urgency: int = 3) -> None:
        g.node("Demand", code, title=code, category=category, urgency=urgency, status="open")
        g.rel(code, "RAISED_IN", compound)

    demand("D1", "CA")  # nearest R1 (445 m) — greedy takes it and strands D2
    demand("D2", "CB")  # only R1 in range
    demand("D3", "CD", "elder_care", urgency=5)  # 22 m from R3
    demand("D4", "CC", "elder_care", urgency=1)  # 11 m from R3: closer but less urgent
    demand("D5", "CA", "legal")  # no legal resource at all
    demand("D6", "CF")  # 10 km away from every repair resource
    demand("D7", "CN")  # compound without coordinates
    return g


def test_min_cost_flow_beats_greedy_and_explains_the_rest(store: BoltStore) -> None:
    city().write(store)
    plan = match_demands(store, "County", "K")
    got = {a.demand: a.resource for a in plan.assignments}
    # greedy nearest-first: D1→R1 (445 m < 556 m) leaves D2 with nothing: 1 repair match.
    # optimum: D1→R2, D2→R1: both served; urgency first: D3 (5) beats D4 (1) for R3
    assert got == {"D1": "R2", "D2": "R1", "D3": "R3"}
    assert plan.urgency_served == 3 + 3 + 5
    expected = 5 * M + 4 * M + 0.2 * M  # 556 + 445 + 22 m
    assert abs(plan.total_distance_m - expected) < 2
    assert abs(haversine_m(0, 0, 0, 0.005) - 5 * M) < 1
    reasons = {u.demand: u.reason for u in plan.unmatched}
    assert reasons == {"D4": EXHAUSTED, "D5": NO_RESOURCE, "D6": NO_RESOURCE, "D7": NO_LOCATION}
    assert [u.candidates for u in plan.unmatched if u.demand == "D4"] == [["R3"]]
    offerers = {a.demand: (a.offerer_label, a.offerer) for a in plan.assignments}
    assert offerers == {"D1": ("Unit", "U1"), "D2": ("Member", "P1"),
                        "D3": ("VolunteerTeam", "V1")}


def test_radius_override(store: BoltStore) -> None:
    city().write(store)
    # a 200 m radius for every resource leaves only the elder-care pair (D3 22 m / D4 11 m)
    plan = match_demands(store, "County", "K", radius=200)
    assert {a.demand for a in plan.assignments} == {"D3"}
    assert {u.demand: u.reason for u in plan.unmatched}["D1"] == NO_RESOURCE


def test_write_plan_dispatches_in_one_go_and_uses_up_capacity(store: BoltStore) -> None:
    city().write(store)
    plan = match_demands(store, "County", "K")
    result = write_plan(store, plan, at="2025-01-01T09:00:00")
    assert result.dispatched == ["D1", "D2", "D3"] and result.skipped == []
    rows = store.read(Query("t", "MATCH (d:Demand)-[a:ASSIGNED_TO]->(o) RETURN d.code AS d, "
                                 "d.status AS s, o.code AS o, a.resource AS r, a.at AS at "
                                 "ORDER BY d"))
    assert rows == [
        {"d": "D1", "s": "dispatched", "o": "U1", "r": "R2", "at": "2025-01-01T09:00:00"},
        {"d": "D2", "s": "dispatched", "o": "P1", "r": "R1", "at": "2025-01-01T09:00:00"},
        {"d": "D3", "s": "dispatched", "o": "V1", "r": "R3", "at": "2025-01-01T09:00:00"},
    ]
    # the remaining open demands find every resource taken
    again = match_demands(store, "County", "K")
    assert again.assignments == []
    assert {u.demand: u.reason for u in again.unmatched}["D4"] == EXHAUSTED
    # writing the old plan again dispatches nothing twice
    assert write_plan(store, plan).dispatched == []


def test_resources_are_fetched_within_the_largest_range(store: BoltStore) -> None:
    # R4 lies 0.04° (4.4 km) east of the easternmost demand (D6 at CF): outside the
    # demands' box grown by the default 1 km, inside its own 5 km range.
    g = city()
    g.node("Resource", "R4", category="repair", capacity=1, lat=0.0, lon=0.14, radius_m=5000)
    g.rel("P1", "OFFERS", "R4").write(store)
    plan = match_demands(store, "County", "K")
    got = {a.demand: (a.resource, a.distance_m) for a in plan.assignments}
    assert got["D6"][0] == "R4" and abs(got["D6"][1] - 40 * M) < 2
    # a radius override bounds the box instead: 200 m leaves R4 out of everyone's reach
    assert "D6" not in {a.demand for a in match_demands(store, "County", "K", 200).assignments}


def test_a_community_demand_sits_at_the_centroid_of_its_compounds(store: BoltStore) -> None:
    # Community M: CX (lon 0.200) lies in both grids, CY (0.210): centroid 0.205 when
    # CX counts once (0.2033 if it counted twice).  R at 0.209, radius 500: 4 × 111.19 =
    # 445 m from the centroid (630 m from the double-counted one).  Community M2 has only
    # a compound without coordinates.
    g = G().spine("K", {"S": {"M": {"G1": ["CX"], "G2": ["CX", "CY"]},
                              "M2": {"G3": ["CN"]}}},
                  CX={"lat": 0.0, "lon": 0.2}, CY={"lat": 0.0, "lon": 0.21})
    g.node("Unit", "U1").node("Resource", "R", category="repair", capacity=2, lat=0.0,
                              lon=0.209, radius_m=500).rel("U1", "OFFERS", "R")
    for code, where in (("D8", "M"), ("D9", "M2")):
        g.node("Demand", code, title=code, category="repair", urgency=2, status="open")
        g.rel(code, "RAISED_IN", where)
    g.write(store)
    plan = match_demands(store, "County", "K")
    assert [(a.demand, a.resource) for a in plan.assignments] == [("D8", "R")]
    assert abs(plan.assignments[0].distance_m - 4 * M) < 1
    assert {u.demand: u.reason for u in plan.unmatched} == {"D9": NO_LOCATION}
    # a grid scope holds no community's demands
    grid = match_demands(store, "Grid", "G1")
    assert grid.assignments == [] and grid.unmatched == []


def test_reach_box_holds_every_point_in_range() -> None:
    for lat in (0.0, 30.0, 60.0, -75.0):
        box = reach_box([lat], [120.0], 3000.0)
        # the box edges lie at least the reach away (great-circle) from the point
        assert haversine_m(lat, 120.0, box["lat_max"], 120.0) >= 3000
        assert haversine_m(lat, 120.0, box["lat_min"], 120.0) >= 3000
        assert haversine_m(lat, 120.0, lat, box["lon_max"]) >= 3000
        assert haversine_m(lat, 120.0, lat, box["lon_min"]) >= 3000
    assert reach_box([89.99], [0.0], 5000.0)["lon_min"] == -180.0  # the pole: all longitudes
    assert reach_box([0.0], [179.99], 5000.0)["lon_max"] == 180.0  # the antimeridian


def test_a_black_listed_firms_resource_is_flagged_not_dropped(store: BoltStore) -> None:
    """FB is black-listed by its latest rating (graph.ratings), FR red-listed: both their
    resources serve the two demands of CA; only FB's assignment carries the flag."""
    g = G().spine("K", {"S": {"M": {"G": ["CA"]}}}, CA={"lat": 0.0, "lon": 0.0})
    g.node("PropertyFirm", "FB").node("PropertyFirm", "FR")
    g.node("Rating", "RB1", date="2025-01-01", list_status="red").rel("RB1", "RATES", "FB")
    g.node("Rating", "RB2", date="2025-06-01", list_status="black").rel("RB2", "RATES", "FB")
    g.node("Rating", "RR1", date="2025-06-01", list_status="red").rel("RR1", "RATES", "FR")
    g.node("Resource", "RB", category="repair", capacity=1, lat=0.0, lon=0.001)
    g.node("Resource", "RR", category="repair", capacity=1, lat=0.0, lon=0.002)
    g.rel("FB", "OFFERS", "RB").rel("FR", "OFFERS", "RR")
    for code in ("D1", "D2"):
        g.node("Demand", code, title=code, category="repair", status="open")
        g.rel(code, "RAISED_IN", "CA")
    g.write(store)
    plan = match_demands(store, "County", "K")
    got = {a.resource: (a.offerer, a.flags) for a in plan.assignments}
    assert got == {"RB": ("FB", ["black_listed"]), "RR": ("FR", [])}
    assert plan.unmatched == []
