"""地图 over HTTP on the scope town (tests/api/scope_town.py), worked out by hand.

Placed here (the town itself only places CA at (30.0, 120.0)): compound XA at
(30.02, 120.0) and service site SSA at (30.0, 120.001); CS stays without coordinates.

Street SA holds compounds CA, CS and XA (CS also lies in SB through grid GB, which an SA
account does not see), service sites SSA and SSS, and demands DA, DA2 (in CA) and DS (in
CS), all open.  Gaps (DOMAIN.md, analysis.indicators):
- no firm: the town has no MANAGES at all, so CA, CS and XA;
- three-no: no firm, no owners' committee (OCA and OCS represent XA only), no responsible
  unit: CA and CS;
- no compound branch: POA covers CA, POS covers CS, nothing covers XA;
- outside the 1,000 m circle: XA is 2,226 m from SSA (2,223.9 m north, 96.3 m west);
  CA is 96.3 m from it; CS has no coordinates, so it is in no circle list.
The plane is centred on the box of the located compounds and sites: (30.01, 120.0005);
one degree is 111,195.08 m north and 111,195.08 × cos 30.01° = 96,288.8 m east, so CA is
at x = -0.0005 × 96,288.8 = -48.1, y = -0.01 × 111,195.08 = -1,112.0.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from consolehelp import Console, console_on, csrf_of

from api.console.plane import Plane, hull, outline
from graph.store import BoltStore
from graph.writer import NodeRecord as N
from graph.writer import write_graph

GAPS_LEGEND = [("three_no_compounds", "三无小区", "#c62828"),
               ("property_management_coverage", "无物业", "#ef6c00"),
               ("compound_branch_coverage", "无小区党组织", "#7b1fa2"),
               ("service_circle", "服务圈外", "#1565c0"), ("", "无上述缺口", "#2e7d32")]


def place(console: Console) -> None:
    write_graph(console.store, [N("Compound", "XA", {"lat": 30.02, "lon": 120.0}),
                                N("ServiceSite", "SSA", {"lat": 30.0, "lon": 120.001})], [])


def legend(*counts: int) -> list[dict[str, Any]]:
    return [{"key": k, "name": n, "colour": c, "count": m}
            for (k, n, c), m in zip(GAPS_LEGEND, counts, strict=True)]


def compound(code: str, gaps: list[str], lat: float | None = None, lon: float | None = None,
             **more: Any) -> dict[str, Any]:
    return {"code": code, "name": f"Compound-{code}", "households": None, "lat": lat,
            "lon": lon, "gaps": gaps, "nearestSiteM": None, "communities": ["MA"], **more}


def demand(code: str, compound: str, category: str, urgency: int,
           **more: Any) -> dict[str, Any]:
    return {"code": code, "title": f"需求{code}", "statusLabel": "待派单",
            "categoryLabel": category, "urgency": urgency, "due": None,
            "compound": compound, "community": None, **more}


def at_place(compound: str, open_: int, **more: Any) -> dict[str, Any]:
    """A compound's unfinished demands as a county or street map counts them."""
    return {"place": f"Compound:{compound}", "name": f"Compound-{compound}", "count": open_,
            "counts": [{"value": "open", "label": "待派单", "count": open_}],
            "compound": compound, "community": None, **more}


THREE_NO, NO_FIRM, NO_BRANCH, OUTSIDE = (k for k, _, _ in GAPS_LEGEND[:4])
AT_CA = {"lat": 30.0, "lon": 120.0, "x": -48.1, "y": -1112.0}


