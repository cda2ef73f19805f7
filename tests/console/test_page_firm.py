"""A property firm's page and the rating form over HTTP on the scope town: two ratings are
both kept, the firm's status (badge, stars) is the latest one's on its page and on the
page of the compound it manages, the rater is the signed-in account, and a firm outside
the user's scope is neither shown nor rated.

FA sits in community MA (street A), FB in MB (street B); here FA also manages CA.  The town
rates each firm once (RTA for FA, 2025-01-01) with a reason only."""

from __future__ import annotations

import json
import re

import httpx
from consolehelp import Console, csrf_of

from graph.writer import NodeRecord, RelRecord, write_graph


def _rate(client: httpx.Client, firm: str, **values: str) -> httpx.Response:
    data = {"csrf": csrf_of(client, f"/firm/{firm}"), "rated": f"PropertyFirm:{firm}",
            **values}
    return client.post("/ratings", data=data)


def test_two_ratings_the_latest_shows_everywhere(console: Console) -> None:
    write_graph(console.store, [], [RelRecord("MANAGES", "PropertyFirm", "FA", "Compound", "CA",
                                              {"since": "2024-01-01"})])
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    page = client.get("/firm/FA")
    assert page.status_code == 200 and 'id="rating-form"' in page.text
    first = _rate(client, "FA", date="2026-01-10", stars="5", listStatus="red", reason="服务好")
    assert first.status_code == 303 and first.headers["location"] == "/firm/FA"
    second = _rate(client, "FA", date="2026-03-01", stars="2", listStatus="black",
                   reason="拖欠维修", evidence="https://example.org/notice/7")
    assert second.status_code == 303
    html = client.get("/firm/FA").text
    assert '<span class="badge bad list-status">黑榜</span>' in html
    assert re.search(r'id="stars">2 星<', html)
    rows = re.findall(r'<tr id="rating-[^"]+"><td>([^<]*)</td><td>([^<]*)</td>\s*<td>([^<]*)</td>'
                      r'<td>([^<]*)</td>', html)
    assert rows == [("2026-03-01", "2", "黑榜", "拖欠维修"), ("2026-01-10", "5", "红榜", "服务好"),
                    ("2025-01-01", "—", "—", "评价RTA")]  # the town's own, neither stars nor list
    assert html.count("<td>wang</td>") == 2
    compound = client.get("/compound/CA").text
    firm = re.search(r'<dd id="firm">(.*?)</dd>', compound, re.S)
    assert firm and "黑榜" in firm[1] and "★★☆☆☆" in firm[1] and 'href="/firm/FA"' in firm[1]
    lines = [json.loads(x) for x in console.audit.read_text("utf-8").splitlines()]
    assert [(x["mutation"], x["outcome"]) for x in lines
            if x["mutation"] == "create_rating"] == [("create_rating", "ok")] * 2


def test_a_firm_outside_the_scope(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    assert client.get("/firm/FB").status_code == 404
    refused = client.post("/ratings", data={"csrf": csrf_of(client, "/firm/FA"),
                                            "rated": "PropertyFirm:FB", "date": "2026-01-10",
                                            "listStatus": "black"})
    assert refused.status_code == 400 and "PropertyFirm:FB 不在你的管辖范围内" in refused.text
    nothing = client.post("/ratings", data={"csrf": csrf_of(client, "/firm/FA"),
                                            "rated": "PropertyFirm:FA", "date": "2026-01-10"})
    assert nothing.status_code == 400 and "请至少给出星级或红黑榜之一" in nothing.text
    for odd in ({"stars": "²"}, {"stars": "6"}, {"listStatus": "purple"},
                {"stars": "3", "date": "明天"}):
        answer = client.post("/ratings", data={"csrf": csrf_of(client, "/firm/FA"),
                                               "rated": "PropertyFirm:FA", "date": "2026-01-10",
                                               **odd})
        assert answer.status_code == 400, odd


def test_the_match_review_flags_a_black_listed_firms_resource(console: Console) -> None:
    # FA (black-listed now) offers RF, 48 m east of compound CA where DA (repair) is open
    write_graph(console.store, [
        NodeRecord("Resource", "RF", {"name": "物业维修", "category": "repair", "capacity": 1,
                                      "lat": 30.0, "lon": 120.0005, "radius_m": 1000.0}),
        NodeRecord("Rating", "RX", {"date": "2026-01-01", "list_status": "black"})],
        [RelRecord("OFFERS", "PropertyFirm", "FA", "Resource", "RF"),
         RelRecord("RATES", "Rating", "RX", "PropertyFirm", "FA")])
    console.add("admin", "county_admin", "K1")
    page = console.login("admin").get("/demands/match").text
    row = re.search(r'<tr id="plan-DA">(.*?)</tr>', page, re.S)
    assert row and "RF" in row[1] and "黑榜企业资源" in row[1]
    other = re.search(r'<tr id="plan-DA2">(.*?)</tr>', page, re.S)
    assert other and "黑榜企业资源" not in other[1]  # RB2, offered by unit UB
