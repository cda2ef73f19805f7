"""A mutation's write: how many statements it costs, and what ``new`` promises (issue 13)."""

from __future__ import annotations

import pytest

from graph import writer
from graph.store import BoltStore, Query, StoreError
from graph.writer import NodeRecord, RelRecord, write_graph

COMPOUND = NodeRecord("Compound", "C1", {"name": "幸福小区"})
DEMAND = NodeRecord("Demand", "D1", {"title": "楼道灯坏了", "status": "open"})
RAISED = RelRecord("RAISED_IN", "Demand", "D1", "Compound", "C1")
TITLE = Query("test_title", "MATCH (d:Demand {code: $code}) RETURN d.title AS title")


def test_a_small_write_is_not_probed_for_emptiness(store: BoltStore) -> None:
    write_graph(store, [COMPOUND], [])
    before = store.round_trips
    write_graph(store, [DEMAND], [RAISED])
    # inside the one transaction: look up and create the demand, then its relationship
    # (any other place of the demand deleted first: RelKind.one), then the database's
    # write stamp (a bulk-style write: graph.store.bump_stamp); no read per kind asking
    # whether it has rows yet
    assert store.round_trips - before == 6
    assert store.read(TITLE, code="D1") == [{"title": "楼道灯坏了"}]


def test_a_large_write_still_skips_the_look_up_of_an_empty_kind(store: BoltStore) -> None:
    compounds = [NodeRecord("Compound", f"C{i}", {"name": f"小区{i}"})
                 for i in range(writer.PROBE_FROM)]
    before = store.round_trips
    summary = write_graph(store, compounds, [])
    assert store.round_trips - before == 3  # the probe, one create, no look-up; the stamp
    assert summary.rows() == [("Compound", writer.PROBE_FROM, 0, 0)]


def test_new_nodes_are_created_without_look_ups(store: BoltStore) -> None:
    write_graph(store, [COMPOUND], [])
    before = store.round_trips
    summary = write_graph(store, [DEMAND], [RAISED], new=True, stamp=False)
    assert store.round_trips - before == 2
    assert summary.rows() == [("Demand", 1, 0, 0), ("RAISED_IN", 1, 0, 0)]
    rows = store.read(Query("t", "MATCH (d:Demand)-[:RAISED_IN]->(k:Compound) "
                                 "RETURN d.code AS d, k.code AS k"))
    assert rows == [{"d": "D1", "k": "C1"}]


def test_a_new_code_taken_meanwhile_fails_instead_of_overwriting(store: BoltStore) -> None:
    write_graph(store, [COMPOUND, DEMAND], [])  # a concurrent writer got there first
    again = NodeRecord("Demand", "D1", {"title": "另一个需求", "status": "open"})
    with pytest.raises(StoreError, match="违反了唯一性约束"):
        write_graph(store, [again], [RAISED], new=True, stamp=False)
    assert store.read(TITLE, code="D1") == [{"title": "楼道灯坏了"}]
    assert not store.read(Query("t", "MATCH ()-[r:RAISED_IN]->() RETURN r.rkey AS k"))
