"""Queries over HTTP: nested relationships, pagination, filters, dated posts."""

from __future__ import annotations

import datetime as dt

from apihelp import Api

COMPOUND = """
query($id: ID!) { node(id: $id) { ... on Compound {
  name households old
  managedByPropertyFirm { node { code name stars } since }
  representedByOwnersCommittee { code }
  coveredByPartyOrg { code subordinatePartyOrg { code } under { code } }
  hasBuilding { code }
  residentPerson { code phone idNumber isMember }
  inGrid { partOfCommunity { code partOfStreet { code } } }
} } }
"""


def test_compound_page_with_relationships_both_directions(town_api: Api) -> None:
    c = town_api.gql(COMPOUND, {"id": "Compound:C1"})["node"]
    assert (c["name"], c["households"], c["old"]) == ("阳光小区", 300, True)
    assert c["managedByPropertyFirm"] == [
        {"node": {"code": "F1", "name": "红管家物业", "stars": 4}, "since": "2020-01-01"}]
    assert c["representedByOwnersCommittee"] == [{"code": "OC1"}]
    assert c["coveredByPartyOrg"] == [
        {"code": "PO1", "subordinatePartyOrg": [], "under": [{"code": "PM1"}]}]
    assert c["hasBuilding"] == [{"code": "B1"}]
    assert c["residentPerson"] == [{"code": "P1", "phone": "13812341234",
                                    "idNumber": "110101199001011234", "isMember": True}]
    assert c["inGrid"] == [{"partOfCommunity": [{"code": "M1", "partOfStreet": [{"code": "S1"}]}]}]


def test_personal_data_masked_for_analysts(town_api: Api) -> None:
    q = '{ people(first: 5) { edges { node { code phone idNumber } } } }'
    rows = town_api.gql(q, role="analyst")["people"]["edges"]
    assert [r["node"] for r in rows] == [
        {"code": "P1", "phone": "138****1234", "idNumber": "110***********1234"},
        {"code": "P2", "phone": "139****1111", "idNumber": None},
    ]


PAGE = """query($after: String, $order: CompoundSortField, $desc: Boolean! = false) {
  compounds(first: 2, after: $after, orderBy: $order, descending: $desc) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { code } } } }"""


