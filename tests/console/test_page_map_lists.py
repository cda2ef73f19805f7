"""The map's lists read in pages side by side, its demands one list per unfinished
status merged in code order (issue 13), on the scope town (tests/api/scope_town.py).

The county's demands, all open: DA and DA2 in CA (the one compound with coordinates,
so they are placed), DB in CB and DS in CS (no coordinates: listed beside the map)."""

from __future__ import annotations

import pytest
from consolehelp import Console

from api.console import map as map_page
from graph.store import Query

SET_STATUS = Query("t_map_demand_status", "MATCH (d:Demand {code: $code}) SET d.status = $status")


def _demands(data: dict[str, object]) -> tuple[list[str], list[str]]:
    placed = [d["code"] for d in data["demands"]]  # type: ignore[attr-defined]
    unlocated = [d["code"] for d in data["unlocated"]["demands"]]  # type: ignore[index]
    return placed, unlocated


def test_statuses_merge_in_code_order(console: Console, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    """DA2 accepted, DB dispatched, DS done (finished: not on the map); pages of one."""
    monkeypatch.setattr(map_page, "PAGE", 1)
    for code, status in (("DA2", "accepted"), ("DB", "dispatched"), ("DS", "done")):
        console.store.write(SET_STATUS, code=code, status=status)
    console.add("admin", "county_admin", "K1")
    data = console.login("admin").get("/map/data").json()
    assert _demands(data) == (["DA", "DA2"], ["DB"])
    assert [d["statusLabel"] for d in data["demands"]] == ["待派单", "已接单"]
    assert data["cut"] is False


def test_too_many_points_are_cut_short(console: Console, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """At most three of a kind: the county's demands stop at DB (its compounds at CS),
    and the map says so; street A has three compounds and three demands: all shown."""
    monkeypatch.setattr(map_page, "PAGE", 1)
    monkeypatch.setattr(map_page, "MAX_POINTS", 3)
    console.add("admin", "county_admin", "K1")
    client = console.login("admin")
    data = client.get("/map/data", params={"scope": "Street:SA"}).json()
    assert _demands(data) == (["DA", "DA2"], ["DS"]) and data["cut"] is False
    data = client.get("/map/data").json()
    assert _demands(data) == (["DA", "DA2"], ["DB"]) and data["cut"] is True
    assert "数据过多，地图只显示了一部分" in client.get("/map").text
