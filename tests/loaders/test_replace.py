"""Replace mode: what a replace of one street deletes, what it keeps, all or nothing.

The county, worked by hand (→ placing links; S1 and S2 are streets of K1):

    S1: M1 ← G1 ← C1 (OC1 represents it; F1 manages it; P1, P4 live there)
                  C2 (F2 manages it; P2 lives there)
    S2: M2 ← G2 ← C3 (OC3 represents it; F1 manages it too; P3 lives there)

P1 also chairs OC3, so P1 lies under both streets, and so does F1.  Street S1's clerk
sends ledgers without C2 and P2, without P1's post on OC1, and without P4 in the
people sheet (P4 still lives in C1 there), and no sheet at all for owners' committees,
firms, MANAGES or REPRESENTS.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from test_import import write_dir

from api.cli.main import main
from graph.i18n import language
from graph.store import BoltStore, Query, StoreError
from graph.writer import NodeRecord, RelRecord, counts, write_graph
from loaders.ledger import load_ledgers, read_ledgers
from loaders.replace import (
    RelId,
    ReplacePlan,
    ReplaceRefused,
    load_replacing,
    plan_replace,
    render_plan,
)

SPINE: dict[str, list[list[Any]]] = {
    "County.csv": [["code", "name"], ["K1", "城关区"]],
    "Street.csv": [["code", "name"], ["S1", "东街"], ["S2", "西街"]],
    "Community.csv": [["code", "name"], ["M1", "幸福社区"], ["M2", "和平社区"]],
    "Grid.csv": [["code", "name"], ["G1", "一网格"], ["G2", "二网格"]],
    "PART_OF.csv": [["from_kind", "from", "to_kind", "to"],
                    ["Street", "S1", "County", "K1"], ["Street", "S2", "County", "K1"],
                    ["Community", "M1", "Street", "S1"], ["Community", "M2", "Street", "S2"],
                    ["Grid", "G1", "Community", "M1"], ["Grid", "G2", "Community", "M2"]],
}
BASE: dict[str, list[list[Any]]] = {
    **SPINE,
    "Compound.csv": [["code", "name"], ["C1", "幸福小区"], ["C2", "和谐小区"], ["C3", "和平小区"]],
    "IN_GRID.csv": [["from", "to"], ["C1", "G1"], ["C2", "G1"], ["C3", "G2"]],
    "OwnersCommittee.csv": [["code", "name"], ["OC1", "幸福业委会"], ["OC3", "和平业委会"]],
    "REPRESENTS.csv": [["from", "to"], ["OC1", "C1"], ["OC3", "C3"]],
    "PropertyFirm.csv": [["code", "name"], ["F1", "安居物业"], ["F2", "乐家物业"]],
    "MANAGES.csv": [["from", "to", "since"], ["F1", "C1", "2020-01-01"],
                    ["F1", "C3", "2020-01-01"], ["F2", "C2", "2020-01-01"]],
    "Person.csv": [["code", "name", "member_status"], ["P1", "张三", "在职"],
                   ["P2", "李四", "在职"], ["P3", "王五", ""], ["P4", "赵六", ""]],
    "LIVES_IN.csv": [["from", "to_kind", "to"], ["P1", "Compound", "C1"],
                     ["P2", "Compound", "C2"], ["P3", "Compound", "C3"],
                     ["P4", "Compound", "C1"]],
    "HOLDS_POST.csv": [["from", "to_kind", "to", "role", "since"],
                       ["P1", "OwnersCommittee", "OC1", "chair", "2021-03-01"],
                       ["P1", "OwnersCommittee", "OC3", "chair", "2022-05-01"]],
}
S1_LEDGERS: dict[str, list[list[Any]]] = {
    "Community.csv": [["code", "name"], ["M1", "幸福社区"]],
    "Grid.csv": [["code", "name"], ["G1", "一网格"]],
    "PART_OF.csv": [["from_kind", "from", "to_kind", "to"],
                    ["Community", "M1", "Street", "S1"], ["Grid", "G1", "Community", "M1"]],
    "Compound.csv": [["code", "name"], ["C1", "幸福小区"]],
    "IN_GRID.csv": [["from", "to"], ["C1", "G1"]],
    "Person.csv": [["code", "name", "member_status"], ["P1", "张三", "在职"]],
    "LIVES_IN.csv": [["from", "to_kind", "to"], ["P1", "Compound", "C1"],
                     ["P4", "Compound", "C1"]],
    "HOLDS_POST.csv": [["from", "to_kind", "to", "role", "since"]],  # header only: none
}
S1_SHEETS = ("Community", "Compound", "Grid", "HOLDS_POST", "IN_GRID", "LIVES_IN", "PART_OF",
             "Person")
EXPECTED_NODES = (("Compound", "C2"), ("Person", "P2"))
EXPECTED_RELS = (
    RelId("HOLDS_POST", "Person", "P1", "OwnersCommittee", "OC1", "chair|2021-03-01"),
    RelId("IN_GRID", "Compound", "C2", "Grid", "G1", ""),
    RelId("LIVES_IN", "Person", "P2", "Compound", "C2", ""),
    RelId("MANAGES", "PropertyFirm", "F2", "Compound", "C2", "2020-01-01"),
)
PREVIEW = [
    "按范围替换：街道(乡镇) S1",
    "只替换文件中有的表：社区(Community)、小区(Compound)、网格(Grid)、任职(HOLDS_POST)、"
    "所属网格(IN_GRID)、居住(LIVES_IN)、隶属(PART_OF)、人员(Person)；文件中没有的表，其数据一概不动。",
    "只删除只属于该范围的数据：同时属于其他范围的节点保留，只删除它进入该范围的关系。",
    "将删除 2 个节点、4 条关系：",
    "  小区 Compound：1 个：C2",
    "  人员 Person：1 个：P2",
    "  任职 HOLDS_POST：1 条：P1 → OC1（chair|2021-03-01）",
    "  所属网格 IN_GRID：1 条：C2 → G1",
    "  居住 LIVES_IN：1 条：P2 → C2",
    "  物业服务 MANAGES：1 条：F2 → C2（2020-01-01）",
]
DELETED = ("已删除 2 个节点、4 条关系：小区 1、任职 1、所属网格 1、居住 1、物业服务 1、"
           "人员 1。")

Snapshot = tuple[dict[str, int], dict[str, int]]


def _loaded(store: BoltStore, tmp_path: Path) -> Path:
    load_ledgers(store, [write_dir(tmp_path / "county", BASE)])
    return write_dir(tmp_path / "s1", S1_LEDGERS)


def _plan(store: BoltStore, s1: Path) -> ReplacePlan:
    return plan_replace(store.read, read_ledgers([s1], store), "Street", "S1")


_ALL_RELS = Query("test_all_rels", "MATCH (a)-[r]->(b) RETURN a.code AS a, type(r) AS t, "
                  "b.code AS b")
_ALL_NODES = Query("test_all_nodes", "MATCH (n) RETURN n.code AS code")


def _rels(store: BoltStore) -> set[tuple[str, str, str]]:
    return {(r["a"], r["t"], r["b"]) for r in store.read(_ALL_RELS)}


def _codes(store: BoltStore) -> set[str]:
    return {r["code"] for r in store.read(_ALL_NODES)}


def test_the_plan_lists_what_the_ledgers_no_longer_hold(store: BoltStore,
                                                        tmp_path: Path) -> None:
    plan = _plan(store, _loaded(store, tmp_path))
    assert plan.nodes == EXPECTED_NODES
    assert plan.rels == EXPECTED_RELS
    assert render_plan(plan) == PREVIEW
    with language("en"):  # a check of the catalogue: the sentences, not the model's names
        assert render_plan(plan)[2:4] == [
            "Only data belonging to this scope alone is deleted: a node also in another scope "
            "is kept, only its relationships into this scope are deleted.",
            "2 nodes and 4 relationships will be deleted:"]


def test_replace_deletes_the_plan_and_keeps_the_rest(store: BoltStore, tmp_path: Path) -> None:
    s1 = _loaded(store, tmp_path)
    nodes, rels = _codes(store), _rels(store)
    ledger = read_ledgers([s1], store)
    summary = load_replacing(store, ledger, plan_replace(store.read, ledger, "Street", "S1"))
    assert summary.deleted() == {"Compound": 1, "HOLDS_POST": 1, "IN_GRID": 1, "LIVES_IN": 1,
                                 "MANAGES": 1, "Person": 1}
    assert summary.changed == 0  # everything the S1 ledgers hold was there already
    # a dropped compound goes with its relationships; the dropped resident too
    assert _codes(store) == nodes - {"C2", "P2"}
    assert _rels(store) == rels - {("P1", "HOLDS_POST", "OC1"), ("C2", "IN_GRID", "G1"),
                                   ("P2", "LIVES_IN", "C2"), ("F2", "MANAGES", "C2")}
    # kept: P1 (also in S2) with its S2 post; P4 (named as a resident); OC1, F2 (their
    # kinds have no sheet); S2 whole; the street's own link to the county
    assert {("P1", "HOLDS_POST", "OC3"), ("P4", "LIVES_IN", "C1"), ("OC1", "REPRESENTS", "C1"),
            ("F1", "MANAGES", "C3"), ("S1", "PART_OF", "K1")} <= _rels(store)
    # again: nothing left to delete
    assert _plan(store, s1) == ReplacePlan("Street", "S1", S1_SHEETS, (), ())


def test_shared_nodes_keep_their_node_from_either_side(store: BoltStore,
                                                       tmp_path: Path) -> None:
    """Replacing S2 by ledgers that hold nothing of it empties S2 alone: P1 and F1 (also
    under S1) keep their nodes and lose their relationships into S2; S1 is untouched."""
    plan = plan_replace(store.read, read_ledgers([_loaded(store, tmp_path)], store),
                        "Street", "S2")
    assert plan.nodes == (("Community", "M2"), ("Compound", "C3"), ("Grid", "G2"),
                          ("Person", "P3"))
    assert [(r.type, r.source, r.target) for r in plan.rels] == [
        ("HOLDS_POST", "P1", "OC3"), ("IN_GRID", "C3", "G2"), ("LIVES_IN", "P3", "C3"),
        ("MANAGES", "F1", "C3"), ("PART_OF", "M2", "S2"), ("PART_OF", "G2", "M2"),
        ("REPRESENTS", "OC3", "C3")]


def test_a_failure_after_the_deletes_leaves_the_store_as_it_was(
    store: BoltStore, tmp_path: Path
) -> None:
    s1 = _loaded(store, tmp_path)
    ledger = read_ledgers([s1], store)
    plan = plan_replace(store.read, ledger, "Street", "S1")
    # a row whose end vanished by write time (the writer's last check): found after the
    # deletes and the node upserts were issued in the transaction
    ledger.rels.append(RelRecord("IN_GRID", "Compound", "C1", "Grid", "G9"))
    before: Snapshot = counts(store)
    nodes, rels = _codes(store), _rels(store)
    with pytest.raises(StoreError, match="的一端已不在库中；未写入任何内容"):
        load_replacing(store, ledger, plan)
    assert counts(store) == before
    assert (_codes(store), _rels(store)) == (nodes, rels)


def test_a_store_changed_since_the_preview_refuses_the_replace(
    store: BoltStore, tmp_path: Path
) -> None:
    s1 = _loaded(store, tmp_path)
    ledger = read_ledgers([s1], store)
    plan = plan_replace(store.read, ledger, "Street", "S1")
    write_graph(store, [NodeRecord("Compound", "C9", {"name": "新小区"})],
                [RelRecord("IN_GRID", "Compound", "C9", "Grid", "G1")])
    before = counts(store)
    with pytest.raises(ReplaceRefused, match="确认之后存储中的数据有了变化"):
        load_replacing(store, ledger, plan)
    assert counts(store) == before


def test_the_scope_node_and_its_place_are_kept(store: BoltStore, tmp_path: Path) -> None:
    """Community M1 replaced by empty Community and PART_OF sheets: M1 itself and its link
    to S1 stay; grid G1's link to M1 goes (G1 stays: Grid has no sheet here)."""
    _loaded(store, tmp_path)
    empty = write_dir(tmp_path / "empty", {"Community.csv": [["code", "name"]],
                                           "PART_OF.csv": [["from_kind", "from", "to_kind",
                                                            "to"]]})
    plan = plan_replace(store.read, read_ledgers([empty], store), "Community", "M1")
    assert (plan.sheets, plan.nodes) == (("Community", "PART_OF"), ())
    assert plan.rels == (RelId("PART_OF", "Grid", "G1", "Community", "M1", ""),)