def test_street_map_data(console: Console) -> None:
    place(console)
    console.add("li.si", "street_staff", "SA")
    data = console.login("li.si").get("/map/data").json()
    outline = data["communities"][0].pop("outline")
    ring = data["communities"][0].pop("ring")
    assert data == {
        "scope": "Street:SA", "asOf": dt.date.today().isoformat(), "cut": False,
        "walkM": 1000.0, "tiles": "", "origin": [30.01, 120.0005],
        "legend": legend(2, 3, 1, 1, 0),
        "compounds": [compound("CA", [THREE_NO, NO_FIRM], x=-48.1, y=-1112.0,
                               **{"lat": 30.0, "lon": 120.0}),
                      compound("XA", [NO_FIRM, NO_BRANCH, OUTSIDE], 30.02, 120.0,
                               nearestSiteM=2226.0, x=-48.1, y=1112.0)],
        "sites": [{"code": "SSA", "name": "ServiceSite-SSA", "kindLabel": None,
                   "lat": 30.0, "lon": 120.001, "x": 48.1, "y": -1112.0}],
        "grouped": True, "demandCount": 3,
        "demands": [at_place("CA", 2, **AT_CA)],
        "communities": [{"code": "MA", "name": "Community-MA", "centre": [30.01, 120.0]}],
        "unlocated": {
            "compounds": [compound("CS", [THREE_NO, NO_FIRM])],
            "sites": [{"code": "SSS", "name": "ServiceSite-SSS", "kindLabel": None,
                       "lat": None, "lon": None}],
            "demands": [at_place("CS", 1, lat=None, lon=None)]},
    }
    # MA's outline: CA and XA each widened by 150 m (an octagon: corners every 45°,
    # 150 × cos 45° = 106.1), hulled: CA's five lower corners, XA's five upper ones.
    assert outline == [[-198.1, -1112.0], [-154.2, -1218.1], [-48.1, -1262.0],
                       [58.0, -1218.1], [101.9, -1112.0], [101.9, 1112.0], [58.0, 1218.1],
                       [-48.1, 1262.0], [-154.2, 1218.1], [-198.1, 1112.0]]
    # the same ring in degrees (for a map on tiles): 198.1 m west of 120.0005
    assert len(ring) == 10 and ring[0] == [30.0, 119.998443] and ring[6][0] == 30.020955


def test_a_community_map_shows_each_demand(console: Console) -> None:
    """Below a street each demand is drawn: community MA holds DA and DA2 (in CA,
    located) and DS (in CS, not); then DA2 is dispatched."""
    place(console)
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    data = client.get("/map/data", params={"scope": "Community:MA"}).json()
    assert (data["grouped"], data["demandCount"]) == (False, 3)
    assert data["demands"] == [demand("DA", "CA", "维修便民", 3, **AT_CA),
                               demand("DA2", "CA", "法律服务", 2, **AT_CA)]
    assert data["unlocated"]["demands"] == [demand("DS", "CS", "文体活动", 1, lat=None,
                                                   lon=None)]
    token = csrf_of(client, "/demands")
    moved = client.post("/demands/step", data={"csrf": token, "step": "dispatch",
                                               "code": "DA2", "to": "Unit:UA"})
    assert moved.status_code == 303
    data = client.get("/map/data", params={"scope": "Community:MA"}).json()
    assert [d["statusLabel"] for d in data["demands"]] == ["待派单", "已派单"]
    street = client.get("/map/data").json()
    assert street["demands"][0]["counts"] == [
        {"value": "open", "label": "待派单", "count": 1},
        {"value": "dispatched", "label": "已派单", "count": 1}]


def test_the_page_shows_the_legend_and_what_has_no_place(console: Console) -> None:
    place(console)
    console.add("li.si", "street_staff", "SA")
    page = console.login("li.si").get("/map")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert "<h1>地图 · Street-SA</h1>" in html
    assert 'data-compounds="2" data-sites="1" data-demands="1"' in html
    assert "未办结需求（按小区汇总）<span class=\"count\">3 条</span>" in html
    assert '<p id="unlocated-demands">1 条未办结需求无法定位</p>' in html
    assert "<li>Compound-CS：待派单 1 条</li>" in html
    assert '<p id="unlocated-compounds">1 个小区没有坐标</p>' in html
    assert '<a href="/compound/CS">Compound-CS</a>' in html
    assert "三无小区<span class=\"count\">2 个</span>" in html
    assert 'href="/export/compounds.geojson?within=Street%3ASA"' in html
    assert '<script type="application/json" id="map-data">' in html


