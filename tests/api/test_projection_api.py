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


def _raised(api: Api) -> projection.Projections:
    """The projections emptied, then DP1 raised in C3 (street S2) by a resident."""
    kept = projection.shared()
    kept.clear()
    raised = api.gql(RAISE, role="resident", scope="M2", subject="P2")["raiseDemand"]
    assert raised["errors"] == []
    return kept


def _closure_in(api: Api, scope: str) -> tuple[float, float]:
    """The demand closure of a street (its staff) or of the county (its admin)."""
    ind = api.gql(CLOSURE, role="street_staff" if scope != "K1" else "county_admin",
                  scope=scope)["indicators"]["indicators"][0]
    return ind["numerator"], ind["denominator"]


def test_a_dispatch_reads_again_only_the_demands_of_the_areas_it_lies_under(
        town_api: Api) -> None:
    """DP1 is raised in C3, of street S2: its dispatch re-reads the demands of S2 and of
    the county, not those of S1 (a street admin's dashboard each)."""
    kept = _raised(town_api)

    def closure(scope: str) -> tuple[float, float]:
        return _closure_in(town_api, scope)

    assert [closure(s) for s in ("S1", "S2", "K1")] == [(0, 0), (0, 1), (0, 1)]
    before = kept.refreshes
    assert town_api.gql(DISPATCH)["dispatchDemand"]["errors"] == []
    assert closure("S1") == (0, 0) and kept.refreshes == before  # not read again
    assert closure("S2") == (0, 1) and kept.refreshes == before + 1
    assert closure("K1") == (0, 1) and kept.refreshes == before + 2
    assert kept.builds == 3


LINK = "mutation($input: LinkInput!) { {verb}(input: $input) { ok errors { message } } }"


def test_a_demand_moved_to_another_street_leaves_one_and_shows_in_the_other(
        town_api: Api) -> None:
    """DP1 raised in C3 (street S2), then linked to C1 (street S1): a demand is raised
    in one place, so the link moves it, in one write that says where the demand lay
    and where it lies.  Each figure is right just after it, the county counts DP1
    once, and only the demands were read again (no build).  Unlinking its one place
    is refused: it would lie in no scope, and no one could see it again."""
    kept = _raised(town_api)

    def closure(scope: str) -> tuple[float, float]:
        return _closure_in(town_api, scope)

    def place(verb: str, compound: str) -> dict[str, object]:
        link = {"type": "RAISED_IN", "source": "Demand:DP1", "target": f"Compound:{compound}"}
        found: dict[str, object] = town_api.gql(
            LINK.replace("{verb}", verb), {"input": link}, role="county_admin",
            scope="K1")[verb]
        return found

    assert [closure(s) for s in ("S1", "S2", "K1")] == [(0, 0), (0, 1), (0, 1)]
    assert place("link", "C1") == {"ok": True, "errors": []}
    assert [closure(s) for s in ("S1", "S2", "K1")] == [(0, 1), (0, 0), (0, 1)]
    assert kept.builds == 3
    assert place("unlink", "C1") == {"ok": False, "errors": [{"message": (
        "Demand 须有且只有一条 RAISED_IN（需求所在）：要改到别处，请直接 link 新的，"
        "原来的随之解除")}]}
    assert [closure(s) for s in ("S1", "S2", "K1")] == [(0, 1), (0, 0), (0, 1)]
