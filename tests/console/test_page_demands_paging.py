"""The demands board pages each column (issue 13: a county holds thousands of demands).

On the scope town (tests/api/scope_town.py) with two cards per column: the county's
待派单 column holds DA, DA2, DB, DS (in code order), so its first page shows DA, DA2 and
links to the next, which shows DB, DS as cards 3–4 of 4 and links back to the first.
"""

from __future__ import annotations

import html
import re

import pytest
from consolehelp import Console
from test_page_demands import board, only

from api.console import demands
from api.graphql.types import encode_cursor


@pytest.fixture(autouse=True)
def two_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demands, "COLUMN_SIZE", 2)


def _link(page: str, cls: str) -> str | None:
    found = re.search(rf'<a class="{cls}" href="([^"]+)">', page)
    return html.unescape(found.group(1)) if found else None


def test_a_column_pages_on(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    first = client.get("/demands").text
    assert board(first) == only(open=["DA", "DA2"])
    assert "显示前 2 条，共 4 条" in first and _link(first, "top") is None
    later = _link(first, "next")
    assert later is not None and later.startswith(
        "/demands?scope=County%3AK1&column=open&after=") and later.endswith("&start=3")
    second = client.get(later).text
    assert board(second) == only(open=["DB", "DS"])
    assert "显示第 3–4 条，共 4 条" in second and _link(second, "next") is None
    assert _link(second, "top") == "/demands?scope=County%3AK1"


def test_the_filters_stay_on_the_next_page(console: Console) -> None:
    """Street A's 待派单 (DA, DA2, DS) goes on with DS; a filtered column pages from
    any cursor (past DA: of the legal ones, DA2)."""
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    first = client.get("/demands", params={"scope": "Street:SA"}).text
    later = _link(first, "next")
    assert later is not None and later.startswith("/demands?scope=Street%3ASA&column=open")
    assert board(client.get(later).text) == only(open=["DS"])
    culture = client.get("/demands", params={"category": "culture"}).text
    assert board(culture) == only(open=["DB", "DS"]) and _link(culture, "next") is None
    legal = client.get("/demands", params={"category": "legal", "column": "open",
                                           "after": encode_cursor("DA", "DA")}).text
    assert board(legal) == only(open=["DA2"])


def test_a_bad_column_or_cursor_is_refused(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    bad = client.get("/demands", params={"column": "lost", "after": "x"})
    assert bad.status_code == 400 and "column 须是 open、dispatched" in bad.text
    worse = client.get("/demands", params={"column": "open", "after": "not-a-cursor"})
    assert worse.status_code == 400 and "游标" in worse.text
