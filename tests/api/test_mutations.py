"""Mutations: create/update/delete with validation, link/unlink, the demand life cycle."""

from __future__ import annotations

from apihelp import Api

from graph.store import Query

CREATE = """mutation($code: String!, $input: CompoundInput!, $parent: ID) {
  createCompound(code: $code, input: $input, parent: $parent) {
    node { id name households inGrid { code } } errors { field message } } }"""


def test_create_update_delete_compound(town_api: Api) -> None:
    made = town_api.gql(CREATE, {"code": "C9", "input": {"name": "新小区", "households": 50},
                                 "parent": "Grid:G1"}, role="community_staff", scope="M1")
    assert made["createCompound"] == {"errors": [], "node": {
        "id": "Compound:C9", "name": "新小区", "households": 50, "inGrid": [{"code": "G1"}]}}
    upd = town_api.gql('mutation { updateCompound(code: "C9", input: {old: true}) {'
                       " node { name households old } errors { field } } }")
    assert upd["updateCompound"]["node"] == {"name": "新小区", "households": 50, "old": True}
    gone = town_api.gql('mutation { deleteCompound(code: "C9") { ok errors { field } } }')
    assert gone["deleteCompound"] == {"ok": True, "errors": []}
    count = town_api.store.read(Query("t", "MATCH (c:Compound) RETURN count(c) AS n"))
    assert count == [{"n": 3}]


def test_validation_errors_name_the_field(town_api: Api) -> None:
    bad = town_api.gql(CREATE, {"code": "C1", "input": {"households": -3},
                                "parent": "Street:S1"})["createCompound"]
    assert bad["node"] is None
    fields = {e["field"]: e["message"] for e in bad["errors"]}
    assert set(fields) == {"input.name", "input.households", "parent", "code"}
    assert fields["input.name"] == "必须填写"
    assert fields["input.households"] == "不能小于 0，填的是 -3"
    assert fields["code"] == "Compound C1 已存在"
    firm = town_api.gql('mutation { updatePropertyFirm(code: "F1", input: {stars: 9}) {'
                        " errors { field message } } }")["updatePropertyFirm"]
    assert firm["errors"] == [{"field": "input.stars", "message": "不能大于 5，填的是 9"}]


def test_member_label_follows_status(town_api: Api) -> None:
    town_api.gql('mutation { updatePerson(code: "P2", input: {memberStatus: retired}) {'
                 " node { isMember memberStatus } } }")
    rows = town_api.store.read(Query("t", "MATCH (p:Member) RETURN p.code AS c ORDER BY c"))
    assert [r["c"] for r in rows] == ["P1", "P2"]


LINK = "mutation($input: LinkInput!) { link(input: $input) { ok errors { field message } } }"
UNLINK = "mutation($input: LinkInput!) { unlink(input: $input) { ok errors { field message } } }"


def test_link_and_unlink_posts(town_api: Api) -> None:
    post = {"type": "HOLDS_POST", "source": "Person:P1", "target": "PartyOrg:PO1",
            "role": "secretary", "since": "2024/01/05"}
    assert town_api.gql(LINK, {"input": post})["link"] == {"ok": True, "errors": []}
    q = ('{ node(id: "PartyOrg:PO1") { ... on PartyOrg {'
         " postHolderPerson { role since node { code } } } } }")
    holders = town_api.gql(q)["node"]["postHolderPerson"]
    assert holders == [{"role": "secretary", "since": "2024-01-05", "node": {"code": "P1"}}]
    assert town_api.gql(UNLINK, {"input": post})["unlink"]["ok"] is True
    assert town_api.gql(q)["node"]["postHolderPerson"] == []
    again = town_api.gql(UNLINK, {"input": post})["unlink"]
    assert again["errors"] == [{"field": "input", "message": "没有这条关系"}]


def test_link_refusals(town_api: Api) -> None:
    nonmember = {"type": "REPORTED_TO", "source": "Person:P2", "target": "Community:M1",
                 "date": "2024-01-01"}
    got = town_api.gql(LINK, {"input": nonmember})["link"]
    assert got["errors"] == [{"field": "source", "message": "Person:P2 不是党员"}]
    wrong = {"type": "MANAGES", "source": "Unit:U1", "target": "Compound:C1", "role": "chair"}
    fields = [e["field"] for e in town_api.gql(LINK, {"input": wrong})["link"]["errors"]]
    assert fields == ["source", "input.role"]
    foreign = {"type": "CO_BUILDS_WITH", "source": "Unit:U1", "target": "Community:M1"}
    got = town_api.gql(LINK, {"input": foreign}, role="street_staff", scope="S2")["link"]
    assert got["errors"] == [{"field": "target", "message": "Community:M1 不在你的管辖范围内"}]


