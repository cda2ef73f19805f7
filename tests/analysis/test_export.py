"""Exports read back: GraphML/GEXF/CSV of the network, node and indicator tables, GeoJSON.

The street is export_town.py's; every figure below is worked out there.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from export_town import AS_OF, export_town
from geojson_pydantic import FeatureCollection
from openpyxl import load_workbook

from analysis.export import csv_text, measured_network, write_network, write_table
from analysis.indicators import compute_indicators
from analysis.network import build_network
from analysis.tables import geojson, indicator_table, located_rows, node_table
from graph.store import BoltStore

NODES = {"Compound:C1", "PropertyFirm:F1", "OwnersCommittee:OC1", "PartyOrg:B1",
         "Person:P1", "Person:P2", "Unit:U1", "Community:M1"}


@pytest.fixture
def town(store: BoltStore) -> BoltStore:
    export_town().write(store)
    return store


def _net(store: BoltStore) -> nx.Graph:
    return measured_network(build_network(store, "Street", "S", AS_OF))


def test_measures_worked_by_hand(town: BoltStore) -> None:
    net = _net(town)
    assert set(net.nodes) == NODES and net.number_of_edges() == 7
    p1, oc1 = net.nodes["Person:P1"], net.nodes["OwnersCommittee:OC1"]
    assert p1 == {"label": "Person", "kind": "人员", "code": "P1", "name": "张三", "degree": 2,
                  "betweenness": pytest.approx(1 / 21), "articulation": True,
                  "component": 0, "community": p1["community"]}
    assert oc1["betweenness"] == pytest.approx(5 / 21) and oc1["articulation"] is True
    assert [n for n, a in net.nodes(data=True) if a["articulation"]] == [
        "OwnersCommittee:OC1", "Person:P1"]
    assert {n for n, a in net.nodes(data=True) if a["component"] == 1} == {
        "Community:M1", "Unit:U1"}
    assert net.nodes["Unit:U1"]["community"] == net.nodes["Community:M1"]["community"]
    assert net.nodes["Unit:U1"]["community"] != p1["community"]
    assert net.edges["Person:P1", "PartyOrg:B1"] == {
        "type": "HOLDS_POST", "type_zh": "任职", "since": "2019-01-01", "role": "secretary"}
    assert net.edges["PropertyFirm:F1", "Compound:C1"] == {
        "type": "MANAGES", "type_zh": "物业服务", "since": "2020-01-01"}
    assert net.edges["Unit:U1", "Community:M1"]["since"] == "2021-05-01"
    assert net.edges["OwnersCommittee:OC1", "Compound:C1"] == {
        "type": "REPRESENTS", "type_zh": "代表小区"}


def test_graphml_and_gexf_read_back_equal(town: BoltStore, tmp_path: Path) -> None:
    net = _net(town)
    write_network(net, "graphml", tmp_path / "s.graphml")
    back = nx.read_graphml(tmp_path / "s.graphml")
    assert dict(back.nodes(data=True)) == dict(net.nodes(data=True))
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in net.edges}
    for a, b, attrs in net.edges(data=True):
        assert back.edges[a, b] == attrs
    write_network(net, "gexf", tmp_path / "s.gexf")
    gexf = nx.read_gexf(tmp_path / "s.gexf")
    assert set(gexf.nodes) == NODES and gexf.number_of_edges() == 7
    assert gexf.nodes["Person:P1"]["betweenness"] == pytest.approx(1 / 21)


def test_network_csv_parsed_back(town: BoltStore, tmp_path: Path) -> None:
    net = _net(town)
    nodes_csv, edges_csv = write_network(net, "csv", tmp_path / "csv")
    nodes = {r["id"]: r for r in csv.DictReader(io.StringIO(
        nodes_csv.read_text(encoding="utf-8-sig")))}
    assert set(nodes) == NODES
    assert nodes["Person:P1"] == {
        "id": "Person:P1", "label": "Person", "kind": "人员", "code": "P1", "name": "张三",
        "degree": "2", "betweenness": str(1 / 21), "articulation": "True", "component": "0",
        "community": str(net.nodes["Person:P1"]["community"])}
    edges = list(csv.DictReader(io.StringIO(edges_csv.read_text(encoding="utf-8-sig"))))
    assert len(edges) == 7
    manages = [e for e in edges if e["type"] == "MANAGES"]
    assert manages == [{"source": "Compound:C1", "target": "PropertyFirm:F1", "type": "MANAGES",
                        "type_zh": "物业服务", "since": "2020-01-01", "until": "", "role": ""}]


def test_person_table_masks_personal_data_unless_allowed(town: BoltStore) -> None:
    masked = node_table(town, "Person", "Street", "S")
    assert masked.columns == ("code", "name", "gender", "phone", "id_number", "member_status")
    assert masked.rows == [
        {"code": "P1", "name": "张三", "gender": None, "phone": "138****1234",
         "id_number": "110***********1234", "member_status": "in_service"},
        {"code": "P2", "name": "李四", "gender": None, "phone": "139****1111",
         "id_number": None, "member_status": None}]
    clear = node_table(town, "Person", "Street", "S", personal=True)
    assert clear.rows[0]["phone"] == "13812341234"
    with pytest.raises(ValueError, match="没有 Nobody 这种节点类型"):
        node_table(town, "Nobody", "Street", "S")


def test_indicator_items_as_csv_and_xlsx(town: BoltStore, tmp_path: Path) -> None:
    """Cross-posting at C1: P1 chairs OC1 and is secretary of B1 (covering C1): crossed;
    P2 sits on OC1 only."""
    table = indicator_table(compute_indicators(town, "Street", "S", AS_OF),
                            "cross_posting_ratio")
    rows = list(csv.DictReader(io.StringIO(csv_text(table))))
    assert [(r["code"], r["name"], r["numerator"], r["hit"], r["children"]) for r in rows] == [
        ("P1", "张三", "1.0", "True", "M1"), ("P2", "李四", "0.0", "False", "M1")]
    assert json.loads(rows[0]["detail"])["committee"] == "OC1"
    path = write_table(table, tmp_path / "cross.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == list(table.columns)
    assert cells[1][:6] == ["Person", "P1", "张三", 1, 1, True]
    with pytest.raises(ValueError, match="没有指标 nope"):
        indicator_table(compute_indicators(town, "Street", "S", AS_OF), "nope")


def check_geojson(doc: Any) -> None:
    """Valid against RFC 7946's schema (geojson-pydantic's models of it), and a
    FeatureCollection of points with coordinates [lon, lat] inside China's bounds
    (lon 73–136 E, lat 3–54 N): a swapped pair would still be valid GeoJSON."""
    FeatureCollection.model_validate(doc)
    assert doc["type"] == "FeatureCollection" and isinstance(doc["features"], list)
    for f in doc["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert isinstance(lon, float) and isinstance(lat, float)
        assert 73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0, (lon, lat)
        assert f["id"] == f["properties"]["code"]


def test_geojson_of_located_kinds(town: BoltStore) -> None:
    def points(kind: str) -> dict[str, list[float]]:
        doc = json.loads(json.dumps(geojson(kind, located_rows(town, kind, "Street", "S",
                                                               AS_OF))))
        check_geojson(doc)
        return {f["id"]: f["geometry"]["coordinates"] for f in doc["features"]}

    assert points("Compound") == {"C1": [120.0, 30.0], "C2": [120.01, 30.0]}
    assert points("ServiceSite") == {"SS": [120.0, 30.0]}
    assert points("Resource") == {"R1": [120.0, 30.0]}
    assert points("Demand") == {"DA": [120.0, 30.0], "DB": [120.01, 30.0],
                                "DC": [120.01, 30.0]}
    feature = geojson("Compound", located_rows(town, "Compound", "Street", "S"))["features"][0]
    assert feature["properties"]["name"] == "阳光小区"
    assert feature["properties"]["households"] == 100
    assert "lat" not in feature["properties"]
    with pytest.raises(ValueError, match="Person 没有坐标"):
        located_rows(town, "Person", "Street", "S")
    broken = {**feature, "geometry": {"type": "Point", "coordinates": [120.0]}}
    with pytest.raises(ValueError, match="validation error"):  # the schema check can fail
        check_geojson({"type": "FeatureCollection", "features": [broken]})
