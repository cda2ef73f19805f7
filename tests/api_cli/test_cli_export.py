"""``jinlin export`` and ``jinlin whatif`` as a user runs them (export_town.py's street)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook

from api.cli.main import main
from graph.store import BoltStore

sys.path.insert(0, str(Path(__file__).parents[1] / "analysis"))  # the graph builders
from export_town import AS_OF, export_town  # noqa: E402


@pytest.fixture
def run(store: BoltStore, embedded_dir: Path) -> list[str]:
    if store.backend != "arcadedb":
        pytest.skip("the CLI opens the embedded store")
    export_town().write(store)
    return ["--data-dir", str(embedded_dir), "--scope", "Street:S", "--as-of", AS_OF]


def test_export_network(run: list[str], tmp_path: Path) -> None:
    out = tmp_path / "s.graphml"
    assert main(["export", "network", *run, "--out", str(out)]) == 0
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() == 8 and graph.nodes["Person:P1"]["articulation"] is True
    assert main(["export", "network", *run, "--format", "csv", "--out",
                 str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "edges.csv").read_text(encoding="utf-8-sig").count("\n") == 8


def test_export_table_masks_unless_the_role_may_see(run: list[str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "table", *run, "Person"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["phone"] for r in rows] == ["138****1234", "139****1111"]
    assert main(["export", "table", *run, "Person", "--role", "analyst"]) == 0
    assert "13812341234" not in capsys.readouterr().out
    assert main(["export", "table", *run, "Person", "--role", "street_staff"]) == 0
    assert "13812341234" in capsys.readouterr().out
    out = tmp_path / "cross.xlsx"
    assert main(["export", "table", *run, "cross_posting_ratio", "--format", "xlsx",
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"已将 2 行写入 {out}\n"
    assert main(["export", "table", *run, "Compound", "--format", "geojson"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["geometry"]["coordinates"] for f in doc["features"]] == [[120.0, 30.0],
                                                                     [120.01, 30.0]]
    assert main(["export", "table", *run, "Compound", "--format", "geojson",
                 "--within", "Compound:C1"]) == 2
    assert "geojson 格式不支持 --within 和 --filter" in capsys.readouterr().err
    assert main(["export", "table", *run, "no_such_thing"]) == 2
    assert "没有指标 no_such_thing" in capsys.readouterr().err


def test_whatif(run: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text("code,category,lat,lon,radius_m\nX1,repair,30.0,120.01,500\n",
                     encoding="utf-8")
    assert main(["whatif", *run, "--extra-resources", str(extra), "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["a"]["matched"], answer["b"]["matched"]) == (1, 2)
    assert [c["demand"] for c in answer["changes"]] == ["DB"]
    assert main(["whatif", *run, "--radius", "500", "--weight", "repair=2"]) == 0
    printed = capsys.readouterr().out
    assert "weighted_served" in printed and "DB" in printed
    assert main(["whatif", *run, "--weight", "repair"]) == 2
    assert "--weight 应写成 类别=权重" in capsys.readouterr().err


def test_export_table_takes_what_the_endpoint_takes(run: list[str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """List names, filters, ``--within``, ``gaps/KEY`` and a styled xlsx, as
    ``GET /export/…`` has them (api.graphql.exports).  三无小区 at M1: C1 has F1 and OC1, C2
    nothing, so C2 is the one gap."""
    assert main(["export", "table", *run, "compounds", "--filter", "householdsMin=60"]) == 0
    assert [r["code"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == ["C1"]
    assert main(["export", "table", *run, "gaps/three_no_compounds",
                 "--within", "Community:M1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["rank"], r["code"], r["numerator"], r["households"]) for r in rows] == [
        ("1", "C2", "1.0", "50")]
    grid = ["--data-dir", run[1], "--scope", "Grid:G1"]
    assert main(["export", "table", *grid, "Compound"]) == 0
    assert [r["code"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == [
        "C1", "C2"]
    out = tmp_path / "people.xlsx"
    assert main(["export", "table", *run, "people", "--format", "xlsx", "--out",
                 str(out)]) == 0
    assert capsys.readouterr().out == f"已将 2 行写入 {out}\n"
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.title == "人员" and sheet.freeze_panes == "A2"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["编码", "姓名", "性别", "联系电话", "身份证号", "党员状态"],
        ["P1", "张三", None, "138****1234", "110***********1234", "in_service"],
        ["P2", "李四", None, "139****1111", None, None]]
    assert main(["export", "table", *run, "compounds", "--within", "Street:NOPE"]) == 2
    assert "Street:NOPE 不在您的范围内" in capsys.readouterr().err
    assert main(["export", "table", *run, "compounds", "--filter", "colour=red"]) == 2
    assert "不能按 colour 筛选" in capsys.readouterr().err
