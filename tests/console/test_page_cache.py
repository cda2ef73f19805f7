"""The pages' cache (api.console.cache) on the scope town: a second look reads only the
store's write generation; any write is seen by the next look; accounts never share an
answer; ``projection_entries=0`` turns it off.  Figures from tests/api/scope_town.py:
the county board's 待派单 column holds DA, DA2, DB, DS; OCB, OCS, POB and POS are the
county's isolated organisations (test_page_network.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from consolehelp import Console, console_on
from test_page_demands import SET_DUE, board, only
from test_page_network import _tables

from api.kept import answers_of
from graph.store import BoltStore, Query
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

PAGES = ("/", "/demands", "/map", "/map/data", "/network")


def _reads(console: Console, client: object, path: str) -> int:
    """Store round trips of one GET of ``path``."""
    before = console.store.round_trips
    answer = client.get(path)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text
    return console.store.round_trips - before


@pytest.mark.parametrize("path", PAGES)
def test_a_second_look_reads_only_the_generation(console: Console, path: str) -> None:
    """Again: one read, the write stamp (the scope node is known from the first look)."""
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    first = _reads(console, client, path)
    assert first > 5
    assert _reads(console, client, path) == 1
    assert _reads(console, client, path + "?scope=Street:SA") > 5  # another question


def test_the_board_sees_a_write_at_once(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    assert board(client.get("/demands").text) == only(open=["DA", "DA2", "DB", "DS"])
    console.store.write(SET_DUE, code="DA2", due="2025-01-10")
    page = client.get("/demands").text
    assert re.findall(r'<article class="item overdue" id="demand-(\w+)">', page) == ["DA2"]


def test_the_map_sees_a_bulk_write_at_once(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    assert [c["code"] for c in client.get("/map/data").json()["compounds"]] == ["CA"]
    write_graph(console.store, [N("Compound", "XA", {"lat": 30.02, "lon": 120.0})], [])
    assert [c["code"] for c in client.get("/map/data").json()["compounds"]] == ["CA", "XA"]
    assert 'data-compounds="2"' in client.get("/map").text


def test_the_network_sees_a_new_post_at_once(console: Console) -> None:
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    isolated = ["OwnersCommittee:OCB", "OwnersCommittee:OCS", "PartyOrg:POB", "PartyOrg:POS"]
    assert [r[1].split()[-1] for r in _tables(client.get("/network").text)["isolated"]] == \
        isolated
    write_graph(console.store, [], [R("HOLDS_POST", "Person", "PX", "OwnersCommittee", "OCB",
                                      {"role": "chair", "since": "2021-01-01"})])
    assert [r[1].split()[-1] for r in _tables(client.get("/network").text)["isolated"]] == \
        isolated[1:]


def _fraction(page: str, key: str) -> str:
    found = re.search(rf'id="card-{key}".*?<div class="fraction">(.*?)</div>', page, re.S)
    assert found, key
    return found.group(1)


def test_the_dashboard_sees_a_write_at_once(console: Console) -> None:
    """The town has no property firm managing anything: 0 of its 5 compounds, then FA
    manages CA."""
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    assert _fraction(client.get("/").text, "property_management_coverage") == "0 / 5"
    write_graph(console.store, [], [R("MANAGES", "PropertyFirm", "FA", "Compound", "CA",
                                      {"since": "2020-01-01"})])
    assert _fraction(client.get("/").text, "property_management_coverage") == "1 / 5"


def test_accounts_do_not_share_an_answer(console: Console) -> None:
    """The same page asked the same way: each account gets what it may see."""
    console.add("admin", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    console.add("zhao.liu", "street_staff", "SA")
    assert board(console.login("admin").get("/demands?scope=Street:SA").text) == only(
        open=["DA", "DA2", "DS"])
    street = console.login("wang.wu")
    assert board(street.get("/demands?scope=Street:SA").text) == only(
        open=["DA", "DA2", "DS"])
    other, pages = console.login("zhao.liu"), answers_of(console.store, "pages")
    built = pages.builds
    assert board(other.get("/demands?scope=Street:SA").text) == only(open=["DA", "DA2", "DS"])
    assert pages.builds == built + 1  # an answer of zhao.liu's own, not wang.wu's
    assert "Compound-CB" not in street.get("/map/data").text


def test_off_with_the_projection(store: BoltStore, tmp_path: Path) -> None:
    with console_on(store, tmp_path, projection_entries=0) as console:
        console.add("admin", "county_admin", "K1")
        client = console.login("admin")
        first = _reads(console, client, "/demands")  # and the scope node, once
        assert _reads(console, client, "/demands") == first - 1 > 5


def test_a_demand_step_leaves_the_network_page_in_memory(console: Console) -> None:
    """A write is read from its own Cypher (graph.changed): a demand's new due date
    names the demand and its relationships.  The network page is made again from kept
    answers alone (its reads and the projection's network saw none of them): one read,
    the stamp.  The board reads its demands again."""
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    network = client.get("/network").text
    client.get("/demands")
    console.store.write(SET_DUE, code="DA2", due="2025-01-10")
    assert _reads(console, client, "/network") == 1
    assert client.get("/network").text == network
    assert _reads(console, client, "/demands") > 5
    page = client.get("/demands").text
    assert re.findall(r'<article class="item overdue" id="demand-(\w+)">', page) == ["DA2"]


POST = Query("t_post", "MATCH (p:Person {code: $p}), (o:OwnersCommittee {code: $o}) "
             "CREATE (p)-[:HOLDS_POST {role: 'chair', since: '2021-01-01'}]->(o)")
MANAGES = Query("t_manages", "MATCH (f:PropertyFirm {code: $f}), (c:Compound {code: $c}) "
                "CREATE (f)-[:MANAGES {since: '2020-01-01'}]->(c)")


def test_a_statement_the_page_could_see_is_seen_at_once(console: Console) -> None:
    """No stamp this time (one statement, as a mutation sends): only the names it
    changed tell the kept reads and the projection's parts behind the network page and
    the dashboard that a post and a firm's contract are new."""
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    isolated = ["OwnersCommittee:OCB", "OwnersCommittee:OCS", "PartyOrg:POB", "PartyOrg:POS"]
    assert [r[1].split()[-1] for r in _tables(client.get("/network").text)["isolated"]] == \
        isolated
    assert _fraction(client.get("/").text, "property_management_coverage") == "0 / 5"
    console.store.write(POST, p="PX", o="OCB")
    assert [r[1].split()[-1] for r in _tables(client.get("/network").text)["isolated"]] == \
        isolated[1:]
    console.store.write(MANAGES, f="FA", c="CA")
    assert _fraction(client.get("/").text, "property_management_coverage") == "1 / 5"
