"""Ratings and the red/black list through the API: ``createRating`` under the firm it
rates, ``ratedBy`` filled with the caller's account (never the client's), history kept
(``updateRating`` refused), the firm's current status the latest rating's, scope on the
firm."""

from __future__ import annotations

from apihelp import Api

from graph.writer import NodeRecord, RelRecord, write_graph

CREATE = """mutation($code: String!, $input: RatingInput!, $parent: ID) {
  createRating(code: $code, input: $input, parent: $parent) {
    node { code date stars listStatus ratedBy ratesPropertyFirm { code } }
    errors { field message } } }"""
FIRM = """{ node(id: "PropertyFirm:F1") { ... on PropertyFirm { stars listStatus listStatusLabel
  ratedByRating { code date stars listStatus reason evidence ratedBy } } } }"""
STAFF = {"role": "street_staff", "scope": "S1", "subject": "wang.li"}


def _rate(api: Api, code: str, parent: str = "PropertyFirm:F1", **who: object) -> dict:
    values = {"R1": {"date": "2026-01-10", "stars": 5, "listStatus": "red", "reason": "服务好"},
              "R2": {"date": "2026-03-01", "stars": 2, "listStatus": "black",
                     "reason": "拖欠维修", "evidence": "https://example.org/notice/7"}}
    out: dict = api.gql(CREATE, {"code": code, "input": values[code], "parent": parent},
                        **(who or STAFF))["createRating"]
    return out


def test_two_ratings_the_firm_shows_the_latest_and_keeps_both(town_api: Api) -> None:
    assert _rate(town_api, "R1") == {"errors": [], "node": {
        "code": "R1", "date": "2026-01-10", "stars": 5, "listStatus": "red",
        "ratedBy": "wang.li", "ratesPropertyFirm": [{"code": "F1"}]}}
    firm = town_api.gql(FIRM)["node"]
    assert (firm["stars"], firm["listStatus"], firm["listStatusLabel"]) == (5, "red", "红榜")
    assert _rate(town_api, "R2")["errors"] == []
    firm = town_api.gql(FIRM)["node"]
    assert (firm["stars"], firm["listStatus"], firm["listStatusLabel"]) == (2, "black", "黑榜")
    assert firm["ratedByRating"] == [
        {"code": "R1", "date": "2026-01-10", "stars": 5, "listStatus": "red",
         "reason": "服务好", "evidence": None, "ratedBy": "wang.li"},
        {"code": "R2", "date": "2026-03-01", "stars": 2, "listStatus": "black",
         "reason": "拖欠维修", "evidence": "https://example.org/notice/7",
         "ratedBy": "wang.li"}]


def test_rated_by_is_the_account_and_history_is_not_edited(town_api: Api) -> None:
    out = town_api.gql(CREATE, {"code": "R1", "parent": "PropertyFirm:F1", "input": {
        "date": "2026-01-10", "stars": 5, "ratedBy": "someone.else"}}, **STAFF)["createRating"]
    assert out == {"node": None, "errors": [
        {"field": "input.ratedBy", "message": "由系统填写为当前账号，不能指定"}]}
    _rate(town_api, "R1")
    body = town_api.post('mutation { updateRating(code: "R1", input: {stars: 1}) '
                         "{ errors { message } } }", **STAFF).json()
    assert body["errors"][0]["message"] == "评价记录不能修改：更正请新建一条评价记录"
    body = town_api.post('mutation { deleteRating(code: "R1") { errors { message } } }',
                         **STAFF).json()
    assert body["errors"][0]["message"] == "评价记录不能修改：更正请新建一条评价记录"
    assert town_api.gql(FIRM)["node"]["stars"] == 5


