"""What the console's demand board asks of the API: demands filtered by their taker, and
``dispatchMatches`` writing only the demands staff chose from the plan.

On the scope town (scope_town.py) the county admin's plan is DA → RB and DA2 → RB2, both
offered by unit UB; street A's staff see neither, only A's RA (770 m from DA).
"""

from __future__ import annotations

from pathlib import Path

from scope_town import COUNTY, last_audit, serving

from graph.store import BoltStore, Query

CHOSEN = """mutation($demands: [String!]) { dispatchMatches(scope: "County:K1", demands: $demands)
  { assignments { demand resource taker } dispatched } }"""
BY_TAKER = """query($taker: String) { demands(first: 50, filter: {taker: $taker})
  { edges { node { code status } } } }"""
STATUS = Query("t_status", "MATCH (d:Demand) RETURN d.code AS code, d.status AS status "
                           "ORDER BY code")


def _codes(data: dict[str, object]) -> list[str]:
    edges = data["demands"]["edges"]  # type: ignore[index]
    return [e["node"]["code"] for e in edges]  # type: ignore[union-attr, index]


def test_dispatch_matches_writes_only_the_chosen_demands(store: BoltStore,
                                                         tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        done = api.gql(CHOSEN, {"demands": ["DA2"]}, **COUNTY)["dispatchMatches"]
        assert done == {"assignments": [
            {"demand": "DA", "resource": "RB", "taker": "Unit:UB"},
            {"demand": "DA2", "resource": "RB2", "taker": "Unit:UB"}], "dispatched": ["DA2"]}
        assert {r["code"]: r["status"] for r in store.read(STATUS)} == {
            "DA": "open", "DA2": "dispatched", "DB": "open", "DS": "open"}
        line = last_audit(api)
        assert (line["mutation"], line["who"]) == ("dispatchMatches", "admin-K1")
        assert line["arguments"]["demands"] == ["DA2"]  # type: ignore[index]
        none = api.gql(CHOSEN, {"demands": []}, **COUNTY)["dispatchMatches"]
        assert none["dispatched"] == []
        assert store.read(STATUS)[0] == {"code": "DA", "status": "open"}


def test_demands_filtered_by_their_taker(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        assert _codes(api.gql(BY_TAKER, {"taker": "Unit:UB"}, **COUNTY)) == []
        api.gql(CHOSEN, {"demands": ["DA", "DA2"]}, **COUNTY)
        assert _codes(api.gql(BY_TAKER, {"taker": "Unit:UB"}, **COUNTY)) == ["DA", "DA2"]
        assert _codes(api.gql(BY_TAKER, {"taker": "Unit:UA"}, **COUNTY)) == []
        assert _codes(api.gql(BY_TAKER, {"taker": "Person:UB"}, **COUNTY)) == []
        assert _codes(api.gql(BY_TAKER, {"taker": None}, **COUNTY)) == [
            "DA", "DA2", "DB", "DS"]
