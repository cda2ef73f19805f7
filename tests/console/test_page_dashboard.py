"""概览 over HTTP on the scope town (tests/api/scope_town.py), figures worked out by hand.

County K1 has five compounds: CA (grid GA → MA), CB (GB → MB), CS (GS → MA and MB),
XA (GA), XB (GB); street SA holds CA, CS, XA, street SB holds CB, CS, XB.  Branches POA,
POB, POS cover CA, CB, CS; owners' committees OCA (XA), OCB (XB), OCS (XA and XB); no firm
manages anything; PX (in service, a member) chairs OCA, is secretary of POA and committee
member of QB since 2021-01-01; four open demands DA, DA2, DB, DS raised 2025-01-02.
"""

from __future__ import annotations

import json
import re

from consolehelp import Console

CARD = re.compile(r'id="card-(\w+)"[^>]*>\s*<div class="name">([^<]+)</div>\s*'
                  r'<div class="figure">([^<]+)</div>\s*<div class="fraction">([^<]+)</div>'
                  r'(.*?)</a>', re.S)
CHART = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)


def cards(html: str) -> dict[str, tuple[str, str, str]]:
    """key → (name, ratio, numerator / denominator) of every card on the page."""
    return {m[1]: (m[2], m[3], m[4]) for m in CARD.finditer(html)}


def changes(html: str) -> dict[str, str]:
    found = {}
    for m in CARD.finditer(html):
        change = re.search(r'<div class="change ?(\w*)">([^<]+)</div>', m[5])
        if change:
            found[m[1]] = f"{change[1]}:{change[2]}"
    return found


# (name, ratio, fraction) of the county's 22 cards, by hand (module docstring)
COUNTY = {
    "compound_branch_coverage": ("小区党组织覆盖率", "60.0%", "3 / 5"),  # CA CB CS of five
    "building_group_coverage": ("楼栋党小组覆盖率", "0.0%", "0 / 3"),  # BA BB BS, no group
    "property_management_coverage": ("物业管理覆盖率", "0.0%", "0 / 5"),  # no MANAGES
    "owners_committee_rate": ("业委会组建率", "40.0%", "2 / 5"),  # XA, XB
    "three_no_compounds": ("三无小区", "60.0%", "3 / 5"),  # CA CB CS: no firm/cttee/unit
    "firm_party_coverage": ("物业服务企业党组织覆盖率", "—", "0 / 0"),  # no managing firm
    "cross_posting_ratio": ("交叉任职比例", "0.0%", "0 / 1"),  # (OCA, PX); no branch on XA
    "secretary_chair_overlap": ("书记兼任业委会主任", "—", "0 / 0"),  # no cttee+branch
    "two_way_entry": ("双向进入、交叉任职", "0.0%", "0 / 3"),  # MA MB MS
    "red_owners_committees": ("红色业委会", "33.3%", "1 / 3"),  # OCA: its chair PX a member
    "overloaded_people": ("一人多岗", "100.0%", "1 / 1"),  # PX: three posts
    "dual_reporting_rate": ("双报到率", "0.0%", "0 / 4"),  # PA PB PS PX, none reported
    "household_liaison_coverage": ("党员联户覆盖率", "0.0%", "0 / 3"),  # HA HB HS
    "co_building_coverage": ("共驻共建覆盖率", "0.0%", "0 / 3"),
    "leader_linkage": ("挂钩领导联系率", "0.0%", "0 / 3"),
    "grid_staffing": ("网格专职网格员配备率", "0.0%", "0 / 5"),  # GA GB GS GA2 GB2
    "service_circle": ("15分钟党群服务圈", "0.0%", "0 / 1"),  # only CA located, no site
    "demand_closure": ("需求办结率", "0.0%", "0 / 4"),  # DA DA2 DB DS open
    "whistle_response_rate": ("吹哨响应率", "—", "0 / 0"),  # no whistles
    "whistle_resolution_rate": ("吹哨解决率", "—", "0 / 0"),
    "whistle_satisfaction_rate": ("吹哨满意率", "—", "0 / 0"),
    "annual_duties_rate": ("党员“4+1”责任完成率", "0.0%", "0 / 4"),  # PA PB PS PX, none
}


