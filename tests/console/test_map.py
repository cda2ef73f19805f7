"""地图 over HTTP: probe."""

from __future__ import annotations

import json

from consolehelp import Console

from graph.writer import NodeRecord as N
from graph.writer import write_graph


def place(console: Console) -> None:
    write_graph(console.store, [N("Compound", "XA", {"lat": 30.02, "lon": 120.0}),
                                N("ServiceSite", "SSA", {"lat": 30.0, "lon": 120.001})], [])


def test_probe(console: Console) -> None:
    place(console)
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    answer = client.get("/map/data")
    print(answer.status_code)
    print(json.dumps(answer.json(), ensure_ascii=False, indent=1))
    page = client.get("/map")
    print(page.status_code, page.text[:3000])
