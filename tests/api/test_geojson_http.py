"""``GET /export/<what>.geojson``: the located kinds as GeoJSON for GIS tools, the same
document ``jinlin export table --format geojson`` writes, behind the same gate and scope.

apihelp's town (county K1; street S1 holds C1 阳光小区 and C2 月亮小区, street S2 holds
C3 星星小区), placed here: C1 at (30.0, 120.0), C3 at (30.0, 120.01), C2 without
coordinates; service site SS1 in community M1 at (30.001, 120.0); resource R1 of unit U1
at (30.0, 120.002); demand D1 raised in C1 on 2024-03-01, D2 in C3 with no date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from apihelp import Api
from geojson_pydantic import FeatureCollection

from api.cli.main import main
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph


@pytest.fixture
def placed(town_api: Api) -> Api:
    write_graph(town_api.store, [
        N("Compound", "C1", {"lat": 30.0, "lon": 120.0}),
        N("Compound", "C3", {"lat": 30.0, "lon": 120.01}),
        N("ServiceSite", "SS1", {"name": "幸福驿站", "kind": "red_station", "lat": 30.001,
                                 "lon": 120.0}),
        N("Resource", "R1", {"name": "义诊", "category": "medical", "capacity": 2,
                             "lat": 30.0, "lon": 120.002, "radius_m": 800.0}),
        N("Demand", "D1", {"title": "修水管", "category": "repair", "status": "open",
                           "created_at": "2024-03-01T09:30:00"}),
        N("Demand", "D2", {"title": "助老", "category": "elder_care", "status": "open"}),
    ], [R("LOCATED_IN", "ServiceSite", "SS1", "Community", "M1"),
        R("OFFERS", "Unit", "U1", "Resource", "R1"),
        R("RAISED_IN", "Demand", "D1", "Compound", "C1"),
        R("RAISED_IN", "Demand", "D2", "Compound", "C3")])
    return town_api


def get(api: Api, path: str, **who: Any) -> httpx.Response:
    return api.http.get(path, headers={"Authorization": f"Bearer {api.token(**who)}"})


def collection(response: httpx.Response) -> dict[str, Any]:
    """The body, checked as RFC 7946 (geojson_pydantic) and as a geo+json answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    FeatureCollection.model_validate_json(response.content)
    doc: dict[str, Any] = response.json()
    return doc


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    return str(error["message"])


def test_compounds_as_points(placed: Api) -> None:
    response = get(placed, "/export/compounds.geojson")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"compounds_K1.geojson\"; filename*=UTF-8''"
        "%E5%B0%8F%E5%8C%BA_K1.geojson")
    doc = collection(response)
    assert doc["type"] == "FeatureCollection"
    assert doc["features"][0] == {
        "type": "Feature", "id": "C1",
        "geometry": {"type": "Point", "coordinates": [120.0, 30.0]},
        "properties": {"label": "Compound", "code": "C1", "name": "阳光小区",
                       "households": 300, "buildings": None, "built_year": None,
                       "old": True, "property_mode": None}}
    assert [(f["id"], f["geometry"]["coordinates"]) for f in doc["features"]] == [
        ("C1", [120.0, 30.0]), ("C3", [120.01, 30.0])]  # C2 has no coordinates


def test_every_located_kind(placed: Api) -> None:
    """Sites, resources and demands (a demand at its compound's place, by asOf)."""
    ids = {what: [f["id"] for f in collection(get(placed, f"/export/{what}.geojson"))["features"]]
           for what in ("serviceSites", "resources", "demands")}
    assert ids == {"serviceSites": ["SS1"], "resources": ["R1"], "demands": ["D1", "D2"]}
    demands = collection(get(placed, "/export/demands.geojson"))["features"]
    assert [f["geometry"]["coordinates"] for f in demands] == [[120.0, 30.0], [120.01, 30.0]]
    early = collection(get(placed, "/export/demands.geojson?asOf=2024-01-01"))
    assert [f["id"] for f in early["features"]] == ["D2"]  # D1 was raised later


def test_scope_and_within(placed: Api) -> None:
    """Street S1 staff get C1 only; ``within`` narrows inside the scope and is refused
    outside it."""
    s1 = {"role": "street_staff", "scope": "S1"}
    assert [f["id"] for f in collection(get(placed, "/export/compounds.geojson", **s1))[
        "features"]] == ["C1"]
    county = collection(get(placed, "/export/compounds.geojson?within=Street:S2"))
    assert [f["id"] for f in county["features"]] == ["C3"]
    refused(get(placed, "/export/compounds.geojson?within=Street:S2", **s1), 403,
            "NOT_IN_SCOPE")


def test_refusals(placed: Api) -> None:
    assert "有坐标的小区、党群服务阵地、需求、资源" in refused(
        get(placed, "/export/people.geojson"), 404, "UNKNOWN_EXPORT")
    refused(get(placed, "/export/gaps/service_circle.geojson"), 404, "UNKNOWN_EXPORT")
    assert "nameContains" in refused(get(placed, "/export/compounds.geojson?nameContains=阳"),
                                     400, "INVALID_INPUT")
    refused(get(placed, "/export/demands.geojson", role="resident", scope="K1",
                subject="P1"), 403, "FORBIDDEN")
    assert placed.http.get("/export/compounds.geojson").status_code == 401
    assert ".geojson" in refused(get(placed, "/export/compounds.kml"), 404, "UNKNOWN_EXPORT")


@pytest.mark.parametrize("what", ["compounds", "serviceSites", "demands", "resources"])
def test_the_same_as_the_command(placed: Api, embedded_dir: Path, what: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    if placed.store.backend != "arcadedb":
        pytest.skip("the CLI opens the embedded store")
    served = collection(get(placed, f"/export/{what}.geojson?asOf=2025-01-01"))
    assert main(["export", "table", "--data-dir", str(embedded_dir), "--scope", "County:K1",
                 "--as-of", "2025-01-01", what, "--format", "geojson"]) == 0
    assert json.loads(capsys.readouterr().out) == served
