"""Replace mode: what a replace of one street deletes, what it keeps, all or nothing.

The county, worked by hand (→ placing links; S1 and S2 are streets of K1):

    S1: M1 ← G1 ← C1 (OC1 represents it; F1 manages it; P1, P4 live there)
                  C2 (F2 manages it; P2 lives there)
    S2: M2 ← G2 ← C3 (OC3 represents it; F1 manages it too; P3 lives there)

P1 also chairs OC3, so P1 lies under both streets, and so does F1.  Street S1's clerk
sends ledgers without C2 and P2, without P1's post on OC1, and without P4 in the
people sheet (P4 still lives in C1 there), and no sheet at all for owners' committees,
firms, MANAGES or REPRESENTS.  So P2 goes, with P1's post on OC1; C2 is kept (F2 still
MANAGES it, a kind the clerk did not send), and so are MANAGES and C2's IN_GRID, the
relationship that places it (kept but in no grid, it would drop out of every figure).
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
    Kept,
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
EXPECTED_NODES = (("Person", "P2"),)
EXPECTED_RELS = (
    RelId("HOLDS_POST", "Person", "P1", "OwnersCommittee", "OC1", "chair|2021-03-01"),
    RelId("LIVES_IN", "Person", "P2", "Compound", "C2", ""),
)
EXPECTED_KEPT = (Kept("Compound", "C2", "unsent", ("MANAGES",)),)
PREVIEW = [
    "按范围替换：街道(乡镇) S1",
    "只替换文件中有的表：社区(Community)、小区(Compound)、网格(Grid)、任职(HOLDS_POST)、"
    "所属网格(IN_GRID)、居住(LIVES_IN)、隶属(PART_OF)、人员(Person)；文件中没有的表，其数据一概不动。",
    "只删除只属于该范围的数据：同时属于其他范围的节点保留，只删除它进入该范围的关系。",
    "将删除 1 个节点、2 条关系：",
    "  人员 Person：1 个：P2",
    "  任职 HOLDS_POST：1 条：P1 → OC1（chair|2021-03-01）",
    "  居住 LIVES_IN：1 条：P2 → C2",
    "以下 1 个节点台账中已没有，但予以保留：",
    "  保留 Compound C2：仍有 MANAGES 关系（本次未提供该类台账）",
]
DELETED = "已删除 1 个节点、2 条关系：任职 1、居住 1、人员 1。"

Snapshot = tuple[dict[str, int], dict[str, int]]


def _loaded(store: BoltStore, tmp_path: Path) -> Path:
    load_ledgers(store, [write_dir(tmp_path / "county", BASE)])
    return write_dir(tmp_path / "s1", S1_LEDGERS)


def _plan(store: BoltStore, s1: Path) -> ReplacePlan:
    return plan_replace(store.read, read_ledgers([s1], store), "Street", "S1")


_ALL_RELS = Query("test_all_rels", "MATCH (a)-[r]->(b) RETURN a.code AS a, type(r) AS t, "
                  "b.code AS b")
_ALL_NODES = Query("test_all_nodes", "MATCH (n) WHERE NOT n:JinlinWriteStamp RETURN n.code AS code")


def _rels(store: BoltStore) -> set[tuple[str, str, str]]:
    return {(r["a"], r["t"], r["b"]) for r in store.read(_ALL_RELS)}


def _codes(store: BoltStore) -> set[str]:
    return {r["code"] for r in store.read(_ALL_NODES)}


def test_the_plan_lists_what_the_ledgers_no_longer_hold(store: BoltStore,
                                                        tmp_path: Path) -> None:
    plan = _plan(store, _loaded(store, tmp_path))
    assert plan.nodes == EXPECTED_NODES
    assert plan.rels == EXPECTED_RELS
    assert plan.kept == EXPECTED_KEPT
    assert render_plan(plan) == PREVIEW
    with language("en"):  # a check of the catalogue: the sentences, not the model's names
        lines = render_plan(plan)
        assert lines[2:4] == [
            "Only data belonging to this scope alone is deleted: a node also in another scope "
            "is kept, only its relationships into this scope are deleted.",
            "1 nodes and 2 relationships will be deleted:"]
        assert lines[-2:] == [
            "1 nodes no longer in the ledgers are kept:",
            "  kept Compound C2: it still has MANAGES relationships (no sheet of that kind in "
            "the files)"]


def test_replace_deletes_the_plan_and_keeps_the_rest(store: BoltStore, tmp_path: Path) -> None:
    s1 = _loaded(store, tmp_path)
    nodes, rels = _codes(store), _rels(store)
    ledger = read_ledgers([s1], store)
    summary = load_replacing(store, ledger, plan_replace(store.read, ledger, "Street", "S1"))
    assert summary.deleted() == {"HOLDS_POST": 1, "LIVES_IN": 1, "Person": 1}
    assert summary.changed == 0  # everything the S1 ledgers hold was there already
    # the dropped resident goes with their relationship; the dropped compound is kept
    # with its firm's MANAGES and the IN_GRID that places it
    assert _codes(store) == nodes - {"P2"}
    assert _rels(store) == rels - {("P1", "HOLDS_POST", "OC1"), ("P2", "LIVES_IN", "C2")}
    # kept: P1 (also in S2) with its S2 post; P4 (named as a resident); OC1, F2 (their
    # kinds have no sheet); S2 whole; the street's own link to the county
    assert {("P1", "HOLDS_POST", "OC3"), ("P4", "LIVES_IN", "C1"), ("OC1", "REPRESENTS", "C1"),
            ("F1", "MANAGES", "C3"), ("F2", "MANAGES", "C2"),
            ("S1", "PART_OF", "K1")} <= _rels(store)
    # again: nothing left to delete; C2, still in its grid, is listed as kept again
    assert _plan(store, s1) == ReplacePlan("Street", "S1", S1_SHEETS, (), (), EXPECTED_KEPT)


def test_shared_nodes_keep_their_node_from_either_side(store: BoltStore,
                                                       tmp_path: Path) -> None:
    """Replacing S2 by ledgers that hold nothing of it empties S2 alone: P1 and F1 (also
    under S1) keep their nodes and lose their relationships into S2; S1 is untouched.  C3
    stays: OC3 REPRESENTS it and F1 MANAGES it, kinds with no sheet in the files."""
    plan = plan_replace(store.read, read_ledgers([_loaded(store, tmp_path)], store),
                        "Street", "S2")
    assert plan.nodes == (("Community", "M2"), ("Grid", "G2"), ("Person", "P3"))
    assert [(r.type, r.source, r.target) for r in plan.rels] == [
        ("HOLDS_POST", "P1", "OC3"), ("IN_GRID", "C3", "G2"), ("LIVES_IN", "P3", "C3"),
        ("PART_OF", "M2", "S2"), ("PART_OF", "G2", "M2")]
    assert plan.kept == (Kept("Compound", "C3", "unsent", ("MANAGES", "REPRESENTS")),)


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


def test_a_node_with_relationships_of_a_kind_not_sent_is_kept(store: BoltStore,
                                                               tmp_path: Path) -> None:
    """Community M1's clerk sends only Grid.csv, with G1 recoded G5: G1 is no longer named,
    but compounds C1 and C2 are IN_GRID it and G1 is PART_OF M1, kinds not sent; deleting
    it would drop both compounds out of every scope.  G1 stays with its links, listed."""
    _loaded(store, tmp_path)
    grids = write_dir(tmp_path / "grids", {"Grid.csv": [["code", "name"], ["G5", "一网格"]]})
    ledger = read_ledgers([grids], store)
    plan = plan_replace(store.read, ledger, "Community", "M1")
    assert (plan.nodes, plan.rels) == ((), ())
    assert plan.kept == (Kept("Grid", "G1", "unsent", ("IN_GRID", "PART_OF")),)
    assert render_plan(plan) == [
        "按范围替换：社区 M1",
        "只替换文件中有的表：网格(Grid)；文件中没有的表，其数据一概不动。",
        "只删除只属于该范围的数据：同时属于其他范围的节点保留，只删除它进入该范围的关系。",
        "没有要删除的内容。",
        "以下 1 个节点台账中已没有，但予以保留：",
        "  保留 Grid G1：仍有 IN_GRID、PART_OF 关系（本次未提供该类台账）",
    ]
    rels = _rels(store)
    summary = load_replacing(store, ledger, plan)
    assert summary.deleted() == {}
    assert {"G1", "G5"} <= _codes(store)
    assert _rels(store) == rels  # C1, C2 still IN_GRID G1; G5 is new and unplaced


PARTY: dict[str, list[list[Any]]] = {
    "Compound.csv": [["code", "name"], ["C99", "未入网格小区"]],
    "PartyOrg.csv": [["code", "name", "kind"], ["PS", "东街工委", "street_working_committee"],
                     ["PB1", "幸福小区党支部", "compound_branch"],
                     ["PB2", "和谐小区党支部", "compound_branch"],
                     ["PB3", "联合党支部", "compound_branch"]],
    "UNDER.csv": [["from", "to"], ["PB1", "PS"], ["PB2", "PS"]],
    "COVERS.csv": [["from", "to_kind", "to"], ["PB1", "Compound", "C1"],
                   ["PB2", "Compound", "C2"], ["PB3", "Compound", "C1"],
                   ["PB3", "Compound", "C99"]],
}
M1_PARTY: dict[str, list[list[Any]]] = {
    "PartyOrg.csv": [["code", "name", "kind"], ["PM", "幸福社区党委", "community_party_committee"],
                     ["PB1", "幸福小区党支部", "compound_branch"],
                     ["PB2", "和谐小区党支部", "compound_branch"]],
    "UNDER.csv": [["from", "to"], ["PB1", "PM"], ["PB2", "PM"]],
    "COVERS.csv": [["from", "to_kind", "to"], ["PM", "Community", "M1"],
                   ["PB1", "Compound", "C1"], ["PB2", "Compound", "C2"]],
}


def test_a_node_not_placed_in_the_scope_by_itself_is_kept(store: BoltStore,
                                                          tmp_path: Path) -> None:
    """Street committee PS (no COVERS of its own) has branches PB1, PB2 covering C1, C2,
    all in M1, so the scope rule puts PS under M1 alone; PB3 covers C1 and C99, which
    lies in no grid, so PB3 too is under M1 alone.  M1's clerk sends the party sheets
    with a new community committee PM over PB1 and PB2, and neither PS nor PB3: the
    branches' UNDER PS go (UNDER is sent); PS and PB3 are kept, their own COVERS not
    leading into M1 (none; one to C99).  PB3 so counts as shared: it loses its COVERS
    into M1 (the sheet no longer holds it) and keeps the one to C99."""
    _loaded(store, tmp_path)
    load_ledgers(store, [write_dir(tmp_path / "party", PARTY)])
    ledger = read_ledgers([write_dir(tmp_path / "m1", M1_PARTY)], store)
    plan = plan_replace(store.read, ledger, "Community", "M1")
    assert plan.nodes == ()
    assert plan.rels == (RelId("COVERS", "PartyOrg", "PB3", "Compound", "C1", ""),
                         RelId("UNDER", "PartyOrg", "PB1", "PartyOrg", "PS", ""),
                         RelId("UNDER", "PartyOrg", "PB2", "PartyOrg", "PS", ""))
    assert plan.kept == (Kept("PartyOrg", "PB3", "outside", ("COVERS",)),
                         Kept("PartyOrg", "PS", "unplaced", ("COVERS",)))
    assert render_plan(plan)[1:] == [
        "只替换文件中有的表：覆盖(COVERS)、党组织(PartyOrg)、上级党组织(UNDER)；"
        "文件中没有的表，其数据一概不动。",
        "只删除只属于该范围的数据：同时属于其他范围的节点保留，只删除它进入该范围的关系。",
        "将删除 0 个节点、3 条关系：",
        "  覆盖 COVERS：1 条：PB3 → C1",
        "  上级党组织 UNDER：2 条：PB1 → PS、PB2 → PS",
        "以下 2 个节点台账中已没有，但予以保留：",
        "  保留 PartyOrg PB3：自己的 COVERS 关系有的不在本范围内",
        "  保留 PartyOrg PS：没有自己的 COVERS 关系落在本范围内",
    ]
    load_replacing(store, ledger, plan)
    assert {"PS", "PB3", "PM"} <= _codes(store)
    assert {("PB1", "UNDER", "PM"), ("PB3", "COVERS", "C99")} <= _rels(store)
    assert not {("PB1", "UNDER", "PS"), ("PB3", "COVERS", "C1")} & _rels(store)


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
    assert "P2" not in _codes(store)


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
