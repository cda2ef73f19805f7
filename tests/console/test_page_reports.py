"""报告 page: the figures are the API's, downloads hold nothing outside the user's scope,
another street's report is refused."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import httpx
from consolehelp import Console, csrf_of
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from scope_town import NODES, WHERE  # noqa: E402

from api.console.reports import INDICATORS  # noqa: E402

ROW = re.compile(r'<tr data-key="(\w+)">\s*<td[^>]*>[^<]*</td>\s*<td class="num">([\d,.]+)</td>'
                 r'\s*<td class="num">([\d,.]+)</td>')
# what only street B sees: its nodes' codes and names, which street A's reports must not show
ONLY_B = {code for code, (_k, streets, _m) in WHERE.items() if streets == {"SB"}}
B_NAMES = {f"{NODES[code]}-{code}" for code in ONLY_B}


def _api(client: httpx.Client, scope: str | None) -> dict[str, tuple[float, float]]:
    answer = client.post("/graphql", json={"query": INDICATORS, "variables": {"scope": scope}},
                         headers={"X-CSRF-Token": csrf_of(client)})
    rows = answer.json()["data"]["indicators"]["indicators"]
    return {r["key"]: (r["numerator"], r["denominator"]) for r in rows}


def _page(html: str) -> dict[str, tuple[float, float]]:
    return {key: (float(num.replace(",", "")), float(den.replace(",", "")))
            for key, num, den in ROW.findall(html)}


def test_the_report_shows_the_apis_figures(console: Console) -> None:
    console.add("zhang.san", "county_admin", "K1")
    client = console.login("zhang.san")
    page = client.get("/reports")
    assert page.status_code == 200, page.text
    shown = _page(page.text)
    assert len(shown) == 22 and shown == _api(client, None)
    # by hand: compounds CA, CB, CS, XA, XB; branches POA, POB, POS cover CA, CB, CS
    assert shown["compound_branch_coverage"] == (3, 5)
    street = client.get("/reports", params={"scope": "Street:SA"})
    assert _page(street.text) == _api(client, "Street:SA")
    assert _page(street.text)["compound_branch_coverage"] == (2, 3)  # CA, CS of CA, CS, XA
    assert 'href="/reports?scope=Street:SA' in page.text  # the children are links


def test_a_street_user_gets_their_street_and_is_refused_another(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    own = client.get("/reports")
    assert own.status_code == 200 and _page(own.text) == _api(client, None)
    assert "<h1>指标报告 · Street:SA" in own.text
    for path in ("/reports", "/reports/download.xlsx", "/reports/download.html"):
        refused = client.get(path, params={"scope": "Street:SB"})
        assert refused.status_code == 403, path
        assert "Street:SB 不在你的管辖范围内" in refused.text
    assert client.get("/reports", params={"scope": "Community:MB"}).status_code == 403


def test_the_downloads_hold_the_figures_and_nothing_outside_the_scope(
        console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    figures = _api(client, None)
    xlsx = client.get("/reports/download.xlsx", params={"scope": "Street:SA"})
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert not cells & (ONLY_B | B_NAMES)
    overview = book.worksheets[0]
    rows = {row[0]: row[1:3] for row in overview.iter_rows(min_row=3, values_only=True)
            if row[0]}
    titles = _api_titles(client)
    for key, (num, den) in figures.items():
        assert tuple(rows[titles[key]]) == (num, den), key
    html = client.get("/reports/download.html", params={"scope": "Street:SA"})
    assert html.status_code == 200 and "基层党建指标报告" in html.text
    assert not [name for name in B_NAMES if name in html.text]


def _api_titles(client: httpx.Client) -> dict[str, str]:
    answer = client.post("/graphql", json={"query": "{ indicators { indicators { key title } } }"},
                         headers={"X-CSRF-Token": csrf_of(client)})
    return {r["key"]: r["title"] for r in answer.json()["data"]["indicators"]["indicators"]}
