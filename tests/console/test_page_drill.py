"""Drill-down over HTTP on the scope town: one indicator's items and gaps, searched, sorted
and paged on the server, and its xlsx export through the session cookie.

Branch coverage in county K1 (tests/api/scope_town.py): POA, POB, POS cover CA, CB, CS
(counted, in code order); XA and XB are the gaps, ranked by households (none either) then
code.
"""

from __future__ import annotations

import io
import re

import pytest
from consolehelp import Console
from openpyxl import load_workbook

from api.console import drill

ROW = re.compile(r'<tr>\s*<td><span class="badge (?:good|bad)">(\S+?)</span></td>\s*'
                 r'<td class="num">(\d*)</td>\s*<td>[^<]*</td>\s*<td>(?:<a href="([^"]+)">)?'
                 r'([^<]+)')
PATH = "/indicator/compound_branch_coverage"


def rows(html: str) -> list[tuple[str, str, str, str]]:
    """(状态, rank, link, code) of the table's rows."""
    return [(m[1], m[2], m[3] or "", m[4]) for m in ROW.finditer(html)]


def codes(html: str) -> list[str]:
    return [r[3] for r in rows(html)]


def test_items_then_ranked_gaps_with_links(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    page = console.login("admin").get(PATH, params={"asOf": "2025-06-01"})
    assert page.status_code == 200, page.text
    assert rows(page.text) == [("达标", "", "/compound/CA", "CA"),
                               ("达标", "", "/compound/CB", "CB"),
                               ("达标", "", "/compound/CS", "CS"),
                               ("缺口", "1", "/compound/XA", "XA"),
                               ("缺口", "2", "/compound/XB", "XB")]
    assert '<span class="figure" id="ratio">60.0%</span>' in page.text
    assert "达标 3 项，缺口 2 项" in page.text
    assert ('href="/export/indicator/compound_branch_coverage.xlsx?asOf=2025-06-01"'
            in page.text)  # the user's own scope: no within


def test_search_show_and_sort(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    assert codes(client.get(PATH, params={"q": "x"}).text) == ["XA", "XB"]
    assert codes(client.get(PATH, params={"q": "compound-cs"}).text) == ["CS"]
    assert codes(client.get(PATH, params={"show": "gaps"}).text) == ["XA", "XB"]
    assert codes(client.get(PATH, params={"show": "hits", "sort": "code",
                                          "order": "desc"}).text) == ["CS", "CB", "CA"]
    assert codes(client.get(PATH, params={"q": "nothing"}).text) == []


def test_paging(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drill, "PAGE_SIZE", 2)
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    first = client.get(PATH, params={"sort": "code"}).text
    assert codes(first) == ["CA", "CB"] and "共 5 项，第 1 / 3 页" in first
    assert 'href="/indicator/compound_branch_coverage?scope=County%3AK1' in first
    third = client.get(PATH, params={"sort": "code", "page": "3"}).text
    assert codes(third) == ["XB"] and 'id="next"' not in third
    assert codes(client.get(PATH, params={"sort": "code", "page": "99"}).text) == ["XB"]


def test_the_export_is_the_table_as_an_xlsx(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    page = client.get(PATH, params={"scope": "Community:MA", "asOf": "2025-06-01"}).text
    link = re.search(r'href="([^"]+)" id="export"', page)[1].replace("&amp;", "&")
    assert link == ("/export/indicator/compound_branch_coverage.xlsx?within=Community%3AMA"
                    "&asOf=2025-06-01")
    answer = client.get(link)
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content)).active
    table = [row for row in sheet.iter_rows(values_only=True)]
    assert table[0][:3] == ("类型", "编码", "名称")
    assert [r[1] for r in table[1:]] == codes(page) == ["CA", "CS", "XA"]
    gaps = client.get(re.search(r'href="([^"]+)" id="export-gaps"', page)[1].replace(
        "&amp;", "&"))
    ranked = list(load_workbook(io.BytesIO(gaps.content)).active.iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in ranked[1:]] == [(1, "XA")]


def test_another_streets_scope_and_unknown_keys(console: Console) -> None:
    console.add("wang", "street_staff", "SA")
    client = console.login("wang")
    assert client.get(PATH, params={"scope": "Street:SB"}).status_code == 403
    assert client.get(PATH, params={"scope": "Compound:CB"}).status_code == 403
    unknown = client.get("/indicator/no_such_thing")
    assert unknown.status_code == 404 and "没有这个指标：no_such_thing" in unknown.text
    export = client.get("/export/indicator/compound_branch_coverage.xlsx",
                        params={"within": "Street:SB"})
    assert export.status_code == 403


def test_party_members_link_to_their_person_pages(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    page = console.login("admin").get("/indicator/dual_reporting_rate").text
    # PA PB PS PX live in the county, are in service and reported nowhere: four gaps
    assert [(r[0], r[2]) for r in rows(page)] == [
        ("缺口", "/person/PA"), ("缺口", "/person/PB"), ("缺口", "/person/PS"),
        ("缺口", "/person/PX")]
