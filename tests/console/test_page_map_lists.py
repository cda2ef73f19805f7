"""The map's lists read in pages side by side, below a street its demands one list per
unfinished status merged in code order, above counted per place (issue 13), on the scope
town (tests/api/scope_town.py).

The county's demands, all open: DA and DA2 in CA (the one compound with coordinates,
so they are placed), DB in CB and DS in CS (no coordinates: listed beside the map).
Community MA holds CA and CS (DA, DA2, DS), community MB CB and CS (DB, DS)."""

from __future__ import annotations

import pytest
from consolehelp import Console

from api.console import map as map_page
from graph.store import Query

SET_STATUS = Query("t_map_demand_status", "MATCH (d:Demand {code: $code}) SET d.status = $status")


def _demands(data: dict[str, object]) -> tuple[list[str], list[str]]:
    """The single demands placed and listed beside the map."""
    placed = [d["code"] for d in data["demands"]]  # type: ignore[attr-defined]
    unlocated = [d["code"] for d in data["unlocated"]["demands"]]  # type: ignore[index]
    return placed, unlocated


def test_statuses_merge_in_code_order(console: Console, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    """DA2 accepted, DB dispatched, DS done (finished: not on the map); pages of one.
    Community MA: DA, DA2 placed; MB: DB unlocated; the county counts CA's open and
    accepted one and CB's dispatched one, and nothing at CS."""
    monkeypatch.setattr(map_page, "PAGE", 1)
    for code, status in (("DA2", "accepted"), ("DB", "dispatched"), ("DS", "done")):
        console.store.write(SET_STATUS, code=code, status=status)
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    data = client.get("/map/data", params={"scope": "Community:MA"}).json()
    assert _demands(data) == (["DA", "DA2"], [])
    assert [d["statusLabel"] for d in data["demands"]] == ["待派单", "已接单"]
    assert data["cut"] is False
    data = client.get("/map/data", params={"scope": "Community:MB"}).json()
    assert _demands(data) == ([], ["DB"]) and data["demandCount"] == 1
    county = client.get("/map/data").json()
    assert county["grouped"] is True and county["demandCount"] == 3
    assert [(d["place"], [(c["value"], c["count"]) for c in d["counts"]])
            for d in county["demands"]] == [("Compound:CA", [("open", 1), ("accepted", 1)])]
    assert [(d["place"], d["count"]) for d in county["unlocated"]["demands"]] == [
        ("Compound:CB", 1)]


def test_too_many_points_are_cut_short(console: Console, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """At most three of a kind: community MA's three demands are all shown; the county's
    five compounds stop at CS, and the map says so (its demands are counted per place,
    never cut: CA 2, CB 1, CS 1)."""
    monkeypatch.setattr(map_page, "PAGE", 1)
    monkeypatch.setattr(map_page, "MAX_POINTS", 3)
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    data = client.get("/map/data", params={"scope": "Community:MA"}).json()
    assert _demands(data) == (["DA", "DA2"], ["DS"]) and data["cut"] is False
    data = client.get("/map/data").json()
    assert data["cut"] is True and data["demandCount"] == 4
    assert [c["code"] for c in data["compounds"] + data["unlocated"]["compounds"]] == [
        "CA", "CB", "CS"]
    assert "数据过多，地图只显示了一部分" in client.get("/map").text
