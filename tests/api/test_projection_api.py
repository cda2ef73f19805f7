"""The analyses over HTTP answer from the projection and never stale: a mutation, then
the figure (the API test town: no demands until one is raised)."""

from __future__ import annotations

from apihelp import Api

from analysis import projection

CLOSURE = """{ indicators(keys: ["demand_closure"]) { indicators { key numerator denominator
  gaps { code } } } }"""
RAISE = ('mutation { raiseDemand(code: "DP1", raisedIn: "Compound:C3", input: '
         '{title: "楼道灯坏了", category: repair, urgency: 3}) { errors { message } } }')


def _closure(api: Api) -> tuple[float, float, list[str]]:
    ind = api.gql(CLOSURE, scope="K1")["indicators"]["indicators"][0]
    return ind["numerator"], ind["denominator"], [g["code"] for g in ind["gaps"]]


def test_a_raised_demand_shows_in_the_next_indicators(town_api: Api) -> None:
    kept = projection.shared()
    kept.clear()
    assert _closure(town_api) == (0, 0, [])
    assert _closure(town_api) == (0, 0, []) and kept.builds == 1  # warm: from memory
    raised = town_api.gql(RAISE, role="resident", scope="M2", subject="P2")["raiseDemand"]
    assert raised["errors"] == []
    assert _closure(town_api) == (0, 1, ["DP1"])
    # a demand raised: only the scope's demands and whistles were read again
    assert (kept.builds, kept.refreshes) == (1, 1)


DISPATCH = ('mutation { dispatchDemand(code: "DP1", taker: "Unit:U1") '
            '{ errors { message } } }')


def test_a_dispatch_reads_again_only_the_demands_of_the_areas_it_lies_under(
        town_api: Api) -> None:
    """DP1 is raised in C3, of street S2: its dispatch re-reads the demands of S2 and of
    the county, not those of S1 (a street admin's dashboard each)."""
    kept = projection.shared()
    kept.clear()
    raised = town_api.gql(RAISE, role="resident", scope="M2", subject="P2")["raiseDemand"]
    assert raised["errors"] == []

    def closure(scope: str) -> tuple[float, float]:
        ind = town_api.gql(CLOSURE, role="street_staff" if scope != "K1" else "county_admin",
                           scope=scope)["indicators"]["indicators"][0]
        return ind["numerator"], ind["denominator"]

    assert [closure(s) for s in ("S1", "S2", "K1")] == [(0, 0), (0, 1), (0, 1)]
    before = kept.refreshes
    assert town_api.gql(DISPATCH)["dispatchDemand"]["errors"] == []
    assert closure("S1") == (0, 0) and kept.refreshes == before  # not read again
    assert closure("S2") == (0, 1) and kept.refreshes == before + 1
    assert closure("K1") == (0, 1) and kept.refreshes == before + 2
    assert kept.builds == 3
