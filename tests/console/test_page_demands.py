"""需求 pages over HTTP on the scope town (tests/api/scope_town.py).

Demands, all open and raised 2025-01-02: DA (repair, urgency 3) and DA2 (legal, 2) in
compound CA (street A), DB (culture) in CB (street B), DS (culture) in CS (both streets).
So the county board's 待派单 column holds DA, DA2, DB, DS; street A's DA, DA2, DS.
Matching (by hand from the docstring): the county's plan sends DA → RB (unit UB, 0.002°
of longitude east of CA at 30° N) and DA2 → RB2 (UB, 0.001° east); DB and DS have no
location.  Street A sees neither RB nor RB2: DA → RA (UA, 0.008° east), DA2 has no legal
resource, DS no location.
"""

from __future__ import annotations

import json
import math
import re

import httpx
from consolehelp import Console, csrf_of

from analysis.matching import NO_LOCATION, NO_RESOURCE
from graph.store import Query

STATUS = Query("t_demand_status", "MATCH (d:Demand) RETURN d.code AS code, d.status AS status, "
                                  "d.satisfaction AS satisfaction ORDER BY code")
SET_DUE = Query("t_demand_due", "MATCH (d:Demand {code: $code}) SET d.due = $due")
COLUMNS = ("open", "dispatched", "accepted", "done", "reviewed")


def _metres(dlon: float, lat: float = 30.0) -> str:
    """Great-circle metres between two points on one parallel, as the plan shows them."""
    metres = 2 * 6_371_008.8 * math.asin(math.cos(math.radians(lat)) *
                                         math.sin(math.radians(dlon) / 2))
    return f"{round(metres, 1):.1f}"


def board(html: str) -> dict[str, list[str]]:
    """The demand codes on each column of the board, top to bottom."""
    parts = re.split(r'<section class="column" id="col-(\w+)">', html)
    return {parts[i]: re.findall(r'id="demand-([\w-]+)"', parts[i + 1])
            for i in range(1, len(parts), 2)}


def only(**columns: list[str]) -> dict[str, list[str]]:
    return {c: columns.get(c, []) for c in COLUMNS}


def statuses(console: Console) -> dict[str, str]:
    return {r["code"]: r["status"] for r in console.store.read(STATUS)}


def audit_lines(console: Console) -> list[dict[str, object]]:
    if not console.audit.exists():
        return []
    return [json.loads(line) for line in console.audit.read_text("utf-8").splitlines()]


def step(client: httpx.Client, name: str, code: str, **extra: str) -> httpx.Response:
    data = {"csrf": csrf_of(client, "/demands"), "step": name, "code": code, **extra}
    return client.post("/demands/step", data=data)


def _text(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def plan_rows(html: str) -> list[tuple[str, ...]]:
    """(demand, resource, taker, distance) of each row of the plan table, as shown."""
    rows = re.findall(r'<tr id="plan-([\w-]+)">(.*?)</tr>', html, re.S)
    return [(code, *(_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-3:]))
            for code, row in rows]


def unmatched_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr id="unmatched-([\w-]+)">.*?<td class="reason">(.*?)</td>', html,
                      re.S)


