"""吹哨报到 through the API: ``whistle`` raises and dispatches to a unit in one audited
mutation; the unit's 签收 (``acceptDemand``) stamps ``accepted_at``, ``completeDemand``
``done_at`` and ``reviewDemand`` ``reviewed_at``; refusals for a unit outside the scope,
for callers who are not staff and for bad deadlines."""

from __future__ import annotations

import json

from apihelp import Api

from graph.store import Query
from graph.writer import NodeRecord, RelRecord, write_graph

WHISTLE = """mutation($in: ID!, $unit: ID!, $respond: String!, $due: String!) {
  whistle(code: "W1", input: {title: "路灯不亮", category: safety}, raisedIn: $in,
          unit: $unit, respondBy: $respond, due: $due) {
    node { code status whistle respondBy due assignedToUnit { node { code } } }
    errors { field message } } }"""
ARGS = {"in": "Compound:C1", "unit": "Unit:U1", "respond": "2026-03-02", "due": "2026-03-10"}
STATE = Query("t_whistle_state",
              "MATCH (d:Demand {code: 'W1'})-[a:ASSIGNED_TO]->(u:Unit) "
              "RETURN d.status AS status, d.whistle AS whistle, d.respond_by AS respond_by, "
              "d.due AS due, d.accepted_at AS accepted_at, d.done_at AS done_at, "
              "d.reviewed_at AS reviewed_at, d.satisfaction AS satisfaction, u.code AS unit, "
              "a.at AS at")
ANY_W1 = Query("t_whistle_any", "MATCH (d:Demand {code: 'W1'}) RETURN count(d) AS n")


def _lines(api: Api, mutation: str) -> list[dict[str, object]]:
    lines = [json.loads(x) for x in api.audit.read_text(encoding="utf-8").splitlines()]
    return [x for x in lines if x["mutation"] == mutation]


def test_whistle_raises_dispatches_and_runs_the_life_cycle(town_api: Api) -> None:
    who = {"role": "community_staff", "scope": "M1"}
    out = town_api.gql(WHISTLE, ARGS, **who)["whistle"]
    assert out == {"errors": [], "node": {
        "code": "W1", "status": "dispatched", "whistle": True, "respondBy": "2026-03-02",
        "due": "2026-03-10", "assignedToUnit": [{"node": {"code": "U1"}}]}}
    (row,) = town_api.store.read(STATE)
    assert (row["status"], row["whistle"], row["respond_by"], row["due"], row["unit"]) == (
        "dispatched", True, "2026-03-02", "2026-03-10", "U1")
    assert row["accepted_at"] is None and row["at"]
    assert [x["outcome"] for x in _lines(town_api, "whistle")] == ["ok"]  # audited once
    for step, extra in (("accept", ""), ("complete", ""), ("review", ", satisfaction: 4")):
        q = f'mutation {{ {step}Demand(code: "W1"{extra}) {{ errors {{ message }} }} }}'
        assert town_api.gql(q, **who)[f"{step}Demand"] == {"errors": []}
    (row,) = town_api.store.read(STATE)
    assert row["status"] == "reviewed" and row["satisfaction"] == 4
    assert row["at"] <= row["accepted_at"] <= row["done_at"] <= row["reviewed_at"]


def test_whistle_refused_for_a_unit_outside_the_scope(town_api: Api) -> None:
    # U1 sits in M1 (street S1): community M2's staff do not see it
    out = town_api.gql(WHISTLE, {**ARGS, "in": "Compound:C3"}, role="community_staff",
                       scope="M2")["whistle"]
    assert out["node"] is None
    assert out["errors"] == [{"field": "unit", "message": "Unit:U1 不在你的管辖范围内"}]
    assert town_api.store.read(ANY_W1) == [{"n": 0}]
    assert [x["outcome"] for x in _lines(town_api, "whistle")] == ["invalid"]


def test_whistle_refused_for_non_staff(town_api: Api) -> None:
    for role in ("resident", "analyst"):
        body = town_api.post(WHISTLE, ARGS, role=role, scope="M1", subject="P1").json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["errors"][0]["message"] == f"角色 {role} 无权吹哨派单"
    assert town_api.store.read(ANY_W1) == [{"n": 0}]


def test_whistle_deadlines_are_required_and_ordered(town_api: Api) -> None:
    out = town_api.gql(WHISTLE, {**ARGS, "respond": "2026-03-12", "due": "2026-03-10"}
                       )["whistle"]
    assert out["errors"] == [{"field": "respondBy",
                              "message": "签收时限 2026-03-12 不能晚于办结时限 2026-03-10"}]
    out = town_api.gql(WHISTLE, {**ARGS, "respond": "下周", "due": ""})["whistle"]
    assert [e["field"] for e in out["errors"]] == ["respondBy", "due"]
    assert out["errors"][1]["message"] == "必须填写"
    assert town_api.store.read(ANY_W1) == [{"n": 0}]


def test_whistle_to_a_non_unit_is_refused(town_api: Api) -> None:
    out = town_api.post(WHISTLE, {**ARGS, "unit": "Person:P1"}).json()
    assert "errors" in out or out["data"]["whistle"]["errors"]
    assert town_api.store.read(ANY_W1) == [{"n": 0}]


RATES = """query($scope: String) { indicators(scope: $scope, asOf: "2026-03-05",
  keys: ["whistle_response_rate", "whistle_resolution_rate"]) {
  indicators { key numerator denominator ratio extra hits { code detail } } } }"""


def test_the_rates_through_the_api_name_no_unit_outside_the_scope(town_api: Api) -> None:
    # a whistle in C3 (street S2) sent by the county to U1, which sits in street S1
    write_graph(town_api.store, [NodeRecord("Demand", "W5", {
        "title": "占道经营", "category": "safety", "whistle": True, "status": "accepted",
        "created_at": "2026-03-01T09:00:00", "respond_by": "2026-03-02",
        "accepted_at": "2026-03-01T10:00:00", "due": "2026-03-04"})],
        [RelRecord("RAISED_IN", "Demand", "W5", "Compound", "C3"),
         RelRecord("ASSIGNED_TO", "Demand", "W5", "Unit", "U1", {"at": "2026-03-01T09:00:00"})])
    county = town_api.gql(RATES)["indicators"]["indicators"]
    response, resolution = county
    assert (response["numerator"], response["denominator"], response["ratio"]) == (1, 1, 1.0)
    assert response["extra"]["by_unit"] == [{"label": "Unit", "code": "U1", "name": "县医院",
                                             "numerator": 1, "denominator": 1, "ratio": 1.0}]
    assert response["hits"][0]["detail"]["unit"] == "U1"
    # not done by its due date (03-04): overdue for resolution
    assert (resolution["numerator"], resolution["denominator"]) == (0, 1)
    assert resolution["extra"]["overdue"] == ["W5"]
    street = town_api.gql(RATES, {"scope": "Street:S2"}, role="street_staff", scope="S2")
    response = street["indicators"]["indicators"][0]
    assert response["extra"]["by_unit"] == [{"label": "Unit", "code": "范围外", "name": None,
                                             "numerator": 1, "denominator": 1, "ratio": 1.0}]
    assert response["hits"] == [{"code": "W5", "detail": {
        "unit": "范围外", "compound": "C3", "community": None, "status": "accepted",
        "respond_by": "2026-03-02", "accepted_at": "2026-03-01T10:00:00", "due": "2026-03-04",
        "done_at": None, "satisfaction": None}}]
