"""A connection counted per value of an enum property (``totalCountBy``), over HTTP.

On the scope town (scope_town.py), all four demands open: DA (repair) and DA2 (legal)
in street A's compound CA, DB (culture) in street B's CB, DS (culture) in CS, which lies
in both streets (communities MA and MB).  So, by hand: the county counts 4 open, street
A 3 (DA, DA2, DS), street B 2 (DB, DS); by category the county counts repair 1, legal 1,
culture 2.  The counts follow the connection's ``within`` and filters, and its scope: a
street never counts the other street's demands.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scope_town import COMMUNITY_A, COUNTY, STREET_A, STREET_B, serving

from api.graphql import queries
from graph.model import CATEGORIES, DEMAND_STATUSES
from graph.spine import ANCHORS
from graph.store import BoltStore, Query

TALLY = """query($within: ID, $f: DemandFilter) { demands(within: $within, filter: $f) {
  byStatus: totalCountBy(by: STATUS) { value label count }
  byCategory: totalCountBy(by: CATEGORY) { value count } } }"""
DISPATCH = """mutation { dispatchDemand(code: "DA", taker: "Unit:UA") { errors { field } } }"""
STATUSES = [s.code for s in DEMAND_STATUSES]  # open, dispatched, accepted, done, reviewed


def by_status(data: dict[str, object]) -> dict[str, int]:
    """The nonzero counts per status, after checking every status is listed in order."""
    rows = data["demands"]["byStatus"]  # type: ignore[index]
    assert [r["value"] for r in rows] == STATUSES
    return {r["value"]: r["count"] for r in rows if r["count"]}


def test_the_text_groups_once_and_takes_values_as_parameters() -> None:
    text = queries.total_by("Demand", "status", "Street", "Community").cypher
    # one anchor (RAISED_IN): the walk binds each demand once, so no DISTINCT to pay for;
    # a person's two anchors join two lists, which may both hold one person
    assert text.endswith("RETURN n.status AS value, count(n) AS total ORDER BY value")
    assert queries.total("Person", "County", None).cypher.endswith("count(DISTINCT n) AS n")
    assert all(f"${p}" in text for p in ("scope", "within", "subject", "f_status"))
    # totalCount's walk and checks, to the letter: one grouped read instead of one each
    whole = queries.total("Demand", "Street", "Community").cypher
    assert text.rpartition(" RETURN ")[0] == whole.rpartition(" RETURN ")[0]
    assert queries.total_by("Demand", "status", "Street", None,
                            active=frozenset({"category"})).name == (
        "count_Demand_by_status_in_Street_all_f_category")
    places = queries.demands_by_place("Street", "Community").cypher
    assert places.rpartition(" RETURN ")[0] == whole.rpartition(" RETURN ")[0]
    assert places.endswith("n.status AS value, count(n) AS total")
    assert "status" in queries.tally_props("Demand") and "title" not in queries.tally_props(
        "Demand")
    with pytest.raises(ValueError, match="cannot be counted by title"):
        queries.total_by("Demand", "title", "County", None)


def test_filters_are_checked_in_the_walk_and_the_scope_after() -> None:
    page = queries.page("Demand", "County", "Street", "code", False,
                        active=frozenset({"taker"})).cypher
    walk, _, after = page.partition(" RETURN DISTINCT n } ")
    # down from the street (the narrower); the taker filter and the keyset inside the
    # branch, before its DISTINCT; the caller's county, a check walking up, after it
    assert walk.startswith("CALL { MATCH (s:Street {code: $within})")
    assert "$f_taker" in walk and "$after_code" in walk and "$scope" not in walk
    assert after.startswith("WITH n WHERE (EXISTS { MATCH (n)-[:RAISED_IN]->()")
    assert "(:County {code: $scope})" in after
    # every filter of every connection can go inside the walk (none names s or t)
    for label in ANCHORS:
        assert queries.page(label, "County", None, "code", False).cypher


def test_counts_per_status_and_category_in_each_scope(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        county = api.gql(TALLY, **COUNTY)
        assert by_status(county) == {"open": 4}
        assert county["demands"]["byStatus"][0]["label"] == DEMAND_STATUSES[0].zh
        categories = county["demands"]["byCategory"]
        assert [r["value"] for r in categories] == [c.code for c in CATEGORIES]
        assert {r["value"]: r["count"] for r in categories if r["count"]} == {
            "repair": 1, "legal": 1, "culture": 2}
        assert by_status(api.gql(TALLY, **STREET_A)) == {"open": 3}
        assert by_status(api.gql(TALLY, **STREET_B)) == {"open": 2}
        assert by_status(api.gql(TALLY, **COMMUNITY_A)) == {"open": 3}


def test_counts_follow_within_and_the_filters(store: BoltStore, tmp_path: Path) -> None:
    """Street A within community MB: only DS (MB lies in street B; DS in both)."""
    with serving(store, tmp_path) as api:
        assert by_status(api.gql(TALLY, {"within": "Community:MB"}, **COUNTY)) == {"open": 2}
        assert by_status(api.gql(TALLY, {"within": "Community:MB"}, **STREET_A)) == {"open": 1}
        culture = {"f": {"category": ["culture"]}}
        assert by_status(api.gql(TALLY, culture, **COUNTY)) == {"open": 2}
        assert by_status(api.gql(TALLY, culture, **STREET_A)) == {"open": 1}
        assert by_status(api.gql(TALLY, {"f": {"taker": "Unit:UA"}}, **COUNTY)) == {}


def test_a_dispatch_moves_one_count(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        assert api.gql(DISPATCH, **STREET_A)["dispatchDemand"]["errors"] == []
        assert by_status(api.gql(TALLY, **COUNTY)) == {"open": 3, "dispatched": 1}
        assert by_status(api.gql(TALLY, **STREET_A)) == {"open": 2, "dispatched": 1}
        assert by_status(api.gql(TALLY, **STREET_B)) == {"open": 2}
        assert by_status(api.gql(TALLY, {"f": {"taker": "Unit:UA"}}, **COUNTY)) == {
            "dispatched": 1}


PLACES = """query($within: ID, $f: DemandFilter) { demandsByPlace(within: $within, filter: $f) {
  id code count counts { value label count } } }"""
RAISE = """mutation { raiseDemand(code: "DN", raisedIn: "Community:MA", raisedBy: "Person:PA",
  input: {title: "路灯", category: repair}) { errors { field message } } }"""


def places(data: dict[str, object]) -> dict[str, dict[str, int]]:
    """Per place id, its counts per status (checking the total is their sum)."""
    out = {}
    for p in data["demandsByPlace"]:  # type: ignore[attr-defined]
        counts = {c["value"]: c["count"] for c in p["counts"]}
        assert p["count"] == sum(counts.values()) and p["id"].endswith(":" + p["code"])
        out[p["id"]] = counts
    return out


def test_demands_counted_per_place_and_status(store: BoltStore, tmp_path: Path) -> None:
    """By hand: DA, DA2 in CA, DB in CB, DS in CS; then DA dispatched, and DN raised in
    community MA (no compound: counted at MA)."""
    with serving(store, tmp_path) as api:
        assert places(api.gql(PLACES, **COUNTY)) == {
            "Compound:CA": {"open": 2}, "Compound:CB": {"open": 1}, "Compound:CS": {"open": 1}}
        assert places(api.gql(PLACES, **STREET_A)) == {
            "Compound:CA": {"open": 2}, "Compound:CS": {"open": 1}}
        assert places(api.gql(PLACES, **STREET_B)) == {
            "Compound:CB": {"open": 1}, "Compound:CS": {"open": 1}}
        assert places(api.gql(PLACES, {"within": "Community:MB"}, **STREET_A)) == {
            "Compound:CS": {"open": 1}}
        assert api.gql(DISPATCH, **COUNTY)["dispatchDemand"]["errors"] == []
        assert api.gql(RAISE, **COUNTY)["raiseDemand"]["errors"] == []
        county = api.gql(PLACES, **COUNTY)
        assert places(county) == {
            "Community:MA": {"open": 1}, "Compound:CA": {"open": 1, "dispatched": 1},
            "Compound:CB": {"open": 1}, "Compound:CS": {"open": 1}}
        assert county["demandsByPlace"][1]["counts"][1]["label"] == DEMAND_STATUSES[1].zh
        assert places(api.gql(PLACES, {"f": {"status": ["dispatched"]}}, **STREET_A)) == {
            "Compound:CA": {"dispatched": 1}}
        assert places(api.gql(PLACES, **STREET_B)) == {
            "Compound:CB": {"open": 1}, "Compound:CS": {"open": 1}}


def test_a_demand_raised_in_two_places_counts_once_at_the_first(
        store: BoltStore, tmp_path: Path) -> None:
    """DB raised in CB and also in CA counts at CA (the first by code), once; DN raised
    in communities MB and MA counts at MA, as the map places single demands."""
    with serving(store, tmp_path) as api:
        store.write(Query("t_twice", "MATCH (d:Demand {code: 'DB'}), (c:Compound {code: 'CA'}) "
                                     "CREATE (d)-[:RAISED_IN]->(c)"))
        assert api.gql(RAISE, **COUNTY)["raiseDemand"]["errors"] == []
        store.write(Query("t_twice_m", "MATCH (d:Demand {code: 'DN'}), "
                                       "(m:Community {code: 'MB'}) CREATE (d)-[:RAISED_IN]->(m)"))
        assert places(api.gql(PLACES, **COUNTY)) == {
            "Community:MA": {"open": 1}, "Compound:CA": {"open": 3},
            "Compound:CS": {"open": 1}}
