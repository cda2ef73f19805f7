"""GraphQL refuses a relationship whose ends the model does not allow together, as
ledgers and restore do (tests/graph/test_spine.py): a household is part of a building,
never of a county."""

from __future__ import annotations

from apihelp import Api

from graph.store import Query

LINK = "mutation($input: LinkInput!) { link(input: $input) { ok errors { field message } } }"
UNLINK = "mutation($input: LinkInput!) { unlink(input: $input) { ok errors { field message } } }"
HOUSEHOLD = """mutation($parent: ID) { createHousehold(code: "H1", input: {residents: 3},
  parent: $parent) { node { code partOfBuilding { code } } errors { field message } } }"""
ILLEGAL = ("Household→County 不是合法的 PART_OF（隶属）关系；合法的只有：Street→County、"
           "Community→Street、Grid→Community、Building→Compound、Household→Building")
PART_OF = Query("t", "MATCH (a)-[:PART_OF]->(b) RETURN a.code AS a, b.code AS b ORDER BY a")


def test_a_household_hangs_under_a_building_only(town_api: Api) -> None:
    under_county = town_api.gql(HOUSEHOLD, {"parent": "County:K1"})["createHousehold"]
    assert under_county == {"node": None, "errors": [{
        "field": "parent", "message": "Household 不能挂在 County 之下；上级须是 Building 之一"}]}
    made = town_api.gql(HOUSEHOLD, {"parent": "Building:B1"})["createHousehold"]
    assert made == {"node": {"code": "H1", "partOfBuilding": [{"code": "B1"}]}, "errors": []}


def test_link_refuses_an_illegal_pair(town_api: Api) -> None:
    town_api.gql(HOUSEHOLD, {"parent": "Building:B1"})
    before = town_api.store.read(PART_OF)
    bad = {"type": "PART_OF", "source": "Household:H1", "target": "County:K1"}
    assert town_api.gql(LINK, {"input": bad})["link"] == {
        "ok": False, "errors": [{"field": "target", "message": ILLEGAL}]}
    assert town_api.store.read(PART_OF) == before
    # a legal pair links; an unlink names no pair, so a stray one can still be removed
    good = {"type": "PART_OF", "source": "Building:B1", "target": "Compound:C2"}
    assert town_api.gql(LINK, {"input": good})["link"] == {"ok": True, "errors": []}
    assert town_api.gql(UNLINK, {"input": bad})["unlink"] == {
        "ok": False, "errors": [{"field": "input", "message": "没有这条关系"}]}