DEMAND = """fragment D on DemandPayload { node { code status satisfaction doneAt
  assignedToPerson { node { code } } raisedBy { code } } errors { field message } }"""


def _step(api: Api, name: str, extra: str = "", **who: str) -> dict:
    q = DEMAND + f' mutation {{ {name}(code: "D1"{extra}) {{ ...D }} }}'
    return api.gql(q, **who)[name]  # type: ignore[no-any-return]


def test_demand_life_cycle_and_refused_transitions(town_api: Api) -> None:
    resident = {"role": "resident", "scope": "M2", "subject": "P2"}
    raised = town_api.gql(DEMAND + ' mutation { raiseDemand(code: "D1", raisedIn: '
                          '"Compound:C3", input: {title: "楼道灯坏了", category: repair, '
                          "urgency: 3}) { ...D } }", **resident)["raiseDemand"]
    assert raised["errors"] == [] and raised["node"]["status"] == "open"
    mine = town_api.gql("{ demands { totalCount edges { node { code raisedBy { code } } } } }",
                        **resident)["demands"]
    assert mine["totalCount"] == 1
    assert mine["edges"][0]["node"]["raisedBy"] == [{"code": "P2"}]
    other = town_api.gql("{ demands { totalCount } }", role="resident", scope="M1",
                         subject="P1")
    assert other["demands"]["totalCount"] == 0

    assert _step(town_api, "acceptDemand")["errors"] == [
        {"field": "status", "message": "需求 D1 不能执行 accept：当前状态为 open，accept "
                                       "要求状态为 dispatched"}]
    assert _step(town_api, "dispatchDemand")["errors"][0]["field"] == "taker"
    bad_taker = _step(town_api, "dispatchDemand", ', taker: "Person:P2"')
    assert bad_taker["errors"][0]["field"] == "taker"  # P2 is not a party member
    done = _step(town_api, "dispatchDemand", ', taker: "Person:P1"')
    assert done["node"]["status"] == "dispatched"
    assert done["node"]["assignedToPerson"] == [{"node": {"code": "P1"}}]
    assert _step(town_api, "dispatchDemand", ', taker: "Person:P1"')["errors"][0]["field"] == \
        "status"
    assert _step(town_api, "acceptDemand")["node"]["status"] == "accepted"
    complete = _step(town_api, "completeDemand")["node"]
    assert complete["status"] == "done" and complete["doneAt"]
    assert _step(town_api, "reviewDemand", ", satisfaction: 6", **resident)["errors"] == [
        {"field": "satisfaction", "message": "不能大于 5，填的是 6"}]
    reviewed = _step(town_api, "reviewDemand", ", satisfaction: 5", **resident)["node"]
    assert (reviewed["status"], reviewed["satisfaction"]) == ("reviewed", 5)
    assert _step(town_api, "reviewDemand", ", satisfaction: 4", **resident)["errors"][0][
        "message"] == "需求 D1 不能执行 review：当前状态为 reviewed，review 要求状态为 done"
    other_scope = _step(town_api, "acceptDemand", role="street_staff", scope="S1")
    assert other_scope["errors"] == [{"field": "code", "message": "你的管辖范围内没有需求 D1"}]


def test_resident_may_not_dispatch_or_raise_elsewhere(town_api: Api) -> None:
    resident = {"role": "resident", "scope": "M2", "subject": "P2"}
    body = town_api.post('mutation { dispatchDemand(code: "D1", taker: "Person:P1") { '
                         "node { code } } }", **resident).json()
    assert body["errors"][0]["message"] == "角色 resident 无权派发需求"
    far = town_api.gql('mutation { raiseDemand(raisedIn: "Compound:C1", input: {title: "x", '
                       'category: legal}) { errors { field message } } }', **resident)
    assert far["raiseDemand"]["errors"] == [
        {"field": "raisedIn", "message": "Compound:C1 不在你的管辖范围内"}]


def test_generic_mutations_cannot_bypass_the_life_cycle(town_api: Api) -> None:
    made = town_api.gql('mutation { createDemand(code: "D7", parent: "Compound:C1", input: '
                        '{title: "t", category: legal}) { node { status createdAt } } }')
    assert made["createDemand"]["node"]["status"] == "open"
    upd = town_api.gql('mutation { updateDemand(code: "D7", input: {status: done}) {'
                       " errors { field message } } }")["updateDemand"]
    assert upd["errors"] == [{"field": "input.status",
                              "message": "只能由 raiseDemand 和需求流转的各个变更设置"}]
    body = town_api.post(LINK, {"input": {"type": "ASSIGNED_TO", "source": "Demand:D7",
                                          "target": "Person:P1"}}).json()
    assert body["errors"][0]["message"] == "ASSIGNED_TO 由 dispatchDemand 设置，不能用 link/unlink"