def test_a_narrower_scope_for_the_county(console: Console) -> None:
    """Community MB holds CB (covered by POB), CS and XB (OCB and OCS represent it, nothing
    covers it); none has coordinates, so the map is empty and all three are listed."""
    console.add("admin", "county_admin", "K1")
    data = console.login("admin").get("/map/data", params={"scope": "Community:MB"}).json()
    assert data["scope"] == "Community:MB"
    assert (data["compounds"], data["sites"], data["communities"]) == ([], [], [])
    assert {c["code"]: c["gaps"] for c in data["unlocated"]["compounds"]} == {
        "CB": [THREE_NO, NO_FIRM], "CS": [THREE_NO, NO_FIRM], "XB": [NO_FIRM, NO_BRANCH]}
    assert [d["code"] for d in data["unlocated"]["demands"]] == ["DB", "DS"]
    page = console.login("admin").get("/map", params={"scope": "Community:MB"})
    assert "3 个小区没有坐标" in page.text and "范围内没有带坐标的小区" in page.text


@pytest.mark.parametrize("path", ["/map?scope=Street:SB", "/map?scope=Community:MB",
                                  "/map/data?scope=Street:SB", "/map?scope=Compound:CB"])
def test_another_street_is_refused(console: Console, path: str) -> None:
    console.add("li.si", "street_staff", "SA")
    answer = console.login("li.si").get(path)
    assert answer.status_code == 403
    assert "不在你的管辖范围内" in answer.text and "Compound-CB" not in answer.text


def test_bad_scopes_and_no_session(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    answer = console.login("li.si").get("/map", params={"scope": "Planet:X"})
    assert answer.status_code == 400 and "scope 须写成 类型:编码" in answer.text
    assert console.client().get("/map").headers["location"] == "/login?next=%2Fmap"


def test_a_tile_server_switches_the_map_to_tiles(store: BoltStore, tmp_path: Path) -> None:
    tiles = "http://tiles.intranet.local:8080/{z}/{x}/{y}.png"
    with console_on(store, tmp_path, map_tile_url=tiles) as console:
        console.add("li.si", "street_staff", "SA")
        answer = console.login("li.si").get("/map")
        assert "img-src 'self' data: http://tiles.intranet.local:8080;" in \
            answer.headers["content-security-policy"]
        assert "在线瓦片底图" in answer.text
        data = console.login("li.si").get("/map/data").json()
        assert data["tiles"] == tiles


def test_the_plane_and_its_hulls() -> None:
    """No store: the projection goes back where it came from, a hull drops inner and
    collinear points, and one compound's outline is its 150 m octagon."""
    plane = Plane.around([(30.0, 120.0), (30.02, 120.001)])
    assert plane == Plane(30.01, 120.0005)
    assert plane.xy(30.0, 120.0) == (-48.1, -1112.0)
    assert plane.latlon(*plane.xy(30.02, 120.001)) == (30.02, 120.001)
    assert Plane.around([]) == Plane(0.0, 0.0)
    assert hull([(0, 0), (2, 0), (1, 0), (2, 2), (0, 2), (1, 1)]) == [
        (0, 0), (2, 0), (2, 2), (0, 2)]
    assert hull([(0, 0), (1, 1), (0, 0)]) == [(0, 0), (1, 1)]
    assert outline([(0.0, 0.0)]) == [(-150.0, 0.0), (-106.1, -106.1), (0.0, -150.0),
                                      (106.1, -106.1), (150.0, 0.0), (106.1, 106.1),
                                      (0.0, 150.0), (-106.1, 106.1)]
    assert outline([]) == []
