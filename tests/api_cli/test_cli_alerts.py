"""The command line keeps the alerts up to date: ``jinlin load`` and ``jinlin restore``
evaluate the rules after writing (one more audit line, naming the service), in the
background while the command prints its summary, and wait for it before they end; the
demo seeds the default rules.

Ledgers: county K1 ⊃ street S1 ⊃ community M1 ⊃ grid G1, no grid worker, and one rule
(grids without a full-time grid worker): one alert, A-GRID-Grid-G1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from analysis import alerts
from api.cli.main import _seed_alert_rules, main
from graph.queries import DELETE_ALL
from graph.settings import Settings
from graph.store import BoltStore, Query
from graph.writer import NodeRecord, RelRecord, write_graph

sys.path.insert(0, str(Path(__file__).parents[1] / "loaders"))
from test_import import write_dir  # noqa: E402

ENDS = ["from_kind", "from", "to_kind", "to"]
LEDGERS = {
    "County.csv": [["code", "name"], ["K1", "城关区"]],
    "Street.csv": [["code", "name"], ["S1", "东街"]],
    "Community.csv": [["code", "name"], ["M1", "幸福社区"]],
    "Grid.csv": [["code", "name"], ["G1", "一网格"]],
    "PART_OF.csv": [ENDS, ["Street", "S1", "County", "K1"], ["Community", "M1", "Street", "S1"],
                    ["Grid", "G1", "Community", "M1"]],
    "AlertRule.csv": [["code", "name", "kind", "enabled"],
                      ["GRID", "网格无专职网格员", "网格无专职网格员", "是"]],
    "RULE_OF.csv": [["from", "to"], ["GRID", "K1"]],  # one label at each end: no kinds
}
ALERTS = Query("t_cli_alerts", "MATCH (a:Alert) RETURN a.code AS code, a.message AS message")
STATUS = Query("t_cli_status", "MATCH (a:Alert) RETURN a.code AS code, a.status AS status")


def _lines(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_load_evaluates_the_rules_it_brought(store: BoltStore, embedded_dir: Path,
                                             tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    before = len(_lines(embedded_dir))
    ledgers = write_dir(tmp_path / "a", LEDGERS)
    assert main(["load", "--data-dir", str(embedded_dir), "--by", "zhang.san",
                 str(ledgers)]) == 0
    out = capsys.readouterr().out.splitlines()  # ran beside the summary, said after it
    assert out[0].startswith("类型")
    assert out[-1] == "已按预警规则重新评估：新发出 1 条预警，消除 0 条（见 /alerts）"
    lines = [{k: v for k, v in x.items() if k not in ("id", "when")}
             for x in _lines(embedded_dir)[before:]]
    assert [(x["mutation"], x["who"]) for x in lines] == [
        ("load", "zhang.san"), ("evaluate_alerts", alerts.SYSTEM)]
    assert lines[1] == {"who": alerts.SYSTEM, "role": "system", "scope": "*",
                        "mutation": "evaluate_alerts",
                        "arguments": {"trigger": "load", "as_of": None},
                        "outcome": "ok", "counts": {"raised": 1, "cleared": 0}}
    assert store.read(ALERTS) == [{"code": "A-GRID-Grid-G1",
                                   "message": "网格“一网格”没有专职网格员（现有网格员 0 名）"}]


def test_the_demo_seeds_the_default_rules(store: BoltStore, settings: Settings,
                                          embedded_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the audit log of the embedded store's data directory")
    write_graph(store, [NodeRecord("County", "K1", {"name": "城关区"})], [])
    before = len(_lines(embedded_dir))
    _seed_alert_rules(store, settings, "demo")
    n = len(alerts.default_rules())
    assert capsys.readouterr().out == (
        f"jinlin demo：已设置 {n} 条默认预警规则，发出 0 条预警（/alerts）\n")
    rules = alerts.read_rules(store)["K1"]
    assert sorted(r.code for r in rules) == sorted(r["code"] for r in alerts.default_rules())
    lines = _lines(embedded_dir)[before:]
    assert [(x["mutation"], x["who"], x.get("counts")) for x in lines] == [
        ("seed_alert_rules", "demo", {"created": 2 * n, "updated": 0, "deleted": 0}),
        ("evaluate_alerts", alerts.SYSTEM, {"raised": 0, "cleared": 0})]


def test_restore_brings_the_alerts_up_to_date(store: BoltStore, embedded_dir: Path,
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The dump holds G1's alert as it was; G1 got a full-time grid worker after it was
    raised (no evaluation since): the restore's evaluation clears it."""
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    data_dir = str(embedded_dir)
    assert main(["load", "--data-dir", data_dir, str(write_dir(tmp_path / "a", LEDGERS))]) == 0
    write_graph(store, [NodeRecord("Person", "P1", {"name": "张三"})],
                [RelRecord("HOLDS_POST", "Person", "P1", "Grid", "G1",
                           {"role": "grid_worker", "full_time": True, "since": "2020-01-01"})])
    dump = tmp_path / "backup.jsonl.gz"
    assert main(["dump", "--data-dir", data_dir, str(dump)]) == 0
    store.write(DELETE_ALL)
    capsys.readouterr()
    before = len(_lines(embedded_dir))
    assert main(["restore", "--data-dir", data_dir, "--by", "li.si", str(dump)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "已按预警规则重新评估：新发出 0 条预警，消除 1 条（见 /alerts）")
    lines = _lines(embedded_dir)[before:]
    assert [(x["mutation"], x["who"], x["arguments"].get("trigger"), x["outcome"])
            for x in lines] == [("restore", "li.si", None, "ok"),
                                ("evaluate_alerts", alerts.SYSTEM, "restore", "ok")]
    assert lines[1]["counts"] == {"raised": 0, "cleared": 1}
    assert store.read(STATUS) == [{"code": "A-GRID-Grid-G1", "status": "cleared"}]
