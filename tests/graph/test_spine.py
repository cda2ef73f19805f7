"""The spine and its rules (graph.spine, graph.scope): the Cypher text they generate, the
level helpers, and the legal endpoint pairs as ledgers and restore enforce them (the
GraphQL ``link`` refusal is in tests/api/test_link_pairs.py, beside the API fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_restore_validation import node, refused, rel, write_dump

from analysis.queries import child_level, scoped
from graph import backup
from graph.model import NODE_BY_LABEL, check_pair
from graph.scope import SCOPE_RELS, downward, in_scope
from graph.spine import (
    ANCHORS,
    AREAS,
    DOWN_SPINE,
    LEVELS,
    PLACEMENT,
    SCOPE_LABELS,
    SPINE,
    TERM,
    UP,
    anchor_floor,
    areas_of,
    child_of,
    current,
    depth,
    down_within,
    is_current,
    parent_of,
)
from graph.store import BoltStore
from graph.writer import counts
from loaders.ledger import LedgerInvalid, read_ledgers
from loaders.ledger_writer import LedgerWriter

LEGAL = [("Street", "County"), ("Community", "Street"), ("Grid", "Community"),
         ("Building", "Compound"), ("Household", "Building")]
ILLEGAL = ("Household→County 不是合法的 PART_OF（隶属）关系；合法的只有：Street→County、"
           "Community→Street、Grid→Community、Building→Compound、Household→Building")


def test_levels_and_the_helpers_derived_from_them() -> None:
    assert LEVELS == ("County", "Street", "Community", "Grid", "Compound", "Building",
                      "Household")
    assert AREAS == ("County", "Street", "Community", "Grid", "Compound")
    assert SCOPE_LABELS == ("County", "Street", "Community")
    assert [depth(x) for x in ("County", "Grid", "Household")] == [0, 3, 6]
    assert [parent_of(x) for x in ("County", "Street", "Compound")] == [None, "County", "Grid"]
    assert [child_of(x) for x in ("County", "Compound", "Household")] == [
        "Street", "Building", None]
    assert [child_level(x) for x in ("Street", "Grid", "Compound")] == [
        "Community", "Compound", None]
    with pytest.raises(ValueError, match="PartyOrg is not on the spine"):
        depth("PartyOrg")


def test_up_and_the_spine_paths_follow_the_model() -> None:
    assert UP == {"Street": "PART_OF", "Community": "PART_OF", "Grid": "PART_OF",
                  "Compound": "IN_GRID", "Building": "PART_OF", "Household": "PART_OF"}
    assert SPINE == "-[:PART_OF|IN_GRID*0..6]->"
    assert DOWN_SPINE == "<-[:PART_OF|IN_GRID*0..6]-"
    assert {"PART_OF", "IN_GRID"} <= SCOPE_RELS
    # a new spine node hangs on the level above; County is loaded from ledgers only
    assert [PLACEMENT[x] for x in ("Street", "Compound", "Household")] == [
        ("PART_OF",), ("IN_GRID",), ("PART_OF",)]
    assert "County" not in PLACEMENT


def test_current_at_a_date_as_cypher() -> None:
    assert current("r") == ("(r.since IS NULL OR r.since <= $as_of) "
                            "AND (r.until IS NULL OR r.until >= $as_of)")
    assert current("o", "day", TERM) == ("(o.term_start IS NULL OR o.term_start <= $day) "
                                         "AND (o.term_end IS NULL OR o.term_end >= $day)")
    assert current("l", bounds=("since", None)) == "(l.since IS NULL OR l.since <= $as_of)"
    assert current("r", optional=True) == (
        "($as_of IS NULL OR ((r.since IS NULL OR r.since <= $as_of) "
        "AND (r.until IS NULL OR r.until >= $as_of)))")
    with pytest.raises(ValueError) as bad:
        current("r) OR true //")
    assert str(bad.value) == "not a Cypher name: 'r) OR true //'"


def test_current_at_a_date_in_python() -> None:
    assert is_current(None, None, "2024-06-30")
    assert is_current("2024-06-30", "2024-06-30", "2024-06-30")
    assert not is_current("2024-07-01", None, "2024-06-30")
    assert not is_current(None, "2024-06-29", "2024-06-30")


def test_scope_predicates_and_the_analysis_walk() -> None:
    assert in_scope("Grid", "n", "Street") == (
        "(EXISTS { MATCH (n)-[:PART_OF|IN_GRID*0..6]->(:Street {code: $scope}) })")
    assert in_scope("Demand", "d", "Compound", param="within") == (
        "(EXISTS { MATCH (d)-[:RAISED_IN]->()-[:PART_OF|IN_GRID*0..6]->"
        "(:Compound {code: $within}) })")
    with pytest.raises(ValueError, match="Building cannot be a scope"):
        in_scope("Person", "n", "Building")
    assert scoped("Compound", "Street") == (
        "MATCH (s:Street {code: $scope})<-[:PART_OF]-(m:Community)<-[:PART_OF]-(g:Grid)"
        "<-[:IN_GRID]-(c:Compound) WITH c, collect(DISTINCT m.code) AS children")
    assert scoped("Community", "Compound") == (
        "MATCH (c:Compound {code: $scope})-[:IN_GRID]->(g:Grid)-[:PART_OF]->(m:Community) "
        "WITH DISTINCT m, [] AS children")


def test_a_downward_walk_checks_its_where_before_distinct() -> None:
    top = "(s:County {code: $scope})"
    assert downward("Demand", "n", top, where="n.status IN $f_status") == [
        "MATCH (s:County {code: $scope})<-[:PART_OF|IN_GRID*0..6]-(t) WITH DISTINCT t "
        "MATCH (t)<-[:RAISED_IN]-(n:Demand) WHERE n.status IN $f_status RETURN DISTINCT n"]
    # ArcadeDB lets the walk's t capture a subquery's t: such a where is refused
    for where in ("EXISTS { MATCH (n)-[:ASSIGNED_TO]->(t) }", "t.code = $x", "s.code = $x"):
        with pytest.raises(ValueError, match="names its variables"):
            downward("Demand", "n", top, where=where)
    for where in ("n.status = $t", "EXISTS { MATCH (n)-[:ASSIGNED_TO]->(taker) }",
                  "n.kind = 's'", "toLower(n.name) CONTAINS $f_s"):
        assert downward("Demand", "n", top, where=where)


def test_a_walk_down_stops_where_the_anchors_can_end() -> None:
    # a demand is raised in a compound or a community: never below a compound
    assert anchor_floor(ANCHORS["Demand"][0]) == "Compound"
    assert anchor_floor(ANCHORS["PointsRule"][0]) == "County"
    assert anchor_floor(ANCHORS["Person"][0]) == "Household"  # a liaison of a household
    assert anchor_floor(ANCHORS["Alliance"][0]) == "Household"  # a last step *0..1
    assert down_within("County", "Compound") == "<-[:PART_OF|IN_GRID*0..4]-"
    assert down_within("Compound", "Community") == "<-[:PART_OF|IN_GRID*0..0]-"
    assert downward("Demand", "n", "(s:Street {code: $scope})", level="Street") == [
        "MATCH (s:Street {code: $scope})<-[:PART_OF|IN_GRID*0..3]-(t) WITH DISTINCT t "
        "MATCH (t)<-[:RAISED_IN]-(n:Demand) RETURN DISTINCT n"]
    # with no level known, the whole spine below
    assert DOWN_SPINE in downward("Demand", "n", "(g)")[0]


def test_pairs_in_the_model() -> None:
    for source, target in LEGAL:
        check_pair("PART_OF", source, target)
    with pytest.raises(ValueError) as refused_pair:
        check_pair("PART_OF", "Household", "County")
    assert str(refused_pair.value) == ILLEGAL
    with pytest.raises(ValueError) as wrong_end:
        check_pair("IN_GRID", "Building", "Grid")
    assert str(wrong_end.value) == ("Building→Grid 不是合法的 IN_GRID（所属网格）关系；"
                                    "合法的只有：Compound → Grid")


def _spine_ledgers(out: Path, pairs: list[tuple[str, str]]) -> Path:
    """One node per spine level (code = label) and a PART_OF row per pair."""
    with LedgerWriter(out, chinese=False) as writer:
        for label in LEVELS:
            writer.write(label, {"code": label, "name": label})
        for source, target in pairs:
            writer.write("PART_OF", {"from_kind": source, "from": source,
                                     "to_kind": target, "to": target})
    return out


def test_a_ledger_refuses_an_illegal_pair(tmp_path: Path) -> None:
    ledgers = _spine_ledgers(tmp_path / "ledgers", LEGAL[:2] + [("Household", "County")])
    with pytest.raises(LedgerInvalid) as caught:
        read_ledgers([ledgers])
    assert [str(p) for p in caught.value.problems] == [
        f"ledgers/PART_OF.csv PART_OF 表第 4 行，to_kind 列：{ILLEGAL}"]


def test_a_ledger_accepts_the_five_legal_pairs(tmp_path: Path) -> None:
    ledger = read_ledgers([_spine_ledgers(tmp_path / "ledgers", LEGAL)])
    assert [(r.source_label, r.target_label) for r in ledger.rels] == LEGAL


def _level_nodes() -> list[dict[str, Any]]:
    """One dump record per spine level, its code its label."""
    return [node(label, label, **({"name": label} if "name" in names else {}))
            for label in LEVELS
            for names in [{p.name for p in NODE_BY_LABEL[label].props}]]


def test_restore_refuses_an_illegal_pair(store: BoltStore, tmp_path: Path) -> None:
    levels = _level_nodes()
    path = write_dump(tmp_path / "bad.jsonl.gz", [
        *levels,                                                   # lines 2-8
        rel("PART_OF", ["Street", "Street"], ["County", "County"]),      # 9 fine
        rel("PART_OF", ["Household", "Household"], ["County", "County"]),  # 10
    ])
    assert refused(store, path)[1:] == [
        f"第 10 行（PART_OF Household 'Household' → County 'County'）：{ILLEGAL}"]


def test_restore_accepts_the_five_legal_pairs(store: BoltStore, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "good.jsonl.gz", [
        *_level_nodes(),
        *(rel("PART_OF", [s, s], [t, t]) for s, t in LEGAL)])
    backup.restore(store, path, force=True)
    assert counts(store)[1]["PART_OF"] == 5


def test_the_areas_a_node_lies_under() -> None:
    """Each anchor path, then the spine up from its end (the end itself included)."""
    assert areas_of("Demand", "n") == (
        "[(n)-[:RAISED_IN]->(anchor)-[:PART_OF|IN_GRID*0..6]->(area) | area.code]")
    assert areas_of("Compound", "c") == "[(c)-[:PART_OF|IN_GRID*0..6]->(area) | area.code]"
    assert areas_of("PartyOrg", "o").count(" + ") == 1  # two anchor paths, two lists
