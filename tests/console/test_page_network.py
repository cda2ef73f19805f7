"""网络 page on the scope town, worked out by hand (scope_town.py): PX chairs OCA, is
secretary of POA and sits on QB's committee — the county's one single point of failure,
its one person with three posts, and all three of its bridges; OCB, OCS, POB and POS
meet no one.  Street A sees PX's two posts in A only."""

from __future__ import annotations

import json
import re

from consolehelp import Console

TABLE = re.compile(r'<table id="(\w[\w-]*)">.*?<tbody>(.*?)</tbody>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
TAG = re.compile(r"<[^>]+>")
DATA = re.compile(r'<script type="application/json" id="network-data">(.*?)</script>', re.S)


def _tables(html: str) -> dict[str, list[list[str]]]:
    out = {}
    for name, body in TABLE.findall(html):
        rows = [[TAG.sub("", c).strip() for c in CELL.findall(row)]
                for row in body.split("</tr>") if "<td" in row]
        out[name] = rows
    return out


def test_the_county_tables(console: Console) -> None:
    console.add("zhang.san", "county_admin", "K1")
    page = console.login("zhang.san").get("/network")
    assert page.status_code == 200, page.text
    assert _tables(page.text) == {
        "cut-people": [["1", "Person-PX Person:PX"]],
        "isolated": [["1", "OwnersCommittee-OCB OwnersCommittee:OCB"],
                     ["2", "OwnersCommittee-OCS OwnersCommittee:OCS"],
                     ["3", "PartyOrg-POB PartyOrg:POB"], ["4", "PartyOrg-POS PartyOrg:POS"]],
        "overloaded": [["1", "Person-PX Person:PX", "3"]],
        "bridges": [["1", "OwnersCommittee-OCA OwnersCommittee:OCA", "Person-PX Person:PX"],
                    ["2", "PartyOrg-POA PartyOrg:POA", "Person-PX Person:PX"],
                    ["3", "PartyOrg-QB PartyOrg:QB", "Person-PX Person:PX"]],
    }
    assert 'id="n-nodes">26<' in page.text and 'id="n-components">3<' in page.text
    # the select holds the county's communities; the first is drawn
    assert re.findall(r'<option value="(\w+)"', page.text) == ["MA", "MB", "MS"]
    picture = json.loads(DATA.search(page.text).group(1))  # type: ignore[union-attr]
    assert len(picture["nodes"]) == 18 and len(picture["links"]) == 15
    assert "驻区单位" in picture["categories"]
    ub = next(n for n in picture["nodes"] if n["id"] == "Unit:UB")
    assert ub["category"] == picture["categories"].index("驻区单位") and ub["degree"] == 1


def test_a_street_user_sees_their_street_and_no_more(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    page = client.get("/network", params={"community": "MA"})
    assert page.status_code == 200
    tables = _tables(page.text)
    assert tables["overloaded"] == [["无"]]  # QB's seat is in street B
    assert tables["isolated"] == [["1", "OwnersCommittee-OCS OwnersCommittee:OCS"],
                                  ["2", "PartyOrg-POS PartyOrg:POS"]]
    assert [row[1] for row in tables["bridges"]] == ["OwnersCommittee-OCA OwnersCommittee:OCA",
                                                     "PartyOrg-POA PartyOrg:POA"]
    picture = json.loads(DATA.search(page.text).group(1))  # type: ignore[union-attr]
    assert len(picture["nodes"]) == 17 and len(picture["links"]) == 14
    assert "Unit:UB" not in page.text
    assert re.findall(r'<option value="(\w+)"', page.text) == ["MA", "MS"]
    for params in ({"scope": "Street:SB"}, {"community": "MB"}):
        refused = client.get("/network", params=params)
        assert refused.status_code == 403, params
        assert "不在你的管辖范围内" in refused.text


def test_a_community_without_connections_draws_nothing(console: Console) -> None:
    console.add("zhang.san", "county_admin", "K1")
    page = console.login("zhang.san").get("/network", params={"community": "MS"})
    assert page.status_code == 200 and 'id="no-picture"' in page.text