def test_the_boards_columns_for_the_county_and_a_street(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    county = console.login("admin").get("/demands")
    assert county.status_code == 200, county.text
    assert board(county.text) == only(open=["DA", "DA2", "DB", "DS"])
    assert ">待派单 <span" in county.text and ">已评价 <span" in county.text
    street = console.login("wang.wu").get("/demands")
    assert board(street.text) == only(open=["DA", "DA2", "DS"])


def totals(html: str) -> dict[str, int]:
    """The count on each column's heading (nonzero ones), after checking every column
    has one."""
    found = re.findall(r'<section class="column" id="col-(\w+)">\s*<h2>[^<]*'
                       r'<span class="badge">(\d+)</span>', html)
    assert [code for code, _n in found] == list(COLUMNS)
    return {code: int(n) for code, n in found if int(n)}


def test_the_column_counts_follow_scope_filters_and_each_step(console: Console) -> None:
    """By hand: DA and DS dispatched, DS accepted, leaves the county DA2, DB open, DA
    dispatched, DS accepted; street A (DA, DA2, DS) the same less DB; community MB (DB,
    DS) and culture (DB, DS) DB open and DS accepted."""
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    assert totals(client.get("/demands").text) == {"open": 4}
    for name, code, extra in (("dispatch", "DA", {"to": "Unit:UA"}),
                              ("dispatch", "DS", {"to": "VolunteerTeam:VTS"}),
                              ("accept", "DS", {})):
        assert step(client, name, code, **extra).status_code == 303
    assert totals(client.get("/demands").text) == {"open": 2, "dispatched": 1, "accepted": 1}
    street = client.get("/demands", params={"scope": "Street:SA"}).text
    assert totals(street) == {"open": 1, "dispatched": 1, "accepted": 1}
    for params in ({"community": "MB"}, {"category": "culture"}):
        assert totals(client.get("/demands", params=params).text) == {"open": 1, "accepted": 1}
    by_team = client.get("/demands", params={"taker": "VolunteerTeam:VTS"}).text
    assert totals(by_team) == {"accepted": 1}


def test_filters_by_community_category_and_taker(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    assert board(client.get("/demands", params={"category": "repair"}).text) == only(
        open=["DA"])
    assert board(client.get("/demands", params={"community": "MB"}).text) == only(
        open=["DB", "DS"])
    assert board(client.get("/demands", params={"scope": "Street:SA",
                                                "category": "culture"}).text) == only(
        open=["DS"])
    assert step(client, "dispatch", "DS", to="VolunteerTeam:VTS").status_code == 303
    by_team = client.get("/demands", params={"taker": "VolunteerTeam:VTS"}).text
    assert board(by_team) == only(dispatched=["DS"])
    assert board(client.get("/demands", params={"taker": "Unit:UA"}).text) == only()


def test_dispatching_one_demand_moves_it_and_audits_the_account(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    client = console.login("wang.wu")
    before = len(audit_lines(console))
    moved = step(client, "dispatch", "DA", to="Unit:UA", scope="Street:SA",
                 category="repair")
    assert (moved.status_code, moved.headers["location"]) == (
        303, "/demands?scope=Street%3ASA&category=repair")
    page = client.get("/demands").text
    assert board(page) == only(open=["DA2", "DS"], dispatched=["DA"])
    assert "接单方：Unit-UA" in page
    lines = audit_lines(console)[before:]
    assert [(x["who"], x["mutation"], x["outcome"]) for x in lines] == [
        ("wang.wu", "dispatch_demand", "ok")]
    assert statuses(console)["DA"] == "dispatched"


def test_the_rest_of_the_loop_from_the_board(console: Console) -> None:
    console.add("li.si", "community_staff", "MA")
    client = console.login("li.si")
    for name, extra in (("dispatch", {"to": "Unit:UA"}), ("accept", {}),
                        ("complete", {}), ("review", {"satisfaction": "4"})):
        assert step(client, name, "DA", **extra).status_code == 303
    assert board(client.get("/demands").text) == only(open=["DA2", "DS"], reviewed=["DA"])
    assert console.store.read(STATUS)[0] == {"code": "DA", "status": "reviewed",
                                             "satisfaction": 4}
    again = step(client, "accept", "DA")
    assert again.status_code == 400 and "当前状态为 reviewed" in again.text
    assert [x["who"] for x in audit_lines(console)] == ["li.si"] * 5


def test_overdue_is_marked(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    console.store.write(SET_DUE, code="DA2", due="2025-01-10")
    console.store.write(SET_DUE, code="DB", due="2999-01-01")
    page = console.login("admin").get("/demands").text
    marked = re.findall(r'<article class="item overdue" id="demand-(\w+)">', page)
    assert marked == ["DA2"]


def test_street_a_cannot_see_or_touch_street_b(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    client = console.login("wang.wu")
    before, lines = statuses(console), len(audit_lines(console))
    assert client.get("/demands", params={"scope": "Street:SB"}).status_code == 404
    assert client.get("/demands", params={"community": "MB"}).status_code == 404
    assert client.get("/demands/match", params={"scope": "Street:SB"}).status_code == 403
    refused = step(client, "dispatch", "DB", to="Unit:UA")
    assert refused.status_code == 404 and "没有需求 DB" in refused.text
    token = csrf_of(client, "/demands")
    matched = client.post("/demands/match", data={"csrf": token, "scope": "Street:SB",
                                                  "all": "1"})
    assert matched.status_code == 403
    assert statuses(console) == before
    assert all(x["outcome"] != "ok" for x in audit_lines(console)[lines:])


def test_the_match_plan_for_the_county_and_for_street_a(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    county = console.login("admin").get("/demands/match").text
    assert plan_rows(county) == [
        ("DA", "Resource-RB RB", "Unit-UB Unit:UB", _metres(0.002)),
        ("DA2", "Resource-RB2 RB2", "Unit-UB Unit:UB", _metres(0.001))]
    assert unmatched_rows(county) == [("DB", NO_LOCATION), ("DS", NO_LOCATION)]
    street = console.login("wang.wu").get("/demands/match").text
    assert plan_rows(street) == [("DA", "Resource-RA RA", "Unit-UA Unit:UA", _metres(0.008))]
    assert unmatched_rows(street) == [("DA2", NO_RESOURCE), ("DS", NO_LOCATION)]


def test_dispatching_the_chosen_part_of_the_plan(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    token = csrf_of(client, "/demands/match")
    lines = len(audit_lines(console))
    none = client.post("/demands/match", data={"csrf": token, "chosen": "1"})
    assert none.status_code == 400 and "请至少勾选" in none.text
    done = client.post("/demands/match", data={"csrf": token, "scope": "County:K1",
                                               "demand": ["DA2"], "chosen": "1"})
    assert done.status_code == 200 and "已派单 1 件" in done.text
    assert statuses(console) == {"DA": "open", "DA2": "dispatched", "DB": "open",
                                 "DS": "open"}
    line = audit_lines(console)[lines:]
    assert [(x["who"], x["mutation"], x["arguments"]["demands"]) for x in line] == [  # type: ignore[index]
        ("admin", "dispatchMatches", ["DA2"])]
    rest = client.post("/demands/match", data={"csrf": token, "all": "1"})
    assert "已派单 1 件" in rest.text and statuses(console)["DA"] == "dispatched"