def test_a_firm_outside_the_scope_cannot_be_rated(town_api: Api) -> None:
    # F2 manages C3 in street S2
    out = town_api.gql(CREATE, {"code": "R2", "parent": "PropertyFirm:F2", "input": {
        "date": "2026-01-10", "listStatus": "black"}}, **STAFF)["createRating"]
    assert out == {"node": None, "errors": [
        {"field": "parent", "message": "PropertyFirm:F2 不在你的管辖范围内"}]}
    body = town_api.post(CREATE, {"code": "R3", "parent": "PropertyFirm:F1", "input": {
        "date": "2026-01-10", "stars": 1}}, role="resident", scope="M1", subject="P1").json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert town_api.gql(FIRM)["node"]["ratedByRating"] == []


def test_a_unit_is_rated_for_its_co_building(town_api: Api) -> None:
    out = _rate(town_api, "R1", parent="Unit:U1")
    assert out["errors"] == [] and out["node"]["ratesPropertyFirm"] == []
    units = town_api.gql('{ node(id: "Unit:U1") { ... on Unit { ratedByRating { code } } } }')
    assert units["node"]["ratedByRating"] == [{"code": "R1"}]


PLAN = """{ matchPlan { assignments { demand resource taker flags } } }"""


def test_the_match_plan_flags_a_black_listed_firms_resource(town_api: Api) -> None:
    """F1 (managing C1) offers R1 beside C1, where D1 is open; once black-listed, the plan
    still assigns R1 but flags it (and F1 can take no dispatch anyway)."""
    write_graph(town_api.store, [
        NodeRecord("Compound", "C1", {"lat": 30.0, "lon": 120.0}),
        NodeRecord("Resource", "R1", {"name": "维修队", "category": "repair", "capacity": 1,
                                      "lat": 30.0, "lon": 120.001, "radius_m": 500.0}),
        NodeRecord("Demand", "D1", {"title": "水管漏水", "category": "repair",
                                    "status": "open"})],
        [RelRecord("OFFERS", "PropertyFirm", "F1", "Resource", "R1"),
         RelRecord("RAISED_IN", "Demand", "D1", "Compound", "C1")])
    assert town_api.gql(PLAN)["matchPlan"]["assignments"] == [
        {"demand": "D1", "resource": "R1", "taker": "PropertyFirm:F1", "flags": []}]
    _rate(town_api, "R2")  # black
    assert town_api.gql(PLAN)["matchPlan"]["assignments"] == [
        {"demand": "D1", "resource": "R1", "taker": "PropertyFirm:F1",
         "flags": ["black_listed"]}]


def test_a_black_list_rating_raises_an_alert_for_the_compound_the_firm_manages(
        town_api: Api) -> None:
    """红黑榜 closes through 预警: the firm's status follows its latest rating, and the
    firm_black rule then finds the compound it manages (F1 manages C1); a later red rating
    clears the alert at the next evaluation."""
    write_graph(town_api.store, [NodeRecord("AlertRule", "BL", {
        "name": "黑榜物业企业仍在管理小区", "kind": "firm_black", "enabled": True})],
        [RelRecord("RULE_OF", "AlertRule", "BL", "County", "K1")])
    evaluate = 'mutation { evaluateAlerts(asOf: "2026-06-01") { raised cleared } }'
    assert town_api.gql(evaluate, **STAFF)["evaluateAlerts"] == {"raised": [], "cleared": []}
    assert _rate(town_api, "R2")["errors"] == []  # black, 2026-03-01
    alert = "A-BL-PropertyFirm-F1-C1"
    assert town_api.gql(evaluate, **STAFF)["evaluateAlerts"] == {"raised": [alert],
                                                                 "cleared": []}
    later = {"date": "2026-04-01", "listStatus": "red", "reason": "整改到位"}
    assert town_api.gql(CREATE, {"code": "R3", "input": later, "parent": "PropertyFirm:F1"},
                        **STAFF)["createRating"]["errors"] == []
    assert town_api.gql(evaluate, **STAFF)["evaluateAlerts"] == {"raised": [],
                                                                 "cleared": [alert]}
