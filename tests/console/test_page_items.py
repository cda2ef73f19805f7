"""Item pages over HTTP on the scope town: a compound, a person (posts now and before,
masked by role), any other node, and nodes outside the user's scope (404, nothing shown).

CA (grid GA → MA) is covered by branch POA, where PX is secretary since 2021-01-01; it has
no firm and no committee; demands DA and DA2 are raised there.  XA is represented by OCA
(PX chair) and OCS.  PX lives in CA, works at UB and sits on QB (street B's community
party committee); phone 13800000002.
"""

from __future__ import annotations

import re

from consolehelp import Console

CELLS = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
TAG = re.compile(r"<[^>]+>")


def table(html: str, table_id: str) -> list[list[str]]:
    """The text of every cell of table ``table_id``, row by row."""
    body = html[html.index(f'id="{table_id}"'):]
    body = body[:body.index("</table>")]
    return [[TAG.sub("", c).strip() for c in CELLS.findall(row)]
            for row in body.split("<tr")[2:]]


def fact(html: str, fact_id: str) -> str:
    found = re.search(rf'<dd id="{fact_id}">(.*?)</dd>', html, re.S)
    assert found, fact_id
    return TAG.sub("", found[1]).strip()


def test_a_compound_with_its_branch_posts_and_demands(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    page = console.login("wang").get("/compound/CA")
    assert page.status_code == 200, page.text
    html = page.text
    assert fact(html, "firm") == "无物业" and fact(html, "committee") == "未组建"
    assert fact(html, "branch") == "PartyOrg-POA（小区党支部）"
    assert '<a href="/node/Grid/GA">Grid-GA</a>' in html
    assert '<a href="/node/Community/MA">Community-MA</a>' in html
    assert table(html, "posts") == [["PartyOrg-POA", "Person-PX", "书记", "2021-01-01"]]
    assert '<a href="/person/PX">Person-PX</a>' in html
    assert [row[:5] for row in table(html, "demands")] == [
        ["DA", "需求DA", "维修便民", "3", "待派单"], ["DA2", "需求DA2", "法律服务", "2", "待派单"]]


def test_a_compound_with_committees(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    html = console.login("admin").get("/compound/XA").text
    assert fact(html, "committee") == "OwnersCommittee-OCA、OwnersCommittee-OCS"
    assert table(html, "posts") == [["OwnersCommittee-OCA", "Person-PX", "主任", "2021-01-01"]]
    assert table(html, "demands") == [["没有需求。"]]


def test_a_person_with_posts_masked_for_an_analyst(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    console.add("ana", "analyst", "K1")
    html = console.login("admin").get("/person/PX").text
    assert fact(html, "phone") == "13800000002"
    assert fact(html, "home") == "Compound-CA"
    assert table(html, "posts") == [
        ["现任", "业主委员会", "OwnersCommittee-OCA", "主任", "2021-01-01", "—"],
        ["现任", "党组织", "PartyOrg-POA", "书记", "2021-01-01", "—"],
        ["现任", "党组织", "PartyOrg-QB", "委员", "2021-01-01", "—"]]
    masked = console.login("ana").get("/person/PX").text
    assert fact(masked, "phone") == "138****0002"
    assert "13800000002" not in masked


def test_street_a_sees_only_its_side_of_a_shared_person(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    html = console.login("wang").get("/person/PX").text
    assert [row[2] for row in table(html, "posts")] == ["OwnersCommittee-OCA", "PartyOrg-POA"]


def test_any_other_node_lists_properties_and_relationships(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    page = client.get("/node/PartyOrg/POA")
    assert page.status_code == 200, page.text
    related = {(row[1], row[2]) for row in table(page.text, "related")}
    assert related == {("小区", "CA"), ("人员", "PX")}
    demand = client.get("/node/Demand/DA").text  # no name: its title
    assert "<h1>需求 · 需求DA" in demand and ("需求所在", "CA") in {
        (row[0], row[2]) for row in table(demand, "related")}
    assert client.get("/node/Household/HA").status_code == 200  # neither name nor title
    assert client.get("/node/Compound/CA").headers["location"] == "/compound/CA"
    assert client.get("/node/Nothing/X").status_code == 404


def test_another_streets_items_are_not_found(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    for path in ("/compound/CB", "/compound/XB", "/person/PB", "/node/PartyOrg/POB",
                 "/compound/NOPE"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "不在您的管辖范围内" in answer.text
        assert "-CB" not in answer.text and "-PB" not in answer.text
