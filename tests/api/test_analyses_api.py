"""The analyses over HTTP: figures on the API test town, scoped by the caller's token.

The town (apihelp.town): county K1; street S1 → community M1 → grid G1 → compounds C1
(300 households) and C2 (120); street S2 → M2 → G2 → C3 (80).  Branch PO1 covers C1;
firm F1 manages C1 and F2 manages C3; owners' committee OC1 represents C1.
"""

from __future__ import annotations

from apihelp import Api

from analysis import projection

TABLE = """query($scope: String, $keys: [String!]) {
  indicators(scope: $scope, asOf: "2025-01-01", keys: $keys) {
    scope asOf
    indicators { key numerator denominator ratio reason
                 gaps { code households } children { code numerator denominator } }
  }
}"""


def _by_key(data: dict) -> dict:
    return {i["key"]: i for i in data["indicators"]["indicators"]}


def test_indicator_table_with_drill_down_and_children(town_api: Api) -> None:
    data = town_api.gql(TABLE, {"keys": ["compound_branch_coverage",
                                         "property_management_coverage"]}, scope="K1")
    assert data["indicators"]["scope"] == "County:K1"
    rows = _by_key(data)
    # branch coverage: only C1 is covered → 1 of 3; gaps ranked by households C2 (120), C3 (80)
    cov = rows["compound_branch_coverage"]
    assert (cov["numerator"], cov["denominator"]) == (1, 3)
    assert [g["code"] for g in cov["gaps"]] == ["C2", "C3"]
    assert {c["code"]: (c["numerator"], c["denominator"]) for c in cov["children"]} == {
        "S1": (1, 2), "S2": (0, 1)}
    # property management: C1 (F1) and C3 (F2) → 2 of 3, gap C2
    pm = rows["property_management_coverage"]
    assert (pm["numerator"], pm["denominator"]) == (2, 3)
    assert [g["code"] for g in pm["gaps"]] == ["C2"]


def test_a_narrower_scope_inside_the_callers(town_api: Api) -> None:
    data = town_api.gql(TABLE, {"scope": "Street:S2", "keys": ["property_management_coverage"]},
                        role="street_staff", scope="S2")
    pm = _by_key(data)["property_management_coverage"]
    assert (pm["numerator"], pm["denominator"], pm["ratio"]) == (1, 1, 1.0)


def test_another_street_is_refused(town_api: Api) -> None:
    body = town_api.post(TABLE, {"scope": "Street:S1"}, role="street_staff", scope="S2").json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "Street:S1 不在你的管辖范围内"


def test_residents_get_no_analyses(town_api: Api) -> None:
    body = town_api.post(TABLE, {}, role="resident", scope="K1", subject="P2").json()
    assert body["errors"][0]["message"] == "居民无权运行分析"


def test_coverage_gaps_rank_three_no_compounds(town_api: Api) -> None:
    data = town_api.gql('{ coverageGaps(asOf: "2025-01-01") { key total items { code } } }',
                        scope="K1")
    lists = {g["key"]: g for g in data["coverageGaps"]}
    # C2: no firm, no owners' committee, no responsible unit
    assert [i["code"] for i in lists["three_no_compounds"]["items"]] == ["C2"]


def test_network_structure_and_empty_matching(town_api: Api) -> None:
    # one analysis per request (api.graphql.cost): two requests
    data = town_api.gql("""{ networkStructure(asOf: "2025-01-01") { scope nodes
        betweennessSampled } }""", scope="K1")
    assert data["networkStructure"]["scope"] == "County:K1"
    assert data["networkStructure"]["betweennessSampled"] is False
    data = town_api.gql("{ matchPlan { assignments { demand } unmatched { demand } "
                        "candidatePairs } }", scope="K1")
    assert data["matchPlan"] == {"assignments": [], "unmatched": [], "candidatePairs": 0}


def test_dispatching_is_for_staff_and_audited(town_api: Api) -> None:
    body = town_api.post("mutation { dispatchMatches { dispatched } }",
                         role="analyst", scope="K1").json()
    assert body["errors"][0]["message"] == "角色 analyst 无权派发需求"
    kept = projection.shared()
    kept.clear()
    data = town_api.gql("mutation { dispatchMatches { dispatched } }", scope="K1")
    assert data["dispatchMatches"]["dispatched"] == []
    assert '"dispatchMatches"' in town_api.audit.read_text()
    town_api.gql("mutation { dispatchMatches { dispatched } }", scope="K1")
    town_api.gql("{ matchPlan { candidatePairs } }", scope="K1")
    assert kept.builds == 1  # one entry for the county, whoever asks, audited or not


def test_indicators_say_which_way_is_better(town_api: Api) -> None:
    data = town_api.gql("{ indicators(itemLimit: 0) { indicators { key lowerIsBetter } } }",
                        {}, scope="K1")
    lower = {i["key"] for i in data["indicators"]["indicators"] if i["lowerIsBetter"]}
    assert lower == {"three_no_compounds", "overloaded_people"}