def test_the_county_sees_its_twenty_two_indicators(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    page = console.login("admin").get("/")
    assert page.status_code == 200, page.text
    assert cards(page.text) == COUNTY
    assert 'href="/indicator/owners_committee_rate?scope=County%3AK1&amp;asOf=' in page.text
    assert changes(page.text) == {}  # no comparison unless asked


def test_the_chart_has_each_indicator_per_street_worst_first(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    page = console.login("admin").get("/", params={"asOf": "2025-06-01"})
    series = {s["key"]: s for s in json.loads(CHART.search(page.text)[1])["series"]}
    assert len(series) == 22
    # committees: SA has XA of CA CS XA (1/3), SB has XB of CB CS XB (1/3); by code
    assert [(c["code"], c["ratio"], c["fraction"]) for c in
            series["owners_committee_rate"]["children"]] == [("SA", 33.3, "1 / 3"),
                                                             ("SB", 33.3, "1 / 3")]
    # three-no (lower is better): SA CA CS of three, SB CB CS of three
    three = series["three_no_compounds"]
    assert three["lower"] is True
    assert [(c["code"], c["ratio"]) for c in three["children"]] == [("SA", 66.7), ("SB", 66.7)]
    assert series["owners_committee_rate"]["children"][0]["href"] == (
        "/?scope=Street%3ASA&asOf=2025-06-01")


def test_a_street_and_a_comparison_date(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    page = client.get("/", params={"asOf": "2025-06-01", "compare": "2020-06-01"})
    assert page.status_code == 200, page.text
    got = cards(page.text)
    # street A: CA CS XA; branches on CA CS; XA's committees; CA CS three-no; DA DA2 DS
    assert got["compound_branch_coverage"][1:] == ("66.7%", "2 / 3")
    assert got["three_no_compounds"][1:] == ("66.7%", "2 / 3")
    assert got["demand_closure"][1:] == ("0.0%", "0 / 3")
    assert got["red_owners_committees"][1:] == ("50.0%", "1 / 2")  # OCA (PX) of OCA, OCS
    moved = changes(page.text)
    # in 2020 PX held no post yet: red committees 0 of 2 then, 1 of 2 now (better)
    assert moved["red_owners_committees"] == "good:较 2020-06-01：+50.0 个百分点"
    assert moved["compound_branch_coverage"] == ":较 2020-06-01：±0.0 个百分点"
    assert moved["cross_posting_ratio"] == ":较 2020-06-01：—"  # no members in 2020
    # street A's children are its communities MA (CA CS XA) and MS (no grid, no compound)
    series = {s["key"]: s for s in json.loads(CHART.search(page.text)[1])["series"]}
    assert [(c["code"], c["ratio"]) for c in
            series["compound_branch_coverage"]["children"]] == [("MA", 66.7)]


def test_the_worst_gaps_come_first(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    page = console.login("admin").get("/").text
    worst = page[page.index('id="worst"'):]
    names = re.findall(r'<td><a href="/indicator/\w+\?[^"]*show=gaps">([^<]+)</a></td>', worst)
    # twelve indicators are at 0 % (shortfall 1.0); among them the most gaps first, then
    # by key: grids GA GB GS GA2 GB2, compounds CA CB CS XA XB (liaison: XA XB have no
    # household), members PA PB PS PX (annual duties), demands DA DA2 DB DS, members
    # (dual reporting), buildings, communities …
    assert names == ["网格专职网格员配备率", "党员联户覆盖率", "物业管理覆盖率",
                     "党员“4+1”责任完成率", "需求办结率", "双报到率", "楼栋党小组覆盖率",
                     "共驻共建覆盖率"]
    # no firm: the largest gaps by households, CA CB CS (one household node each), XA XB (0)
    assert ('<a href="/compound/CA">Compound-CA</a>（1）、<a href="/compound/CB">Compound-CB'
            '</a>（1）、<a href="/compound/CS">Compound-CS</a>（1）') in worst


def test_another_streets_scope_is_refused(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    refused = client.get("/", params={"scope": "Street:SB"})
    assert refused.status_code == 403
    assert "Street:SB 不在你的管辖范围内" in refused.text
    assert client.get("/", params={"asOf": "2025-02-30"}).status_code == 400