def test_only_scopes_a_caller_can_have(store: BoltStore, tmp_path: Path) -> None:
    ledger = read_ledgers([_loaded(store, tmp_path)], store)
    with pytest.raises(ReplaceRefused, match="只能是县\\(区\\)、街道\\(乡镇\\)或社区"):
        plan_replace(store.read, ledger, "Grid", "G1")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _cli(store: BoltStore, embedded_dir: Path, tmp_path: Path) -> list[str]:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    s1 = _loaded(store, tmp_path)
    return ["load", "--data-dir", str(embedded_dir), "--replace", "Street:S1", str(s1)]


def test_cli_without_a_terminal_or_yes_refuses(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _cli(store, embedded_dir, tmp_path)
    before = counts(store)
    assert main(run) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == PREVIEW
    assert err.splitlines()[-1] == (  # after the progress lines
        "jinlin: 没有终端可以确认删除：确认无误后请加 --yes 再运行；未写入任何内容")
    assert counts(store) == before


def test_cli_asks_on_a_terminal(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _cli(store, embedded_dir, tmp_path)
    before = counts(store)
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert main(run) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [*PREVIEW, "确认删除以上内容并导入？[y/N] 已取消，未写入任何内容。"]
    assert counts(store) == before
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert main(run) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[out.index("共新建或更新 0 行。") + 1] == DELETED
    assert "C2" not in _codes(store)


def test_cli_yes_deletes_and_imports(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _cli(store, embedded_dir, tmp_path)
    assert main([*run, "--yes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:len(PREVIEW)] == PREVIEW
    assert out[out.index("共新建或更新 0 行。") + 1] == DELETED  # all there already
    assert "P2" not in _codes(store)
    assert main([*run, "--yes"]) == 0  # nothing left to delete: no question either
    out = capsys.readouterr().out.splitlines()
    assert out[3] == "没有要删除的内容。"
    assert out[out.index("共新建或更新 0 行。") + 1] == "已删除 0 个节点、0 条关系。"


def test_without_replace_nothing_is_deleted(
    store: BoltStore, embedded_dir: Path, tmp_path: Path
) -> None:
    run = _cli(store, embedded_dir, tmp_path)
    before = counts(store)
    assert main([*run[:3], *run[5:]]) == 0
    assert counts(store) == before
