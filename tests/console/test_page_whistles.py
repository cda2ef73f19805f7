"""吹哨 page over HTTP on the scope town (tests/api/scope_town.py): the form whistles as the
signed-in account through the API (one audit line), its unit picker offers only the units
the user sees, the list marks overdue whistles, and the per-unit rates link to the
indicator's drill-down for that unit.

Street A's staff see units UA (community MA) and US (in both streets), not UB.  Two
whistles written by hand in compound CA, as of 2026-03-05: W1 to UA, respond by 03-02,
signed 03-01 (in time); W2 to US, respond by 03-03, never signed (overdue); both due
2099-12-31, so neither is late for resolution on any day the test runs.  So the
response rate of street A is 1 / 2: UA 1 / 1, US 0 / 1.
"""

from __future__ import annotations

import json
import re

from consolehelp import Console, csrf_of

from graph.store import Query
from graph.writer import NodeRecord, RelRecord, write_graph

AS_OF = "2026-03-05"
WHISTLED = Query("t_whistled", "MATCH (d:Demand {whistle: true})-[a:ASSIGNED_TO]->(u:Unit) "
                               "RETURN d.title AS title, d.status AS status, "
                               "d.respond_by AS respond_by, u.code AS unit")


def _whistles(console: Console) -> None:
    def whistle(code: str, unit: str, respond_by: str, accepted: str | None) -> None:
        props = {"title": f"问题{code}", "category": "safety", "whistle": True,
                 "status": "accepted" if accepted else "dispatched",
                 "created_at": "2026-03-01T08:00:00", "respond_by": respond_by,
                 "accepted_at": accepted, "due": "2099-12-31"}
        write_graph(console.store, [NodeRecord("Demand", code, props)],
                    [RelRecord("RAISED_IN", "Demand", code, "Compound", "CA"),
                     RelRecord("ASSIGNED_TO", "Demand", code, "Unit", unit,
                               {"at": "2026-03-01T08:00:00"})])
    whistle("W1", "UA", "2026-03-02", "2026-03-01T10:00:00")
    whistle("W2", "US", "2026-03-03", None)


def _cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, row_id
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]


def test_the_form_whistles_through_the_api_with_the_users_units(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    page = client.get("/whistles")
    assert page.status_code == 200, page.text
    units = re.search(r'<select name="unit" required>(.*?)</select>', page.text, re.S)
    assert units and re.findall(r'value="(Unit:\w+)"', units[1]) == ["Unit:UA", "Unit:US"]
    answer = client.post("/whistles", data={
        "csrf": csrf_of(client, "/whistles"), "scope": "Street:SA", "title": "井盖缺失",
        "category": "safety", "raisedIn": "Compound:CA", "unit": "Unit:UA",
        "respondBy": "2026-03-02", "due": "2026-03-10"})
    assert answer.status_code == 303 and answer.headers["location"] == (
        "/whistles?scope=Street%3ASA")
    assert console.store.read(WHISTLED) == [{"title": "井盖缺失", "status": "dispatched",
                                             "respond_by": "2026-03-02", "unit": "UA"}]
    lines = [json.loads(x) for x in console.audit.read_text("utf-8").splitlines()]
    assert [(x["mutation"], x["outcome"], x["who"]) for x in lines
            if x["mutation"] == "whistle"] == [("whistle", "ok", "wang")]
    # a unit the user cannot see is the API's refusal, shown on the page
    refused = client.post("/whistles", data={
        "csrf": csrf_of(client, "/whistles"), "title": "占道", "category": "safety",
        "raisedIn": "Compound:CA", "unit": "Unit:UB", "respondBy": "2026-03-02",
        "due": "2026-03-10"})
    assert refused.status_code == 400 and "Unit:UB 不在你的管辖范围内" in refused.text


def test_the_list_and_the_rates_per_unit(console: Console) -> None:
    _whistles(console)
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    page = client.get("/whistles", params={"asOf": AS_OF}).text
    assert _cells(page, "unit-UA")[1] == "100.0% 1 / 1"
    assert _cells(page, "unit-US")[1] == "0.0% 0 / 1"
    assert 'id="whistle-W2" class="overdue"' in page and "签收超期" in _cells(page, "whistle-W2")[6]
    assert 'id="whistle-W1">' in page  # signed in time: not marked
    drill = re.search(r'<tr id="unit-US">.*?<a href="(/indicator/whistle_response_rate[^"]+)"',
                      page, re.S)
    assert drill
    href = drill[1].replace("&amp;", "&")
    assert href == ("/indicator/whistle_response_rate?scope=Street%3ASA&asOf=2026-03-05"
                    "&unit=US")
    items = client.get(href).text
    assert re.findall(r'<a href="/node/Demand/(\w+)">', items) == ["W2"]
    everything = client.get(href.replace("&unit=US", "")).text
    assert re.findall(r'<a href="/node/Demand/(\w+)">', everything) == ["W1", "W2"]
    # on the demand board a whistle is a demand with its badge; 签收 is its accept step
    board = client.get("/demands").text
    card = re.search(r'<article class="item[^"]*" id="demand-W2">(.*?)</article>', board, re.S)
    assert card and "签收时限 2026-03-03" in card[1] and '>吹哨</span>' in card[1]
    assert 'name="step" value="accept"' in card[1]


def test_who_sees_the_page_and_the_form(console: Console) -> None:
    console.add("ana", "analyst", "K1")
    page = console.login("ana").get("/whistles")
    assert page.status_code == 200 and 'id="whistle-form"' not in page.text
    console.add("res", "resident", "MA")
    assert console.login("res").get("/whistles").status_code == 403