def test_keyset_pagination_is_exact_and_stable(town_api: Api) -> None:
    first = town_api.gql(PAGE)["compounds"]
    assert [e["node"]["code"] for e in first["edges"]] == ["C1", "C2"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    again = town_api.gql(PAGE)["compounds"]
    assert again["pageInfo"]["endCursor"] == first["pageInfo"]["endCursor"]
    second = town_api.gql(PAGE, {"after": first["pageInfo"]["endCursor"]})["compounds"]
    assert [e["node"]["code"] for e in second["edges"]] == ["C3"]
    assert second["pageInfo"] == {"hasNextPage": False,
                                  "endCursor": second["edges"][0]["cursor"]}
    by_name = town_api.gql(PAGE, {"order": "NAME", "desc": True})["compounds"]
    # names sort by code point: 阳 (U+9633) > 月 (U+6708) > 星 (U+661F)
    assert [e["node"]["code"] for e in by_name["edges"]] == ["C1", "C2"]
    rest = town_api.gql(PAGE, {"order": "NAME", "desc": True,
                               "after": by_name["pageInfo"]["endCursor"]})["compounds"]
    assert [e["node"]["code"] for e in rest["edges"]] == ["C3"]


def test_filters_and_within(town_api: Api) -> None:
    q = """query($f: CompoundFilter, $w: ID) { compounds(first: 10, filter: $f, within: $w) {
      totalCount edges { node { code } } } }"""

    def codes(**v: object) -> list[str]:
        got = town_api.gql(q, dict(v))["compounds"]
        assert got["totalCount"] == len(got["edges"])
        return [e["node"]["code"] for e in got["edges"]]

    assert codes(w="Grid:G1") == ["C1", "C2"]
    assert codes(w="Street:S2") == ["C3"]
    assert codes(f={"nameContains": "月亮"}) == ["C2"]
    assert codes(f={"old": True}) == ["C1"]
    assert codes(f={"householdsMin": 100}, w="Community:M1") == ["C1", "C2"]
    assert codes(f={"householdsMax": 100}) == ["C3"]
    kinds = town_api.gql('{ partyOrgs(filter: {kind: ["小区党支部"]}) '
                         "{ edges { node { code } } } }")
    assert kinds["partyOrgs"]["edges"] == [{"node": {"code": "PO1"}}]


def test_bad_filter_value_is_named(town_api: Api) -> None:
    body = town_api.post('{ partyOrgs(filter: {kind: ["castle"]}) { totalCount } }').json()
    assert "filter.kind" in body["errors"][0]["message"]
    body = town_api.post('{ compounds(first: 500) { totalCount } }').json()
    assert "first 必须在 1 到 50 之间" in body["errors"][0]["message"]


def test_posts_current_past_and_as_of(town_api: Api) -> None:
    q = """query($asOf: String, $past: Boolean! = false) { node(id: "Person:P1") { ... on Person {
      holdsPostPartyOrg(asOf: $asOf, includePast: $past) { role since until node { code } }
      holdsPostOwnersCommittee { role node { code } } } } }"""
    now = town_api.gql(q)["node"]
    assert now["holdsPostPartyOrg"] == []
    assert now["holdsPostOwnersCommittee"] == [{"role": "chair", "node": {"code": "OC1"}}]
    then = town_api.gql(q, {"asOf": "2020-06-01"})["node"]["holdsPostPartyOrg"]
    assert [p["node"]["code"] for p in then] == ["PO1"]
    past = town_api.gql(q, {"past": True})["node"]["holdsPostPartyOrg"]
    assert past == [{"role": "secretary", "since": "2019-01-01", "until": "2020-12-31",
                     "node": {"code": "PO1"}}]


def test_count_by_street(town_api: Api) -> None:
    got = town_api.gql("{ countBy(label: COMPOUND, level: STREET) { id name count } }")
    assert got["countBy"] == [{"id": "Street:S1", "name": "东街道", "count": 2},
                              {"id": "Street:S2", "name": "西街道", "count": 1}]


def test_unit_co_building_both_directions(town_api: Api) -> None:
    q = """{ node(id: "Community:M1") { ... on Community {
      coBuiltByUnit { since node { code coBuildsWith { node { code } } } } } } }"""
    got = town_api.gql(q)["node"]["coBuiltByUnit"]
    assert got == [{"since": "2022-01-01", "node": {"code": "U1",
                                                    "coBuildsWith": [{"node": {"code": "M1"}}]}}]


def test_member_filter_and_date_range(town_api: Api) -> None:
    q = """query($f: PersonFilter) { people(first: 10, filter: $f) { totalCount
      edges { node { code isMember } } } }"""
    members = town_api.gql(q, {"f": {"isMember": True}})["people"]
    assert members == {"totalCount": 1, "edges": [{"node": {"code": "P1", "isMember": True}}]}
    others = town_api.gql(q, {"f": {"isMember": False}})["people"]
    assert others["edges"] == [{"node": {"code": "P2", "isMember": False}}]
    for d in ("2024-03-01", "2024-03-02"):
        town_api.gql('mutation($c: String!, $d: String!) { raiseDemand(code: $c, '
                     'raisedIn: "Compound:C1", input: {title: "t", category: legal, '
                     "due: $d}) { errors { field } } }", {"c": f"D{d[-1]}", "d": d})
    dq = """query($f: DemandFilter) { demands(first: 10, filter: $f) { totalCount } }"""
    assert town_api.gql(dq, {"f": {"dueFrom": "2024-03-02"}})["demands"]["totalCount"] == 1
    assert town_api.gql(dq, {"f": {"dueTo": "2024-03-02"}})["demands"]["totalCount"] == 2
    assert town_api.gql(dq, {"f": {"status": ["open"]}})["demands"]["totalCount"] == 2
    today = dt.date.today().isoformat()
    created = {"createdAtFrom": today, "createdAtTo": today}
    assert town_api.gql(dq, {"f": created})["demands"]["totalCount"] == 2
